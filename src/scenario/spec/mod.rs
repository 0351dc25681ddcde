//! Scenario files: the TOML format, its validation, and command-line
//! overrides (`parse.rs` reads, `checks.rs` checks each field, `overrides.rs`
//! holds the flags, `error.rs` says what was wrong). Never panics on bad input: every problem becomes a
//! [`ScenarioError`] that names the file, the line and the field.
//!
//! # Format
//!
//! ```toml
//! title = "Many producers, one consumer"
//! description = "One paragraph that tells a learner what to watch."
//! capacity = 8            # ring slots, 1..=1048576
//! workers = 2             # tokio worker threads, 1..=64 (default 2)
//! duration = "30s"        # or "unlimited" (default)
//!
//! [producers]
//! count = 3               # 1..=1024 (default 1)
//! rate = 20               # messages per second per producer (1..=100000000) or "max" (default)
//! burst = 1               # messages sent back to back, then a pause that keeps the average rate (default 1)
//! messages = "unlimited"  # per producer, or a number (default "unlimited")
//!
//! [consumers]
//! count = 1               # 1..=1024 (default 1)
//! work = "20ms"           # time spent on each message (default "0")
//! jitter = "5ms"          # extra random work, from 0 up to this (default "0")
//!
//! [[script]]
//! at = "5s"               # scenario time (stretched by slow motion, frozen by pause)
//! action = "close_from_sender"
//!
//! [[script]]              # entries run in the order written
//! on = "park"             # instead of `at`: the first park, full, wake or transition
//! action = "pause"        #   after the entry before it
//! say = "S2 found the ring full: its waker is now in the senders' queue."
//!
//! [[script]]
//! at = "8s"
//! ask = "Which sender wakes next?"   # pauses; the class answers with a digit
//! answer = "next_woken_sender"        # or next_woken_receiver, next_to_park
//! ```
//!
//! Durations are a number and a unit: `"250us"`, `"500ms"`, `"2s"`, `"1.5s"`,
//! `"1m"`, `"1h"`, or `"0"`.
//!
//! Script actions ([`Action`]):
//! - `close_from_sender`: a sender closes the channel through the type-state
//!   API (`Sender<Open>` → `close()` → `Sender<Closing>` → `drained()` →
//!   `Sender<Closed>`); producers stop, consumers drain what is buffered.
//! - `close_from_receiver`: a receiver closes it (`Receiver<Open>` →
//!   `close()` → `Receiver<Closing>` → `try_finish()` → `Receiver<Closed>`);
//!   consumers still drain what is buffered.
//! - `drop_producer`: a producer drops its `Sender` without closing; when it
//!   is the last one, the channel closes because its last sender is gone.
//! - `add_producer` / `remove_producer`: one more / one fewer producer
//!   (never removes the last).
//! - `add_consumer` / `remove_consumer`: one more / one fewer consumer
//!   (never removes the last: messages would be stranded).
//! - `pause`: pause the run, as `space` does.
//!
//! `say` shows its words over the view until a key; `ask` pauses the run and
//! shows a question whose answer (a handle, picked with a digit key) is then
//! checked against what the channel does next. Headless runs do not stop for
//! either: they print them. A scenario with a `say` or an `ask` is a lesson.

use std::fmt;
use std::time::Duration;

mod checks;
mod error;
mod overrides;
mod parse;

use super::knobs::Rate;
pub use super::knobs::MAX_CAPACITY;
pub use error::{Origin, ScenarioError};
pub use overrides::Overrides;
pub use parse::{load, parse};

/// Largest producer or consumer count accepted.
pub const MAX_TASKS: usize = 1024;
/// Largest rate accepted, messages per second per producer.
pub const MAX_RATE: f64 = 100_000_000.0;
/// Smallest numeric rate accepted.
pub const MIN_RATE: f64 = 1.0;
/// Largest burst accepted.
pub const MAX_BURST: u64 = 1_000_000;
/// Largest message count per producer accepted.
pub const MAX_MESSAGES: u64 = 1_000_000_000_000;
/// Most runtime worker threads accepted.
pub const MAX_WORKERS: usize = 64;
/// Longest consumer work time or jitter accepted.
pub const MAX_WORK: Duration = Duration::from_secs(60);
/// Longest run accepted (other than "unlimited").
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// A validated scenario: everything a run needs, nothing unchecked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name: the demo name or the file's stem. Names the channel.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// One paragraph: what to watch.
    pub description: String,
    /// Ring capacity (slots).
    pub capacity: usize,
    /// The producing side.
    pub producers: Producers,
    /// The consuming side.
    pub consumers: Consumers,
    /// Tokio worker threads.
    pub workers: usize,
    /// How long the run lasts (scenario time); `None` is unlimited.
    pub duration: Option<Duration>,
    /// Timed actions, sorted by time.
    pub script: Vec<ScriptStep>,
}

/// Tokio worker threads when the file does not say.
pub const DEFAULT_WORKERS: usize = 2;

/// The `[producers]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Producers {
    /// Producer tasks at the start.
    pub count: usize,
    /// Rate of each producer.
    pub rate: Rate,
    /// Messages sent back to back before pausing (the average rate stays `rate`).
    pub burst: u64,
    /// Messages each producer sends; `None` is unlimited.
    pub messages: Option<u64>,
}

/// The `[consumers]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Consumers {
    /// Consumer tasks at the start.
    pub count: usize,
    /// Work time per message.
    pub work: Duration,
    /// Extra random work per message, uniform in `0..=jitter`.
    pub jitter: Duration,
}

impl Default for Producers {
    /// One producer, as fast as it can, one message at a time, for ever.
    fn default() -> Self {
        Producers {
            count: 1,
            rate: Rate::Max,
            burst: 1,
            messages: None,
        }
    }
}

impl Default for Consumers {
    /// One consumer that does no work and has no jitter.
    fn default() -> Self {
        Consumers {
            count: 1,
            work: Duration::ZERO,
            jitter: Duration::ZERO,
        }
    }
}

/// One `[[script]]` entry: when it happens, and what it does (an action,
/// words for the class, a question, or several of these at once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptStep {
    /// When it happens.
    pub when: When,
    /// What the run does, if anything.
    pub action: Option<Action>,
    /// Words shown over the view until a key (printed by headless runs).
    pub say: Option<String>,
    /// A question, checked against what then happens (it pauses the run).
    pub ask: Option<Question>,
}

impl ScriptStep {
    /// An entry that only runs `action` at `at`.
    pub fn action_at(at: Duration, action: Action) -> ScriptStep {
        ScriptStep {
            when: When::At(at),
            action: Some(action),
            say: None,
            ask: None,
        }
    }

    /// Whether the entry talks to the class (`say` or `ask`): a scenario
    /// with one is a lesson.
    pub fn teaches(&self) -> bool {
        self.say.is_some() || self.ask.is_some()
    }
}

/// When a script entry happens. Entries run in the order written: each one
/// waits for the one before it, then for its own moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// At this scenario time of the run (at once if already past).
    At(Duration),
    /// At the first such event after the entry before it happened.
    On(Trigger),
}

/// Something the channel does that a script entry can wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Trigger {
    /// A sender or a receiver parks (its waker joins a queue).
    Park = 1,
    /// The ring becomes full.
    Full = 2,
    /// A parked task is woken (the pause comes before its retry).
    Wake = 4,
    /// A handle changes type state (`Open -> Closing`, ...).
    Transition = 8,
}

impl Trigger {
    /// Every trigger, in documentation order.
    pub const ALL: [Trigger; 4] = [
        Trigger::Park,
        Trigger::Full,
        Trigger::Wake,
        Trigger::Transition,
    ];

    /// The name used in scenario files (`on = "park"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Park => "park",
            Trigger::Full => "full",
            Trigger::Wake => "wake",
            Trigger::Transition => "transition",
        }
    }

    /// A bit of its own, for a set of triggers in one atomic.
    pub fn bit(self) -> u8 {
        self as u8
    }
}

/// A question a script asks, and what its answer is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The words of the question.
    pub text: String,
    /// What the answer is.
    pub answer: Answer,
}

/// What a question's answer is checked against: the next such event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// Which sender the next wake of the senders' queue wakes.
    NextWokenSender,
    /// Which receiver the next wake of the receivers' queue wakes.
    NextWokenReceiver,
    /// Which handle parks next.
    NextToPark,
}

impl Answer {
    /// Every kind of answer, in documentation order.
    pub const ALL: [Answer; 3] = [
        Answer::NextWokenSender,
        Answer::NextWokenReceiver,
        Answer::NextToPark,
    ];

    /// The name used in scenario files (`answer = "next_woken_sender"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::NextWokenSender => "next_woken_sender",
            Answer::NextWokenReceiver => "next_woken_receiver",
            Answer::NextToPark => "next_to_park",
        }
    }
}

/// A scripted action. See the module docs for what each one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A sender closes the channel: `Open -> Closing -> Closed`.
    CloseFromSender,
    /// A receiver closes the channel: `Open -> Closing -> Closed`.
    CloseFromReceiver,
    /// A producer drops its sender without closing (the last one closes the channel).
    DropProducer,
    /// One more producer.
    AddProducer,
    /// One fewer producer (never the last).
    RemoveProducer,
    /// One more consumer.
    AddConsumer,
    /// One fewer consumer (never the last).
    RemoveConsumer,
    /// Pause the run (as `space` does).
    Pause,
}

impl Action {
    /// Every action, in documentation order.
    pub const ALL: [Action; 8] = [
        Action::CloseFromSender,
        Action::CloseFromReceiver,
        Action::DropProducer,
        Action::AddProducer,
        Action::RemoveProducer,
        Action::AddConsumer,
        Action::RemoveConsumer,
        Action::Pause,
    ];

    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CloseFromSender => "close_from_sender",
            Action::CloseFromReceiver => "close_from_receiver",
            Action::DropProducer => "drop_producer",
            Action::AddProducer => "add_producer",
            Action::RemoveProducer => "remove_producer",
            Action::AddConsumer => "add_consumer",
            Action::RemoveConsumer => "remove_consumer",
            Action::Pause => "pause",
        }
    }

    /// Parse a name used in scenario files.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::knobs::Rate;

    const GOOD: &str = r#"
title = "t"
description = "d"
capacity = 8
duration = "10s"

[producers]
count = 2
rate = 50
burst = 4
messages = 100

[consumers]
count = 3
work = "2ms"
jitter = "1ms"

[[script]]
at = "3s"
action = "close_from_sender"

[[script]]
at = "1s"
action = "add_producer"
"#;

    #[test]
    fn a_full_file_parses_into_its_values() {
        let s = parse("x.toml", "x", GOOD).unwrap();
        assert_eq!(s.capacity, 8);
        assert_eq!(s.producers.count, 2);
        assert_eq!(s.producers.rate, Rate::PerSec(50.0));
        assert_eq!(s.producers.burst, 4);
        assert_eq!(s.producers.messages, Some(100));
        assert_eq!(s.consumers.count, 3);
        assert_eq!(s.consumers.work, Duration::from_millis(2));
        assert_eq!(s.consumers.jitter, Duration::from_millis(1));
        assert_eq!(s.duration, Some(Duration::from_secs(10)));
        // Sorted by time.
        assert_eq!(s.script[0].action, Some(Action::AddProducer));
        assert_eq!(s.script[1].action, Some(Action::CloseFromSender));
    }

    const LESSON: &str = r#"
title = "t"
description = "d"
capacity = 8

[[script]]
on = "full"
action = "pause"
say = "Full."

[[script]]
at = "3s"
ask = "Which sender wakes next?"
answer = "next_woken_sender"

[[script]]
on = "transition"
say = "Closing."
"#;

    #[test]
    fn a_lesson_script_keeps_its_order_and_its_words() {
        let s = parse("x.toml", "x", LESSON).unwrap();
        assert_eq!(s.script.len(), 3);
        assert_eq!(s.script[0].when, When::On(Trigger::Full));
        assert_eq!(s.script[0].action, Some(Action::Pause));
        assert_eq!(s.script[0].say.as_deref(), Some("Full."));
        assert_eq!(s.script[1].when, When::At(Duration::from_secs(3)));
        let q = s.script[1].ask.as_ref().unwrap();
        assert_eq!(q.answer, Answer::NextWokenSender);
        assert_eq!(q.text, "Which sender wakes next?");
        assert_eq!(s.script[2].when, When::On(Trigger::Transition));
        assert!(s.script.iter().all(ScriptStep::teaches));
    }

    #[test]
    fn a_bad_lesson_entry_says_what_is_wrong_and_where() {
        let cases = [
            (
                LESSON.replace("on = \"full\"", "on = \"fullness\""),
                "script[0].on",
                "must be one of park, full, wake, transition, got \"fullness\"",
            ),
            (
                LESSON.replace("on = \"full\"", "on = \"full\"\nat = \"1s\""),
                "script[0].on",
                "give either at (a time) or on (an event), not both",
            ),
            (
                LESSON.replace("answer = \"next_woken_sender\"", ""),
                "script[1].answer",
                "missing: what the question's answer is checked against",
            ),
            (
                LESSON.replace("answer = \"next_woken_sender\"", "answer = \"S2\""),
                "script[1].answer",
                "must be one of next_woken_sender, next_woken_receiver, next_to_park",
            ),
            (
                LESSON.replace("say = \"Closing.\"", ""),
                "script[2].action",
                "missing: what happens",
            ),
            (
                LESSON.replace("on = \"transition\"", "at = \"1s\""),
                "script[2].at",
                "entries run in the order written",
            ),
        ];
        for (text, field, message) in cases {
            let e = parse("x.toml", "x", &text).unwrap_err();
            assert_eq!(e.field, field, "{e}");
            assert!(e.message.contains(message), "{e}");
        }
    }

    #[test]
    fn semantic_error_names_file_line_and_field() {
        let text = GOOD.replace("rate = 50", "rate = -5");
        let e = parse("demos/x.toml", "x", &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "demos/x.toml:9: producers.rate: must be \"max\" or a number of messages per second between 1 and 100000000, got -5"
        );
    }

    #[test]
    fn unknown_key_names_its_table_and_line() {
        let text = GOOD.replace("burst = 4", "bursty = 4");
        let e = parse("x.toml", "x", &text).unwrap_err();
        assert_eq!(
            e.origin,
            Origin::File {
                file: "x.toml".into(),
                line: 10
            }
        );
        assert_eq!(e.field, "producers.bursty");
        assert!(e.message.starts_with("unknown key"), "{e}");
    }

    #[test]
    fn a_table_given_as_a_number_is_named() {
        let e = parse(
            "f.toml",
            "f",
            "title = \"t\"\ncapacity = 3\nproducers = 5\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml:3: producers: invalid type: integer `5`, expected a table"
        );
    }

    #[test]
    fn syntax_error_has_a_line() {
        let e = parse("x.toml", "x", "title = \"t\"\ncapacity = = 3\n").unwrap_err();
        assert!(matches!(e.origin, Origin::File { line: 2, .. }), "{e:?}");
    }

    #[test]
    fn flags_are_validated_like_the_file() {
        let mut s = parse("x.toml", "x", GOOD).unwrap();
        let o = Overrides {
            rate: Some("max".into()),
            work: Some("5ms".into()),
            duration: Some("unlimited".into()),
            ..Default::default()
        };
        o.apply(&mut s).unwrap();
        assert_eq!(s.producers.rate, Rate::Max);
        assert_eq!(s.consumers.work, Duration::from_millis(5));
        // 1ms of jitter on 2ms of work becomes 2.5ms on 5ms.
        assert_eq!(s.consumers.jitter, Duration::from_micros(2500));
        assert_eq!(s.duration, None);
        let bad = Overrides {
            capacity: Some("0".into()),
            ..Default::default()
        };
        let e = bad.apply(&mut s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--capacity: must be a number of slots between 1 and 1048576, got 0"
        );
    }
}
