use super::*;

#[test]
fn a_gentler_message_inside_a_conversation_is_caught() {
    let mut seen = Conversations::new(2);
    assert_eq!(seen.delivered(0, "due_today", Tone::Courteous), None);
    assert_eq!(seen.delivered(0, "personal_note_from_head", Tone::Firm), None);
    seen.observed(0, true);
    let problem = seen.delivered(0, "due_today", Tone::Courteous).expect("a fall back");
    assert!(problem.contains("C0000") && problem.contains("firm"), "{problem}");
    // Another customer's conversation is theirs.
    assert_eq!(seen.delivered(1, "due_today", Tone::Courteous), None);
}

#[test]
fn the_same_tone_again_is_no_fall_back() {
    let mut seen = Conversations::new(1);
    assert_eq!(seen.delivered(0, "personal_note_from_head", Tone::Firm), None);
    assert_eq!(seen.delivered(0, "personal_note_from_head", Tone::Firm), None);
    assert_eq!(seen.tone(0), Some(Tone::Firm));
}

#[test]
fn once_the_conversation_ended_a_new_one_may_start_gently() {
    let mut seen = Conversations::new(1);
    assert_eq!(seen.delivered(0, "final_notice", Tone::Final), None);
    seen.observed(0, false);
    assert_eq!(seen.tone(0), None);
    // Positive control: the new conversation's courteous start is no fall back.
    assert_eq!(seen.delivered(0, "upcoming_due", Tone::Courteous), None);
    assert_eq!(seen.tone(0), Some(Tone::Courteous));
}

#[test]
fn riders_are_released_when_the_planned_tone_falls_or_ends() {
    let mut seen = Conversations::new(1);
    assert!(!seen.planned(0, None));
    assert!(!seen.planned(0, Some(Tone::Friendly)));
    assert!(!seen.planned(0, Some(Tone::Firm)), "it rose");
    assert!(!seen.planned(0, Some(Tone::Firm)), "it stayed");
    assert!(seen.planned(0, Some(Tone::Courteous)), "it fell");
    assert!(seen.planned(0, None), "it ended");
}
