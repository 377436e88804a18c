//! Who made a change: kindly itself, or a named person. A leaf: it imports nothing of the domain.
//!
//! Typed rather than a name, so that no person's name can pass for the system: an approval by someone
//! called "kindly" is still a person's approval, never an automatic one.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The author of a lifecycle step or an approval.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// kindly by itself: the pass, the sender, a change voiding a draft.
    System,
    /// A person, by the name they signed in with.
    Person { name: String },
}

impl Actor {
    /// How the system is shown in histories.
    pub const SYSTEM_NAME: &'static str = "kindly";

    pub fn person(name: impl Into<String>) -> Actor {
        Actor::Person { name: name.into() }
    }

    pub fn is_system(&self) -> bool {
        matches!(self, Actor::System)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str(Actor::SYSTEM_NAME),
            Actor::Person { name } => f.write_str(name),
        }
    }
}

/// Reads the tagged form, and the plain names that records written before the type existed carry: there
/// the system wrote `kindly` in histories and `kindly (auto-approved stage …)` in approvals.
impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Tagged {
            System,
            Person { name: String },
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Tagged(Tagged),
            Legacy(String),
        }
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Tagged(Tagged::System) => Actor::System,
            Stored::Tagged(Tagged::Person { name }) => Actor::Person { name },
            Stored::Legacy(name) if name == Actor::SYSTEM_NAME || name.starts_with("kindly (auto-approved stage") => {
                Actor::System
            }
            Stored::Legacy(name) => Actor::Person { name },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Actor;

    #[test]
    fn a_person_named_like_the_system_stays_a_person() {
        let person = Actor::person("kindly");
        let stored = serde_json::to_string(&person).unwrap();
        assert_eq!(stored, r#"{"kind":"person","name":"kindly"}"#);
        let read: Actor = serde_json::from_str(&stored).unwrap();
        assert_eq!(read, person);
        assert!(!read.is_system());
        assert!(!Actor::person("kindly-bot").is_system());
    }

    #[test]
    fn round_trips_and_reads_records_from_before_the_type() {
        for actor in [Actor::System, Actor::person("alice@example.com")] {
            let stored = serde_json::to_string(&actor).unwrap();
            assert_eq!(serde_json::from_str::<Actor>(&stored).unwrap(), actor);
        }
        let legacy = |text: &str| serde_json::from_str::<Actor>(&serde_json::to_string(text).unwrap()).unwrap();
        assert_eq!(legacy("kindly"), Actor::System);
        assert_eq!(legacy("kindly (auto-approved stage `due_today`)"), Actor::System);
        assert_eq!(legacy("alice"), Actor::person("alice"));
        assert_eq!(Actor::System.to_string(), "kindly");
    }
}
