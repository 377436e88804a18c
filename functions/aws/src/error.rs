//! The one error type of the AWS adapters' start-up. Store and mailer failures are reported as the
//! core's port errors ([`kindly_core::CoreError`]).

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("environment variable {0} is not set")]
    MissingVariable(&'static str),
    #[error("environment variable {name} is `{value}`; expected {expected}")]
    InvalidVariable {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("policy: {0}")]
    Policy(String),
    /// The link keys' secret could not be read or holds no keys. Names the secret, never its value.
    #[error("the link keys in Secrets Manager secret `{id}`: {problem}")]
    LinkKeys { id: String, problem: String },
    #[error(transparent)]
    Core(#[from] kindly_core::CoreError),
}
