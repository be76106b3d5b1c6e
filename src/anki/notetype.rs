//! The two note types, frozen.
//!
//! Anki matches note types by id and fields by position and name. Changing an
//! id, renaming a field or reordering fields after release would make every
//! learner's next import create a copy ("briefdeck Cloze+") instead of
//! updating their notes. So the ids and field lists here are frozen: add a
//! new note type rather than changing one. Templates and CSS may change; Anki
//! takes them from a package whose note type is newer than its own copy.

use serde_json::{Value, json};

#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    Standard,
    Cloze,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    pub name: &'static str,
    pub front: &'static str,
    pub back: &'static str,
}

#[derive(Debug, PartialEq, Eq)]
pub struct NoteType {
    pub id: i64,
    pub name: &'static str,
    pub kind: Kind,
    pub fields: &'static [&'static str],
    pub templates: &'static [Template],
}

/// Cloze notes: one card per key term of a text.
pub static CLOZE: NoteType = NoteType {
    id: 1_733_000_000_001,
    name: "briefdeck Cloze",
    kind: Kind::Cloze,
    fields: &[
        "Text", "Context", "Image", "Source", "Date", "Subject", "BriefId",
    ],
    templates: &[Template {
        name: "Cloze",
        front: CLOZE_FRONT,
        back: CLOZE_BACK,
    }],
};

/// Question and answer notes: facts and "Why in News".
pub static QA: NoteType = NoteType {
    id: 1_733_000_000_002,
    name: "briefdeck Q&A",
    kind: Kind::Standard,
    fields: &[
        "Front", "Back", "Context", "Source", "Date", "Subject", "BriefId",
    ],
    templates: &[Template {
        name: "Card 1",
        front: QA_FRONT,
        back: QA_BACK,
    }],
};

const CLOZE_FRONT: &str = r#"<div class="bd-card">
<div class="bd-context">{{Context}}</div>
<div class="bd-text">{{cloze:Text}}</div>
</div>"#;

const CLOZE_BACK: &str = r#"<div class="bd-card">
<div class="bd-context">{{Context}}</div>
<div class="bd-text">{{cloze:Text}}</div>
<hr id="answer">
{{#Image}}<div class="bd-image">{{Image}}</div>{{/Image}}
<div class="bd-meta">{{Subject}} · {{Date}}{{#Source}} · {{Source}}{{/Source}}</div>
</div>"#;

const QA_FRONT: &str = r#"<div class="bd-card">
<div class="bd-context">{{Context}}</div>
<div class="bd-question">{{Front}}</div>
</div>"#;

const QA_BACK: &str = r#"<div class="bd-card">
<div class="bd-context">{{Context}}</div>
<div class="bd-question">{{Front}}</div>
<hr id="answer">
<div class="bd-answer">{{Back}}</div>
<div class="bd-meta">{{Subject}} · {{Date}}{{#Source}} · {{Source}}{{/Source}}</div>
</div>"#;

/// Shared CSS: readable on phones and desktops, with Anki's night mode.
pub const CSS: &str = r#".card {
  font-family: "Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans Devanagari", sans-serif;
  font-size: 20px;
  line-height: 1.45;
  text-align: left;
  color: #1d1d1f;
  background-color: #fdfdfb;
}
.bd-card { max-width: 40em; margin: 0 auto; padding: 0.4em 0.6em; }
.bd-context { font-size: 0.72em; color: #5f6368; margin-bottom: 0.8em; letter-spacing: 0.01em; }
.bd-text, .bd-question { font-size: 1em; }
.bd-answer { margin-top: 0.4em; }
.bd-answer p { margin: 0.4em 0; }
.bd-date { color: #5f6368; font-size: 0.85em; }
.cloze { font-weight: bold; color: #0b57d0; }
.cloze-inactive { font-weight: normal; }
.bd-image img { max-width: 100%; height: auto; margin: 0.6em 0; }
.bd-meta { font-size: 0.7em; color: #5f6368; margin-top: 1em; border-top: 1px solid #e0e0e0; padding-top: 0.4em; }
.bd-meta a { color: inherit; }
hr#answer { border: none; border-top: 1px solid #d0d0d0; margin: 0.9em 0; }
.nightMode.card, .night_mode .card { color: #e8eaed; background-color: #1e1f22; }
.nightMode .bd-context, .nightMode .bd-meta, .nightMode .bd-date { color: #a0a4a8; }
.nightMode .cloze { color: #8ab4f8; }
.nightMode .bd-meta { border-top-color: #3c4043; }
.nightMode hr#answer { border-top-color: #3c4043; }
.mobile .card { font-size: 18px; }
"#;

impl NoteType {
    /// The note type as the legacy `col.models` JSON of schema 11.
    pub fn to_json(&self, modified: i64, deck_id: i64) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .enumerate()
            .map(|(ord, name)| {
                json!({
                    "name": name, "ord": ord, "sticky": false, "rtl": false,
                    "font": "Arial", "size": 20, "media": []
                })
            })
            .collect();
        let templates: Vec<Value> = self
            .templates
            .iter()
            .enumerate()
            .map(|(ord, t)| {
                json!({
                    "name": t.name, "ord": ord, "qfmt": t.front, "afmt": t.back,
                    "bqfmt": "", "bafmt": "", "did": null
                })
            })
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "type": match self.kind { Kind::Standard => 0, Kind::Cloze => 1 },
            "mod": modified,
            "usn": -1,
            "sortf": 0,
            "did": deck_id,
            "tmpls": templates,
            "flds": fields,
            "css": CSS,
            "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
            "latexPost": "\\end{document}",
            "latexsvg": false,
            // Which fields a card needs: the first one, for both types.
            "req": [[0, "any", [0]]],
            "tags": [],
            "vers": []
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frozen: changing any of these breaks updates for every learner.
    #[test]
    fn ids_and_fields_are_frozen() {
        assert_eq!(CLOZE.id, 1_733_000_000_001);
        assert_eq!(QA.id, 1_733_000_000_002);
        assert_eq!(
            CLOZE.fields,
            [
                "Text", "Context", "Image", "Source", "Date", "Subject", "BriefId"
            ]
        );
        assert_eq!(
            QA.fields,
            [
                "Front", "Back", "Context", "Source", "Date", "Subject", "BriefId"
            ]
        );
        assert_eq!(CLOZE.name, "briefdeck Cloze");
        assert_eq!(QA.name, "briefdeck Q&A");
    }

    #[test]
    fn templates_only_use_existing_fields() {
        for nt in [&CLOZE, &QA] {
            for t in nt.templates {
                for side in [t.front, t.back] {
                    for part in side.split("{{").skip(1) {
                        let name = part.split("}}").next().unwrap();
                        let name = name.trim_start_matches(['#', '/', '^']);
                        let name = name.rsplit(':').next().unwrap();
                        assert!(
                            nt.fields.contains(&name),
                            "{} uses unknown field {name}",
                            nt.name
                        );
                    }
                }
            }
        }
    }
}
