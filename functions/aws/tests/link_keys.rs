//! The keys of customers' page links, read from Secrets Manager on the stand-in as a function's start-up
//! reads them: a value of the generated shape signs links under the public address; anything else stops
//! the start-up with an error that names the secret, never its value.

use chrono::{Duration, Utc};
use kindly_aws::config::{Config, vars};
use kindly_aws::links::with_customer_links;
use kindly_aws::stand_in::{sdk_config, unique};
use kindly_core::{CustomerId, ReminderId};

/// A 64-hex-digit value in both cases, as the stack's generator makes it.
const GENERATED: &str = "9fB3c0De5A7b1C2d3E4f5a6B7c8D9e0F1a2B3c4D5e6F7a8B9c0D1e2F3a4B5c6D";

async fn secret_holding(client: &aws_sdk_secretsmanager::Client, value: &str) -> String {
    let id = unique("kindly-links");
    client
        .create_secret()
        .name(&id)
        .secret_string(value)
        .send()
        .await
        .unwrap();
    id
}

fn config(secret_id: &str, public_url: &str) -> Config {
    Config::from_vars(|name| match name {
        vars::TABLE => Some("kindly".into()),
        vars::LINK_SECRET_ID => Some(secret_id.into()),
        vars::PUBLIC_URL => Some(public_url.into()),
        _ => None,
    })
    .unwrap()
}

#[tokio::test]
async fn start_up_reads_the_link_keys_and_refuses_a_secret_that_holds_none() {
    let client = aws_sdk_secretsmanager::Client::new(&sdk_config().await);
    // GIVEN the generated key WHEN a function starts THEN its messages link under the public address
    let id = secret_holding(&client, GENERATED).await;
    let started = with_customer_links(config(&id, "https://pages.example/"), &client)
        .await
        .unwrap();
    let links = started.policy.customer_links.expect("links");
    let (customer, reminder) = (CustomerId("C1".into()), ReminderId("rem_1".into()));
    let url = links.url(&customer, &reminder, Utc::now() + Duration::days(1));
    let token = url
        .strip_prefix("https://pages.example/c/")
        .expect("under the public address");
    let keys = kindly_core::link::LinkKeys::from_lines(GENERATED).unwrap();
    assert_eq!(keys.verify(token, Utc::now()).unwrap().customer, customer);

    // AND after a rotation (a new key above the old one) the new key signs and old links still open
    let rotated = secret_holding(&client, &format!("{}\n{GENERATED}\n", "ab".repeat(32))).await;
    let after = with_customer_links(config(&rotated, "https://pages.example"), &client)
        .await
        .unwrap()
        .policy
        .customer_links
        .unwrap();
    assert_eq!(after.keys().len(), 2);
    assert!(after.keys().verify(token, Utc::now()).is_ok());

    // GIVEN a secret holding something else, or none at all, THEN the start-up stops, naming the secret
    for value in ["change-me", "whsec_abc", &GENERATED[1..]] {
        let id = secret_holding(&client, value).await;
        let error = with_customer_links(config(&id, "https://pages.example"), &client)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains(&id) && error.contains("line 1"), "{error}");
        assert!(!error.contains(value), "the value is never shown: {error}");
    }
    let missing = unique("kindly-links-missing");
    let error = with_customer_links(config(&missing, "https://pages.example"), &client)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains(&missing), "{error}");

    // AND a public address that is not one stops it too, naming the variable
    let error = with_customer_links(config(&id, "pages.example"), &client)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains(vars::PUBLIC_URL), "{error}");

    // Without the two variables nothing is read and messages carry no link
    let plain = Config::from_vars(|name| (name == vars::TABLE).then(|| "kindly".to_owned())).unwrap();
    assert!(
        with_customer_links(plain, &client)
            .await
            .unwrap()
            .policy
            .customer_links
            .is_none()
    );
}
