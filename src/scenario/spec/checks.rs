//! Field checks, shared by files and flags: each takes a TOML value and
//! returns the typed value or the message that follows "file:line: field: ".
//! The limits are the constants of `spec` (and `knobs` for the capacity).

use std::time::Duration;

use toml::Value;

use super::{
    Action, Answer, Trigger, MAX_BURST, MAX_CAPACITY, MAX_DURATION, MAX_MESSAGES, MAX_RATE,
    MAX_TASKS, MAX_WORK, MAX_WORKERS, MIN_RATE,
};
use crate::format::parse_duration;
use crate::scenario::knobs::Rate;

/// How a value looks in an error message: strings quoted, numbers bare.
pub(super) fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

pub(super) fn text_value(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Value::String(_) => Err("must not be empty".to_string()),
        other => Err(format!("must be a string, got {}", shown(other))),
    }
}

pub(super) fn int_in(v: &Value, lo: i64, hi: i64, what: &str) -> Result<i64, String> {
    match v {
        Value::Integer(i) if (lo..=hi).contains(i) => Ok(*i),
        other => Err(format!(
            "must be {what} between {lo} and {hi}, got {}",
            shown(other)
        )),
    }
}

pub(super) fn capacity_value(v: &Value) -> Result<usize, String> {
    int_in(v, 1, MAX_CAPACITY as i64, "a number of slots").map(|i| i as usize)
}

pub(super) fn count_value(v: &Value) -> Result<usize, String> {
    int_in(v, 1, MAX_TASKS as i64, "a number of tasks").map(|i| i as usize)
}

pub(super) fn workers_value(v: &Value) -> Result<usize, String> {
    int_in(v, 1, MAX_WORKERS as i64, "a number of worker threads").map(|i| i as usize)
}

pub(super) fn burst_value(v: &Value) -> Result<u64, String> {
    int_in(v, 1, MAX_BURST as i64, "a number of messages").map(|i| i as u64)
}

pub(super) fn messages_value(v: &Value) -> Result<Option<u64>, String> {
    match v {
        Value::String(s) if s == "unlimited" => Ok(None),
        Value::Integer(i) if (1..=MAX_MESSAGES as i64).contains(i) => Ok(Some(*i as u64)),
        other => Err(format!(
            "must be \"unlimited\" or a number of messages per producer between 1 and {MAX_MESSAGES}, got {}",
            shown(other)
        )),
    }
}

pub(super) fn rate_value(v: &Value) -> Result<Rate, String> {
    let n = match v {
        Value::String(s) if s == "max" => return Ok(Rate::Max),
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() && (MIN_RATE..=MAX_RATE).contains(&n) => Ok(Rate::PerSec(n)),
        _ => Err(format!(
            "must be \"max\" or a number of messages per second between {MIN_RATE} and {MAX_RATE}, got {}",
            shown(v)
        )),
    }
}

pub(super) fn duration_text(v: &Value) -> Result<Duration, String> {
    match v {
        Value::String(s) => parse_duration(s),
        Value::Integer(0) => Ok(Duration::ZERO),
        other => Err(format!(
            "must be a duration like \"500ms\", \"2s\", \"1.5s\" or \"1m\", got {}",
            shown(other)
        )),
    }
}

pub(super) fn duration_value(v: &Value) -> Result<Duration, String> {
    let d = duration_text(v)?;
    if d > MAX_DURATION {
        return Err(format!("must be at most 24h, got {}", shown(v)));
    }
    Ok(d)
}

pub(super) fn work_value(v: &Value) -> Result<Duration, String> {
    let d = duration_text(v)?;
    if d > MAX_WORK {
        return Err(format!(
            "must be at most {}s per message, got {}",
            MAX_WORK.as_secs(),
            shown(v)
        ));
    }
    Ok(d)
}

pub(super) fn run_duration_value(v: &Value) -> Result<Option<Duration>, String> {
    if matches!(v, Value::String(s) if s == "unlimited") {
        return Ok(None);
    }
    let d = duration_text(v).map_err(|m| format!("{m} (or \"unlimited\")"))?;
    if d.is_zero() {
        return Err(format!(
            "must be longer than 0 (or \"unlimited\"), got {}",
            shown(v)
        ));
    }
    if d > MAX_DURATION {
        return Err(format!(
            "must be at most 24h (or \"unlimited\"), got {}",
            shown(v)
        ));
    }
    Ok(Some(d))
}

pub(super) fn action_names() -> String {
    Action::ALL
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a, b or c`-style list of names.
fn names(all: impl Iterator<Item = &'static str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

pub(super) fn trigger_value(v: &Value) -> Result<Trigger, String> {
    let all = || Trigger::ALL.into_iter();
    match v {
        Value::String(s) => all().find(|t| t.as_str() == s),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "must be one of {}, got {}",
            names(all().map(Trigger::as_str)),
            shown(v)
        )
    })
}

pub(super) fn answer_value(v: &Value) -> Result<Answer, String> {
    let all = || Answer::ALL.into_iter();
    match v {
        Value::String(s) => all().find(|a| a.as_str() == s),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "must be one of {}, got {}",
            names(all().map(Answer::as_str)),
            shown(v)
        )
    })
}

pub(super) fn action_value(v: &Value) -> Result<Action, String> {
    match v {
        Value::String(s) => Action::from_name(s),
        _ => None,
    }
    .ok_or_else(|| format!("must be one of {}, got {}", action_names(), shown(v)))
}
