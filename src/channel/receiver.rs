//! The receiving half, and its type states.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::chan::Chan;
use super::drained::{closing_handle, ClosingHandle, DrainWait};
use super::ring::PopError;
use super::schema::ROLE_RECEIVER;
use super::state::{Closed, Closing, Open, State};
use super::sync::Arc;
use super::waiters::Waiter;
use super::{RecvFuture, TryRecvError};

/// The receiving half of a channel, in type state `S`.
///
/// Only a `Receiver<T, Open>` can receive (with [`recv`](Receiver::recv),
/// [`try_recv`](Receiver::try_recv) or as a [`Stream`]) and be cloned.
/// [`Receiver::close`] turns it into a `Receiver<T, Closing>`, which can
/// still [`drain`](Receiver::drain) what is buffered and then become a
/// `Receiver<T, Closed>`.
pub struct Receiver<T, S: State = Open> {
    pub(crate) chan: Arc<Chan<T>>,
    /// Per-channel receiver id: this handle is `R{id}` in events and on screen.
    pub(crate) id: u64,
    /// The stream's place in the receivers' queue, while it waits.
    stream: Waiter,
    _state: PhantomData<fn() -> S>,
}

impl<T, S: State> Receiver<T, S> {
    pub(crate) fn from_chan(chan: Arc<Chan<T>>, id: u64) -> Self {
        Self {
            chan,
            id,
            stream: Waiter::default(),
            _state: PhantomData,
        }
    }

    /// Moves the handle into state `S2`, emitting the `handle` event.
    fn into_state<S2: State>(self) -> Receiver<T, S2> {
        let mut this = ManuallyDrop::new(self);
        let mut key = this.stream.key.take();
        this.chan.abandon_recv(&mut key, this.id);
        // SAFETY: `this` is in a `ManuallyDrop` and never used again.
        let chan = unsafe { Chan::retype(&this.chan, this.id, ROLE_RECEIVER, S::NAME, S2::NAME) };
        Receiver::from_chan(chan, this.id)
    }

    handle_inspectors!("R");

    /// Receivers parked on an empty ring now.
    pub fn waiting_receivers(&self) -> usize {
        self.chan.waiting_receivers()
    }
}

impl<T> Receiver<T, Open> {
    /// Receives the next message, waiting if the ring is empty.
    ///
    /// Fails with [`RecvError`](super::RecvError) only once the channel is
    /// closed and every buffered message has been received.
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future before it completes loses no
    /// message. If it had been woken for a message, it passes the wakeup on
    /// to another waiting receiver, which gets the message instead.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::bounded;
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = bounded::<&str>(2);
    ///     tx.send("a").await.unwrap();
    ///     drop(tx); // the last sender closes the channel
    ///     assert_eq!(rx.recv().await, Ok("a"));
    ///     assert!(rx.recv().await.is_err());
    /// });
    /// ```
    #[inline]
    pub fn recv(&self) -> RecvFuture<'_, T> {
        RecvFuture {
            receiver: self,
            waiter: Default::default(),
        }
    }

    /// Takes a message if one is buffered now.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::{bounded, TryRecvError};
    /// let (tx, rx) = bounded::<u8>(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// ```
    #[inline]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.chan.try_pop(self.id).map_err(|e| match e {
            PopError::Empty => TryRecvError::Empty,
            PopError::Closed => TryRecvError::Closed,
        })
    }

    /// Closes the channel to new sends, for every handle, and moves this
    /// handle to `Closing`. Every buffered message can still be received:
    /// with [`Receiver::drain`] here, or by other open receivers.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::bounded;
    /// let (tx, rx) = bounded::<u8>(4);
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// let rx = rx.close();
    /// assert!(tx.try_send(3).is_err());
    /// assert_eq!(rx.drain().collect::<Vec<_>>(), vec![1, 2]);
    /// let rx = rx.try_finish().expect("drained");
    /// assert_eq!(rx.state(), "Closed");
    /// ```
    pub fn close(self) -> Receiver<T, Closing> {
        // The handle's own transition is reported first: the close call is
        // the cause of the channel's `open -> closing`.
        let closing: Receiver<T, Closing> = self.into_state();
        closing.chan.close(ROLE_RECEIVER, closing.id);
        closing
    }
}

impl<T> Clone for Receiver<T, Open> {
    /// A new receiver on the same channel, with its own id. Each message
    /// goes to exactly one receiver.
    fn clone(&self) -> Self {
        let id = self.chan.add_receiver();
        Receiver::from_chan(self.chan.clone(), id)
    }
}

impl<T> Stream for Receiver<T, Open> {
    type Item = T;

    /// Yields messages; ends when the channel is closed and drained.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        match this.chan.poll_recv(&mut this.stream, this.id, cx) {
            Poll::Ready(Ok(v)) => Poll::Ready(Some(v)),
            Poll::Ready(Err(_)) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    /// `(0, None)`: what is buffered is no lower bound, since another
    /// receiver may take all of it.
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, None)
    }
}

impl<T> Receiver<T, Closing> {
    /// Takes the messages still buffered, in order, without waiting. A send
    /// that was accepted just before the close is waited for, so nothing
    /// accepted is missed.
    pub fn drain(&self) -> Drain<'_, T> {
        Drain { receiver: self }
    }

    /// Whether every buffered message has been received.
    pub fn is_drained(&self) -> bool {
        self.chan.is_drained()
    }

    /// Waits until every buffered message has been received (by this
    /// handle's [`drain`](Receiver::drain) or by other receivers), then
    /// becomes `Closed`. It receives nothing itself: take what is buffered
    /// with `drain()` first, and `drained()` covers the moment in which
    /// another receiver still holds the last message. A closing receiver
    /// that is the only one left and has not drained waits for ever.
    ///
    /// # Cancel safety
    /// Dropping the future drops the handle; nothing else is affected.
    ///
    /// # Examples
    /// ```
    /// use chanviz::channel::bounded;
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = bounded::<u8>(4);
    ///     tx.try_send(1).unwrap();
    ///     let rx = rx.close();
    ///     assert_eq!(rx.drain().collect::<Vec<_>>(), vec![1]);
    ///     let rx = rx.drained().await;
    ///     assert_eq!(rx.state(), "Closed");
    /// });
    /// ```
    pub fn drained(self) -> ReceiverDrained<T> {
        ReceiverDrained(DrainWait::new(self))
    }
}

closing_handle!(Receiver, ReceiverDrained, "receiver");

/// Iterator of [`Receiver::drain`].
pub struct Drain<'a, T> {
    receiver: &'a Receiver<T, Closing>,
}

impl<T> Iterator for Drain<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.receiver.chan.try_pop(self.receiver.id).ok()
    }
}

impl<T> fmt::Debug for Drain<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").finish_non_exhaustive()
    }
}

impl<T, S: State> Drop for Receiver<T, S> {
    fn drop(&mut self) {
        let mut key = self.stream.key.take();
        self.chan.abandon_recv(&mut key, self.id);
        self.chan.remove_receiver(self.id, S::NAME);
    }
}

handle_debug!(Receiver);
