//! Ctrl-C (SIGINT) and SIGTERM: the first one shuts the run down cleanly, and
//! every one is reported to the caller's hook. Never ends the process: the
//! binary decides what a second signal means (exit code 130).

use std::sync::Arc;

use super::{Controller, SignalHook};

/// Wait for signals for the life of the runtime.
pub(super) async fn catch(control: Arc<Controller>, hook: Option<SignalHook>) {
    let mut count = 0u32;
    loop {
        wait_for_signal().await;
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
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
