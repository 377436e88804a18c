//! Configuration, read once at start-up from the environment. Handlers never read the environment.
//!
//! The SDK clients take their region, credentials and — in tests and local runs only — their endpoint
//! (`AWS_ENDPOINT_URL`) from the standard AWS variables.

use crate::error::AwsError;
use kindly_core::Policy;

/// Everything the Lambdas need besides the AWS clients.
#[derive(Debug, Clone)]
pub struct Config {
    /// `KINDLY_TABLE`: the DynamoDB table.
    pub table: String,
    /// `KINDLY_SHARDS`: partitions of the sharded indexes (default 8). Must not change once data exists.
    pub shards: u32,
    /// `KINDLY_SES_CONFIGURATION_SET`: the SES configuration set (bounce and complaint events).
    pub configuration_set: Option<String>,
    /// `KINDLY_MAX_SEND_RATE`: messages per second; the account's maximum send rate when unset.
    pub max_send_rate: Option<f64>,
    /// `KINDLY_POLICY`: a policy TOML file; the shipped default policy when unset.
    pub policy: Policy,
    /// `KINDLY_BUSINESS_HOURS`: the customer-local hours in which `send` sends, e.g. `9-17` (default).
    pub business_hours: (u32, u32),
}

fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, expected: &'static str) -> Result<Option<T>, AwsError> {
    optional(name)
        .map(|value| {
            value
                .trim()
                .parse()
                .map_err(|_| AwsError::InvalidVariable { name, value, expected })
        })
        .transpose()
}

impl Config {
    pub fn from_env() -> Result<Config, AwsError> {
        let table = optional("KINDLY_TABLE").ok_or(AwsError::MissingVariable("KINDLY_TABLE"))?;
        let shards = parsed("KINDLY_SHARDS", "a whole number from 1 to 64")?.unwrap_or(8);
        if !(1..=64).contains(&shards) {
            return Err(AwsError::InvalidVariable {
                name: "KINDLY_SHARDS",
                value: shards.to_string(),
                expected: "a whole number from 1 to 64",
            });
        }
        let policy = match optional("KINDLY_POLICY") {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| AwsError::Policy(format!("{path}: {e}")))?;
                Policy::from_toml(&text).map_err(|e| AwsError::Policy(format!("{path}: {e}")))?
            }
            None => Policy::default_policy(),
        };
        let hours = optional("KINDLY_BUSINESS_HOURS").unwrap_or_else(|| "9-17".into());
        let business_hours = hours
            .split_once('-')
            .and_then(|(from, to)| Some((from.trim().parse().ok()?, to.trim().parse().ok()?)))
            .filter(|(from, to): &(u32, u32)| from < to && *to <= 24)
            .ok_or(AwsError::InvalidVariable {
                name: "KINDLY_BUSINESS_HOURS",
                value: hours,
                expected: "two hours like 9-17",
            })?;
        Ok(Config {
            table,
            shards,
            configuration_set: optional("KINDLY_SES_CONFIGURATION_SET"),
            max_send_rate: parsed("KINDLY_MAX_SEND_RATE", "messages per second, e.g. 14")?,
            policy,
            business_hours,
        })
    }
}
