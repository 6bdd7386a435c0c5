//! CPU time of the client side of this process: the run time of every thread
//! (`/proc/self/task/*/schedstat`, nanoseconds) but the server's. Less
//! sensitive than wall time to other work on a shared machine.

/// This thread's kernel id (from `/proc/thread-self`).
pub fn thread_id() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// Nanoseconds on CPU of every thread of this process except `except`;
/// `None` where `/proc` has no schedstat.
pub fn client_cpu_ns(except: Option<u32>) -> Option<u64> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let task = task.ok()?;
        let tid: Option<u32> = task.file_name().to_str().and_then(|s| s.parse().ok());
        if tid.is_some() && tid == except {
            continue;
        }
        // A thread may end between the listing and the read: skip it.
        let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// The machine in a line (CPU model, logical CPUs, cache sizes), for the
/// header of a run: wall-clock ratios differ between machines, mostly through
/// their caches (`cargo xtask bench --cache-sim`), so figures are compared on
/// the same kind of machine. `None` where there is no `/proc/cpuinfo`.
pub fn machine() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    // cpu0's caches, as (level, type, size), until the first index missing.
    let caches = (0..8).map_while(|index| {
        let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).ok();
        Some((read("level")?, read("type")?, read("size")?))
    });
    Some(describe_machine(&cpuinfo, cpus, caches))
}

/// [`machine`]'s line from the text of `/proc/cpuinfo`, the number of CPUs
/// and the `level`, `type` and `size` files of each cache.
fn describe_machine(
    cpuinfo: &str,
    cpus: usize,
    caches: impl Iterator<Item = (String, String, String)>,
) -> String {
    // x86 names its model; some ARM kernels do not.
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map_or("unnamed CPU model", |(_, m)| m.trim());
    let caches: Vec<String> = caches
        .map(|(level, kind, size)| {
            let kind = match kind.trim() {
                "Data" => "d",
                "Instruction" => "i",
                _ => "",
            };
            format!("L{}{kind} {}", level.trim(), size.trim())
        })
        .collect();
    if caches.is_empty() {
        format!("{model}, {cpus} CPUs")
    } else {
        format!("{model}, {cpus} CPUs, {} per CPU", caches.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read() {
        // Only that the figures are there: other tests' threads come and go
        // between two reads, so sums taken at different times do not compare.
        let me = thread_id().expect("a thread id");
        assert!(client_cpu_ns(Some(me)).is_some());
        assert!(client_cpu_ns(None).is_some_and(|ns| ns > 0));
        // Linux has /proc/cpuinfo; the caches are there where /sys is.
        assert!(machine().is_some_and(|m| m.contains(" CPUs")));
    }

    #[test]
    fn the_machine_line_names_model_cpus_and_caches() {
        let cache =
            |l: &str, t: &str, s: &str| (format!("{l}\n"), format!("{t}\n"), format!("{s}\n"));
        let x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n";
        let caches = [
            cache("1", "Data", "32K"),
            cache("1", "Instruction", "32K"),
            cache("2", "Unified", "512K"),
        ];
        assert_eq!(
            describe_machine(x86, 2, caches.into_iter()),
            "AMD EPYC 7B13, 2 CPUs, L1d 32K L1i 32K L2 512K per CPU"
        );
        assert_eq!(
            describe_machine(
                "processor\t: 0\nCPU implementer\t: 0x41\n",
                4,
                std::iter::empty()
            ),
            "unnamed CPU model, 4 CPUs"
        );
    }
}
