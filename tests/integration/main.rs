//! The integration test binary: every test drives the real `briefdeck`
//! executable, as a user or a CI script would.

mod anki;
mod check;
mod common;
mod epub;
mod export;
mod hardening;
mod import;
