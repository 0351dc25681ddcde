//! `SendFuture` and `RecvFuture`: hand-written futures that keep their
//! place in the waiter queue across polls.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::waiters::Waiter;
use super::{Open, Receiver, RecvError, SendError, Sender};

/// Future of [`Sender::send`]. Holds the value in an `Option<T>`: a push
/// that finds the ring full puts it back, and the next poll tries again.
///
/// When it has to park, the value goes with its place in the senders'
/// queue: the receiver whose pop makes room moves it into the ring at once
/// (a *hand-off*, reported as a `handoff` event) and wakes this future,
/// which then only reports that the send is done. A close gives the value
/// back through [`SendError`].
///
/// Cancelling: dropping the future while it is parked takes the value back
/// out of the queue and drops it (nothing is sent). Once a hand-off has
/// moved it, the message is sent, even if the future is dropped before it
/// is polled again.
#[must_use = "futures do nothing unless polled"]
pub struct SendFuture<'a, T> {
    pub(crate) sender: &'a Sender<T, Open>,
    /// The value, until it is pushed (or given back in an error).
    pub(crate) value: Option<T>,
    /// Our entry in the senders' queue, while parked.
    pub(crate) waiter: Waiter,
}

// The value is never pinned: it is only moved in and out by value, so the
// future can be `Unpin` whatever `T` is (no `T: Unpin` bound needed).
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let sender = this.sender;
        sender
            .chan
            .poll_send(&mut this.value, &mut this.waiter, sender.id, cx)
            .map_err(SendError)
    }
}

impl<T> SendFuture<'_, T> {
    /// Gives up the send and returns its value if it was not sent: still
    /// held, still parked (it leaves the senders' queue), or given back by a
    /// close. `None` if it completed, or if a hand-off already moved the
    /// value into the channel: then it was sent, even though this future
    /// never reported it. Use it where a send may be cancelled (a timeout,
    /// a `select!`) and the caller must know whether the message went.
    pub fn withdraw(&mut self) -> Option<T> {
        let chan = &self.sender.chan;
        chan.withdraw_send(&mut self.waiter.key)
            .or_else(|| self.value.take())
    }
}

impl<T> Drop for SendFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.sender.chan.abandon_send(&mut self.waiter.key);
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture")
            .field("sender", &self.sender.id)
            .field("holds_value", &self.value.is_some())
            .field("parked", &self.waiter.key.is_some())
            .finish()
    }
}

/// Future of [`Receiver::recv`].
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, T> {
    pub(crate) receiver: &'a Receiver<T, Open>,
    /// Our entry in the receivers' queue, while parked.
    pub(crate) waiter: Waiter,
}

impl<T> Unpin for RecvFuture<'_, T> {}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Result<T, RecvError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let receiver = this.receiver;
        receiver.chan.poll_recv(&mut this.waiter, receiver.id, cx)
    }
}

impl<T> Drop for RecvFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.receiver
            .chan
            .abandon_recv(&mut self.waiter.key, self.receiver.id);
    }
}

impl<T> fmt::Debug for RecvFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvFuture")
            .field("receiver", &self.receiver.id)
            .field("parked", &self.waiter.key.is_some())
            .finish()
    }
}
