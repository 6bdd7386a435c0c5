//! `userbridge-bench stream-rss`: peak RSS of a `reactivate_many(..).stream()`
//! over a lazily produced input, for 10,000 and for 1,000,000 ids, each in a
//! process of its own against a server in yet another process, so each peak is
//! the client's alone.

use std::io::Write as _;
use std::process::Command;
use std::time::Instant;

use futures_util::StreamExt as _;

use crate::cases;
use crate::server::{Server, ServerProcess};

/// A field of `/proc/self/status` in kB (`VmHWM`, `VmRSS`).
pub fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// One measured run in this process: `ids` ids through `.stream()` at
/// `concurrency`, against `base_url` (or a server in this process).
pub fn measure(ids: usize, concurrency: usize, base_url: Option<&str>) -> Result<(), String> {
    let local;
    let base = match base_url {
        Some(b) => b.to_string(),
        None => {
            local = Server::start().map_err(|e| e.to_string())?;
            local.base_url()
        }
    };
    let rt = cases::client_runtime(1).map_err(|e| e.to_string())?;
    let client = cases::sdk_client(&base)?;
    let before = status_kb("VmHWM");
    let started = Instant::now();
    let (items, ok) = rt
        .block_on(rt.spawn(async move {
            client
                .users()
                .reactivate_many((0..ids).map(|i| format!("u{i}")))
                .concurrency(concurrency)
                .stream()
                .fold((0usize, 0usize), |(items, ok), item| async move {
                    (items + 1, ok + usize::from(item.result().is_ok()))
                })
                .await
        }))
        .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let peak = status_kb("VmHWM");
    let kb = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| format!("{v} kB"));
    println!(
        "stream-rss: {ids} ids at concurrency {concurrency}: {items} items, {ok} succeeded, \
         {:.1} s ({:.0} calls/s); VmHWM after setup {}, at the end {}; VmRSS at the end {}",
        elapsed.as_secs_f64(),
        items as f64 / elapsed.as_secs_f64(),
        kb(before),
        kb(peak),
        kb(status_kb("VmRSS")),
    );
    if items != ids || ok != ids {
        return Err(format!("{items} items, {ok} succeeded of {ids}"));
    }
    Ok(())
}

/// Both runs, each in a child process of this binary, against a server child.
pub fn compare(sizes: &[usize], concurrency: usize) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let server = ServerProcess::start()?;
    let mut failed = None;
    for &n in sizes {
        let status = Command::new(&exe)
            .args(["stream-rss", "--ids", &n.to_string()])
            .args(["--concurrency", &concurrency.to_string()])
            .args(["--base-url", server.base_url()])
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => failed = Some(format!("the run with {n} ids failed ({s})")),
            Err(e) => failed = Some(format!("the run with {n} ids did not start: {e}")),
        }
    }
    drop(server);
    let _ = std::io::stdout().flush();
    failed.map_or(Ok(()), Err)
}
