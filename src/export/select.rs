//! Which briefs an export takes (`--since`, `--until`, `--subject`, `--tag`)
//! and how `--split-by` groups them into several outputs.

use crate::brief::Brief;
use crate::brief::slugify as slug;
use crate::cli::SplitBy;
use time::Date;

#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// Any of these subjects (case-insensitive); empty = all.
    pub subjects: Vec<String>,
    /// Any of these tags (case-insensitive); empty = all.
    pub tags: Vec<String>,
}

impl Selection {
    pub fn is_everything(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.subjects.is_empty()
            && self.tags.is_empty()
    }

    pub fn matches(&self, b: &Brief) -> bool {
        self.since.is_none_or(|d| b.date >= d)
            && self.until.is_none_or(|d| b.date <= d)
            && (self.subjects.is_empty()
                || self
                    .subjects
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&b.subject)))
            && (self.tags.is_empty()
                || b.tags
                    .iter()
                    .any(|t| self.tags.iter().any(|w| w.eq_ignore_ascii_case(t))))
    }
}

/// One output group: a label for names and titles, and its briefs.
#[derive(Debug)]
pub struct Group<'a> {
    /// `None` for the single group of an unsplit export.
    pub key: Option<GroupKey>,
    pub briefs: &'a [Brief],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupKey {
    /// For file names: `2020-10`, `economy`.
    pub slug: String,
    /// For titles: `October 2020`, `Economy`.
    pub label: String,
}

/// A file-name part for a subject: its ASCII slug, or for a subject with no
/// ASCII letters (`अर्थव्यवस्था`) a short digest, so that different subjects
/// never share a file.
fn subject_slug(subject: &str) -> String {
    let s = slug(subject);
    if s.is_empty() {
        format!("subject-{}", &crate::digest::hex16(subject.as_bytes())[..8])
    } else {
        s
    }
}

/// Keeps the selected briefs and orders them so that each group is a
/// contiguous run; returns the groups as slices of `briefs`.
pub fn split<'a>(
    briefs: &'a mut Vec<Brief>,
    selection: &Selection,
    by: Option<SplitBy>,
) -> Vec<Group<'a>> {
    briefs.retain(|b| selection.matches(b));
    let Some(by) = by else {
        return vec![Group {
            key: None,
            briefs: &briefs[..],
        }];
    };
    let key_of = |b: &Brief| match by {
        SplitBy::Month => GroupKey {
            slug: format!("{:04}-{:02}", b.date.year(), u8::from(b.date.month())),
            label: format!("{} {}", b.date.month(), b.date.year()),
        },
        SplitBy::Subject => GroupKey {
            slug: subject_slug(&b.subject),
            label: b.subject.clone(),
        },
    };
    // Stable: within a group the load order (file, position) is kept.
    briefs.sort_by_cached_key(|b| key_of(b).slug);
    let mut groups = Vec::new();
    let mut rest: &'a [Brief] = &briefs[..];
    while let Some(first) = rest.first() {
        let key = key_of(first);
        let len = rest
            .iter()
            .take_while(|b| key_of(b).slug == key.slug)
            .count();
        let (group, tail) = rest.split_at(len);
        groups.push(Group {
            key: Some(key),
            briefs: group,
        });
        rest = tail;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_non_ascii_subjects_shared_an_empty_file_name() {
        let a = subject_slug("अर्थव्यवस्था");
        let b = subject_slug("पर्यावरण");
        assert!(a.starts_with("subject-") && b.starts_with("subject-"));
        assert_ne!(a, b);
        assert_eq!(subject_slug("Polity & Governance"), "polity-governance");
    }
}
