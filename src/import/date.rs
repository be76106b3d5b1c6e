//! Dates as articles write them: `2020-10-07`, `07/10/2020` (Indian
//! day/month/year), `7th October 2020`, `7 Oct, 2020`, `October 7, 2020`,
//! `Oct. 7th 2020`. Only real calendar dates between 1900 and 2100 count.

use time::{Date, Month};

/// A date found in a text, with where it is (byte offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub date: Date,
    pub start: usize,
    pub end: usize,
}

/// The first date anywhere in `text`.
pub fn find(text: &str) -> Option<Found> {
    let tokens = tokenize(text);
    (0..tokens.len()).find_map(|i| {
        // A date starts at a word boundary.
        if i > 0 && adjacent(&tokens[i - 1], &tokens[i]) && tokens[i - 1].is_alnum() {
            return None;
        }
        let (date, last) = match_at(&tokens, i)?;
        // ... and ends at one.
        if let Some(next) = tokens.get(last + 1)
            && adjacent(&tokens[last], next)
            && (next.is_alnum() || (next.kind == Kind::Punct('-') && is_num(tokens.get(last + 2))))
        {
            return None;
        }
        Some(Found {
            date,
            start: tokens[i].start,
            end: tokens[last].end,
        })
    })
}

/// `text` is a date and nothing else (surrounding spaces and a final full
/// stop allowed).
pub fn parse_exact(text: &str) -> Option<Date> {
    let trimmed = text.trim().trim_end_matches('.').trim_end();
    let found = find(trimmed)?;
    (found.start == 0 && found.end == trimmed.len()).then_some(found.date)
}

/// `--date`: strictly `YYYY-MM-DD`, a real date.
pub fn parse_iso(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    if !text
        .bytes()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    make(num(0..4)?, num(5..7)?, num(8..10)?)
}

fn make(year: u32, month: u32, day: u32) -> Option<Date> {
    if !(1900..=2100).contains(&year) {
        return None;
    }
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year as i32, month, u8::try_from(day).ok()?).ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Digits: value and number of digits.
    Num(u32, usize),
    Word,
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    /// Lower-cased, for words.
    word: String,
    start: usize,
    end: usize,
}

impl Token {
    fn is_alnum(&self) -> bool {
        matches!(self.kind, Kind::Num(..) | Kind::Word)
    }
}

fn adjacent(a: &Token, b: &Token) -> bool {
    a.end == b.start
}

fn is_num(t: Option<&Token>) -> bool {
    matches!(t.map(|t| t.kind), Some(Kind::Num(..)))
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let class = |c: char| {
            if c.is_ascii_digit() {
                0
            } else if c.is_alphabetic() {
                1
            } else {
                2
            }
        };
        let k = class(c);
        let mut end = start + c.len_utf8();
        if k != 2 {
            while let Some(&(i, n)) = chars.peek() {
                if class(n) != k {
                    break;
                }
                end = i + n.len_utf8();
                chars.next();
            }
        }
        let s = &text[start..end];
        let kind = match k {
            0 => match s.parse::<u32>() {
                Ok(v) if s.len() <= 4 => Kind::Num(v, s.len()),
                // Long digit runs are no part of a date.
                _ => Kind::Word,
            },
            1 => Kind::Word,
            _ => Kind::Punct(c),
        };
        tokens.push(Token {
            kind,
            word: if k == 1 {
                s.to_lowercase()
            } else {
                String::new()
            },
            start,
            end,
        });
    }
    tokens
}

fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if let Some(i) = MONTHS.iter().position(|m| *m == word) {
        return Some(i as u32 + 1);
    }
    if word == "sept" {
        return Some(9);
    }
    if word.len() == 3 {
        return MONTHS
            .iter()
            .position(|m| m.starts_with(word))
            .map(|i| i as u32 + 1);
    }
    None
}

/// Tries every pattern at token `i`; returns the date and its last token.
fn match_at(t: &[Token], i: usize) -> Option<(Date, usize)> {
    numeric(t, i)
        .or_else(|| day_month_year(t, i))
        .or_else(|| month_day_year(t, i))
}

/// `2020-10-07`, `2020/10/07`, `07/10/2020`, `7-10-2020`, `07.10.2020`.
fn numeric(t: &[Token], i: usize) -> Option<(Date, usize)> {
    let w = t.get(i..i + 5)?;
    if !w.windows(2).all(|p| adjacent(&p[0], &p[1])) {
        return None;
    }
    let (Kind::Num(a, la), Kind::Punct(s1), Kind::Num(b, lb), Kind::Punct(s2), Kind::Num(c, lc)) =
        (w[0].kind, w[1].kind, w[2].kind, w[3].kind, w[4].kind)
    else {
        return None;
    };
    if s1 != s2 || !matches!(s1, '-' | '/' | '.') {
        return None;
    }
    let date = if la == 4 && lb <= 2 && lc <= 2 && s1 != '.' {
        make(a, b, c)
    } else if la <= 2 && lb <= 2 && lc == 4 {
        // Indian style: day first.
        make(c, b, a)
    } else {
        None
    }?;
    Some((date, i + 4))
}

/// Skips `st`/`nd`/`rd`/`th` written against a day number.
fn ordinal_end(t: &[Token], day: usize) -> usize {
    match t.get(day + 1) {
        Some(s) if adjacent(&t[day], s) && matches!(s.word.as_str(), "st" | "nd" | "rd" | "th") => {
            day + 1
        }
        _ => day,
    }
}

fn day_number(t: &[Token], i: usize) -> Option<u32> {
    match t.get(i)?.kind {
        Kind::Num(v, len) if len <= 2 && (1..=31).contains(&v) => Some(v),
        _ => None,
    }
}

fn year_number(t: &[Token], i: usize) -> Option<u32> {
    match t.get(i)?.kind {
        Kind::Num(v, 4) => Some(v),
        _ => None,
    }
}

/// A month word, with an optional full stop after an abbreviation; returns
/// the month and the index after it.
fn month_at(t: &[Token], i: usize) -> Option<(u32, usize)> {
    let tok = t.get(i)?;
    if tok.kind != Kind::Word {
        return None;
    }
    let m = month_of(&tok.word)?;
    let mut next = i + 1;
    if let Some(p) = t.get(next)
        && p.kind == Kind::Punct('.')
        && adjacent(tok, p)
    {
        next += 1;
    }
    Some((m, next))
}

fn skip_comma(t: &[Token], i: usize) -> usize {
    match t.get(i) {
        Some(p) if p.kind == Kind::Punct(',') => i + 1,
        _ => i,
    }
}

/// `7th October 2020`, `7 Oct, 2020`, `07th of October, 2020`.
fn day_month_year(t: &[Token], i: usize) -> Option<(Date, usize)> {
    let day = day_number(t, i)?;
    let mut j = ordinal_end(t, i) + 1;
    if t.get(j).is_some_and(|w| w.word == "of") {
        j += 1;
    }
    let (month, j) = month_at(t, j)?;
    let j = skip_comma(t, j);
    let year = year_number(t, j)?;
    Some((make(year, month, day)?, j))
}

/// `October 7, 2020`, `Oct. 7th 2020`.
fn month_day_year(t: &[Token], i: usize) -> Option<(Date, usize)> {
    let (month, j) = month_at(t, i)?;
    let day = day_number(t, j)?;
    let j = skip_comma(t, ordinal_end(t, j) + 1);
    let year = year_number(t, j)?;
    Some((make(year, month, day)?, j))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn found(s: &str) -> Option<Date> {
        find(s).map(|f| f.date)
    }

    #[test]
    fn iso_and_numeric_dates() {
        assert_eq!(found("on 2020-10-07."), Some(date!(2020 - 10 - 07)));
        assert_eq!(found("2020/10/07"), Some(date!(2020 - 10 - 07)));
        // Indian order: day, month, year.
        assert_eq!(found("dated 07/10/2020"), Some(date!(2020 - 10 - 07)));
        assert_eq!(found("7-10-2020"), Some(date!(2020 - 10 - 07)));
        assert_eq!(found("13.12.2023"), Some(date!(2023 - 12 - 13)));
        assert_eq!(found("31/02/2020"), None);
        assert_eq!(found("2020-13-01"), None);
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(
            found("held on 7th October 2020 in Tokyo"),
            Some(date!(2020 - 10 - 07))
        );
        assert_eq!(found("7 Oct, 2020"), Some(date!(2020 - 10 - 07)));
        assert_eq!(found("the 1st of July, 2017"), Some(date!(2017 - 07 - 01)));
        assert_eq!(found("October 7, 2020"), Some(date!(2020 - 10 - 07)));
        assert_eq!(found("Sept. 22nd 2023"), Some(date!(2023 - 09 - 22)));
        assert_eq!(found("on August 23 2023,"), Some(date!(2023 - 08 - 23)));
        assert_eq!(found("23rd AUGUST 2023"), Some(date!(2023 - 08 - 23)));
    }

    #[test]
    fn what_is_not_a_date() {
        assert_eq!(found("in November 2019"), None);
        assert_eq!(found("India and Japan in 2014"), None);
        assert_eq!(found("32 October 2020"), None);
        assert_eq!(found("may 5 of them, 2020"), None);
        assert_eq!(found("1/2/3"), None);
        assert_eq!(found("version 12020-10-07"), None);
        assert_eq!(found("2020-10-07-2"), None);
        assert_eq!(found("7 October 1800"), None);
    }

    #[test]
    fn the_position_is_reported() {
        let f = find("Date: 7th October 2020").unwrap();
        assert_eq!((f.start, f.end), (6, 22));
    }

    #[test]
    fn exact_dates_and_file_names() {
        assert_eq!(parse_exact(" 07 Oct 2020. "), Some(date!(2020 - 10 - 07)));
        assert_eq!(parse_exact("on 07 Oct 2020"), None);
        assert_eq!(found("2020-10-07-india-japan"), Some(date!(2020 - 10 - 07)));
        assert_eq!(found("india-japan-2020-10-07"), Some(date!(2020 - 10 - 07)));
        assert_eq!(parse_iso("2020-10-07"), Some(date!(2020 - 10 - 07)));
        assert_eq!(parse_iso("2020-2-7"), None);
        assert_eq!(parse_iso("2024-02-30"), None);
        assert_eq!(parse_iso("+020-10-07"), None);
    }
}
