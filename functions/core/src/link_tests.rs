use super::*;
use proptest::prelude::*;

fn key(byte: u8) -> LinkKey {
    LinkKey::new([byte; KEY_BYTES])
}

fn keys(bytes: &[u8]) -> LinkKeys {
    LinkKeys::new(bytes.iter().copied().map(key).collect()).unwrap()
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

const NOW: i64 = 1_772_000_000;

fn acme() -> (CustomerId, ReminderId) {
    (
        CustomerId("cus_acme".into()),
        ReminderId("rem_0123456789abcdef01234567".into()),
    )
}

#[test]
fn a_genuine_token_names_its_customer_and_reminder_until_it_expires() {
    let (customer, reminder) = acme();
    let keys = keys(&[1]);
    let expires = expiry(at(NOW), 90);
    let token = keys.sign(&customer, &reminder, expires);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "URL-safe without padding: {token}"
    );
    let target = keys.verify(&token, at(NOW)).unwrap();
    assert_eq!(
        target,
        LinkTarget {
            customer,
            reminder,
            expires_at: at(NOW + 90 * 86_400)
        }
    );
    assert!(keys.verify(&token, expires - Duration::seconds(1)).is_ok());
    assert_eq!(keys.verify(&token, expires), Err(LinkRefused::Expired));
}

#[test]
fn rotation_signs_with_the_first_key_and_accepts_any_listed_one() {
    let (customer, reminder) = acme();
    let expires = at(NOW + 60);
    let old_token = keys(&[1]).sign(&customer, &reminder, expires);
    // GIVEN a new key put first, the old one still listed
    let rotating = keys(&[2, 1]);
    assert!(
        rotating.verify(&old_token, at(NOW)).is_ok(),
        "a listed old key is accepted"
    );
    let new_token = rotating.sign(&customer, &reminder, expires);
    assert!(keys(&[2]).verify(&new_token, at(NOW)).is_ok(), "the first key signs");
    // THEN once the old key is removed, its links stop working
    assert_eq!(keys(&[2]).verify(&old_token, at(NOW)), Err(LinkRefused::Tampered));
}

#[test]
fn a_token_edited_to_name_another_customer_is_refused() {
    let (customer, reminder) = acme();
    let keys = keys(&[1]);
    let token = keys.sign(&customer, &reminder, at(NOW + 60));
    let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
    // The customer id sits after the version, the expiry and its two-byte length: "cus_acme" becomes
    // "cus_acmf".
    let last_of_customer = 1 + 8 + 2 + customer.0.len() - 1;
    bytes[last_of_customer] += 1;
    let forged = URL_SAFE_NO_PAD.encode(&bytes);
    assert_eq!(keys.verify(&forged, at(NOW)), Err(LinkRefused::Tampered));
    // The same ids with a later expiry are refused too: the tag covers it.
    let mut later = URL_SAFE_NO_PAD.decode(&token).unwrap();
    later[8] ^= 1;
    assert_eq!(
        keys.verify(&URL_SAFE_NO_PAD.encode(&later), at(NOW)),
        Err(LinkRefused::Tampered)
    );
}

#[test]
fn what_is_not_a_token_is_unreadable() {
    let keys = keys(&[1]);
    for token in ["", "a", "not a token!", "AAAA====", &"A".repeat(40)] {
        assert!(keys.verify(token, at(NOW)).is_err(), "{token:?} was accepted");
    }
    assert_eq!(keys.verify("", at(NOW)), Err(LinkRefused::Unreadable));
    assert_eq!(keys.verify("é", at(NOW)), Err(LinkRefused::Unreadable));
}

#[test]
fn key_files_are_read_one_key_per_line_naming_a_bad_line_not_its_value() {
    let first = key(0xab).to_line();
    let text = format!("# rotated in on 1 March\n{first}\n\n  {}  \n", key(1).to_line());
    let read = LinkKeys::from_lines(&text).unwrap();
    assert_eq!(read, keys(&[0xab, 1]));
    let (customer, reminder) = acme();
    assert!(
        keys(&[0xab])
            .verify(&read.sign(&customer, &reminder, at(NOW + 1)), at(NOW))
            .is_ok()
    );

    for bad in ["replace-me", "abcd", &"0".repeat(63), &"g".repeat(64), &"0".repeat(66)] {
        let error = LinkKeys::from_lines(&format!("{first}\n{bad}\n")).unwrap_err();
        assert_eq!(error, KeysError::NotAKey { line: 2 });
        assert!(!error.to_string().contains(bad), "the value is never shown");
    }
    assert_eq!(LinkKeys::from_lines("# none yet\n\n"), Err(KeysError::Empty));
    assert_eq!(format!("{:?}", key(0xab)), "LinkKey(…)");
}

/// What the SAM template has Secrets Manager generate: 64 characters from the hex digits in both cases (no
/// punctuation, every other letter excluded), at least one of each case and a digit, without a line break.
#[test]
fn a_generated_secret_of_mixed_case_hex_digits_is_one_key() {
    let generated = "9fB3c0De5A7b1C2d3E4f5a6B7c8D9e0F1a2B3c4D5e6F7a8B9c0D1e2F3a4B5c6D";
    assert_eq!(generated.len(), 64);
    let read = LinkKeys::from_lines(generated).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(
        read,
        LinkKeys::from_lines(&generated.to_lowercase()).unwrap(),
        "case does not matter"
    );
    // Rotation on AWS: the secret's value with the new key on the first line.
    let rotated = LinkKeys::from_lines(&format!("{}\n{generated}", key(5).to_line())).unwrap();
    let (customer, reminder) = acme();
    let old = read.sign(&customer, &reminder, at(NOW + 1));
    assert!(
        rotated.verify(&old, at(NOW)).is_ok(),
        "links signed before the rotation still open"
    );
}

#[test]
fn customer_links_are_the_page_address_under_the_base_url() {
    let (customer, reminder) = acme();
    for base in ["https://billing.example", "https://billing.example/"] {
        let links = CustomerLinks::new(base, keys(&[3])).unwrap();
        assert_eq!(links.base_url(), "https://billing.example");
        let url = links.url(&customer, &reminder, at(NOW + 60));
        let token = url
            .strip_prefix("https://billing.example/c/")
            .expect("under the base URL");
        let target = links.keys().verify(token, at(NOW)).unwrap();
        assert_eq!((target.customer, target.reminder), (customer.clone(), reminder.clone()));
    }
    let debug = format!(
        "{:?}",
        CustomerLinks::new("https://billing.example", keys(&[0xab])).unwrap()
    );
    assert!(!debug.contains(&key(0xab).to_line()[..8]), "no key in {debug}");
}

#[test]
fn only_a_plain_web_address_is_a_base_url() {
    for good in [
        "http://127.0.0.1:8080",
        "https://billing.example/kindly/",
        "https://b.example",
    ] {
        assert!(CustomerLinks::new(good, keys(&[1])).is_ok(), "{good}");
    }
    for bad in [
        "",
        "billing.example",
        "https://",
        "https:///path",
        "ftp://billing.example",
        "HTTPS://billing.example",
        "javascript:alert(1)",
        "https://billing.example/?a=1",
        "https://billing.example/#top",
        "https://billing.example/a b",
        "https://billing.example/\"><script>",
    ] {
        let error = CustomerLinks::new(bad, keys(&[1])).unwrap_err();
        assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any id pair round-trips; any change to the token's bytes, any prefix of it, another key or a passed
    /// expiry is refused.
    #[test]
    fn only_the_genuine_unexpired_token_verifies(
        customer in "[a-zA-Z0-9_.@-]{1,60}",
        reminder in "rem_[0-9a-f]{24}",
        lifetime in 1i64..10_000_000,
        flip_at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        cut in any::<prop::sample::Index>(),
        other_key in 2u8..=255,
    ) {
        let signer = keys(&[1]);
        let (customer, reminder) = (CustomerId(customer), ReminderId(reminder));
        let token = signer.sign(&customer, &reminder, at(NOW + lifetime));
        let target = signer.verify(&token, at(NOW)).unwrap();
        prop_assert_eq!((&target.customer, &target.reminder), (&customer, &reminder));

        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        let flipped = flip_at.index(bytes.len());
        bytes[flipped] ^= flip;
        prop_assert!(signer.verify(&URL_SAFE_NO_PAD.encode(&bytes), at(NOW)).is_err());

        let truncated = &token[..cut.index(token.len())];
        prop_assert!(signer.verify(truncated, at(NOW)).is_err());

        prop_assert_eq!(keys(&[other_key]).verify(&token, at(NOW)), Err(LinkRefused::Tampered));
        prop_assert_eq!(signer.verify(&token, at(NOW + lifetime)), Err(LinkRefused::Expired));
    }

    /// Random text never verifies.
    #[test]
    fn random_text_is_refused(token in "[A-Za-z0-9_-]{0,200}") {
        prop_assert!(keys(&[1]).verify(&token, at(NOW)).is_err());
    }
}

#[test]
fn the_longest_ids_the_store_takes_fit_in_a_token_the_page_reads() {
    // A customer id at the length limit, in four-byte characters: 512 bytes.
    let customer = CustomerId("𝄞".repeat(crate::limits::ID));
    let reminder = ReminderId::for_plan(&customer, "final_notice", &[]);
    let keys = keys(&[1]);
    let token = keys.sign(&customer, &reminder, at(NOW + 60));
    assert!(token.len() <= MAX_TOKEN_CHARS, "{} > {MAX_TOKEN_CHARS}", token.len());
    assert_eq!(keys.verify(&token, at(NOW)).unwrap().customer, customer);
}

#[test]
fn a_form_tag_binds_the_form_value_to_its_link_and_is_no_link_tag() {
    let (customer, reminder) = acme();
    let keys = keys(&[1]);
    let token = keys.sign(&customer, &reminder, at(NOW + 60));
    let other = keys.sign(&customer, &reminder, at(NOW + 61));
    let tag = keys.form_tag(&token, "f1");
    assert!(keys.verify_form_tag(&token, "f1", &tag));
    assert!(!keys.verify_form_tag(&token, "f2", &tag), "another form value");
    assert!(!keys.verify_form_tag(&other, "f1", &tag), "another link");
    assert!(!keys.verify_form_tag(&token, "f1", &tag[..tag.len() - 1]), "cut short");
    assert!(!keys.verify_form_tag(&token, "f1", "not base64!"));
    assert!(!keys.verify_form_tag(&token, "f1", ""));
    assert!(!self::keys(&[2]).verify_form_tag(&token, "f1", &tag), "another key");
    assert!(
        self::keys(&[2, 1]).verify_form_tag(&token, "f1", &tag),
        "a listed old key"
    );
    // Length-prefixed: the boundary between token and form value cannot move
    assert!(!keys.verify_form_tag(&format!("{token}f"), "1", &tag));
    // Under its own label: not the link's tag (the token's last 32 bytes)
    let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
    assert_ne!(URL_SAFE_NO_PAD.decode(&tag).unwrap(), &bytes[bytes.len() - TAG_BYTES..]);
}
