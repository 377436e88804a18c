//! Configuration, read once at start-up from the environment. Handlers never read the environment.
//!
//! The SDK clients take their region, credentials and — in tests and local runs only — their endpoint
//! (`AWS_ENDPOINT_URL`) from the standard AWS variables.

use crate::error::AwsError;
use kindly_core::Policy;

/// The environment variables [`Config::from_env`] reads (the SAM template sets them; a test holds the two
/// to each other).
pub mod vars {
    pub const TABLE: &str = "KINDLY_TABLE";
    pub const SHARDS: &str = "KINDLY_SHARDS";
    pub const SES_CONFIGURATION_SET: &str = "KINDLY_SES_CONFIGURATION_SET";
    pub const MAX_SEND_RATE: &str = "KINDLY_MAX_SEND_RATE";
    pub const SEND_CONCURRENCY: &str = "KINDLY_SEND_CONCURRENCY";
    pub const POLICY: &str = "KINDLY_POLICY";
    pub const BUSINESS_HOURS: &str = "KINDLY_BUSINESS_HOURS";
    /// The Secrets Manager secret holding the keys that sign customers' page links.
    pub const LINK_SECRET_ID: &str = "KINDLY_LINK_SECRET_ID";
    /// Where customers reach their pages: the base of the links messages carry.
    pub const PUBLIC_URL: &str = "KINDLY_PUBLIC_URL";
    /// The domain that receives replies (optional): each message replies to its own signed address there.
    pub const REPLY_DOMAIN: &str = "KINDLY_REPLY_DOMAIN";
    /// The S3 bucket SES stores the replies it receives in (optional): the only one `events` reads from.
    pub const REPLY_BUCKET: &str = "KINDLY_REPLY_BUCKET";
    /// Every one of them.
    pub const ALL: [&str; 11] = [
        TABLE,
        SHARDS,
        SES_CONFIGURATION_SET,
        MAX_SEND_RATE,
        SEND_CONCURRENCY,
        POLICY,
        BUSINESS_HOURS,
        LINK_SECRET_ID,
        PUBLIC_URL,
        REPLY_DOMAIN,
        REPLY_BUCKET,
    ];
}

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
    /// `KINDLY_SEND_CONCURRENCY`: reminders a send run works on at once; by default enough to reach the
    /// send rate with about half a second per send (claim, SES call, record), at most 32.
    pub send_concurrency: Option<usize>,
    /// `KINDLY_POLICY`: a policy TOML file; the shipped default policy when unset. It carries
    /// `KINDLY_BUSINESS_HOURS` (`9-17` by default) as `Policy::sending_hours`, the one copy of them: `send`
    /// sends only then, and every function plans each customer for the local day their message goes out on.
    pub policy: Policy,
    /// `KINDLY_LINK_SECRET_ID` and `KINDLY_PUBLIC_URL`: where the keys of customers' page links are kept
    /// and where the links point. Read at start-up ([`crate::links`]) into `Policy::customer_links`;
    /// without them messages carry no link.
    pub links: Option<LinkSource>,
    /// `KINDLY_REPLY_BUCKET`: the bucket SES stores received replies in; `events` reads stored replies
    /// from it and no other.
    pub reply_bucket: Option<String>,
}

/// Where a function finds the keys that sign customers' page links, and the base of the links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSource {
    /// The Secrets Manager secret: one key per line, 64 hexadecimal digits, the first signing.
    pub secret_id: String,
    /// e.g. `https://abc123.execute-api.eu-west-2.amazonaws.com`.
    pub public_url: String,
}

/// The slowest send rate kindly accepts, in messages per second. A slower one would leave a send run
/// waiting far beyond a Lambda's 15 minutes for its next message (and one near zero cannot even be turned
/// into a wait: it would stop the function at start).
pub const MIN_SEND_RATE: f64 = 0.1;

/// What the send rate must be, as a configuration error says it.
const SEND_RATE_EXPECTED: &str = "messages per second, at least 0.1, e.g. 14";

/// Reads the variables through `var` (the environment, or a test's map), treating blank as unset.
struct Vars<F>(F);

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|value| !value.trim().is_empty())
    }

    fn parsed<T: std::str::FromStr>(&self, name: &'static str, expected: &'static str) -> Result<Option<T>, AwsError> {
        self.optional(name)
            .map(|value| {
                value
                    .trim()
                    .parse()
                    .map_err(|_| AwsError::InvalidVariable { name, value, expected })
            })
            .transpose()
    }

    /// `KINDLY_MAX_SEND_RATE`: a finite number of messages per second, at least [`MIN_SEND_RATE`].
    fn send_rate(&self) -> Result<Option<f64>, AwsError> {
        let rate = self.parsed::<f64>(vars::MAX_SEND_RATE, SEND_RATE_EXPECTED)?;
        match rate {
            Some(rate) if !(rate.is_finite() && rate >= MIN_SEND_RATE) => Err(AwsError::InvalidVariable {
                name: vars::MAX_SEND_RATE,
                value: self.optional(vars::MAX_SEND_RATE).unwrap_or_default(),
                expected: SEND_RATE_EXPECTED,
            }),
            rate => Ok(rate),
        }
    }
}

/// Half a second's worth of sends at `rate` (a send is a claim, the SES call and the record: a few round
/// trips), between 1 and 32.
pub fn default_send_concurrency(rate: f64) -> usize {
    (rate / 2.0).ceil().clamp(1.0, 32.0) as usize
}

impl Config {
    /// Sends in flight at once for a send rate: the configured number, or [`default_send_concurrency`].
    pub fn concurrency_for(&self, rate: f64) -> usize {
        self.send_concurrency
            .unwrap_or_else(|| default_send_concurrency(rate))
            .max(1)
    }

    pub fn from_env() -> Result<Config, AwsError> {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Config::from_env`] over any source of variables: `var(name)` is the value of `name`, if set.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, AwsError> {
        let vars = Vars(var);
        let table = vars
            .optional(vars::TABLE)
            .ok_or(AwsError::MissingVariable(vars::TABLE))?;
        let shards = vars.parsed(vars::SHARDS, "a whole number from 1 to 64")?.unwrap_or(8);
        if !(1..=64).contains(&shards) {
            return Err(AwsError::InvalidVariable {
                name: vars::SHARDS,
                value: shards.to_string(),
                expected: "a whole number from 1 to 64",
            });
        }
        let mut policy = match vars.optional(vars::POLICY) {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| AwsError::Policy(format!("{path}: {e}")))?;
                Policy::from_toml(&text).map_err(|e| AwsError::Policy(format!("{path}: {e}")))?
            }
            None => Policy::default_policy(),
        };
        let hours = vars.optional(vars::BUSINESS_HOURS).unwrap_or_else(|| "9-17".into());
        let (from_hour, to_hour) = hours
            .split_once('-')
            .and_then(|(from, to)| Some((from.trim().parse().ok()?, to.trim().parse().ok()?)))
            .filter(|(from, to): &(u32, u32)| from < to && *to <= 24)
            .ok_or(AwsError::InvalidVariable {
                name: vars::BUSINESS_HOURS,
                value: hours,
                expected: "two hours like 9-17",
            })?;
        policy.sending_hours = Some(kindly_core::calendar::BusinessHours { from_hour, to_hour });
        if let Some(domain) = vars.optional(vars::REPLY_DOMAIN) {
            if kindly_core::customer::email_problem(&format!("reply@{domain}")).is_some() {
                return Err(AwsError::InvalidVariable {
                    name: vars::REPLY_DOMAIN,
                    value: domain,
                    expected: "a mail domain, e.g. replies.example.com",
                });
            }
            policy.reply_domain = Some(domain);
        }
        let links = match (vars.optional(vars::LINK_SECRET_ID), vars.optional(vars::PUBLIC_URL)) {
            (None, None) => None,
            (Some(secret_id), Some(public_url)) => Some(LinkSource { secret_id, public_url }),
            (None, Some(_)) => return Err(AwsError::MissingVariable(vars::LINK_SECRET_ID)),
            (Some(_), None) => return Err(AwsError::MissingVariable(vars::PUBLIC_URL)),
        };
        Ok(Config {
            table,
            shards,
            configuration_set: vars.optional(vars::SES_CONFIGURATION_SET),
            max_send_rate: vars.send_rate()?,
            send_concurrency: vars.parsed(vars::SEND_CONCURRENCY, "a whole number of sends, e.g. 8")?,
            policy,
            links,
            reply_bucket: vars.optional(vars::REPLY_BUCKET),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(rate: &str) -> Result<Config, AwsError> {
        Config::from_vars(|name| match name {
            vars::TABLE => Some("kindly".into()),
            vars::MAX_SEND_RATE => Some(rate.into()),
            _ => None,
        })
    }

    #[test]
    fn a_reply_domain_must_be_a_mail_domain() {
        let with = |domain: &'static str| {
            Config::from_vars(move |name| match name {
                vars::TABLE => Some("kindly".into()),
                vars::REPLY_DOMAIN => Some(domain.into()),
                _ => None,
            })
        };
        let config = with("replies.northwind.example").unwrap();
        assert_eq!(config.policy.reply_domain.as_deref(), Some("replies.northwind.example"));
        for bad in ["not a domain", "a@b.example", "x,y.example"] {
            let error = with(bad).expect_err(bad).to_string();
            assert!(error.contains(vars::REPLY_DOMAIN), "{bad}: {error}");
        }
        assert_eq!(config_with("1").unwrap().policy.reply_domain, None);
    }

    #[test]
    fn a_send_rate_that_cannot_pace_is_a_configuration_error_naming_the_variable() {
        for rate in ["1e-300", "0.0001", "0", "-3", "NaN", "inf", "fast"] {
            let error = config_with(rate).expect_err(rate).to_string();
            assert!(
                error.contains(vars::MAX_SEND_RATE) && error.contains(rate) && error.contains("at least 0.1"),
                "{rate}: {error}"
            );
        }
        for (rate, expected) in [("0.1", Some(0.1)), (" 14 ", Some(14.0)), ("", None)] {
            assert_eq!(config_with(rate).unwrap().max_send_rate, expected, "{rate:?}");
        }
    }

    #[test]
    fn the_link_secret_and_the_public_address_come_together() {
        let with = |secret: Option<&str>, url: Option<&str>| {
            Config::from_vars(|name| match name {
                vars::TABLE => Some("kindly".into()),
                vars::LINK_SECRET_ID => secret.map(str::to_owned),
                vars::PUBLIC_URL => url.map(str::to_owned),
                _ => None,
            })
        };
        assert_eq!(with(None, None).unwrap().links, None);
        assert_eq!(
            with(Some("arn:secret"), Some("https://pages.example")).unwrap().links,
            Some(LinkSource {
                secret_id: "arn:secret".into(),
                public_url: "https://pages.example".into()
            })
        );
        for (secret, url, missing) in [
            (Some("arn:secret"), None, vars::PUBLIC_URL),
            (None, Some("https://pages.example"), vars::LINK_SECRET_ID),
        ] {
            let error = with(secret, url).unwrap_err().to_string();
            assert!(error.contains(missing), "{error}");
        }
    }
}
