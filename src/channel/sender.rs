//! The sending half, and its type states.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::Chan;
use super::drained::{closing_handle, ClosingHandle, DrainWait};
use super::ring::PushError;
use super::schema::ROLE_SENDER;
use super::state::{Closed, Closing, Open, State};
use super::sync::Arc;
use super::{SendFuture, TrySendError};

/// The sending half of a channel, in type state `S`.
///
/// Only a `Sender<T, Open>` can send and be cloned. [`Sender::close`] turns
/// it into a `Sender<T, Closing>`, which can wait for the receivers to drain
/// the channel and then become a `Sender<T, Closed>`.
pub struct Sender<T, S: State = Open> {
    pub(crate) chan: Arc<Chan<T>>,
    /// Per-channel sender id: this handle is `S{id}` in events and on screen.
    pub(crate) id: u64,
    _state: PhantomData<fn() -> S>,
}

impl<T, S: State> Sender<T, S> {
    pub(crate) fn from_chan(chan: Arc<Chan<T>>, id: u64) -> Self {
        Self {
            chan,
            id,
            _state: PhantomData,
        }
    }

    /// Moves the handle into state `S2`, emitting the `handle` event.
    fn into_state<S2: State>(self) -> Sender<T, S2> {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is in a `ManuallyDrop` and never used again.
        let chan = unsafe { Chan::retype(&this.chan, this.id, ROLE_SENDER, S::NAME, S2::NAME) };
        Sender::from_chan(chan, this.id)
    }

    handle_inspectors!("S");

    /// Senders parked on a full ring now.
    pub fn waiting_senders(&self) -> usize {
        self.chan.waiting_senders()
    }
}

impl<T> Sender<T, Open> {
    /// Sends `value`, waiting for a free slot if the ring is full.
    ///
    /// Fails with [`SendError`](super::SendError), which gives the value
    /// back, if the channel is closed (or closes while waiting).
    ///
    /// # Cancel safety
    /// Dropping the future before it completes (in `select!`, or on a
    /// timeout) means the value was not sent, and it is dropped with the
    /// future: a value is delivered exactly once or not at all. If the
    /// dropped future had been woken for a free slot, it passes the wakeup
    /// on to the next waiting sender.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::bounded;
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = bounded::<u32>(1);
    ///     tx.send(7).await.unwrap();
    ///     assert_eq!(rx.recv().await, Ok(7));
    /// });
    /// ```
    #[inline]
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture {
            sender: self,
            value: Some(value),
            waiter: Default::default(),
        }
    }

    /// Sends `value` if there is a free slot now, or gives it back.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::{bounded, TrySendError};
    /// let (tx, _rx) = bounded::<u32>(1);
    /// assert!(tx.try_send(1).is_ok());
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// ```
    #[inline]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_push(value, self.id).map_err(|e| match e {
            PushError::Full(v) => TrySendError::Full(v),
            PushError::Closed(v) => TrySendError::Closed(v),
        })
    }

    /// Closes the channel to new sends, for every handle, and moves this
    /// handle to `Closing`. Messages already buffered stay there for the
    /// receivers; parked senders wake up and get their values back.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::bounded;
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = bounded::<u32>(4);
    ///     tx.send(1).await.unwrap();
    ///     let closing = tx.close();
    ///     assert!(rx.is_closed());
    ///     assert_eq!(rx.recv().await, Ok(1)); // nothing accepted is lost
    ///     let closed = closing.drained().await; // the ring is drained
    ///     assert_eq!(closed.state(), "Closed");
    ///     assert!(rx.recv().await.is_err());
    /// });
    /// ```
    pub fn close(self) -> Sender<T, Closing> {
        // The handle's own transition is reported first: the close call is
        // the cause of the channel's `open -> closing`.
        let closing: Sender<T, Closing> = self.into_state();
        closing.chan.close(ROLE_SENDER, closing.id);
        closing
    }
}

impl<T> Clone for Sender<T, Open> {
    /// A new sender on the same channel, with its own id.
    fn clone(&self) -> Self {
        let id = self.chan.add_sender();
        Sender::from_chan(self.chan.clone(), id)
    }
}

impl<T> Sender<T, Closing> {
    /// Whether the receivers have taken every buffered message.
    pub fn is_drained(&self) -> bool {
        self.chan.is_drained()
    }

    /// Waits until the receivers have taken every buffered message (or the
    /// last receiver has gone), then becomes `Closed`.
    ///
    /// # Cancel safety
    /// Dropping the future drops the handle; nothing else is affected.
    pub fn drained(self) -> Drained<T> {
        Drained(DrainWait::new(self))
    }
}

impl<T, S: State> Drop for Sender<T, S> {
    fn drop(&mut self) {
        self.chan.remove_sender(self.id, S::NAME);
    }
}

handle_debug!(Sender);

closing_handle!(Sender, Drained, "sender");
