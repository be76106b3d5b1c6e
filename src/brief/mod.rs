//! The brief model: what one news summary says, loaded once and shared by
//! every exporter. Texts are parsed into [`Markup`] at load time so that no
//! exporter ever re-reads YAML or Markdown.

mod convert;
mod load;
#[cfg(test)]
mod proptests;
pub mod summary;
mod validate;
pub mod yaml;

pub use convert::slugify;
pub use load::{LoadOptions, load, load_str};

use crate::diagnostic::{Pos, Report, SourceMap};
use crate::markup::{KeyTerm, Markup};
use std::path::PathBuf;
use time::Date;

/// Everything loaded from the sources: the briefs, and every problem found.
#[derive(Debug, Default)]
pub struct Library {
    /// In a stable order: by file path, then position in the file.
    pub briefs: Vec<Brief>,
    pub report: Report,
    pub sources: SourceMap,
    /// Number of YAML files read.
    pub files: usize,
}

#[derive(Clone, Debug)]
pub struct Brief {
    /// `[a-z0-9-]+`, unique across the sources.
    pub id: String,
    pub title: Text,
    pub date: Date,
    pub subject: String,
    pub tags: Vec<String>,
    pub source: Option<SourceRef>,
    pub why_in_news: Text,
    pub key_points: Vec<Point>,
    pub background: Vec<Point>,
    pub way_forward: Vec<Point>,
    pub facts: Vec<Fact>,
    /// Where the brief is: the file as given on the command line and the
    /// position of its first key.
    pub file: PathBuf,
    pub pos: Pos,
}

/// A text: its Markdown source and parsed form, and its position.
#[derive(Clone, Debug)]
pub struct Text {
    /// Holds the source too: see [`Text::source`].
    pub markup: Markup,
    pub pos: Pos,
}

impl Text {
    /// Parses `source`; returns the text and the problems found in it.
    pub fn parse(source: String, pos: Pos) -> (Text, Vec<crate::markup::MarkupIssue>) {
        let (markup, issues) = Markup::parse_owned(source);
        (Text { markup, pos }, issues)
    }

    /// The Markdown source as written.
    pub fn source(&self) -> &str {
        self.markup.source()
    }

    pub fn has_terms(&self) -> bool {
        self.markup.has_key_terms()
    }

    /// The distinct key terms, in order of first appearance. Made on demand
    /// rather than kept: with thousands of briefs in memory, stored terms
    /// took more room than the texts themselves.
    pub fn terms(&self) -> Vec<KeyTerm> {
        self.markup.key_terms()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRef {
    pub name: Option<String>,
    pub url: Option<String>,
}

/// A bullet: a text and/or a heading, with optional children.
#[derive(Clone, Debug)]
pub struct Point {
    /// Boxed: few points have one, and every point is kept in memory.
    pub heading: Option<Box<Text>>,
    pub text: Option<Text>,
    pub id: Option<String>,
    /// Boxed: few points have one, and every point is kept in memory.
    pub image: Option<Box<Image>>,
    pub points: Vec<Point>,
    pub pos: Pos,
}

/// An image file under the sources root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// The path as written, relative to the sources root.
    pub rel: String,
    /// The resolved file on disk.
    pub path: PathBuf,
    pub alt: String,
    /// First 16 hex digits of the content's SHA-256: names the file in
    /// outputs, so two different `map.png` never collide and one file used
    /// twice is packed once.
    pub digest: String,
    /// Lower-case extension: `png`, `jpg`, `gif` or `svg` (`jpeg` → `jpg`).
    pub extension: &'static str,
}

impl Image {
    /// The name under which the image is packed: `img-<digest>.<ext>`.
    pub fn file_name(&self) -> String {
        format!("img-{}.{}", self.digest, self.extension)
    }

    pub fn media_type(&self) -> &'static str {
        match self.extension {
            "png" => "image/png",
            "jpg" => "image/jpeg",
            "gif" => "image/gif",
            _ => "image/svg+xml",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Fact {
    pub question: Text,
    pub answer: Text,
    pub id: Option<String>,
    pub pos: Pos,
}

/// The sections of a brief that hold points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    WhyInNews,
    KeyPoints,
    Background,
    WayForward,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::WhyInNews => "Why in News",
            Section::KeyPoints => "Key Points",
            Section::Background => "Background",
            Section::WayForward => "Way Forward",
        }
    }

    /// The YAML key, also a stable part of note identities.
    pub fn key(self) -> &'static str {
        match self {
            Section::WhyInNews => "why_in_news",
            Section::KeyPoints => "key_points",
            Section::Background => "background",
            Section::WayForward => "way_forward",
        }
    }
}

impl Brief {
    /// The point lists of the brief with their sections.
    pub fn point_sections(&self) -> [(Section, &[Point]); 3] {
        [
            (Section::KeyPoints, &self.key_points),
            (Section::Background, &self.background),
            (Section::WayForward, &self.way_forward),
        ]
    }

    /// Calls `f` for every point at any depth, with the headings above it.
    pub fn walk_points<'a>(&'a self, mut f: impl FnMut(Section, &[&'a Point], &'a Point)) {
        for (section, points) in self.point_sections() {
            let mut path = Vec::new();
            walk(points, &mut path, &mut |p, pt| f(section, p, pt));
        }
    }
}

fn walk<'a>(
    points: &'a [Point],
    path: &mut Vec<&'a Point>,
    f: &mut dyn FnMut(&[&'a Point], &'a Point),
) {
    for p in points {
        f(path, p);
        path.push(p);
        walk(&p.points, path, f);
        path.pop();
    }
}
