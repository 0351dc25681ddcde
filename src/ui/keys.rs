//! The one table of key bindings. Dispatch, the help screen and the footer
//! all read [`BINDINGS`]; no key is handled anywhere else.
//!
//! This module maps keys to [`KeyAction`]s; it never performs them (that is
//! `app.rs`'s job).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use std::fmt;

use crate::scenario::control::{Command, Knob, Mode, Turn};
use crate::scenario::knobs::speeds_text;

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
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

impl fmt::Display for Key {
    /// The key's name as the help, the footer and README.md write it:
    /// `q`, `P`, `space`, `^C`, `Esc`, `F1`, `Up`, `Dn`, `PgUp`, `Tab`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            KeyCode::Char(c) if self.ctrl => write!(f, "^{}", c.to_ascii_uppercase()),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Dn"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Tab => f.write_str("Tab"),
            other => write!(f, "{other:?}"),
        }
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
    /// What it does, for the help screen; empty when the row before already
    /// says it (`P` is explained on the row of `p`, whose help row then
    /// names both keys).
    pub help: &'static str,
    /// Word(s) in the footer; bindings next to each other with the same word
    /// are shown once ("p/P producer"). Empty: not in the footer.
    pub footer: &'static str,
    /// The action.
    pub action: KeyAction,
    /// When it works (and shows in the footer).
    pub when: When,
}

impl Binding {
    /// The row's first key, as the footer and the parameters panel show it.
    pub fn short(&self) -> String {
        self.keys.first().map(Key::to_string).unwrap_or_default()
    }
}

/// Every key the TUI knows, in the order the help and the footer list them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[ch('q'), ctrl('c')],
        help: "quit (Esc closes help first)",
        footer: "quit",
        action: KeyAction::Quit,
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        help: "",
        footer: "",
        action: KeyAction::CloseHelpOrQuit,
        when: When::Always,
    },
    Binding {
        keys: &[ch('?'), code(KeyCode::F(1))],
        help: "show / hide this help",
        footer: "help",
        action: KeyAction::ToggleHelp,
        when: When::Always,
    },
    Binding {
        keys: &[ch(' ')],
        help: "pause / resume",
        footer: "pause",
        action: KeyAction::Run(Command::TogglePause),
        when: When::Running,
    },
    Binding {
        keys: &[ch(' ')],
        help: "",
        footer: "resume",
        action: KeyAction::Run(Command::TogglePause),
        when: When::Paused,
    },
    Binding {
        keys: &[ch('n')],
        help: "step one operation (paused)",
        footer: "step",
        action: KeyAction::Run(Command::Step),
        when: When::Paused,
    },
    Binding {
        keys: &[ch('x')],
        help: "close channel (type state)",
        footer: "close",
        action: KeyAction::Run(Command::Close),
        when: When::Live,
    },
    Binding {
        keys: &[ch('r')],
        help: "restart with a fresh channel",
        footer: "restart",
        action: KeyAction::Run(Command::Restart),
        when: When::Always,
    },
    Binding {
        keys: &[ch('p')],
        help: "add / remove a producer",
        footer: "producer",
        action: KeyAction::Run(Command::AddProducer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('P')],
        help: "",
        footer: "producer",
        action: KeyAction::Run(Command::RemoveProducer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('c')],
        help: "add / remove a consumer",
        footer: "consumer",
        action: KeyAction::Run(Command::AddConsumer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('C')],
        help: "",
        footer: "consumer",
        action: KeyAction::Run(Command::RemoveConsumer),
        when: When::Live,
    },
    Binding {
        keys: &[ch('+'), ch('=')],
        help: "raise / lower producer rate",
        footer: "rate",
        action: KeyAction::Run(Command::Turn(Knob::Rate, Turn::Up)),
        when: When::Live,
    },
    Binding {
        keys: &[ch('-'), ch('_')],
        help: "",
        footer: "rate",
        action: KeyAction::Run(Command::Turn(Knob::Rate, Turn::Down)),
        when: When::Live,
    },
    Binding {
        keys: &[ch('<'), ch(',')],
        help: "less / more consumer work",
        footer: "work",
        action: KeyAction::Run(Command::Turn(Knob::Work, Turn::Down)),
        when: When::Live,
    },
    Binding {
        keys: &[ch('>'), ch('.')],
        help: "",
        footer: "work",
        action: KeyAction::Run(Command::Turn(Knob::Work, Turn::Up)),
        when: When::Live,
    },
    Binding {
        keys: &[ch('s')],
        help: "speed: {speeds}",
        footer: "speed",
        action: KeyAction::Run(Command::Turn(Knob::Speed, Turn::Up)),
        when: When::Live,
    },
    Binding {
        keys: &[ch(']')],
        help: "capacity x2 / half on restart",
        footer: "capacity",
        action: KeyAction::Run(Command::Turn(Knob::Capacity, Turn::Up)),
        when: When::Always,
    },
    Binding {
        keys: &[ch('[')],
        help: "",
        footer: "capacity",
        action: KeyAction::Run(Command::Turn(Knob::Capacity, Turn::Down)),
        when: When::Always,
    },
    Binding {
        keys: &[ch('f')],
        help: "freeze / follow the log",
        footer: "freeze",
        action: KeyAction::ToggleFreeze,
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::Up), ch('k')],
        help: "scroll the log by a line",
        footer: "scroll",
        action: KeyAction::ScrollOlder(1),
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::Down), ch('j')],
        help: "",
        footer: "scroll",
        action: KeyAction::ScrollNewer(1),
        when: When::Frozen,
    },
    Binding {
        keys: &[code(KeyCode::PageUp)],
        help: "scroll the log by a page",
        footer: "",
        action: KeyAction::ScrollOlder(10),
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::PageDown)],
        help: "",
        footer: "",
        action: KeyAction::ScrollNewer(10),
        when: When::Frozen,
    },
    Binding {
        keys: &[code(KeyCode::Home)],
        help: "oldest / newest (follow)",
        footer: "",
        action: KeyAction::Oldest,
        when: When::Always,
    },
    Binding {
        keys: &[code(KeyCode::End)],
        help: "",
        footer: "follow",
        action: KeyAction::Newest,
        when: When::Frozen,
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        help: "next channel (after restart)",
        footer: "channel",
        action: KeyAction::NextChannel,
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
pub fn binding_for(action: KeyAction) -> Option<&'static Binding> {
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
                keys.push_str(&b.short());
            }
            _ => out.push((b.short(), b.footer)),
        }
    }
    out
}

/// Rows of the help screen: (keys, what they do). A row with help text
/// also names the keys of the rows after it that have none (`p P`): first
/// each row's first key, then the other keys (`+ - = _`), each once.
pub fn help_rows() -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < BINDINGS.len() {
        let end = BINDINGS[i + 1..]
            .iter()
            .position(|b| !b.help.is_empty())
            .map_or(BINDINGS.len(), |p| i + 1 + p);
        let group = &BINDINGS[i..end];
        let firsts = group.iter().filter_map(|b| b.keys.first());
        let others = group.iter().flat_map(|b| b.keys.iter().skip(1));
        let mut names: Vec<String> = Vec::new();
        for k in firsts.chain(others) {
            let name = k.to_string();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if !BINDINGS[i].help.is_empty() {
            // `{speeds}`: the speed list, from the one table of speeds.
            let help = BINDINGS[i].help.replace("{speeds}", &speeds_text());
            rows.push((names.join(" "), help));
        }
        i = end;
    }
    rows
}
