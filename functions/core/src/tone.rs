//! How a message sounds and whether it waits for a person: vocabulary shared by the policy, invoices and
//! reminders. A leaf: it imports nothing of the domain.

use serde::{Deserialize, Serialize};

/// How a message sounds. Ordered: each step is a little firmer than the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Courteous,
    Friendly,
    Direct,
    Firm,
    Urgent,
    Final,
}

impl Tone {
    pub fn level(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Courteous => "courteous",
            Tone::Friendly => "friendly",
            Tone::Direct => "direct",
            Tone::Firm => "firm",
            Tone::Urgent => "urgent",
            Tone::Final => "final",
        }
    }
}

impl std::fmt::Display for Tone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a stage's messages wait for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    Auto,
    Required,
}
