//! Tests of [`super`]: the policy rules on their own.
use super::*;

/// A catalog that knows a fixed set of templates with fixed text.
struct FakeCatalog(Vec<(&'static str, &'static str, &'static str)>);

impl TemplateCatalog for FakeCatalog {
    fn languages(&self) -> Vec<String> {
        vec!["en".into(), "de".into()]
    }
    fn has_template(&self, language: &str, template: &str) -> bool {
        self.source(language, template).is_some()
    }
    fn source(&self, language: &str, template: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(l, t, _)| *l == language && *t == template)
            .map(|(_, _, text)| text.to_string())
    }
}

fn catalog() -> FakeCatalog {
    let mut entries = Vec::new();
    for language in ["en", "de"] {
        for template in ["a", "b", "c"] {
            entries.push((language, template, "Please pay."));
        }
        entries.push((language, "last", "We will pass this to a Collection Agency."));
        entries.push((language, "courtesy", "A courteous note."));
    }
    FakeCatalog(entries)
}

fn policy_with(stages: &str) -> String {
    format!(
        r#"
        [company]
        name = "Co"
        address_lines = []
        [payment]
        method = "Bank transfer"
        lines = []
        [senders.billing]
        name = "Billing"
        title = "AR"
        email = "billing@example.com"
        {stages}"#
    )
}

fn stage(id: &str, offset: i64, tone: &str, template: &str) -> String {
    format!(
        "[[stages]]\nid = \"{id}\"\noffset_days = {offset}\ntone = \"{tone}\"\ntemplate = \"{template}\"\nsender = \"billing\"\napproval = \"auto\"\n"
    )
}

fn error_of(stages: &[String]) -> String {
    Policy::from_toml_with(&policy_with(&stages.concat()), &catalog())
        .expect_err("policy should be refused")
        .to_string()
}

#[test]
fn the_shipped_policy_is_valid_against_the_shipped_templates() {
    let policy = Policy::default_policy();
    assert_eq!(policy.stages.first().unwrap().tone, Tone::Courteous);
    assert!(policy.stages.iter().any(|s| s.cc_escalation));
    assert!(policy.stages.iter().any(|s| s.sender == "head"));
    assert!(policy.stages.last().unwrap().task.is_some());
}

#[test]
fn a_good_ladder_passes() {
    let ok = [
        stage("one", -3, "courteous", "a"),
        stage("two", 2, "friendly", "b"),
        stage("three", 9, "direct", "c"),
    ];
    Policy::from_toml_with(&policy_with(&ok.concat()), &catalog()).unwrap();
}

#[test]
fn offsets_must_strictly_increase() {
    let message = error_of(&[stage("one", 3, "courteous", "a"), stage("two", 3, "friendly", "b")]);
    assert!(
        message.contains("stage `two`") && message.contains("strictly increase"),
        "{message}"
    );
}

#[test]
fn tone_may_not_jump_two_levels() {
    let message = error_of(&[stage("one", 0, "courteous", "a"), stage("two", 3, "direct", "b")]);
    assert!(
        message.contains("stage `two`") && message.contains("at most one level"),
        "{message}"
    );
}

#[test]
fn tone_may_not_fall_back() {
    let message = error_of(&[
        stage("one", 0, "courteous", "a"),
        stage("two", 3, "friendly", "b"),
        stage("three", 6, "courteous", "c"),
    ]);
    assert!(
        message.contains("stage `three`") && message.contains("fall back"),
        "{message}"
    );
}

#[test]
fn the_first_stage_is_courteous() {
    let message = error_of(&[stage("one", 0, "friendly", "a")]);
    assert!(
        message.contains("stage `one`") && message.contains("courteous"),
        "{message}"
    );
}

#[test]
fn collections_wording_only_at_the_final_tone() {
    let message = error_of(&[stage("one", 0, "courteous", "a"), stage("two", 3, "friendly", "last")]);
    assert!(
        message.contains("stage `two`") && message.contains("collections"),
        "{message}"
    );
    let allowed = [
        stage("one", 0, "courteous", "a"),
        stage("two", 3, "friendly", "b"),
        stage("three", 6, "direct", "c"),
        stage("four", 9, "firm", "c"),
        stage("five", 12, "urgent", "c"),
        stage("six", 15, "final", "last"),
    ];
    Policy::from_toml_with(&policy_with(&allowed.concat()), &catalog()).unwrap();
}

#[test]
fn collections_words_match_whole_words_only() {
    assert_eq!(collections_word("A courteous note, in courtesy."), None);
    assert_eq!(collections_word("We may go to COURT."), Some("court"));
    assert_eq!(collections_word("an Inkassounternehmen"), Some("inkasso*"));
    let fine = [stage("one", 0, "courteous", "courtesy")];
    Policy::from_toml_with(&policy_with(&fine.concat()), &catalog()).unwrap();
}

#[test]
fn a_stage_names_a_ladder_message_not_one_kindly_sends_by_itself() {
    // The approval page's renderer leaves out the messages about answers and plans (never approved by hand).
    let message = error_of(&[stage("one", 0, "courteous", "answers/promise_eve")]);
    assert!(message.contains("not a ladder message"), "{message}");
    Policy::from_toml_with(&policy_with(&stage("one", 0, "courteous", "a")), &catalog()).unwrap();
}

#[test]
fn every_template_must_exist_in_every_language() {
    let message = error_of(&[stage("one", 0, "courteous", "missing")]);
    assert!(
        message.contains("stage `one`") && message.contains("missing"),
        "{message}"
    );
}

#[test]
fn unknown_fields_and_senders_are_named() {
    let typo = policy_with(&stage("one", 0, "courteous", "a").replace("approval", "aproval"));
    let message = Policy::from_toml_with(&typo, &catalog()).unwrap_err().to_string();
    assert!(message.contains("aproval"), "{message}");
    let unknown_sender = stage("one", 0, "courteous", "a").replace("\"billing\"", "\"ceo\"");
    let message = error_of(&[unknown_sender]);
    assert!(
        message.contains("stage `one`") && message.contains("`ceo`"),
        "{message}"
    );
}

#[test]
fn the_thank_you_is_checked_like_a_stage_and_its_id_is_reserved() {
    let ladder = stage("one", 0, "courteous", "a");
    let thanks = |body: &str| format!("{ladder}[thank_you]\n{body}");
    let good = thanks("template = \"courtesy\"\nsender = \"billing\"\napproval = \"auto\"\n");
    let policy = Policy::from_toml_with(&policy_with(&good), &catalog()).unwrap();
    let thank_you = policy.thank_you.unwrap();
    assert!(
        thank_you.only_after_reminders,
        "thanks only for reminded invoices by default"
    );
    assert_eq!(thank_you.as_stage().tone, Tone::Courteous);
    let refused = |text: String| {
        Policy::from_toml_with(&policy_with(&text), &catalog())
            .unwrap_err()
            .to_string()
    };
    let message = refused(thanks(
        "template = \"courtesy\"\nsender = \"ceo\"\napproval = \"auto\"\n",
    ));
    assert!(
        message.contains("stage `thank_you`") && message.contains("`ceo`"),
        "{message}"
    );
    let message = refused(thanks(
        "template = \"nope\"\nsender = \"billing\"\napproval = \"auto\"\n",
    ));
    assert!(message.contains("`nope` is missing"), "{message}");
    let message = refused(thanks(
        "template = \"last\"\nsender = \"billing\"\napproval = \"auto\"\n",
    ));
    assert!(message.contains("collections"), "{message}");
    let message = refused(thanks("sender = \"billing\"\napproval = \"auto\"\ntone = \"final\"\n"));
    assert!(message.contains("tone"), "unknown fields are refused: {message}");
    for reserved in [THANK_YOU_STAGE, PAYMENT_REVIEW_STAGE] {
        let message = error_of(&[ladder.clone(), stage(reserved, 3, "courteous", "a")]);
        assert!(message.contains("is kindly's own id"), "{message}");
    }
}

#[test]
fn late_fees_are_not_mentioned_before_the_due_date() {
    let early_fee = format!("{}mention_late_fees = true\n", stage("one", -2, "courteous", "a"));
    let message = error_of(&[early_fee]);
    assert!(message.contains("late fees"), "{message}");
}

#[test]
fn customer_links_last_ninety_days_unless_the_policy_says_otherwise() {
    let ladder = stage("one", 0, "courteous", "a");
    let default = Policy::from_toml_with(&policy_with(&ladder), &catalog()).unwrap();
    assert_eq!(default.customer_link_days, 90);
    assert_eq!(Policy::default_policy().customer_link_days, 90);
    let month = Policy::from_toml_with(
        &format!("customer_link_days = 30\n{}", policy_with(&ladder)),
        &catalog(),
    );
    assert_eq!(month.unwrap().customer_link_days, 30);
    let never = Policy::from_toml_with(&format!("customer_link_days = 0\n{}", policy_with(&ladder)), &catalog());
    assert_eq!(
        never.unwrap_err().to_string(),
        "policy: customer_link_days must be at least 1"
    );
}

#[test]
fn replies_are_forwarded_to_a_billing_mailbox_only_when_the_policy_names_a_valid_one() {
    let ladder = stage("one", 0, "courteous", "a");
    let silent = Policy::from_toml_with(&policy_with(&ladder), &catalog()).unwrap();
    assert_eq!(silent.mail_feedback.forward_replies_to, None);
    assert_eq!(
        Policy::default_policy().mail_feedback.forward_replies_to.as_deref(),
        Some("billing@northwind.example")
    );
    let with = |mailbox: &str| {
        Policy::from_toml_with(
            &format!(
                "[mail_feedback]\nforward_replies_to = \"{mailbox}\"\n{}",
                policy_with(&ladder)
            ),
            &catalog(),
        )
    };
    assert_eq!(
        with("ar@example.com")
            .unwrap()
            .mail_feedback
            .forward_replies_to
            .as_deref(),
        Some("ar@example.com")
    );
    assert_eq!(
        with("accounts receivable").unwrap_err().to_string(),
        "policy: mail_feedback.forward_replies_to: `accounts receivable` is not an email address"
    );
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn calendar_of(code: &str) -> Calendar {
    Calendar::of(Some(crate::holidays::Country::from_code(code).unwrap()))
}

/// The shipped policy's stage `id` falls on this day for an invoice due on `due` in `calendar`.
fn falls_on(id: &str, due: &str, calendar: Calendar) -> NaiveDate {
    let policy = Policy::default_policy();
    let stage = &policy.stages[policy.stage_index(id).unwrap()];
    Policy::stage_date(stage, date(due), calendar)
}

#[test]
fn a_stage_on_a_day_off_moves_to_the_next_business_day_and_a_courtesy_note_to_the_one_before() {
    let england = calendar_of("GB");
    // Due on Christmas Day, Friday 2026-12-25; Boxing Day is kept on Monday the 28th.
    assert_eq!(falls_on("due_today", "2026-12-25", england), date("2026-12-29"));
    assert_eq!(falls_on("crossed_in_mail", "2026-12-25", england), date("2026-12-29"));
    // Five days before is Sunday the 20th: the courtesy note comes on Friday the 18th, never after.
    assert_eq!(falls_on("upcoming_due", "2026-12-25", england), date("2026-12-18"));
    // Across the year: due Wednesday 2027-01-06, five days before is New Year's Day.
    assert_eq!(falls_on("upcoming_due", "2027-01-06", england), date("2026-12-31"));
    // Without a country, only the weekend moves a stage; a business day stays where it is.
    assert_eq!(
        falls_on("due_today", "2026-12-25", Calendar::WEEKDAYS),
        date("2026-12-25")
    );
    assert_eq!(falls_on("due_today", "2026-12-22", england), date("2026-12-22"));
}

#[test]
fn a_weekend_is_the_one_in_force_on_the_day() {
    // The UAE moved its weekend from Friday–Saturday to Saturday–Sunday in 2022.
    let uae = calendar_of("AE");
    assert_eq!(falls_on("due_today", "2021-06-04", uae), date("2021-06-06"));
    assert_eq!(falls_on("due_today", "2023-06-02", uae), date("2023-06-02"));
    assert_eq!(falls_on("due_today", "2023-06-04", uae), date("2023-06-05"));
}

#[test]
fn the_index_date_is_never_after_the_day_a_stage_falls_in_any_calendar() {
    // The stores index an invoice by its next action without knowing its customer's calendar: a courtesy
    // note moved back over a long run of days off (Russia's New Year) must still be found in time.
    let policy = Policy::default_policy();
    let russia = calendar_of("RU");
    let mut invoice = crate::fixtures::invoice("I1", "C1", "2026-01-14", None);
    invoice.issue_date = date("2025-12-01");
    let indexed = policy.next_action_on(&invoice).unwrap();
    let falls = falls_on("upcoming_due", "2026-01-14", russia);
    assert_eq!(falls, date("2025-12-30"));
    assert!(indexed <= falls, "indexed {indexed}, falls {falls}");
    // After the due date a stage only moves forward, so its own date is the index.
    invoice.dunning.last_stage = Some("upcoming_due".into());
    assert_eq!(policy.next_action_on(&invoice), Some(date("2026-01-14")));
}

#[test]
fn the_shipped_policy_states_interest_from_the_direct_stage_under_the_uk_act() {
    let policy = Policy::default_policy();
    assert_eq!(
        policy.interest.statute,
        Some(crate::interest::Statute::UkLatePaymentAct1998)
    );
    let stating: Vec<&str> = policy
        .stages
        .iter()
        .filter(|stage| policy.states_interest(stage))
        .map(|stage| stage.id.as_str())
        .collect();
    assert_eq!(
        stating,
        [
            "overdue_direct",
            "personal_note_from_head",
            "escalation_cc",
            "final_notice",
            "write_off_or_hand_over"
        ]
    );
    assert!(!policy.states_interest(&policy.thank_you.as_ref().unwrap().as_stage()));
    // Its tables are current for the first half of 2026, and say so once the second needs newer rates.
    let day = |text: &str| text.parse::<NaiveDate>().unwrap();
    assert_eq!(policy.interest.stale_rates(day("2026-03-16")), Vec::<String>::new());
    let stale = policy.interest.stale_rates(day("2026-07-01"));
    assert_eq!(stale.len(), 3, "{stale:?}");
    for (warning, table) in stale
        .iter()
        .zip(["bank_of_england", "ecb_main_refinancing", "bundesbank_basiszinssatz"])
    {
        assert!(warning.starts_with(&format!("interest.rates.{table}: ")), "{warning}");
    }
}

#[test]
fn without_from_stage_the_first_stage_marked_mention_late_fees_starts_it() {
    let ladder = [
        stage("one", 0, "courteous", "a"),
        stage("two", 5, "courteous", "b"),
        format!("{}mention_late_fees = true\n", stage("three", 9, "friendly", "c")),
        stage("four", 12, "friendly", "c"),
    ]
    .concat();
    let policy = Policy::from_toml_with(&policy_with(&ladder), &catalog()).unwrap();
    let stating: Vec<bool> = policy
        .stages
        .iter()
        .map(|stage| policy.states_interest(stage))
        .collect();
    assert_eq!(stating, [false, false, true, true]);
    let section = "[interest]\nfrom_stage = \"two\"\n";
    let policy = Policy::from_toml_with(&format!("{}{section}", policy_with(&ladder)), &catalog()).unwrap();
    let stating: Vec<bool> = policy
        .stages
        .iter()
        .map(|stage| policy.states_interest(stage))
        .collect();
    assert_eq!(stating, [false, true, true, true], "from_stage decides when given");
}

#[test]
fn the_interest_section_is_refused_by_field() {
    let ladder = [stage("one", -3, "courteous", "a"), stage("two", 5, "courteous", "b")].concat();
    for (section, expected) in [
        (
            "from_stage = \"one\"\n",
            "interest.from_stage: `one` is not after the due date",
        ),
        ("from_stage = \"zero\"\n", "interest.from_stage: `zero` is not a stage"),
        (
            "statute = \"de_bgb_288\"\n",
            "interest.statute: `de_bgb_288` needs the table",
        ),
        (
            "[interest.rates.bank_of_england]\nsource = \"BoE\"\nchanges = [{ from = \"2025-12-18\", percent = \"3.75\" }, { from = \"2025-08-07\", percent = \"4\" }]\n",
            "interest.rates.bank_of_england: changes must be oldest first",
        ),
    ] {
        let text = format!("{}[interest]\n{section}", policy_with(&ladder));
        let message = Policy::from_toml_with(&text, &catalog())
            .expect_err(expected)
            .to_string();
        assert!(message.contains(expected), "{message}");
    }
    let fine = format!("{}[interest]\nfrom_stage = \"two\"\n", policy_with(&ladder));
    assert!(Policy::from_toml_with(&fine, &catalog()).is_ok());
}
