//! The one error type of the `kindly` command.

use crate::import::RowError;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Core(#[from] kindly_core::CoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}")]
    Usage(String),
    #[error("{} problem(s) found; nothing was imported (use --skip-invalid to import the valid rows):\n{}",
        .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    InvalidRows(Vec<RowError>),
}

impl LocalError {
    pub fn io(path: &std::path::Path, source: std::io::Error) -> LocalError {
        LocalError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
