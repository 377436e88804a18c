use super::*;
use crate::link::{KEY_BYTES, LinkKey};

fn keys(bytes: &[u8]) -> LinkKeys {
    LinkKeys::new(bytes.iter().map(|byte| LinkKey::new([*byte; KEY_BYTES])).collect()).unwrap()
}

#[test]
fn a_reply_address_names_its_reminder_and_nothing_else_passes() {
    let keys = keys(&[7]);
    let reminder = ReminderId("rem_0a1b2c3d4e5f60718293a4b5".into());
    let local = reply_local_part(&keys, &reminder);
    assert!(local.starts_with("reply+rem_0a1b2c3d4e5f60718293a4b5."), "{local}");
    let address = format!("{local}@replies.northwind.example");
    assert_eq!(reminder_of_reply_address(&keys, &address), Some(reminder.clone()));
    assert_eq!(reminder_of_reply_address(&keys, &local), Some(reminder.clone()));
    // A mail system may change the case of the local part
    assert_eq!(
        reminder_of_reply_address(&keys, &address.to_ascii_uppercase()),
        Some(reminder.clone())
    );
    // Another reminder's id under this tag, a changed tag, a shortened one, another key: nothing
    let other = local.replace("rem_0a1b", "rem_0a1c");
    let mut flipped = local.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    let short = &local[..local.len() - 2];
    for forged in [
        other.as_str(),
        flipped.as_str(),
        short,
        "reply+rem_1.00",
        "billing",
        "reply+",
    ] {
        assert_eq!(reminder_of_reply_address(&keys, forged), None, "{forged}");
    }
    assert_eq!(reminder_of_reply_address(&self::keys(&[8]), &address), None);
}

#[test]
fn a_reply_address_signed_before_a_rotation_still_names_its_reminder() {
    let reminder = ReminderId("rem_ack_42".into());
    let old = keys(&[1]);
    let address = reply_local_part(&old, &reminder);
    let rotated = keys(&[2, 1]);
    assert_eq!(reminder_of_reply_address(&rotated, &address), Some(reminder.clone()));
    assert_ne!(reply_local_part(&rotated, &reminder), address, "the new key signs");
}

#[test]
fn only_permanent_and_suppressed_bounces_are_hard() {
    assert!(BounceKind::Permanent.is_hard() && BounceKind::Suppressed.is_hard());
    assert!(!BounceKind::Transient.is_hard() && !BounceKind::Undetermined.is_hard());
}
