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
