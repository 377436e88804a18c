//! The customer's page with early-payment terms, over a real socket: an invoice whose discount is still
//! open shows the discounted amount and its deadline; one whose deadline has passed shows the balance
//! only.
use super::customer_page::{now, page_with};
use chrono::{Duration, TimeZone, Utc};
use kindly_core::fixtures::invoice;
use kindly_core::{DiscountTerms, Invoice, Policy, Store, service};
use reqwest::StatusCode;

kindly_aws::on_both_stores!(the_page_shows_the_discount_until_its_deadline_then_the_balance);

/// Invoice `id` of customer A, 1,000.00 on 2/10 net 30, issued on `issued`.
fn two_ten(id: &str, issued: &str) -> Invoice {
    let issue_date = issued.parse().unwrap();
    Invoice {
        total: "1000.00".parse().unwrap(),
        issue_date,
        early_payment: Some(DiscountTerms {
            percent: "2".parse().unwrap(),
            within_days: 10,
        }),
        ..invoice(id, "A", &(issue_date + Duration::days(30)).to_string(), None)
    }
}

async fn the_page_shows_the_discount_until_its_deadline_then_the_balance<S: Store + 'static>(store: S) {
    let policy = Policy::default_policy();
    let page = page_with(store, policy.clone()).await;
    // GIVEN on the page's day (Sunday 15 March 2026), one invoice whose window ends on Friday 20 March,
    // one partly paid whose window ends the same day, and one whose window ended on Monday 2 March
    let mut part = two_ten("AD2", "2026-03-10");
    part.paid = "100.00".parse().unwrap();
    let ingested = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
    for open in [two_ten("AD1", "2026-03-10"), part, two_ten("AD3", "2026-02-20")] {
        service::ingest_invoice(&page.app.store, &policy, &open, ingested)
            .await
            .unwrap();
    }
    // WHEN A opens their page
    let (status, _, body) = page
        .open(&format!("/c/{}", page.token("A", now() + Duration::days(90))))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // THEN the open discounts show what settles each invoice and until when
    let label = "With early-payment discount, if paid by March 20, 2026";
    assert_eq!(body.matches(label).count(), 2, "{body}");
    assert!(body.contains("<strong>$980.00</strong>"), "{body}");
    assert!(body.contains("<strong>$880.00</strong>"), "{body}");
    // AND the one whose deadline passed shows its full balance only
    let past = body.split("INV-AD3").nth(1).expect("AD3 listed");
    let past = past.split("</article>").next().unwrap();
    assert!(past.contains("<strong>$1,000.00</strong>"), "{past}");
    assert!(!past.contains("early-payment discount"), "{past}");
}
