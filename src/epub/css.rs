//! The booklet's stylesheet, written for e-ink first.
//!
//! Rules of thumb, because e-readers differ wildly and users change fonts:
//! - sizes are relative (`em`, `%`) so the reader's font-size setting scales
//!   everything, and no font family is forced beyond a generic `serif`;
//! - nothing relies on colour: boxes have borders, key terms are bold,
//!   blanks are a line of underscores, and no `color` or `background` is ever set, so a
//!   night mode or a greyscale screen loses nothing;
//! - lists keep a clear indentation per level, with a different bullet per
//!   level, because key points nest deeply;
//! - tables and images never overflow the page width.

/// The content of `stylesheet.css` (the name epub-builder's nav links to).
pub(crate) const STYLESHEET: &str = r#"/* briefdeck booklet: e-ink first, relative sizes, no colours. */
body {
  font-family: serif;
  line-height: 1.35;
  margin: 0 2%;
  widows: 2;
  orphans: 2;
}
h1, h2, h3, h4 {
  font-weight: bold;
  line-height: 1.2;
  page-break-after: avoid;
  break-after: avoid;
  hyphens: manual;
  -webkit-hyphens: manual;
}
h1 { font-size: 1.6em; margin: 1.2em 0 0.6em 0; }
h2 { font-size: 1.3em; margin: 1.1em 0 0.5em 0; }
h3 { font-size: 1.12em; margin: 1em 0 0.4em 0; }
h4 { font-size: 1em; margin: 0.9em 0 0.3em 0; }
p { margin: 0.45em 0; }
a { text-decoration: underline; }
strong { font-weight: bold; }
sup, sub { font-size: 0.75em; line-height: 0; }
code { font-family: monospace; font-size: 0.95em; }

/* A line above a heading: subject and date, or the part number. */
.kicker {
  font-size: 0.85em;
  letter-spacing: 0.05em;
  text-transform: uppercase;
  margin: 1.2em 0 0 0;
}
.meta { font-size: 0.9em; font-style: italic; margin: 0.2em 0 0.6em 0; }
.subject { border-bottom: 2px solid; padding-bottom: 0.15em; }

/* Key points: clear indentation and a different bullet at each level. */
ul.points { margin: 0.4em 0 0.7em 0; padding-left: 1.4em; list-style-type: disc; }
ul.points ul { margin: 0.2em 0 0.2em 0; padding-left: 1.3em; list-style-type: circle; }
ul.points ul ul { list-style-type: square; }
ul.points ul ul ul { list-style-type: disc; }
ul.points li { margin: 0.25em 0; }
ul.points p { margin: 0.1em 0; }
.lead { font-weight: bold; }

/* Background notes: a ruled box, readable in any colour mode. */
.box {
  border: 1px solid;
  border-left-width: 4px;
  padding: 0.3em 0.7em;
  margin: 0.9em 0;
  page-break-inside: avoid;
  break-inside: avoid;
}
.box-title {
  font-size: 0.9em;
  letter-spacing: 0.05em;
  text-transform: uppercase;
  margin: 0.3em 0 0.2em 0;
}

/* Links between a brief's entries, and back to the question. */
.xref { font-size: 0.9em; margin: 0.8em 0 1.2em 0; padding-top: 0.3em; border-top: 1px dotted; }
.entry { margin-bottom: 1.4em; }

figure { margin: 0.8em 0; text-align: center; page-break-inside: avoid; break-inside: avoid; }
img { max-width: 100%; height: auto; }

table { width: 100%; border-collapse: collapse; margin: 0.8em 0; }
th, td { text-align: left; vertical-align: top; padding: 0.2em 0.4em; border-bottom: 1px solid; }
td.n { text-align: right; }

/* Lists of links: parts, subjects, glossary letters. */
ul.plain { list-style-type: none; padding-left: 0; margin: 0.4em 0; }
ul.plain li { margin: 0.3em 0; }
ul.letters { list-style-type: none; padding-left: 0; }
ul.letters li { display: inline; margin-right: 0.6em; }

/* Glossary. */
dl.glossary dt { font-weight: bold; margin: 0.7em 0 0 0; page-break-after: avoid; break-after: avoid; }
dl.glossary dd { margin: 0.1em 0 0 1.2em; font-size: 0.92em; }

/* Self-test: numbered questions, blanks drawn as an underline. */
.q, .a { margin: 0.6em 0; }
.qn { font-weight: bold; }
.blank { letter-spacing: 0.05em; white-space: nowrap; }
.from { font-size: 0.9em; margin: 0.1em 0 0 1.2em; }

/* Title page and cover. */
.titlepage { text-align: center; }
.titlepage h1 { font-size: 2em; margin-top: 2em; }
.titlepage .dates { font-size: 1.15em; }
.titlepage table { width: auto; margin: 1em auto; }
.colophon { font-size: 0.85em; margin-top: 2em; text-align: center; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-width: 100%; max-height: 100%; }
"#;

#[cfg(test)]
mod tests {
    use super::STYLESHEET;

    #[test]
    fn nothing_relies_on_colour_and_sizes_are_relative() {
        for line in STYLESHEET.lines() {
            assert!(
                !line.contains("color") && !line.contains("background"),
                "{line}"
            );
            if line.contains("font-size") {
                assert!(line.contains("em;") || line.contains("%;"), "{line}");
            }
            assert!(!line.contains("pt;"), "{line}");
        }
    }

    #[test]
    fn braces_balance() {
        let open = STYLESHEET.matches('{').count();
        assert_eq!(open, STYLESHEET.matches('}').count());
    }
}
