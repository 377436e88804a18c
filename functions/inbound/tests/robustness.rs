//! Whatever arrives — cut short, garbled, or not mail at all — is read or refused, never a panic: the
//! queue's reader must be able to tell a bad message from a broken reader.

use chrono::{Datelike, NaiveDate};
use kindly_inbound::{parse_mail, parse_notification, return_day};
use proptest::prelude::*;

fn fixtures(kind: &str) -> Vec<(String, Vec<u8>)> {
    let folder = format!("{}/tests/fixtures/{kind}", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    found.sort();
    assert!(found.len() >= 9, "{folder} holds {} fixtures", found.len());
    found
}

#[test]
fn every_mail_fixture_cut_short_is_read_or_refused() {
    for (name, bytes) in fixtures("mail") {
        for end in (0..bytes.len()).step_by(23) {
            let _ = parse_mail(&bytes[..end], None);
        }
        // Positive control: whole, every fixture reads (the German reply with its placeholder address too).
        assert!(parse_mail(&bytes, None).is_ok(), "{name}");
    }
}

#[test]
fn every_ses_fixture_cut_short_is_refused() {
    for (name, bytes) in fixtures("ses") {
        let text = String::from_utf8(bytes).unwrap();
        // Anything short of the closing brace is not JSON, or not a whole record.
        let whole = text.trim_end().len();
        for end in (0..whole).filter(|end| text.is_char_boundary(*end)).step_by(7) {
            assert!(parse_notification(&text[..end]).is_err(), "{name} cut at {end}");
        }
        assert!(parse_notification(&text).is_ok(), "{name}");
    }
}

proptest! {
    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_mail(&bytes, None);
        let _ = parse_notification(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn any_text_has_a_return_day_or_none(text in "\\PC{0,300}", days in 0u64..20_000) {
        let sent_on = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(days);
        let _ = return_day(&text, sent_on);
    }

    #[test]
    fn a_return_day_without_a_year_is_never_before_the_reply(day in 1u32..=31, month in 1u32..=12, days in 0u64..20_000) {
        let sent_on = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(days);
        let back = return_day(&format!("Back on {day}.{month}."), sent_on);
        // Every day some year has is found; 30 February is not.
        prop_assert_eq!(back.is_some(), NaiveDate::from_ymd_opt(2000, month, day).is_some());
        if let Some(back) = back {
            prop_assert!(back >= sent_on);
            prop_assert_eq!((back.day(), back.month()), (day, month));
        }
    }
}
