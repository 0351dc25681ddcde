//! What a scenario that cannot run says: where (file and line, or flag),
//! which field, and what was wrong. Never a panic.

use std::fmt;

/// Where a bad value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A scenario file (or an embedded demo), at a 1-based line.
    File {
        /// The file's name as given (demos: `demos/NAME.toml`).
        file: String,
        /// 1-based line; 0 when the problem is the whole file.
        line: usize,
    },
    /// A command-line flag, e.g. `--rate`.
    Flag(String),
}

/// A scenario that cannot run, and why: the file and line (or the flag), the
/// field, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// File and line, or flag.
    pub origin: Origin,
    /// Dotted field path, e.g. `producers.rate`; empty when the problem is
    /// not about one field (a TOML syntax error).
    pub field: String,
    /// What was wrong, and what would be right.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            // Line 0: about the whole file (it could not be read).
            Origin::File { file, line: 0 } => write!(f, "{file}: ")?,
            Origin::File { file, line } => write!(f, "{file}:{line}: ")?,
            Origin::Flag(flag) => write!(f, "{flag}: ")?,
        }
        if !self.field.is_empty() && !matches!(self.origin, Origin::Flag(_)) {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}
