//! Counts for `check`'s summary and the JSON report.

use super::{Brief, Section};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub briefs: usize,
    pub key_points: usize,
    pub key_terms: usize,
    pub facts: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    #[serde(flatten)]
    pub total: Counts,
    /// Per subject, in alphabetical order.
    pub subjects: BTreeMap<String, Counts>,
}

impl Summary {
    pub fn of<'a>(briefs: &'a [Brief], files: usize) -> Summary {
        let mut s = Summary {
            files,
            ..Summary::default()
        };
        let mut all_terms = HashSet::new();
        let mut subject_terms: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
        for b in briefs {
            let c = s.subjects.entry(b.subject.clone()).or_default();
            c.briefs += 1;
            c.facts += b.facts.len();
            let terms = subject_terms.entry(&b.subject).or_default();
            let mut add_terms = |text: &'a super::Text| {
                for t in text.terms() {
                    if !terms.contains(&t.key) {
                        all_terms.insert(t.key.clone());
                        terms.insert(t.key);
                    }
                }
            };
            add_terms(&b.why_in_news);
            b.walk_points(|section, _, p| {
                if section == Section::KeyPoints && p.text.is_some() {
                    c.key_points += 1;
                }
                if let Some(t) = &p.text {
                    add_terms(t);
                }
            });
        }
        for (subject, terms) in subject_terms {
            if let Some(c) = s.subjects.get_mut(subject) {
                c.key_terms = terms.len();
            }
        }
        s.total = Counts {
            briefs: briefs.len(),
            key_points: s.subjects.values().map(|c| c.key_points).sum(),
            key_terms: all_terms.len(),
            facts: s.subjects.values().map(|c| c.facts).sum(),
        };
        s
    }

    /// The human-readable table printed by `check`.
    pub fn render(&self) -> String {
        let mut rows: Vec<(String, &Counts)> =
            self.subjects.iter().map(|(k, v)| (k.clone(), v)).collect();
        rows.push(("Total".to_owned(), &self.total));
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(5)
            .max(7);
        let mut out = format!(
            "{:<width$}  {:>6}  {:>10}  {:>9}  {:>5}\n",
            "Subject", "briefs", "key points", "key terms", "facts"
        );
        for (i, (name, c)) in rows.iter().enumerate() {
            if i == rows.len() - 1 {
                out.push_str(&format!("{}\n", "-".repeat(width + 40)));
            }
            let pad = width - name.chars().count() + name.len();
            out.push_str(&format!(
                "{:<pad$}  {:>6}  {:>10}  {:>9}  {:>5}\n",
                name, c.briefs, c.key_points, c.key_terms, c.facts
            ));
        }
        out
    }
}
