//! kindly-infra: what it takes to hold `infra/template.yaml` to the code. It reads the SAM template (short-form
//! tags and all), finds the AWS operations the Lambda crates call in their source, and records the operations
//! a client actually sends; the tests in `tests/` compare all three with the IAM actions each function
//! declares (`kindly_aws::iam`, `kindly_approvals::iam`).
//!
//! Invariant: nothing here runs in a Lambda or changes what one does; it only reads and records.

pub mod calls;
pub mod recorder;
pub mod template;

use std::path::PathBuf;

/// Why the template or the source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid YAML: {source}")]
    Yaml { path: PathBuf, source: serde_norway::Error },
    #[error("{path} is not valid Rust: {source}")]
    Rust { path: PathBuf, source: syn::Error },
    #[error("{path} is not a valid Cargo manifest: {source}")]
    Manifest { path: PathBuf, source: toml::de::Error },
    #[error("{path}: {problem}")]
    Unreadable { path: PathBuf, problem: String },
}

/// The repository's root (this crate lives in `infra/`).
pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("infra/ has a parent")
        .to_path_buf()
}

fn read(path: &std::path::Path) -> Result<String, InfraError> {
    std::fs::read_to_string(path).map_err(|source| InfraError::Read {
        path: path.to_path_buf(),
        source,
    })
}
