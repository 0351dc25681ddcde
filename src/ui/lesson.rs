//! A lesson's words over the view: what the script says (`say`) and asks
//! (`ask`), and the check of an answer against what the channel then does.
//! State and key handling here; drawing in `panels/lesson.rs`.
//!
//! - A `say` stays until a key, which does nothing else.
//! - An `ask` offers the handles one could name (digit keys). Once answered,
//!   the box shrinks and the keys work again, so the class can step (`n`)
//!   or resume (`space`) and watch; the first event that answers the
//!   question (the next wake of that queue, or the next park) decides, and
//!   the box says who it was and why. `Esc` skips a question.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
use crate::probe::{EventKind, HandleState, Role, Side, Snapshot};
use crate::scenario::control::{Answer, Narration};

/// One thing the script said or asked, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told {
    /// What the script said.
    pub narration: Narration,
    /// For a question: the handles one may name, as `S1`, `R2`.
    pub choices: Vec<String>,
    /// The choice made (an index into `choices`).
    pub chosen: Option<usize>,
    /// The first log entry that may answer the question.
    pub from_seq: u64,
    /// What happened, once it did.
    pub verdict: Option<Verdict>,
}

/// The answer to a question, as the channel gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The handle that did it (`S3`).
    pub actual: String,
    /// Whether the class named it.
    pub right: bool,
    /// One sentence: who, and why.
    pub text: String,
}

impl Told {
    /// The question's kind, if it asks one.
    pub fn answer(&self) -> Option<Answer> {
        self.narration.ask.as_ref().map(|q| q.answer)
    }

    /// Answered, and waiting for the channel to say who was right.
    pub fn waiting(&self) -> bool {
        self.chosen.is_some() && self.verdict.is_none()
    }
}

/// The handles one may name in answer to `answer`: the live ones of the
/// side it is about (not the runner's own `S0`/`R0`, which never park).
fn choices(snapshot: &Snapshot, answer: Answer) -> Vec<String> {
    let Some(chan) = snapshot.current() else {
        return Vec::new();
    };
    let roles: &[Role] = match answer {
        Answer::NextWokenSender => &[Role::Sender],
        Answer::NextWokenReceiver => &[Role::Receiver],
        Answer::NextToPark => &[Role::Sender, Role::Receiver],
    };
    chan.handles
        .iter()
        .filter(|h| roles.contains(&h.role) && h.id != 0)
        .filter(|h| !matches!(h.state, HandleState::Dropped | HandleState::Closed))
        .map(|h| h.label())
        .take(9)
        .collect()
}

/// The event that answers `answer`, among the snapshot's log from `from_seq`.
fn answered_by(snapshot: &Snapshot, answer: Answer, from_seq: u64) -> Option<String> {
    let chan = snapshot.current()?.chan;
    snapshot
        .events
        .iter()
        .filter(|e| e.seq >= from_seq && e.chan == chan)
        .find_map(|e| match (answer, e.kind) {
            (
                Answer::NextWokenSender,
                EventKind::Wake {
                    side: Side::Senders,
                    woken,
                    ..
                },
            ) => Some(format!("S{woken}")),
            (
                Answer::NextWokenReceiver,
                EventKind::Wake {
                    side: Side::Receivers,
                    woken,
                    ..
                },
            ) => Some(format!("R{woken}")),
            (Answer::NextToPark, EventKind::SendWait { handle, .. }) => Some(format!("S{handle}")),
            (Answer::NextToPark, EventKind::RecvWait { handle, .. }) => Some(format!("R{handle}")),
            _ => None,
        })
}

/// Why the channel did what it did, in one sentence.
fn because(answer: Answer) -> &'static str {
    match answer {
        Answer::NextWokenSender => {
            "a pop frees one slot and wakes the sender at the front of the senders' \
             queue: the one that parked first (first in, first out)"
        }
        Answer::NextWokenReceiver => {
            "a push wakes the receiver at the front of the receivers' queue: the one \
             that waited longest (first in, first out)"
        }
        Answer::NextToPark => {
            "a task parks when it finds the ring full (a sender) or empty (a \
             receiver) and has yielded a few times already"
        }
    }
}

impl App {
    /// Take in what the script said since the last call.
    pub fn hear(&mut self, new: Vec<Narration>) {
        self.heard += new.len();
        let from_seq = self.snapshot.events.last().map_or(0, |e| e.seq + 1);
        for narration in new {
            let choices = narration
                .ask
                .as_ref()
                .map(|q| choices(&self.snapshot, q.answer))
                .unwrap_or_default();
            self.told.push_back(Told {
                narration,
                choices,
                chosen: None,
                from_seq,
                verdict: None,
            });
        }
    }

    /// Check an answered question against the snapshot just taken.
    pub(super) fn check_answer(&mut self) {
        let snapshot = &self.snapshot;
        let Some(told) = self.told.front_mut() else {
            return;
        };
        let (Some(chosen), Some(answer), None) = (told.chosen, told.answer(), &told.verdict) else {
            return;
        };
        let Some(actual) = answered_by(snapshot, answer, told.from_seq) else {
            return;
        };
        let said = &told.choices[chosen];
        let right = *said == actual;
        let did = match answer {
            Answer::NextToPark => "parked",
            _ => "woke",
        };
        let text = if right {
            format!("Right: {actual} {did}. Why: {}.", because(answer))
        } else {
            format!("{actual} {did}, not {said}. Why: {}.", because(answer))
        };
        told.verdict = Some(Verdict {
            actual,
            right,
            text,
        });
    }

    /// A key while the script's words are up. `true`: the key was for them
    /// (and does nothing else); `false`: it goes on to the key table.
    pub(super) fn lesson_key(&mut self, event: &KeyEvent) -> bool {
        let Some(told) = self.told.front_mut() else {
            return false;
        };
        if event.modifiers.contains(KeyModifiers::CONTROL) {
            return false;
        }
        let esc = event.code == KeyCode::Esc;
        if told.answer().is_none() || told.verdict.is_some() {
            // Words, or a verdict: any key and they go.
            self.told.pop_front();
            return true;
        }
        if told.chosen.is_some() {
            // Answered: the keys work again, so the class can watch.
            if esc {
                self.told.pop_front();
            }
            return esc;
        }
        if esc {
            self.told.pop_front();
            return true;
        }
        let n = told.choices.len();
        match event.code {
            KeyCode::Char(c @ '1'..='9') if (c as usize - '1' as usize) < n => {
                told.chosen = Some(c as usize - '1' as usize);
            }
            _ => {
                let text = if n == 0 {
                    "no handle to name: Esc skips the question".to_string()
                } else {
                    format!("answer with a number, 1 to {n} (Esc skips the question)")
                };
                self.notify(text);
            }
        }
        true
    }
}
