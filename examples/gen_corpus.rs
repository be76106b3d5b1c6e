//! Synthetic corpus generator for benchmarking and stress-testing briefdeck.
//!
//! Writes N briefs in the YAML shape of SPEC.md §2, spread over one directory per subject:
//!
//! ```text
//! cargo run --release --example gen_corpus -- --briefs 5000 --out /tmp/corpus \
//!     [--per-file 1] [--seed 42] [--facts 3] [--depth 3] [--force]
//! ```
//!
//! Design notes:
//! - Standard library only, so the generator never drags benchmark-only crates into the build.
//! - Every brief draws from its own PRNG seeded from (`--seed`, brief number), so a brief's
//!   content does not depend on `--per-file`, on the thread that writes it or on how many
//!   briefs follow it: the 5k corpus is the first 5k briefs of the 50k corpus (ids and file
//!   names widen past 5 digits only from 100,000 briefs on).
//! - Content is built first (`Brief`), then serialised (`emit_brief`), so the YAML quoting
//!   rules live in one place and cannot be bypassed by a new word list.

use std::fmt::{self, Write as _};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use std::{env, fs, io, process, thread};

const USAGE: &str = "\
usage: gen_corpus --out DIR [--briefs N] [--per-file K] [--seed S] [--facts F] [--depth D] [--force]

  --out DIR       where to write; one subdirectory per subject (required)
  --briefs N      number of briefs to generate (default 1000)
  --per-file K    briefs per file; K > 1 writes `---`-separated YAML streams (default 1)
  --seed S        PRNG seed; the same seed gives byte-identical output (default 42)
  --facts F       q/a facts per brief (default 3)
  --depth D       maximum nesting level of points, 1 = flat lists (default 3)
  --force         write into DIR even if it is not empty (files with the same names are replaced)";

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

struct Options {
    out: PathBuf,
    briefs: usize,
    per_file: usize,
    seed: u64,
    facts: usize,
    depth: usize,
    force: bool,
}

enum Command {
    Run(Options),
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut out = None;
    let mut opts = Options {
        out: PathBuf::new(),
        briefs: 1000,
        per_file: 1,
        seed: 42,
        facts: 3,
        depth: 3,
        force: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--force" => opts.force = true,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--briefs" => opts.briefs = parse_number(&flag, &value()?, 1)?,
            "--per-file" => opts.per_file = parse_number(&flag, &value()?, 1)?,
            "--seed" => opts.seed = parse_number(&flag, &value()?, 0)?,
            "--facts" => opts.facts = parse_number(&flag, &value()?, 0)?,
            "--depth" => opts.depth = parse_number(&flag, &value()?, 1)?,
            _ => return Err(format!("unknown argument `{flag}`")),
        }
    }
    opts.out = out.ok_or("--out DIR is required")?;
    Ok(Command::Run(opts))
}

fn parse_number<T: std::str::FromStr + PartialOrd + From<u8>>(
    flag: &str,
    text: &str,
    min: u8,
) -> Result<T, String> {
    match text.parse::<T>() {
        Ok(n) if n >= T::from(min) => Ok(n),
        _ => Err(format!("{flag} expects an integer >= {min}, got `{text}`")),
    }
}

fn main() {
    let opts = match parse_args(env::args().skip(1)) {
        Ok(Command::Run(opts)) => opts,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return;
        }
        Err(msg) => {
            eprintln!("gen_corpus: {msg}\n\n{USAGE}");
            process::exit(2);
        }
    };
    let started = Instant::now();
    match run(&opts) {
        Ok(stats) => eprintln!(
            "gen_corpus: {} files, {} briefs, {} bytes ({:.1} MB), {:.2} s -> {}",
            stats.files,
            stats.briefs,
            stats.bytes,
            stats.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64(),
            opts.out.display()
        ),
        Err(err) => {
            eprintln!("gen_corpus: {err}");
            process::exit(3);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

struct Stats {
    files: usize,
    briefs: usize,
    bytes: u64,
}

fn run(opts: &Options) -> io::Result<Stats> {
    refuse_stale_output(opts)?;
    let files = opts.briefs.div_ceil(opts.per_file);
    // Each brief has its own PRNG stream, so files can be written in any order and on any
    // number of threads without changing a byte. Threads mainly overlap file-system time,
    // which dominates on disk-backed directories.
    let workers = thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(files);
    let bytes = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                scope.spawn(move || {
                    let mut writer = FileWriter::new(opts);
                    (worker..files)
                        .step_by(workers)
                        .map(|file_no| writer.write(file_no))
                        .sum::<io::Result<u64>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("writer thread panicked"))
            .sum::<io::Result<u64>>()
    })?;
    Ok(Stats {
        files,
        briefs: opts.briefs,
        bytes,
    })
}

/// Briefs `first..first + count` of the corpus for `seed`, `facts` and `depth`, as one YAML
/// stream: for tests that include this file as a module (`src/brief/yaml/tests.rs`).
#[allow(dead_code)]
pub fn briefs_yaml(seed: u64, facts: usize, depth: usize, first: usize, count: usize) -> String {
    let opts = Options {
        out: PathBuf::new(),
        briefs: first + count,
        per_file: count,
        seed,
        facts,
        depth,
        force: false,
    };
    let mut out = String::new();
    for n in first..first + count {
        if n > first {
            out.push_str("---\n");
        }
        let brief = Composer::new(&opts, n, 5).brief();
        emit_brief(&mut out, &brief).expect("formatting into a String cannot fail");
    }
    out
}

/// Writes output files by number, reusing one buffer; one per thread.
struct FileWriter<'a> {
    opts: &'a Options,
    /// Zero padding of numbers in ids and file names: at least 5 digits, more for huge
    /// corpora, so that names sort in brief order.
    width: usize,
    dir_made: [bool; SUBJECTS.len()],
    buf: String,
}

impl<'a> FileWriter<'a> {
    fn new(opts: &'a Options) -> Self {
        FileWriter {
            opts,
            width: opts.briefs.to_string().len().max(5),
            dir_made: [false; SUBJECTS.len()],
            buf: String::with_capacity(4096 * opts.per_file),
        }
    }

    /// Writes file `file_no` (0-based) and returns its size in bytes.
    fn write(&mut self, file_no: usize) -> io::Result<u64> {
        let (opts, width) = (self.opts, self.width);
        let first = file_no * opts.per_file;
        let last = (first + opts.per_file).min(opts.briefs);
        self.buf.clear();
        let mut dir_subject = 0;
        for n in first..last {
            let brief = Composer::new(opts, n, width).brief();
            if n == first {
                // A digest mixes subjects; it is filed under its first brief's subject.
                dir_subject = brief.subject;
            } else {
                self.buf.push_str("---\n");
            }
            emit_brief(&mut self.buf, &brief).expect("formatting into a String cannot fail");
        }

        let dir = opts.out.join(SUBJECTS[dir_subject].slug);
        if !self.dir_made[dir_subject] {
            // Safe to race with other threads: create_dir_all accepts existing directories.
            fs::create_dir_all(&dir).map_err(at(&dir))?;
            self.dir_made[dir_subject] = true;
        }
        let name = if opts.per_file == 1 {
            format!("brief-{:0width$}.yaml", first + 1)
        } else {
            format!("digest-{:0width$}.yaml", file_no + 1)
        };
        let path = dir.join(name);
        fs::write(&path, &self.buf).map_err(at(&path))?;
        Ok(self.buf.len() as u64)
    }
}

/// Leftovers from an earlier run with other flags would silently change the corpus size and,
/// when `--per-file` differs, repeat brief ids (an error for briefdeck), so an occupied
/// output directory needs an explicit `--force`.
fn refuse_stale_output(opts: &Options) -> io::Result<()> {
    let out = &opts.out;
    if opts.force || !out.exists() {
        return Ok(());
    }
    if fs::read_dir(out).map_err(at(out))?.next().is_some() {
        return Err(io::Error::other(format!(
            "{}: directory is not empty; remove it first or pass --force",
            out.display()
        )));
    }
    Ok(())
}

/// Prefixes an I/O error with the path it concerns, since `io::Error` does not say.
fn at(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |err| io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, statistically fine for text generation, and trivially seedable.
struct Rng(u64);

impl Rng {
    /// One independent stream per brief, so each brief is reproducible on its own.
    fn for_brief(seed: u64, brief_no: usize) -> Self {
        Rng(mix64(seed ^ mix64(brief_no as u64 + 1)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is negligible for our tiny `n`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `1 / n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// `k` distinct items, in random order.
    fn pick_distinct<T: Copy>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut pool = items.to_vec();
        for i in 0..k.min(pool.len()) {
            let j = i + self.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }
}

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// Brief model
// ---------------------------------------------------------------------------------------------

struct Brief {
    id: String,
    title: String,
    date: Date,
    /// Index into `SUBJECTS`.
    subject: usize,
    tags: Vec<&'static str>,
    source_name: &'static str,
    source_url: String,
    /// Paragraphs of the folded `why_in_news` block.
    why_in_news: Vec<String>,
    key_points: Vec<Point>,
    background: Vec<Point>,
    way_forward: Vec<Point>,
    facts: Vec<(String, String)>,
}

enum Point {
    Text(String),
    Node {
        heading: Option<String>,
        text: Option<String>,
        points: Vec<Point>,
    },
}

#[derive(Clone, Copy)]
struct Date {
    year: u32,
    month: u32,
    day: u32,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

const FIRST_YEAR: u32 = 2019;
const LAST_YEAR: u32 = 2025;

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Uniform over every day of FIRST_YEAR-01-01 ..= LAST_YEAR-12-31.
fn random_date(rng: &mut Rng) -> Date {
    let total: u32 = (FIRST_YEAR..=LAST_YEAR)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum();
    let mut left = rng.below(total as usize) as u32;
    let mut date = Date {
        year: FIRST_YEAR,
        month: 1,
        day: 1,
    };
    loop {
        let len = days_in_month(date.year, date.month);
        if left < len {
            date.day = left + 1;
            return date;
        }
        left -= len;
        date.month += 1;
        if date.month > 12 {
            date.month = 1;
            date.year += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Content generation
// ---------------------------------------------------------------------------------------------

/// Builds one brief's content from the word lists below. (Its `let _ = write!(…)` calls
/// format into a `String`, which cannot fail.)
struct Composer<'a> {
    rng: Rng,
    opts: &'a Options,
    subject: &'static Subject,
    subject_no: usize,
    id: String,
    date: Date,
    /// One brief in ten exercises non-ASCII text, `<sup>`, italics and links.
    exotic: bool,
    /// Rotates through the `push_exotic` variants, so an exotic brief shows several
    /// different ones rather than repeats.
    exotic_turn: usize,
    /// Counts links so each URL in a brief is distinct.
    links: usize,
}

impl<'a> Composer<'a> {
    fn new(opts: &'a Options, brief_no: usize, width: usize) -> Self {
        let mut rng = Rng::for_brief(opts.seed, brief_no);
        let subject_no = rng.below(SUBJECTS.len());
        let date = random_date(&mut rng);
        let exotic = rng.one_in(10);
        let exotic_turn = rng.below(EXOTIC_KINDS);
        Composer {
            rng,
            opts,
            subject: &SUBJECTS[subject_no],
            subject_no,
            id: format!("synthetic-{:0width$}", brief_no + 1),
            date,
            exotic,
            exotic_turn,
            links: 0,
        }
    }

    fn brief(mut self) -> Brief {
        let depth = self.opts.depth;
        let title = self.title();
        let tag_count = self.rng.range(2, 3);
        let tags = self.rng.pick_distinct(self.subject.tags, tag_count);
        let (source_name, source_host) = self.rng.pick(SOURCES);
        let source_url = format!(
            "https://{source_host}/{}/{}/{:02}/{}",
            self.subject.slug, self.date.year, self.date.month, self.id
        );
        let why_in_news = self.why_in_news();
        let n = self.rng.range(4, 8);
        let key_points = self.points(n, 1, depth);
        // Context and recommendations are flatter than key points in real briefs.
        let n = self.rng.range(0, 2);
        let background = self.points(n, 1, depth.min(2));
        let n = self.rng.range(1, 3);
        let way_forward = self.points(n, 1, depth.min(2));
        let facts = (0..self.opts.facts).map(|_| self.fact()).collect();
        Brief {
            id: self.id,
            title,
            date: self.date,
            subject: self.subject_no,
            tags,
            source_name,
            source_url,
            why_in_news,
            key_points,
            background,
            way_forward,
            facts,
        }
    }

    fn title(&mut self) -> String {
        let name = self.term_name();
        match self.rng.below(5) {
            0 => format!("{} Approves {name}", self.rng.pick(ORGS)),
            1 => format!("{name}: Key Provisions"),
            2 => format!("Review of the {name}"),
            3 => format!("{name} Launched"),
            _ => name,
        }
    }

    /// Two or three bold terms over one or two paragraphs.
    fn why_in_news(&mut self) -> Vec<String> {
        let bold = self.rng.range(2, 3);
        if self.rng.one_in(3) {
            let first = self.sentence(bold - 1);
            vec![first, self.sentence(1)]
        } else {
            vec![self.sentence(bold)]
        }
    }

    fn points(&mut self, count: usize, level: usize, max_depth: usize) -> Vec<Point> {
        (0..count).map(|_| self.point(level, max_depth)).collect()
    }

    fn point(&mut self, level: usize, max_depth: usize) -> Point {
        // Nesting gets rarer with depth so even a large --depth keeps briefs near 3 KB.
        let nest_percent = match level {
            1 => 20,
            2 => 15,
            _ => 10,
        };
        if level >= max_depth || self.rng.below(100) >= nest_percent {
            return Point::Text(self.point_text());
        }
        // A bare heading groups a few children; a text with children elaborates on itself.
        let (heading, text, children) = match self.rng.below(6) {
            0..=2 => (Some(self.heading()), None, self.rng.range(2, 3)),
            3 | 4 => (None, Some(self.point_text()), self.rng.range(1, 2)),
            _ => (
                Some(self.heading()),
                Some(self.point_text()),
                self.rng.range(1, 2),
            ),
        };
        Point::Node {
            heading,
            text,
            points: self.points(children, level + 1, max_depth),
        }
    }

    /// One in five point texts opens with a label (`**Significance:** …`), which briefdeck
    /// must not treat as a key term; every text still carries 1–3 real key terms.
    fn point_text(&mut self) -> String {
        let bold = self.rng.range(1, 3);
        let sentence = self.sentence(bold);
        if self.rng.one_in(5) {
            format!("**{}:** {sentence}", self.rng.pick(LABELS))
        } else {
            sentence
        }
    }

    fn heading(&mut self) -> String {
        match self.rng.below(3) {
            0 => format!("About the {}", self.term_name()),
            _ => self.rng.pick(HEADINGS).to_string(),
        }
    }

    fn fact(&mut self) -> (String, String) {
        let month = MONTHS[self.date.month as usize - 1];
        let year = self.date.year;
        let org = self.rng.pick(ORGS);
        let kind = self.rng.pick(KINDS);
        let mut answer = String::new();
        let question = match self.rng.below(3) {
            0 => {
                answer.push_str("The ");
                self.push_bold_term(&mut answer);
                let _ = write!(answer, ", {month} {year}");
                format!(
                    "Which {} did the {org} announce in {year}?",
                    kind.to_lowercase()
                )
            }
            1 => {
                self.push_bold_term(&mut answer);
                answer.push_str(", under the ");
                self.push_bold_term(&mut answer);
                format!("Which initiative of the {org} is mentioned in this brief?")
            }
            _ => {
                let _ = write!(answer, "**{}**", self.number_phrase());
                format!("What target was set by the {org} in {month} {year}?")
            }
        };
        (question, answer)
    }

    /// A sentence with exactly `bold` key terms, e.g.
    /// "The Union Cabinet approved the **National Green Hydrogen Mission (NGHM)** alongside
    /// the **Critical Minerals Fund** to cut compliance costs."
    fn sentence(&mut self, bold: usize) -> String {
        let mut s = String::with_capacity(320);
        s.push_str(self.rng.pick(OPENERS));
        s.push_str(" the ");
        self.push_bold_term(&mut s);
        for _ in 1..bold {
            if self.rng.one_in(4) {
                let lead = self.rng.pick(NUMBER_LEADS);
                let _ = write!(s, "{lead} **{}**", self.number_phrase());
            } else {
                s.push_str(self.rng.pick(LINKERS));
                s.push_str(" the ");
                self.push_bold_term(&mut s);
            }
        }
        if self.exotic && self.rng.one_in(2) {
            self.push_exotic(&mut s);
        }
        s.push_str(self.rng.pick(TAILS));
        if self.rng.one_in(5) {
            s.push(' ');
            s.push_str(self.rng.pick(FILLERS));
        }
        s
    }

    /// `**term**`, where the term is one of tens of thousands of combinations, so glossaries
    /// and cloze numbering see realistic variety.
    fn push_bold_term(&mut self, out: &mut String) {
        out.push_str("**");
        if self.exotic && self.rng.one_in(8) {
            // A non-ASCII key term, to exercise glossary sorting and anchors.
            let (latin, devanagari) = self.rng.pick(DEVANAGARI);
            let _ = write!(out, "{latin} ({devanagari})");
        } else {
            let name = self.term_name();
            out.push_str(&name);
            if self.rng.one_in(6) {
                let _ = write!(out, " ({})", acronym(&name));
            }
        }
        out.push_str("**");
    }

    /// "[Prefix] Core Kind", e.g. "Integrated Wetland Conservation Framework".
    fn term_name(&mut self) -> String {
        let core = self.rng.pick(self.subject.cores);
        let kind = self.rng.pick(KINDS);
        if self.rng.one_in(4) {
            return format!("{core} {kind}");
        }
        let prefix = self.rng.pick(PREFIXES);
        format!("{prefix} {core} {kind}")
    }

    fn number_phrase(&mut self) -> String {
        let n = self.rng.range(2, 95);
        match self.rng.below(5) {
            0 => format!("{n} lakh households"),
            1 => format!("{n} per cent of districts"),
            2 => format!("{} GW", n * 5),
            3 => format!("{} districts", n * 7),
            _ => format!("{n} million beneficiaries"),
        }
    }

    /// Inserts one of the rarer inline constructs; see `EXOTIC_KINDS`.
    fn push_exotic(&mut self, s: &mut String) {
        let kind = self.exotic_turn % EXOTIC_KINDS;
        self.exotic_turn += 1;
        match kind {
            0 => {
                let (_, devanagari) = self.rng.pick(DEVANAGARI);
                let _ = write!(s, " (known in Hindi as {devanagari})");
            }
            1 => {
                let crore = self.rng.range(1, 99) * 1000 + self.rng.range(0, 9) * 100;
                let _ = write!(
                    s,
                    " with an outlay of ₹{},{:03} crore",
                    crore / 1000,
                    crore % 1000
                );
            }
            2 => {
                let start = self.date.year - self.rng.range(0, 3) as u32;
                let _ = write!(s, " for the {start}–{} period", start + 5);
            }
            3 => {
                let n = self.rng.range(2, 30);
                let _ = write!(s, ", the {n}<sup>{}</sup> such review", ordinal_suffix(n));
            }
            4 => {
                let _ = write!(s, ", described as *{}*", self.rng.pick(ITALICS));
            }
            _ => {
                self.links += 1;
                let _ = write!(
                    s,
                    " (see the [official summary](https://example.org/{}/{}))",
                    self.id, self.links
                );
            }
        }
    }
}

/// Devanagari, ₹ amount, en dash, `<sup>`, italics, https link.
const EXOTIC_KINDS: usize = 6;

fn acronym(name: &str) -> String {
    name.split([' ', '-'])
        .filter(|w| !matches!(*w, "and" | "of" | "the" | "for"))
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn ordinal_suffix(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

// ---------------------------------------------------------------------------------------------
// YAML emission
// ---------------------------------------------------------------------------------------------

/// Column at which `why_in_news` lines wrap, like a hand-edited file.
const WRAP: usize = 92;

fn emit_brief(out: &mut String, b: &Brief) -> fmt::Result {
    writeln!(out, "id: {}", b.id)?;
    writeln!(out, "title: {}", Scalar(&b.title))?;
    writeln!(out, "date: {}", b.date)?;
    writeln!(out, "subject: {}", Scalar(SUBJECTS[b.subject].name))?;
    out.push_str("tags: [");
    for (i, tag) in b.tags.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write!(out, "{}", Scalar(tag))?;
    }
    out.push_str("]\n");
    writeln!(out, "source:\n  name: {}", Scalar(b.source_name))?;
    writeln!(out, "  url: {}", Scalar(&b.source_url))?;
    out.push_str("why_in_news: >\n");
    emit_folded(out, &b.why_in_news, 2);
    emit_section(out, "key_points", &b.key_points)?;
    emit_section(out, "background", &b.background)?;
    emit_section(out, "way_forward", &b.way_forward)?;
    if !b.facts.is_empty() {
        out.push_str("facts:\n");
        for (q, a) in &b.facts {
            writeln!(out, "  - q: {}\n    a: {}", Quoted(q), Quoted(a))?;
        }
    }
    Ok(())
}

/// Optional sections are left out rather than written as empty lists.
fn emit_section(out: &mut String, key: &str, points: &[Point]) -> fmt::Result {
    if points.is_empty() {
        return Ok(());
    }
    writeln!(out, "{key}:")?;
    emit_points(out, points, 2)
}

fn emit_points(out: &mut String, points: &[Point], indent: usize) -> fmt::Result {
    for point in points {
        push_indent(out, indent);
        out.push_str("- ");
        match point {
            Point::Text(text) => writeln!(out, "{}", Quoted(text))?,
            Point::Node {
                heading,
                text,
                points,
            } => {
                // The first key shares the `- ` line; the rest align under it.
                let mut first = true;
                let mut key = |out: &mut String, name: &str| {
                    if !first {
                        push_indent(out, indent + 2);
                    }
                    first = false;
                    out.push_str(name);
                };
                if let Some(heading) = heading {
                    key(out, "heading: ");
                    writeln!(out, "{}", Scalar(heading))?;
                }
                if let Some(text) = text {
                    key(out, "text: ");
                    writeln!(out, "{}", Quoted(text))?;
                }
                key(out, "points:\n");
                emit_points(out, points, indent + 4)?;
            }
        }
    }
    Ok(())
}

/// Body of a `>` folded block scalar: words wrapped at `WRAP`, paragraphs separated by a
/// blank line (which folding turns back into a newline). Lines never start with a space,
/// which would make them "more indented" and keep their line breaks.
fn emit_folded(out: &mut String, paragraphs: &[String], indent: usize) {
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut column = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            if column > 0 && column + 1 + word.chars().count() > WRAP {
                out.push('\n');
                column = 0;
            }
            if column == 0 {
                push_indent(out, indent);
                column = indent;
            } else {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += word.chars().count();
        }
        out.push('\n');
    }
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A double-quoted scalar; always valid whatever the text, at the cost of escaping.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        // Copy unescaped runs in one go: per-char writes through the formatter dominate
        // the generator's run time otherwise.
        let mut run_start = 0;
        for (i, c) in self.0.char_indices() {
            let short_escape = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\t' => Some("\\t"),
                // Other controls and the Unicode line/paragraph separators, which YAML 1.1
                // parsers would fold like line breaks.
                c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => None,
                _ => continue,
            };
            f.write_str(&self.0[run_start..i])?;
            run_start = i + c.len_utf8();
            match short_escape {
                Some(escape) => f.write_str(escape)?,
                None => write!(f, "\\u{:04X}", c as u32)?,
            }
        }
        f.write_str(&self.0[run_start..])?;
        f.write_char('"')
    }
}

/// A plain scalar when that is unambiguous, else double-quoted: headings and titles read like
/// hand-written YAML, and anything starting with `*`, containing `: `, etc. stays a string.
struct Scalar<'a>(&'a str);

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain_safe(self.0) {
            f.write_str(self.0)
        } else {
            Quoted(self.0).fmt(f)
        }
    }
}

/// Conservative: also rejects flow indicators (plain scalars are used inside `[...]`) and
/// anything a YAML 1.1 or 1.2 parser might resolve to a non-string.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let starts_badly = "-?:,[]{}#&*!|>'\"%@`.+~".contains(first) || first.is_ascii_digit();
    let has_indicator = s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains([',', '[', ']', '{', '}']);
    let has_special_char = s
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{FEFF}');
    let padded = s.starts_with(' ') || s.ends_with(' ');
    let keyword = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    );
    !(starts_badly || has_indicator || has_special_char || padded || keyword)
}

// ---------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------

struct Subject {
    name: &'static str,
    /// Directory name and URL segment.
    slug: &'static str,
    /// Subject-specific cores of key terms; × PREFIXES × KINDS gives ~60k distinct terms.
    cores: &'static [&'static str],
    tags: &'static [&'static str],
}

const SUBJECTS: [Subject; 7] = [
    Subject {
        name: "Economy",
        slug: "economy",
        cores: &[
            "Monetary Policy",
            "Fiscal Consolidation",
            "Goods and Services Tax",
            "Digital Rupee",
            "Credit Guarantee",
            "Production Linked Incentive",
            "Disinvestment",
            "Current Account",
            "Inflation Targeting",
            "Priority Sector Lending",
            "Bank Recapitalisation",
            "Export Promotion",
            "MSME Credit",
            "Insolvency Resolution",
            "Capital Expenditure",
        ],
        tags: &[
            "inflation",
            "banking",
            "fiscal-policy",
            "gst",
            "msme",
            "trade",
            "rbi",
            "capital-markets",
        ],
    },
    Subject {
        name: "Polity & Governance",
        slug: "polity-governance",
        cores: &[
            "Anti-Defection",
            "Delimitation",
            "Judicial Review",
            "Electoral Reform",
            "Panchayati Raj",
            "Cooperative Federalism",
            "Model Code of Conduct",
            "Right to Information",
            "Legislative Council",
            "Finance Commission",
            "Lokpal",
            "Judicial Appointments",
            "Inter-State Council",
            "Police Reform",
            "E-Governance",
        ],
        tags: &[
            "parliament",
            "judiciary",
            "elections",
            "federalism",
            "constitution",
            "local-bodies",
            "rti",
            "governance",
        ],
    },
    Subject {
        name: "Environment & Ecology",
        slug: "environment-ecology",
        cores: &[
            "Wetland Conservation",
            "Green Hydrogen",
            "Carbon Market",
            "Tiger Reserve",
            "Mangrove Restoration",
            "Coral Reef",
            "Heatwave Action",
            "Compensatory Afforestation",
            "Extended Producer Responsibility",
            "Clean Air",
            "Biodiversity Heritage",
            "Elephant Corridor",
            "Net Zero",
            "Ozone Protection",
            "Blue Carbon",
        ],
        tags: &[
            "climate-change",
            "biodiversity",
            "pollution",
            "wildlife",
            "forests",
            "wetlands",
            "renewables",
            "cop",
        ],
    },
    Subject {
        name: "Science & Technology",
        slug: "science-technology",
        cores: &[
            "Quantum Computing",
            "Semiconductor Fabrication",
            "Human Spaceflight",
            "Genome Sequencing",
            "Artificial Intelligence",
            "Spectrum Allocation",
            "Reusable Launch Vehicle",
            "mRNA Vaccine",
            "Supercomputing",
            "Fast Breeder Reactor",
            "Gene Editing",
            "Satellite Internet",
            "Open Network",
            "Drone Technology",
            "Deep Ocean",
        ],
        tags: &[
            "space",
            "isro",
            "biotechnology",
            "ai",
            "semiconductors",
            "telecom",
            "health-tech",
            "nuclear",
        ],
    },
    Subject {
        name: "International Relations",
        slug: "international-relations",
        cores: &[
            "Strategic Dialogue",
            "Free Trade",
            "Indo-Pacific",
            "Maritime Security",
            "Quad",
            "BRICS",
            "Line of Credit",
            "Connectivity Corridor",
            "Shanghai Cooperation",
            "Vaccine Diplomacy",
            "Nuclear Suppliers",
            "Global South",
            "Blue Economy",
            "Bilateral Investment",
            "Neighbourhood First",
        ],
        tags: &[
            "india-japan",
            "quad",
            "brics",
            "sco",
            "neighbourhood",
            "indo-pacific",
            "trade-deals",
            "un",
        ],
    },
    Subject {
        name: "Security",
        slug: "security",
        cores: &[
            "Cyber Security",
            "Coastal Security",
            "Counter-Terrorism",
            "Border Infrastructure",
            "Defence Indigenisation",
            "Left Wing Extremism",
            "Theatre Command",
            "Critical Infrastructure",
            "Counter-Drone",
            "Anti-Money Laundering",
            "Armed Forces Special Powers",
            "Narcotics Control",
            "Space Situational Awareness",
            "Ballistic Missile Defence",
            "Defence Exports",
        ],
        tags: &[
            "cybersecurity",
            "defence",
            "terrorism",
            "border-management",
            "internal-security",
            "navy",
            "drones",
            "intelligence",
        ],
    },
    Subject {
        name: "Social Issues",
        slug: "social-issues",
        cores: &[
            "Maternal Health",
            "Nutrition",
            "Foundational Literacy",
            "Manual Scavenging",
            "Child Marriage",
            "Tribal Welfare",
            "Universal Health Coverage",
            "Skill Development",
            "Urban Housing",
            "Gender Budgeting",
            "Disability Rights",
            "Elderly Care",
            "Migrant Workers",
            "Menstrual Hygiene",
            "Digital Literacy",
        ],
        tags: &[
            "health",
            "education",
            "women",
            "children",
            "tribals",
            "poverty",
            "urbanisation",
            "welfare",
        ],
    },
];

const PREFIXES: &[&str] = &[
    "National",
    "Integrated",
    "Revised",
    "Comprehensive",
    "Joint",
    "Regional",
    "Draft",
    "Second",
    "Pradhan Mantri",
    "Global",
    "Inter-Ministerial",
    "Rashtriya",
    "Model",
    "District-level",
    "Unified",
    "Bilateral",
    "Standing",
    "Special",
    "Digital",
    "Sustainable",
    "Strategic",
    "Emergency",
    "Decentralised",
    "Outcome-based",
    "Multi-State",
];

const KINDS: &[&str] = &[
    "Mission",
    "Scheme",
    "Framework",
    "Policy",
    "Programme",
    "Index",
    "Fund",
    "Committee",
    "Act",
    "Bill",
    "Guidelines",
    "Initiative",
    "Corridor",
    "Council",
    "Platform",
    "Task Force",
    "Report",
    "Portal",
    "Partnership",
    "Authority",
    "Rules",
    "Charter",
    "Roadmap",
    "Survey",
    "Dashboard",
];

const ORGS: &[&str] = &[
    "Union Cabinet",
    "Reserve Bank of India",
    "NITI Aayog",
    "Ministry of External Affairs",
    "Election Commission",
    "Supreme Court",
    "Ministry of Home Affairs",
    "Ministry of Finance",
    "Ministry of Environment",
    "Department of Science and Technology",
    "Lok Sabha",
    "Ministry of Health",
    "Ministry of Defence",
    "Law Commission",
];

const OPENERS: &[&str] = &[
    "The government has notified",
    "The Union Cabinet approved",
    "The ministry launched",
    "A parliamentary standing committee reviewed",
    "The Supreme Court examined",
    "The latest report recommends strengthening",
    "States are expected to implement",
    "The new rules expand",
    "Officials said the pilot will test",
    "Analysts expect gains from",
    "The move strengthens",
    "The initiative builds on",
    "Experts have flagged gaps in",
    "The proposal links",
    "Data released this week show progress under",
    "The Centre plans to restructure",
    "A joint statement reaffirmed",
];

const LINKERS: &[&str] = &[
    " alongside",
    ", which complements",
    " to support",
    " and extends",
    " under",
    " in line with",
    ", drawing on",
    " while revising",
    ", to be monitored through",
];

const NUMBER_LEADS: &[&str] = &[
    ", covering",
    ", with a target of",
    ", reaching",
    ", up from",
];

const TAILS: &[&str] = &[
    " to improve last-mile delivery.",
    " across all districts.",
    " by 2030.",
    " with a focus on vulnerable groups.",
    " in consultation with the States.",
    " after a two-year pilot.",
    " to cut compliance costs.",
    " for faster grievance redressal.",
    " within the existing budget.",
    " through public and private partnerships.",
    " with third-party audits every year.",
    " in phases over five years.",
    " to reduce dependence on imports.",
    " with support from multilateral lenders.",
];

const FILLERS: &[&str] = &[
    "Implementation will be reviewed every six months.",
    "Funding is shared between the Centre and the States in a 60:40 ratio.",
    "The first phase covers 100 aspirational districts.",
    "Critics argue that the targets are ambitious.",
    "Civil society groups have broadly welcomed the move.",
    "Progress will be published on a public dashboard.",
    "The details were tabled in Parliament during the winter session.",
    "Several States had sought more flexibility in the guidelines.",
    "Earlier efforts were hampered by poor data on \"beneficiaries\" and delays in fund flow.",
    "A similar model has been tried in Kerala, Odisha and Gujarat.",
    "The committee will submit its report within 90 days.",
    "Officials said the rules are a \"work in progress\" and open to feedback.",
];

const LABELS: &[&str] = &[
    "Significance",
    "Significance",
    "Concerns",
    "Objective",
    "Features",
    "Challenges",
    "Impact",
    "Status",
];

const HEADINGS: &[&str] = &[
    "Key Provisions",
    "Concerns",
    "Implementation",
    "Global Context",
    "Related Initiatives",
    "Challenges",
    "Benefits",
    "Institutional Framework",
    "Funding",
    "Recent Developments",
    "Constitutional Provisions",
    "Data and Trends",
];

const SOURCES: &[(&str, &str)] = &[
    ("The Hindu", "thehindu.example.com"),
    ("The Indian Express", "indianexpress.example.com"),
    ("Press Information Bureau", "pib.example.gov.in"),
    ("Down To Earth", "downtoearth.example.org"),
    ("Mint", "livemint.example.com"),
    ("The Economic Times", "economictimes.example.com"),
    ("Hindustan Times", "hindustantimes.example.com"),
];

/// (transliteration, Devanagari).
const DEVANAGARI: &[(&str, &str)] = &[
    ("Atmanirbhar Bharat", "आत्मनिर्भर भारत"),
    ("Swachh Bharat", "स्वच्छ भारत"),
    ("Jal Jeevan Mission", "जल जीवन मिशन"),
    ("NITI Aayog", "नीति आयोग"),
    ("Ayushman Bharat", "आयुष्मान भारत"),
    ("Van Dhan", "वन धन"),
    ("Poshan Abhiyaan", "पोषण अभियान"),
    ("Gram Sabha", "ग्राम सभा"),
];

const ITALICS: &[&str] = &[
    "suo motu",
    "de facto",
    "in situ",
    "sui generis",
    "status quo ante",
    "ex officio",
    "ad hoc",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
