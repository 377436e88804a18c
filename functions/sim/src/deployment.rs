//! kindly as deployed, for the simulation: the web router the webhook reaches (with the simulated clock)
//! and the business hours every function is configured with.

use crate::calendar;
use crate::faults::SimStore;
use crate::invariants::BUSINESS_HOURS;
use crate::processor;
use axum::Router;
use kindly_core::Policy;
use kindly_core::service::BusinessHours;
use std::sync::Arc;

/// The router `kindly serve` builds, with the webhook configured and the simulated clock.
pub fn router(store: &SimStore, policy: &Policy) -> Router {
    let mut app = kindly_web::App::new(store.clone(), policy.clone(), kindly_web::Access::Verified);
    app.clock = calendar::now;
    app.webhook = Some(kindly_web::StripeWebhook {
        secrets: vec![processor::SECRET.to_owned()],
        tolerance_secs: kindly_web::DEFAULT_TOLERANCE_SECS,
    });
    kindly_web::router(Arc::new(app))
}

pub fn window() -> Option<BusinessHours> {
    let (from_hour, to_hour) = BUSINESS_HOURS;
    Some(BusinessHours { from_hour, to_hour })
}
