//! Ctrl-C (SIGINT) and SIGTERM: the first one shuts the run down cleanly, and
//! every one is reported to the caller's hook. Never ends the process: the
//! binary decides what a second signal means (exit code 130).

use std::sync::Arc;

use super::{Controller, SignalHook};

/// Wait for signals for the life of the runtime.
pub(super) async fn catch(control: Arc<Controller>, hook: Option<SignalHook>) {
    // The listeners live as long as this task, so a signal that arrives
    // while the previous one is being handled is not lost.
    let mut signals = Signals::new();
    let mut count = 0u32;
    loop {
        signals.next().await;
        count += 1;
        if let Some(hook) = &hook {
            hook(count);
        }
        if count == 1 {
            control.shutdown();
        }
    }
}

#[cfg(unix)]
struct Signals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        Signals {
            interrupt: signal(SignalKind::interrupt()).ok(),
            terminate: signal(SignalKind::terminate()).ok(),
        }
    }

    /// The next SIGINT or SIGTERM (never, for one that could not be
    /// listened to).
    async fn next(&mut self) {
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
            if let Some(signal) = s {
                if signal.recv().await.is_some() {
                    return;
                }
            }
            // No listener, or its stream ended (the runtime is going away):
            // wait for ever rather than count phantom signals.
            *s = None;
            std::future::pending().await
        }
        tokio::select! {
            _ = recv(&mut self.interrupt) => {}
            _ = recv(&mut self.terminate) => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Signals {
        Signals
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
