//! A live preview renders the message once around the note and then only the note per keystroke. Whatever
//! the note, that must give exactly what a full render of the context with that note gives: the hash the
//! approver's browser computes has to be the hash the server computes.

mod common;

use common::all_cases;
use kindly_render::{PreparedMessage, render, render_parts};
use proptest::prelude::*;

/// Notes as staff type them, and as an attacker might: blank, multi-line (every line-break style), markup,
/// entities, wide characters, and the characters the preview uses as its placeholder.
fn note() -> impl Strategy<Value = Option<String>> {
    let piece = prop_oneof![
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("<b>&amp;</b>".to_owned()),
        Just("{{ company.name }}".to_owned()),
        Just("\u{FDD0}".to_owned()),
        "[a-zA-Z0-9 .,;:'\"!?€ü–-]{0,12}",
        any::<char>().prop_map(String::from),
    ];
    proptest::option::of(proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_prepared_message_with_a_note_is_the_full_render(notes in proptest::collection::vec(note(), 3)) {
        for case in all_cases() {
            let prepared = PreparedMessage::new(&case.context).unwrap().expect("the note can be placed");
            for note in &notes {
                let mut context = case.context.clone();
                context.personal_note = note.clone();
                let full = render_parts(&context).unwrap();
                let quick = prepared.with_note(note.as_deref()).unwrap();
                prop_assert_eq!(&quick, &full, "{} × {}", case.fixture, case.template);
                prop_assert_eq!(quick.content_hash(&context), render(&context).unwrap().content_hash);
            }
        }
    }
}
