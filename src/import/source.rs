//! The "Source: TH" line: which publications an article summarises, with the
//! abbreviations coaching notes use spelled out.

/// Abbreviation (compared case-insensitively) → the publication's name.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("TH", "The Hindu"),
    ("IE", "The Indian Express"),
    ("PIB", "Press Information Bureau"),
    ("HT", "Hindustan Times"),
    ("BS", "Business Standard"),
    ("ET", "The Economic Times"),
    ("DTE", "Down To Earth"),
    ("TOI", "The Times of India"),
    ("LM", "Livemint"),
    ("MINT", "Mint"),
    ("WION", "WION"),
    ("AIR", "All India Radio"),
    ("DD", "DD News"),
    ("FE", "The Financial Express"),
    ("BL", "The Hindu BusinessLine"),
    ("HBL", "The Hindu BusinessLine"),
    ("TH BL", "The Hindu BusinessLine"),
    ("NIE", "The New Indian Express"),
    ("DH", "Deccan Herald"),
    ("IT", "India Today"),
    ("RSTV", "Rajya Sabha TV"),
    ("LSTV", "Lok Sabha TV"),
    ("PRS", "PRS Legislative Research"),
    ("UN", "United Nations"),
    ("WEF", "World Economic Forum"),
    ("ANI", "ANI"),
    ("PTI", "PTI"),
];

/// The name for `abbr`: spelled out when it is a known abbreviation, else as
/// written.
pub fn expand(abbr: &str) -> String {
    let key = abbr.trim().trim_end_matches('.').trim();
    ABBREVIATIONS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(key))
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

/// What a source line says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceLine {
    /// The publications, spelled out, in order, without repeats.
    pub names: Vec<String>,
    /// The first http(s) address on the line.
    pub url: Option<String>,
}

/// Recognises `Source: TH`, `**Source: TH**`, `(Sources: TH, IE)`,
/// `Source - [The Hindu](https://…)`, `_Source: PIB_`. Returns None for any
/// other line.
pub fn parse_line(line: &str) -> Option<SourceLine> {
    let stripped = strip_decoration(line);
    let lower = stripped.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("sources")
        .or_else(|| lower.strip_prefix("source"))?;
    let offset = stripped.len() - rest.len();
    let rest = stripped[offset..].trim_start();
    let value = rest
        .strip_prefix(':')
        .or_else(|| rest.strip_prefix('-'))
        .or_else(|| rest.strip_prefix('–'))
        .or_else(|| rest.strip_prefix('—'))?
        .trim();
    let value = strip_decoration(value);
    if value.is_empty() || value.split_whitespace().count() > 12 {
        return None;
    }
    let (value, url) = take_links(&value);
    let mut names: Vec<String> = Vec::new();
    for part in split_names(&value) {
        let name = expand(part.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace()));
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() && url.is_none() {
        return None;
    }
    Some(SourceLine { names, url })
}

/// Removes the emphasis, brackets and spaces wrapped around a line.
fn strip_decoration(s: &str) -> String {
    let mut s = s.trim();
    loop {
        let before = s;
        for (open, close) in [
            ("**", "**"),
            ("__", "__"),
            ("*", "*"),
            ("_", "_"),
            ("(", ")"),
        ] {
            if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
                s = inner.trim();
            }
        }
        if s == before {
            break;
        }
    }
    // `**Source:** TH`: the emphasis closes inside the line.
    s.replace("**", "").trim().to_owned()
}

/// Replaces Markdown links by their text and bare addresses by nothing;
/// returns the first http(s) address found.
fn take_links(value: &str) -> (String, Option<String>) {
    let mut out = String::new();
    let mut url = None;
    let mut rest = value;
    while let Some(open) = rest.find('[') {
        let Some(close_rel) = rest[open..].find("](") else {
            break;
        };
        let close = open + close_rel;
        let Some(end_rel) = rest[close + 2..].find(')') else {
            break;
        };
        let end = close + 2 + end_rel;
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        let href = rest[close + 2..end].trim();
        if url.is_none() && is_http(href) {
            url = Some(href.to_owned());
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    let mut words = Vec::new();
    for word in out.split_whitespace() {
        let bare = word.trim_matches(|c| matches!(c, '<' | '>' | '(' | ')' | ','));
        if is_http(bare) {
            if url.is_none() {
                url = Some(bare.to_owned());
            }
        } else {
            words.push(word);
        }
    }
    (words.join(" "), url)
}

pub fn is_http(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && s.len() > "https://".len()
        && !s.contains(char::is_whitespace)
}

fn split_names(value: &str) -> Vec<&str> {
    let mut parts = vec![value];
    for sep in [",", ";", "/", "|", "&", " and "] {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_spelled_out() {
        assert_eq!(expand("TH"), "The Hindu");
        assert_eq!(expand("IE"), "The Indian Express");
        assert_eq!(expand("PIB"), "Press Information Bureau");
        assert_eq!(expand("ToI"), "The Times of India");
        assert_eq!(expand("DTE"), "Down To Earth");
        assert_eq!(expand("ET."), "The Economic Times");
        assert_eq!(expand("Reuters"), "Reuters");
    }

    #[test]
    fn source_lines() {
        let one = |names: &[&str]| SourceLine {
            names: names.iter().map(|s| s.to_string()).collect(),
            url: None,
        };
        assert_eq!(parse_line("**Source: TH**"), Some(one(&["The Hindu"])));
        assert_eq!(parse_line("Source: TH"), Some(one(&["The Hindu"])));
        assert_eq!(
            parse_line("**Source:** IE"),
            Some(one(&["The Indian Express"]))
        );
        assert_eq!(
            parse_line("(Sources: TH, PIB)"),
            Some(one(&["The Hindu", "Press Information Bureau"]))
        );
        assert_eq!(
            parse_line("_Source - HT & BS_"),
            Some(one(&["Hindustan Times", "Business Standard"]))
        );
        assert_eq!(parse_line("Source: The Hindu"), Some(one(&["The Hindu"])));
        assert_eq!(
            parse_line("Source: [TH](https://www.thehindu.com/news/x.ece)"),
            Some(SourceLine {
                names: vec!["The Hindu".into()],
                url: Some("https://www.thehindu.com/news/x.ece".into())
            })
        );
        assert_eq!(
            parse_line("Source: PIB https://pib.gov.in/Press.aspx?PRID=1"),
            Some(SourceLine {
                names: vec!["Press Information Bureau".into()],
                url: Some("https://pib.gov.in/Press.aspx?PRID=1".into())
            })
        );
    }

    #[test]
    fn other_lines_are_not_sources() {
        assert_eq!(parse_line("Sourced from the ministry"), None);
        assert_eq!(parse_line("Source of funds: the budget"), None);
        assert_eq!(parse_line("Source:"), None);
        assert_eq!(parse_line("The source: TH"), None);
    }
}
