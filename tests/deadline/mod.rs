//! Deadlines for tests that wait on a child process or a thread: a hang
//! fails the test with a message instead of hanging the test run. The limits
//! are generous (a slow, shared machine is not a hang); nothing here asserts
//! how fast anything is. Each test crate includes this with `mod deadline;`.
#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a run, a child process or a join may take before it counts as
/// a hang.
pub const HANG: Duration = Duration::from_secs(60);

/// Run `f` on a thread of its own and return what it returns; fails the
/// test if it has not returned after [`HANG`].
pub fn within<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    support::within(HANG, what, f)
}

/// [`within`], with a limit of one's own (the channel tests' helper).
#[allow(unused_imports)]
pub use support::within as within_for;

/// Wait for `child` to exit; kills it and panics after [`HANG`].
pub fn wait_child(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + HANG;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: the process did not exit within {HANG:?}, it hangs (killed)");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// `cmd.output()`, with a deadline: stdin is empty, stdout and stderr are
/// captured; a process still running after [`HANG`] is killed and the test
/// fails.
pub fn output(cmd: &mut Command) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdout = read_all(child.stdout.take().expect("piped"));
    let stderr = read_all(child.stderr.take().expect("piped"));
    let status = wait_child(&mut child, &what);
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}
