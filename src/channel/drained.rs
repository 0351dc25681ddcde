//! Waiting for the drain: the one future behind `Sender<T, Closing>::drained`
//! and `Receiver<T, Closing>::drained`. It never receives anything itself.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::Chan;
use super::waiters::WaiterKey;

/// A `Closing` handle that can wait for the drain and then become `Closed`.
pub(crate) trait ClosingHandle<T>: Sized {
    type Closed;
    fn chan(&self) -> &Chan<T>;
    fn id(&self) -> u64;
    fn into_closed(self) -> Self::Closed;
}

/// Resolves to the `Closed` handle once the channel is drained; holds its
/// place among the drain waiters meanwhile.
pub(crate) struct DrainWait<T, H: ClosingHandle<T>> {
    handle: Option<H>,
    key: WaiterKey,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T, H: ClosingHandle<T>> DrainWait<T, H> {
    pub(crate) fn new(handle: H) -> Self {
        Self {
            handle: Some(handle),
            key: None,
            _t: std::marker::PhantomData,
        }
    }
}

impl<T, H: ClosingHandle<T>> Unpin for DrainWait<T, H> {}

impl<T, H: ClosingHandle<T>> Future for DrainWait<T, H> {
    type Output = H::Closed;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let handle = this
            .handle
            .as_ref()
            .expect("drained() polled after completion");
        match handle.chan().poll_drained(&mut this.key, handle.id(), cx) {
            Poll::Ready(()) => {
                let handle = this.handle.take().expect("checked above");
                Poll::Ready(handle.into_closed())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, H: ClosingHandle<T>> Drop for DrainWait<T, H> {
    fn drop(&mut self) {
        if let Some(handle) = &self.handle {
            handle.chan().cancel_drained(&mut self.key);
        }
    }
}

/// Declares the public future a `Closing` handle's `drained()` returns (a
/// thin wrapper around [`DrainWait`]), makes the handle a [`ClosingHandle`],
/// and gives it `try_finish`. One definition for `Sender` and `Receiver`.
macro_rules! closing_handle {
    ($handle:ident, $future:ident, $what:literal) => {
        #[doc = concat!("Future of [`", stringify!($handle), "::drained`]: resolves to the `Closed` ", $what, " once the channel is drained.")]
        #[must_use = "futures do nothing unless polled"]
        pub struct $future<T>(DrainWait<T, $handle<T, Closing>>);

        impl<T> ClosingHandle<T> for $handle<T, Closing> {
            type Closed = $handle<T, Closed>;
            fn chan(&self) -> &Chan<T> {
                &self.chan
            }
            fn id(&self) -> u64 {
                self.id
            }
            fn into_closed(self) -> $handle<T, Closed> {
                self.into_state()
            }
        }

        impl<T> Future for $future<T> {
            type Output = $handle<T, Closed>;

            fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                Pin::new(&mut self.0).poll(cx)
            }
        }

        impl<T> fmt::Debug for $future<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($future)).finish_non_exhaustive()
            }
        }

        impl<T> $handle<T, Closing> {
            /// Becomes `Closed` if the channel is drained; otherwise gives the
            /// `Closing` handle back.
            pub fn try_finish(self) -> Result<$handle<T, Closed>, $handle<T, Closing>> {
                if self.chan.is_drained() {
                    Ok(self.into_state())
                } else {
                    Err(self)
                }
            }
        }
    };
}
pub(crate) use closing_handle;
