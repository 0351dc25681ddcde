//! Command-line overrides: the flags that replace a scenario's values. This
//! struct *is* the clap argument group (flattened into `chanviz demo` and
//! `chanviz run`), so a flag is declared once. Each flag's text is read as a
//! TOML value and goes through the same checks as the file.

use toml::Value;

use super::checks::*;
use super::{Origin, Scenario, ScenarioError};
use crate::scenario::knobs::scaled_jitter;

/// Declares [`Overrides`]: one optional flag per line, `--NAME VALUE_NAME`,
/// each kept as typed (negative numbers too, so that they get our message).
macro_rules! override_flags {
    ($($(#[$doc:meta])* $field:ident: $value_name:literal $(, alias = $alias:literal)?;)*) => {
        /// Values given on the command line that replace the scenario's. Each
        /// is the flag's text as typed; [`Overrides::apply`] validates it like
        /// the file.
        #[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
        pub struct Overrides {
            $(
                $(#[$doc])*
                #[arg(long, value_name = $value_name, allow_hyphen_values = true $(, alias = $alias)?)]
                pub $field: Option<String>,
            )*
        }
    };
}

override_flags! {
    /// Number of producers (producers.count).
    producers: "N";
    /// Number of consumers (consumers.count).
    consumers: "N";
    /// Ring capacity in slots (capacity).
    capacity: "SLOTS";
    /// Messages per second per producer, or "max" (producers.rate).
    rate: "RATE";
    /// Consumer work time per message, e.g. 20ms (consumers.work; the jitter
    /// keeps its proportion to it).
    work: "DURATION", alias = "consumer-delay";
    /// Messages per producer, or "unlimited" (producers.messages).
    messages: "N";
    /// Length of the run, e.g. 30s, or "unlimited" (duration).
    duration: "DURATION";
    /// Tokio worker threads (workers).
    workers: "N";
}

/// Check `text` (if given) as the file's `field` would be, then `set` it.
fn apply_one<T>(
    text: &Option<String>,
    flag: &str,
    field: &str,
    check: impl Fn(&Value) -> Result<T, String>,
    set: impl FnOnce(T),
) -> Result<(), ScenarioError> {
    let Some(text) = text else { return Ok(()) };
    let value = check(&flag_value(text)).map_err(|message| ScenarioError {
        origin: Origin::Flag(flag.to_string()),
        field: field.to_string(),
        message,
    })?;
    set(value);
    Ok(())
}

impl Overrides {
    /// Apply every override to `scenario`, validating each one as the file
    /// would. The error names the flag.
    #[rustfmt::skip] // a table: flag, field, check, where the value goes
    pub fn apply(&self, s: &mut Scenario) -> Result<(), ScenarioError> {
        let (p, c) = (&mut s.producers, &mut s.consumers);
        apply_one(&self.producers, "--producers", "producers.count", count_value, |v| p.count = v)?;
        apply_one(&self.rate, "--rate", "producers.rate", rate_value, |v| p.rate = v)?;
        apply_one(&self.messages, "--messages", "producers.messages", messages_value, |v| p.messages = v)?;
        apply_one(&self.consumers, "--consumers", "consumers.count", count_value, |v| c.count = v)?;
        apply_one(&self.work, "--work", "consumers.work", work_value, |v| {
            c.jitter = scaled_jitter(c.jitter, c.work, v);
            c.work = v;
        })?;
        apply_one(&self.capacity, "--capacity", "capacity", capacity_value, |v| s.capacity = v)?;
        apply_one(&self.duration, "--duration", "duration", run_duration_value, |v| s.duration = v)?;
        apply_one(&self.workers, "--workers", "workers", workers_value, |v| s.workers = v)?;
        Ok(())
    }
}

/// A flag's text as the TOML value it would be in a file: an integer, a
/// float, or else a string (so `--rate max` and `--rate "max"` agree).
fn flag_value(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        Value::Integer(i)
    } else if let Ok(f) = t.parse::<f64>() {
        Value::Float(f)
    } else {
        Value::String(t.to_string())
    }
}
