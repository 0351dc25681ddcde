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
    /// Show the scenario's whole description on a card over the picture
    /// (the run pauses while it is shown; any key closes it).
    Describe,
    /// Switch between the full layout and the big one (ring, waiter queues
    /// and log only, drawn large, for a room).
    ToggleBig,
    /// Show time in queue and time parked in the throughput chart's place
    /// (narrow screens; wide ones show both).
    ToggleLatency,
    /// Move the channel list's choice up (`false`) or down.
    ListMove(bool),
    /// Show the channel chosen in the list.
    ListShow,
    /// Back from a channel's picture to the channel list that fills the
    /// screen (`chanviz attach`); with the help open, close it.
    BackToList,
    /// Move the history cursor one event back (`true`) or forward.
    StepCursor(bool),
    /// Jump to the previous (`false`) or next mark of the chosen kind.
    JumpMark(bool),
    /// Choose the next kind of mark to jump to.
    NextMark,
    /// The oldest event kept (`true`) or the newest.
    HistoryEdge(bool),
    /// Ask for a time and move the history cursor there.
    GoToTime,
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
    /// While the channel list is on screen (`chanviz attach` on several
    /// channels): `Up`/`Dn` choose in it, `Enter` shows the one chosen.
    List,
    /// While it is not.
    NoList,
    /// While the log is frozen and the channel list is not on screen.
    FrozenNoList,
    /// While a channel's picture is shown in a view whose home is the
    /// channel list (`chanviz attach`): `Esc` goes back to it.
    Picture,
    /// While it is not (`Esc` closes the help or quits).
    NoPicture,
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
    /// Is the channel list on screen?
    pub list: bool,
    /// Is a channel's picture shown in a view whose home is the channel
    /// list (`Esc` goes back to it)?
    pub picture: bool,
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
            When::List => ctx.list,
            When::NoList => !ctx.list,
            When::FrozenNoList => ctx.frozen && !ctx.list,
            When::Picture => ctx.picture,
            When::NoPicture => !ctx.picture,
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
    /// `q`, `P`, `space`, `^C`, `Esc`, `F1`, `Up`, `Dn`, `Left`, `PgUp`, `Tab`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            KeyCode::Char(c) if self.ctrl => write!(f, "^{}", c.to_ascii_uppercase()),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Dn"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
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

/// One row of [`BINDINGS`], in the table's column order.
const fn bind(
    keys: &'static [Key],
    action: KeyAction,
    when: When,
    footer: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        keys,
        help,
        footer,
        action,
        when,
    }
}

const fn run(cmd: Command) -> KeyAction {
    KeyAction::Run(cmd)
}

const fn turn(knob: Knob, turn: Turn) -> KeyAction {
    KeyAction::Run(Command::Turn(knob, turn))
}

impl Binding {
    /// The row's first key, as the footer and the parameters panel show it.
    pub fn short(&self) -> String {
        self.keys.first().map(Key::to_string).unwrap_or_default()
    }
}

/// Every key the TUI knows, in the order the help and the footer list them:
/// keys, action, when it works, footer word, help text.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = {
    use KeyAction::*;
    use When::*;
    &[
        bind(&[ch('q'), ctrl('c')], Quit, Always, "quit", "quit (Esc closes help)"),
        bind(&[code(KeyCode::Esc)], CloseHelpOrQuit, NoPicture, "", ""),
        bind(&[ch('?'), code(KeyCode::F(1))], ToggleHelp, Always, "help", "show / hide this help"),
        bind(&[ch(' ')], run(Command::TogglePause), Running, "pause", "pause / resume"),
        bind(&[ch(' ')], run(Command::TogglePause), Paused, "resume", ""),
        bind(&[ch('n')], run(Command::Step), Paused, "step", "step one operation (paused)"),
        bind(&[code(KeyCode::Left)], StepCursor(true), Paused, "event", "one event back / forward"),
        bind(&[code(KeyCode::Right)], StepCursor(false), Paused, "event", ""),
        bind(&[ch('{')], JumpMark(false), Paused, "jump", "previous / next mark"),
        bind(&[ch('}')], JumpMark(true), Paused, "jump", ""),
        bind(&[ch('m')], NextMark, Paused, "", "what { } jump to (park...)"),
        bind(&[code(KeyCode::Home)], HistoryEdge(true), Paused, "", "oldest / newest event"),
        bind(&[code(KeyCode::End)], HistoryEdge(false), Paused, "", ""),
        bind(&[ch('g')], GoToTime, Paused, "", "go to a time"),
        bind(&[ch('x')], run(Command::Close), Live, "close", "close channel (type state)"),
        bind(&[ch('r')], run(Command::Restart), Always, "restart", "restart, a fresh channel"),
        bind(&[ch('p')], run(Command::AddProducer), Live, "producer", "add / remove a producer"),
        bind(&[ch('P')], run(Command::RemoveProducer), Live, "producer", ""),
        bind(&[ch('c')], run(Command::AddConsumer), Live, "consumer", "add / remove a consumer"),
        bind(&[ch('C')], run(Command::RemoveConsumer), Live, "consumer", ""),
        bind(&[ch('+'), ch('=')], turn(Knob::Rate, Turn::Up), Live, "rate", "raise / lower producer rate"),
        bind(&[ch('-'), ch('_')], turn(Knob::Rate, Turn::Down), Live, "rate", ""),
        bind(&[ch('<'), ch(',')], turn(Knob::Work, Turn::Down), Live, "work", "less / more consumer work"),
        bind(&[ch('>'), ch('.')], turn(Knob::Work, Turn::Up), Live, "work", ""),
        bind(&[ch('s')], turn(Knob::Speed, Turn::Up), Live, "speed", "speed: {speeds}"),
        bind(&[ch(']')], turn(Knob::Capacity, Turn::Up), Always, "capacity", "capacity x2 / half on restart"),
        bind(&[ch('[')], turn(Knob::Capacity, Turn::Down), Always, "capacity", ""),
        bind(&[ch('f')], ToggleFreeze, Always, "freeze", "freeze / follow the log"),
        bind(&[code(KeyCode::Up), ch('k')], ScrollOlder(1), NoList, "scroll", "scroll the log by a line"),
        bind(&[code(KeyCode::Down), ch('j')], ScrollNewer(1), FrozenNoList, "scroll", ""),
        // With the channel list on screen, Up/Dn choose in it; k/j still scroll.
        bind(&[ch('k')], ScrollOlder(1), List, "", ""),
        bind(&[ch('j')], ScrollNewer(1), Frozen, "", ""),
        bind(&[code(KeyCode::PageUp)], ScrollOlder(10), Always, "", "scroll the log by a page"),
        bind(&[code(KeyCode::PageDown)], ScrollNewer(10), Frozen, "", ""),
        bind(&[code(KeyCode::Home)], Oldest, Always, "", "oldest / newest (follow)"),
        bind(&[code(KeyCode::End)], Newest, Frozen, "follow", ""),
        bind(&[code(KeyCode::Tab)], NextChannel, ManyChannels, "channel", "next channel (a list: choose, open; Esc: back)"),
        bind(&[code(KeyCode::Up)], ListMove(false), List, "choose", ""),
        bind(&[code(KeyCode::Down)], ListMove(true), List, "choose", ""),
        bind(&[code(KeyCode::Enter)], ListShow, List, "show", ""),
        bind(&[code(KeyCode::Esc)], BackToList, Picture, "list", ""),
        bind(&[ch('d')], Describe, Always, "describe", "show the description"),
        bind(&[ch('b')], ToggleBig, Always, "big", "big layout, for a room"),
        bind(&[ch('l')], ToggleLatency, Always, "latency", "time in queue / throughput"),
    ]
};

/// The name of the first key bound to `action` ("d" for
/// [`KeyAction::Describe`]), for text that tells the user which key to press.
pub fn first_key(action: KeyAction) -> String {
    BINDINGS
        .iter()
        .find(|b| b.action == action)
        .map(Binding::short)
        .unwrap_or_default()
}

/// Does `event` quit even while the description card is up (where every
/// other key only closes the card)? Ctrl-C, the terminal's own way out.
pub fn quits_anywhere(event: &KeyEvent) -> bool {
    ctrl('c').matches(event)
}

/// The binding `event` triggers in `ctx`, if any: the first row whose key
/// matches and whose condition holds.
pub fn lookup(event: &KeyEvent, ctx: &KeyContext) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.when.holds(ctx) && b.keys.iter().any(|k| k.matches(event)))
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
