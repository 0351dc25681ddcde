//! The one table of key bindings. Dispatch, the help screen and the footer
//! all read [`BINDINGS`]; no key is handled anywhere else.
//!
//! This module maps keys to [`Action`]s; it never performs them (that is
//! `app.rs`'s job).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::scenario::control::{Command, Mode};

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the UI (the terminal is restored).
    Quit,
    /// Show or hide the help screen.
    ToggleHelp,
    /// Close the help screen if it is open, otherwise quit.
    CloseHelpOrQuit,
    /// Send a command to the runner.
    Run(Command),
    /// Freeze the event log (keep reading while the run goes on) or follow it again.
    ToggleFreeze,
    /// Scroll the event log towards older entries by this many lines (freezes it).
    ScrollOlder(usize),
    /// Scroll the event log towards newer entries by this many lines.
    ScrollNewer(usize),
    /// Jump to the oldest entry kept (freezes the log).
    Oldest,
    /// Follow the newest entries again (unfreezes the log).
    Newest,
    /// Show the next channel (when the run has more than one, e.g. after a restart).
    NextChannel,
}

/// When a binding does something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// While the run is not finished.
    Live,
    /// While the run is paused (or has just stepped).
    Paused,
    /// While the run is going (not paused, not finished).
    Running,
    /// While the event log is frozen or scrolled.
    Frozen,
    /// While the snapshot has more than one channel.
    ManyChannels,
}

/// What the UI is doing, as far as key availability is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyContext {
    /// The runner's mode.
    pub mode: Mode,
    /// Is the log frozen?
    pub frozen: bool,
    /// How many channels the snapshot has.
    pub channels: usize,
}

impl When {
    /// Does a binding with this condition work in `ctx`?
    pub fn holds(self, ctx: &KeyContext) -> bool {
        match self {
            When::Always => true,
            When::Live => ctx.mode != Mode::Finished,
            When::Paused => matches!(ctx.mode, Mode::Paused | Mode::Step),
            When::Running => ctx.mode == Mode::Running,
            When::Frozen => ctx.frozen,
            When::ManyChannels => ctx.channels > 1,
        }
    }
}

/// One key as matched: a code, with or without Ctrl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Must Ctrl be held?
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

impl Key {
    /// Does `event` press this key? Shift is ignored for characters (the
    /// character already says it: `P`, `+`, `<`); Ctrl must match exactly.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let has_ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        if has_ctrl != self.ctrl {
            return false;
        }
        match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                if self.ctrl {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            (a, b) => a == b,
        }
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// Keys that trigger it.
    pub keys: &'static [Key],
    /// The keys as written in the help ("q Esc ^C"). A help row may name the
    /// keys of the rows after it (`p P`), which then have no help text.
    pub label: &'static str,
    /// The keys as written in the footer and the parameters panel, ASCII only.
    pub short: &'static str,
    /// What it does, for the help screen; empty when the row before already
    /// says it (`P` is explained on the row of `p`).
    pub help: &'static str,
    /// Word(s) in the footer; bindings next to each other with the same word
    /// are shown once ("p/P producer"). Empty: not in the footer.
    pub footer: &'static str,
    /// The action.
    pub action: Action,
    /// When it works (and shows in the footer).
    pub when: When,
}

/// Every key the TUI knows, in the order the help and the footer list them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[ch('q'), ctrl('c')],
        label: "q Esc ^C",
        short: "q",
        help: "quit (Esc closes help first)",
        footer: "quit",
        action: Action::Quit,
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        short: "Esc",
        help: "",
        footer: "",
        action: Action::CloseHelpOrQuit,
        when: When::Always,
    },
    Binding {
        keys: &[ch('?'), code(KeyCode::F(1))],
        label: "? F1",
        short: "?",
        help: "show / hide this help",
        footer: "help",
        action: Action::ToggleHelp,
        when: When::Always,
    },
    Binding {
        keys: &[ch(' ')],
        label: "space",
        short: "space",
        help: "pause / resume",
        footer: "pause",
        action: Action::Run(Command::TogglePause),
        when: When::Running,
    },
    Binding {
        keys: &[ch(' ')],
        label: "space",
        short: "space",
        help: "",
        footer: "resume",
        action: Action::Run(Command::TogglePause),
        when: When::Paused,
    },
    Binding {
        keys: &[ch('n')],
        label: "n",
        short: "n",
        help: "step one operation (paused)",
        footer: "step",
        action: Action::Run(Command::Step),
        when: When::Paused,
    },
    Binding {
        keys: &[ch('x')],
        label: "x",
        short: "x",
        help: "close channel (type state)",
        footer: "close",
        action: Action::Run(Command::Close),
        when: When::Live,
    },
    Binding {
        keys: &[ch('r')],
        label: "r",
        short: "r",
        help: "restart with a fresh channel",
        footer: "restart",
        action: Action::Run(Command::Restart),
        when: When::Always,
    },
    Binding {
        keys: &[ch('p')],
        label: "p P",
        short: "p",
        help: "add / remove a producer",
        footer: "producer",
        action: Action::Run(Command::AddProducer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('P')],
        label: "P",
        short: "P",
        help: "",
        footer: "producer",
        action: Action::Run(Command::RemoveProducer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('c')],
        label: "c C",
        short: "c",
        help: "add / remove a consumer",
        footer: "consumer",
        action: Action::Run(Command::AddConsumer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('C')],
        label: "C",
        short: "C",
        help: "",
        footer: "consumer",
        action: Action::Run(Command::RemoveConsumer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('+'), ch('=')],
        label: "+ - =",
        short: "+",
        help: "raise / lower producer rate",
        footer: "rate",
        action: Action::Run(Command::FasterRate),
        when: When::Live,
    },
    Binding {
        keys: &[ch('-'), ch('_')],
        label: "-",
        short: "-",
        help: "",
        footer: "rate",
        action: Action::Run(Command::SlowerRate),
        when: When::Live,
    },
    Binding {
        keys: &[ch('<'), ch(',')],
        label: "< > , .",
        short: "<",
        help: "less / more consumer work",
        footer: "work",
        action: Action::Run(Command::LessWork),
        when: When::Live,
    },
    Binding {
        keys: &[ch('>'), ch('.')],
        label: "> .",
        short: ">",
        help: "",
        footer: "work",
        action: Action::Run(Command::MoreWork),
        when: When::Live,
    },
    Binding {
        keys: &[ch('s')],
        label: "s",
        short: "s",
        help: "speed: 1x 1/2 1/4 1/10",
        footer: "speed",
        action: Action::Run(Command::CycleSpeed),
        when: When::Live,
    },
    Binding {
        keys: &[ch(']')],
        label: "] [",
        short: "]",
        help: "capacity x2 / half on restart",
        footer: "capacity",
        action: Action::Run(Command::LargerCapacity),
        when: When::Always,
    },
    Binding {
        keys: &[ch('[')],
        label: "[",
        short: "[",
        help: "",
        footer: "capacity",
        action: Action::Run(Command::SmallerCapacity),
        when: When::Always,
    },
    Binding {
        keys: &[ch('f')],
        label: "f",
        short: "f",
        help: "freeze / follow the log",
        footer: "freeze",
        action: Action::ToggleFreeze,
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::Up), ch('k')],
        label: "Up Dn k j",
        short: "Up",
        help: "scroll the log by a line",
        footer: "scroll",
        action: Action::ScrollOlder(1),
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::Down), ch('j')],
        label: "Dn j",
        short: "Dn",
        help: "",
        footer: "scroll",
        action: Action::ScrollNewer(1),
        when: When::Frozen,
    },
    Binding {
        keys: &[code(KeyCode::PageUp)],
        label: "PgUp PgDn",
        short: "PgUp",
        help: "scroll the log by a page",
        footer: "",
        action: Action::ScrollOlder(10),
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::PageDown)],
        label: "PgDn",
        short: "PgDn",
        help: "",
        footer: "",
        action: Action::ScrollNewer(10),
        when: When::Frozen,
    },
    Binding {
        keys: &[code(KeyCode::Home)],
        label: "Home End",
        short: "Home",
        help: "oldest / newest (follow)",
        footer: "",
        action: Action::Oldest,
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::End)],
        label: "End",
        short: "End",
        help: "",
        footer: "follow",
        action: Action::Newest,
        when: When::Frozen,
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        label: "Tab",
        short: "Tab",
        help: "next channel (after restart)",
        footer: "channel",
        action: Action::NextChannel,
        when: When::ManyChannels,
    },
];

/// The binding `event` triggers in `ctx`, if any: the first row whose key
/// matches and whose condition holds.
pub fn lookup(event: &KeyEvent, ctx: &KeyContext) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.when.holds(ctx) && b.keys.iter().any(|k| k.matches(event)))
}

/// The binding that performs `action` (for the parameters panel's key hints).
pub fn binding_for(action: Action) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.action == action)
}

/// Footer entries for `ctx`: ("p/P", "producer") pairs, in table order, with
/// neighbours sharing a footer word merged.
pub fn footer_entries(ctx: &KeyContext) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for b in BINDINGS
        .iter()
        .filter(|b| !b.footer.is_empty() && b.when.holds(ctx))
    {
        match out.last_mut() {
            Some((keys, word)) if *word == b.footer => {
                keys.push('/');
                keys.push_str(b.short);
            }
            _ => out.push((b.short.to_string(), b.footer)),
        }
    }
    out
}

/// Rows of the help screen: (keys, what they do). Rows without help text
/// (a second binding of the same key) are left out.
pub fn help_rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| !b.help.is_empty())
        .map(|b| (b.label, b.help))
}
