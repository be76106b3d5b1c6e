//! The inline Markdown filter: any text parses without panicking, renders to
//! well-formed XML in both flavours with only the allowed elements and link
//! schemes, keeps no template braces in Anki fields, and gives key terms
//! whose text is in the plain text.
#![no_main]

use briefdeck::markup::{Flavor, Markup};
use libfuzzer_sys::fuzz_target;

const ALLOWED: &[&str] = &["root", "p", "strong", "em", "code", "a", "sup", "sub", "br"];

fn check_xml(html: &str) {
    let wrapped = format!("<root>{html}</root>");
    let doc = match roxmltree::Document::parse(&wrapped) {
        Ok(doc) => doc,
        Err(e) => panic!("not well-formed ({e}): {html:?}"),
    };
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name();
        assert!(ALLOWED.contains(&name), "<{name}> in {html:?}");
        for a in n.attributes() {
            assert_eq!(a.name(), "href", "attribute {} in {html:?}", a.name());
            let v = a.value().to_ascii_lowercase();
            let scheme = v.split(':').next().unwrap_or("");
            assert!(
                v.contains(':') && ["http", "https", "mailto"].contains(&scheme),
                "href {v:?}"
            );
        }
    }
}

fuzz_target!(|text: &str| {
    // Longer than a brief's text may be (32 KiB): the loader refuses it.
    if text.len() > briefdeck::limits::MAX_TEXT_BYTES {
        return;
    }
    let (markup, _issues) = Markup::parse(text);
    for flavor in [Flavor::Xhtml, Flavor::Anki] {
        check_xml(&markup.to_inline_html(flavor));
        check_xml(&markup.to_block_html(flavor));
    }
    let anki = markup.to_inline_html(Flavor::Anki);
    assert!(!anki.contains('{') && !anki.contains('}'), "{anki:?}");
    let plain = markup.plain_text();
    let plain_words = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    for term in markup.key_terms() {
        assert!(!term.key.is_empty());
        assert!(
            plain_words.contains(&term.text),
            "{:?} not in {plain_words:?}",
            term.text
        );
    }
});
