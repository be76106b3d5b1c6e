//! The Anki exporter: notes from briefs ([`notes`]), stable identities
//! ([`guid`]), the frozen note types ([`notetype`]) and the `.apkg` writer
//! ([`package`]).

mod deflate;
pub mod guid;
pub mod notes;
pub mod notetype;
pub mod package;
mod sqlite_file;

pub use notes::{Note, NoteOptions, notes};
pub use package::{PackageStats, write_package};
