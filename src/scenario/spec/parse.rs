//! Reading a scenario: the raw TOML shape (every scalar kept as a spanned
//! `Value`, so that each field gets our own message, with its line, instead
//! of serde's), then each field through its check. Defaults come from the
//! types' `Default` impls.

use std::path::Path;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::checks::*;
use super::{
    Consumers, Origin, Producers, Question, Scenario, ScenarioError, ScriptStep, When,
    DEFAULT_WORKERS, MAX_CAPACITY,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    title: Option<Spanned<Value>>,
    description: Option<Spanned<Value>>,
    capacity: Option<Spanned<Value>>,
    workers: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    producers: Option<Spanned<RawProducers>>,
    consumers: Option<Spanned<RawConsumers>>,
    #[serde(default)]
    script: Vec<Spanned<RawStep>>,
}

/// A TOML table whose keys are all spanned scalars, and no other key.
macro_rules! raw_table {
    ($name:ident { $($field:ident),* $(,)? }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            $($field: Option<Spanned<Value>>,)*
        }
    };
}

raw_table!(RawProducers {
    count,
    rate,
    burst,
    messages
});
raw_table!(RawConsumers {
    count,
    work,
    jitter
});
raw_table!(RawStep {
    at,
    on,
    action,
    say,
    ask,
    answer
});

/// Turns byte offsets into lines and builds errors for one source.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        let prefix = self.text.get(..end).unwrap_or(self.text);
        prefix.bytes().filter(|&b| b == b'\n').count() + 1
    }

    fn err(&self, offset: usize, field: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            origin: Origin::File {
                file: self.file.to_string(),
                line: self.line_of(offset),
            },
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Check one spanned value with `check`; the error gets the value's line.
    fn field<T>(
        &self,
        v: &Spanned<Value>,
        field: &str,
        check: impl Fn(&Value) -> Result<T, String>,
    ) -> Result<T, ScenarioError> {
        check(v.get_ref()).map_err(|m| self.err(v.span().start, field, m))
    }

    /// The dotted path of the key at `offset`: its table header (searched
    /// upwards) and the key written on its line.
    fn key_path_at(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = self.text[line_start..].lines().next().unwrap_or("");
        let key = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        let table = self.text[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
            .unwrap_or_default();
        match (table.is_empty(), key.is_empty()) {
            (_, true) if line.trim_start().starts_with('[') => String::new(),
            (true, _) => key,
            (false, true) => table,
            (false, false) => format!("{table}.{key}"),
        }
    }
}

/// Parse and validate a scenario. `file` names the source in error messages
/// (for a demo, `demos/NAME.toml`); `name` becomes [`Scenario::name`].
pub fn parse(file: &str, name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let src = Source { file, text };
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().trim().to_string();
        let mut field = src.key_path_at(offset);
        // For an unknown key, toml points at the key itself.
        if let Some(unknown) = message
            .strip_prefix("unknown field `")
            .and_then(|m| m.split('`').next())
        {
            if !field.ends_with(unknown) {
                field = unknown.to_string();
            }
            let expected = message
                .split_once(", expected ")
                .map(|(_, e)| format!(" (expected {e})"))
                .unwrap_or_default();
            return src.err(offset, &field, format!("unknown key{expected}"));
        }
        // Serde names our private structs; say what the user wrote instead.
        let message = match message.split_once(", expected struct Raw") {
            Some((head, _)) => format!("{head}, expected a table"),
            None => message,
        };
        src.err(offset, &field, message)
    })?;

    let title = match &raw.title {
        Some(v) => src.field(v, "title", text_value)?,
        None => return Err(src.err(0, "title", "missing: every scenario needs a title")),
    };
    let description = match &raw.description {
        Some(v) => src.field(v, "description", text_value)?,
        None => String::new(),
    };
    let capacity = match &raw.capacity {
        Some(v) => src.field(v, "capacity", capacity_value)?,
        None => {
            return Err(src.err(
                0,
                "capacity",
                format!("missing: give the ring's size, 1 to {MAX_CAPACITY}"),
            ))
        }
    };
    let workers = opt(&src, &raw.workers, "workers", workers_value)?.unwrap_or(DEFAULT_WORKERS);
    let duration = opt(&src, &raw.duration, "duration", run_duration_value)?.unwrap_or(None);

    let (p, c) = (Producers::default(), Consumers::default());
    let producers = match &raw.producers {
        Some(raw) => {
            let r = raw.get_ref();
            Producers {
                count: opt(&src, &r.count, "producers.count", count_value)?.unwrap_or(p.count),
                rate: opt(&src, &r.rate, "producers.rate", rate_value)?.unwrap_or(p.rate),
                burst: opt(&src, &r.burst, "producers.burst", burst_value)?.unwrap_or(p.burst),
                messages: opt(&src, &r.messages, "producers.messages", messages_value)?
                    .unwrap_or(p.messages),
            }
        }
        None => p,
    };
    let consumers = match &raw.consumers {
        Some(raw) => {
            let r = raw.get_ref();
            Consumers {
                count: opt(&src, &r.count, "consumers.count", count_value)?.unwrap_or(c.count),
                work: opt(&src, &r.work, "consumers.work", work_value)?.unwrap_or(c.work),
                jitter: opt(&src, &r.jitter, "consumers.jitter", work_value)?.unwrap_or(c.jitter),
            }
        }
        None => c,
    };

    let mut script = Vec::with_capacity(raw.script.len());
    let mut last_at: Option<(usize, std::time::Duration)> = None;
    for (i, step) in raw.script.iter().enumerate() {
        let start = step.span().start;
        let step = step.get_ref();
        let f = |name: &str| format!("script[{i}].{name}");
        let when = match (&step.at, &step.on) {
            (Some(v), None) => When::At(src.field(v, &f("at"), duration_value)?),
            (None, Some(v)) => When::On(src.field(v, &f("on"), trigger_value)?),
            (Some(_), Some(v)) => {
                return Err(src.err(
                    v.span().start,
                    &f("on"),
                    "give either at (a time) or on (an event), not both",
                ))
            }
            (None, None) => {
                return Err(src.err(
                    start,
                    &f("at"),
                    "missing: when it happens, e.g. at = \"5s\" or on = \"park\"",
                ))
            }
        };
        if let When::At(at) = when {
            let ordered = raw.script.iter().any(|s| s.get_ref().on.is_some());
            if let Some((j, before)) = last_at.filter(|&(_, before)| ordered && at < before) {
                return Err(src.err(
                    step.at.as_ref().map_or(start, |v| v.span().start),
                    &f("at"),
                    format!(
                        "with `on` entries in the script, entries run in the order written, \
                         and this one ({}) comes before script[{j}] ({}): put them in time order",
                        crate::format::duration(at),
                        crate::format::duration(before)
                    ),
                ));
            }
            last_at = Some((i, at));
        }
        let action = opt(&src, &step.action, &f("action"), action_value)?;
        let say = opt(&src, &step.say, &f("say"), text_value)?;
        let ask = match (&step.ask, &step.answer) {
            (Some(q), Some(a)) => Some(Question {
                text: src.field(q, &f("ask"), text_value)?,
                answer: src.field(a, &f("answer"), answer_value)?,
            }),
            (Some(q), None) => {
                return Err(src.err(
                    q.span().start,
                    &f("answer"),
                    "missing: what the question's answer is checked against, e.g. \
                     answer = \"next_woken_sender\"",
                ))
            }
            (None, Some(a)) => return Err(src.err(
                a.span().start,
                &f("ask"),
                "missing: an answer needs its question, e.g. ask = \"Which sender wakes next?\"",
            )),
            (None, None) => None,
        };
        if action.is_none() && say.is_none() && ask.is_none() {
            return Err(src.err(
                start,
                &f("action"),
                format!(
                    "missing: what happens: action (one of {}), say or ask",
                    action_names()
                ),
            ));
        }
        script.push(ScriptStep {
            when,
            action,
            say,
            ask,
        });
    }
    // Only `at` entries: their order in the file does not matter.
    if script.iter().all(|s| matches!(s.when, When::At(_))) {
        script.sort_by_key(|s| match s.when {
            When::At(at) => at,
            When::On(_) => std::time::Duration::ZERO,
        });
    }

    Ok(Scenario {
        name: name.to_string(),
        title,
        description,
        capacity,
        producers,
        consumers,
        workers,
        duration,
        script,
    })
}

/// Read and validate a scenario file. The file's stem names the scenario.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        origin: Origin::File {
            file: file.clone(),
            line: 0,
        },
        field: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    parse(&file, &name, &text)
}

fn opt<T>(
    src: &Source<'_>,
    v: &Option<Spanned<Value>>,
    field: &str,
    check: impl Fn(&Value) -> Result<T, String>,
) -> Result<Option<T>, ScenarioError> {
    v.as_ref().map(|v| src.field(v, field, &check)).transpose()
}
