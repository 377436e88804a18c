//! Payment plans on the staff API, over a real socket on each store: staff agree one over everything a
//! customer owes, bad terms are refused naming the field, the invoice leaves the ladder, and the plan is
//! listed with its instalments; nobody signed out may make one.
use super::{client, server};
use kindly_core::{InvoiceId, InvoiceStatus, Store};
use kindly_web::plans::{PlanList, PlanView};
use reqwest::StatusCode;
use serde_json::json;

kindly_aws::on_both_stores!(staff_agree_a_plan_and_see_its_instalments);

async fn staff_agree_a_plan_and_see_its_instalments<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let path = "/api/customers/A/plans";
    // Bad terms are refused naming the field, and change nothing
    for (body, field) in [
        (
            json!({"instalments": 3, "every": "yearly", "first": "2026-04-01"}),
            "every",
        ),
        (
            json!({"instalments": 3, "every": "monthly", "first": "2026-03-01"}),
            "first",
        ),
        (
            json!({"instalments": 1, "every": "monthly", "first": "2026-04-01"}),
            "instalments",
        ),
        (
            json!({"instalments": 3, "every": "monthly", "first": "2026-04-01", "invoices": ["I-B"]}),
            "invoices",
        ),
    ] {
        let (status, answer) = server.post(path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(answer.to_string().contains(field), "{body}: {answer}");
    }
    let id = InvoiceId("I-A".into());
    assert_eq!(
        server.app.store.invoice(&id).await.unwrap().unwrap().status,
        InvoiceStatus::Open
    );
    // Signed out: refused
    let response = client()
        .post(format!("{}{path}", server.base))
        .header("content-type", "application/json")
        .body(json!({"instalments": 3, "every": "monthly", "first": "2026-04-01"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // WHEN alice agrees three monthly instalments from April 1st over what A owes
    let (status, body) = server
        .post(
            path,
            json!({"instalments": 3, "every": "monthly", "first": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let plan: PlanView = serde_json::from_value(body).unwrap();
    assert_eq!((plan.state.as_str(), plan.made_by.as_str()), ("active", "alice"));
    assert_eq!(plan.summary, "3 monthly instalments from 2026-04-01");
    let days: Vec<String> = plan.instalments.iter().map(|i| i.due.to_string()).collect();
    assert_eq!(days, ["2026-04-01", "2026-05-01", "2026-06-01"]);
    let total: rust_decimal::Decimal = plan.instalments.iter().map(|i| i.amount).sum();
    let invoice = server.app.store.invoice(&id).await.unwrap().unwrap();
    assert_eq!(total, invoice.balance());
    // THEN the invoice is off the ladder, and the plan is listed
    assert_eq!(invoice.status, InvoiceStatus::OnPaymentPlan);
    let (status, body) = server.get(path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed: PlanList = serde_json::from_value(body).unwrap();
    assert_eq!(listed.plans.len(), 1);
    assert_eq!(listed.plans[0].id, plan.id);
    // Nothing more is owed outside a plan: another is refused, naming the invoices
    let (status, answer) = server
        .post(
            path,
            json!({"instalments": 2, "every": "weekly", "first": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer.to_string().contains("invoices"), "{answer}");
}
