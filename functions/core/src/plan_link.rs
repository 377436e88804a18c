//! What an invoice keeps of the payment plan it belongs to, and the plan's id and state, apart from the
//! plan's rules ([`crate::instalments`]) so that invoices can name a plan without depending on them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A plan's id: `plan_` and a digest of what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanId(pub String);

impl std::fmt::Display for PlanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// Asked for by the customer outside the policy's limits: staff decide.
    Requested,
    /// Agreed: its invoices are off the ladder while it is kept.
    Active,
    /// Every instalment paid.
    Completed,
    /// An instalment stayed unpaid past the policy's days: the ladder resumed.
    Broken,
    /// Withdrawn by staff, or a request they declined.
    Cancelled,
}

impl PlanState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Requested => "requested",
            PlanState::Active => "active",
            PlanState::Completed => "completed",
            PlanState::Broken => "broken",
            PlanState::Cancelled => "cancelled",
        }
    }
}

/// The plan an invoice is (or was last) on, as the invoice keeps it: enough to put a refunded invoice back
/// on its running plan rather than on the ladder, and for the ladder's messages after a broken plan to
/// refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLink {
    pub id: PlanId,
    pub state: PlanState,
    /// The customer-local day the plan was agreed.
    pub agreed_on: NaiveDate,
    /// The date of the instalment that was missed, once the plan broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed: Option<NaiveDate>,
}

impl PlanLink {
    /// The plan is running: its invoices stay off the ladder.
    pub fn is_running(&self) -> bool {
        self.state == PlanState::Active
    }
}
