//! Type-state markers for handles: `Open`, `Closing`, `Closed`, behind a
//! sealed trait so no other crate can add a state.

mod sealed {
    pub trait Sealed {}
}

/// A handle's type state. Sealed: only [`Open`], [`Closing`] and [`Closed`].
pub trait State: sealed::Sealed + Send + Sync + 'static {
    /// The state's name, as in the `from`/`to` fields of `handle` events.
    const NAME: &'static str;
}

/// The handle can send (a `Sender`) or receive (a `Receiver`), and be cloned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Open;

/// The handle closed the channel; messages may still be buffered. It can
/// wait for the drain (`Sender`) or drain (`Receiver`), then finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Closing;

/// The channel is closed and drained; the handle can only be inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Closed;

impl sealed::Sealed for Open {}
impl sealed::Sealed for Closing {}
impl sealed::Sealed for Closed {}

impl State for Open {
    const NAME: &'static str = "Open";
}
impl State for Closing {
    const NAME: &'static str = "Closing";
}
impl State for Closed {
    const NAME: &'static str = "Closed";
}
