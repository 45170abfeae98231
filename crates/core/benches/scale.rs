//! Scale benchmark: a synthetic account (10 000 instances, 3 000 security groups, 300 NACLs, 300
//! route tables by default) as one collector bundle, timed against the cheapest possible pass over the
//! same bytes, a `serde_json::from_slice::<serde::de::IgnoredAny>` scan of every document.
//!
//! ```text
//! cargo bench -p vpc-reach-core --bench scale                    # the full account
//! cargo bench -p vpc-reach-core --bench scale -- --instances 2000 --runs 3
//! VPC_REACH_BENCH_INSTANCES=50000 cargo bench -p vpc-reach-core --bench scale
//! cargo bench -p vpc-reach-core --bench scale -- --write /tmp/bundle.json   # keep the input
//! cargo bench -p vpc-reach-core --bench scale -- --input bundle.json --target i-0123…  # a real bundle
//! cargo bench -p vpc-reach-core --bench scale -- --smoke         # tiny account, checks the generator
//! ```
//!
//! Prints, best of N runs: `check` (`analyze_inputs`, as `vpc-reach check` runs it: one instance/port; target
//! ≤ 1.5× the scan) and `exposure` (load + `exposure`; target ≤ 2×), absolute times, input size and
//! peak memory (Linux `VmHWM`). `--enforce` exits 1 when a target is missed or the check fails.
//! The account is generated, written to a temporary file and measured by a fresh copy of this
//! binary (`--input`), so the generator's memory does not hide the engine's peak.
//! Without `--bench` (which `cargo bench` passes) it runs the smoke mode, so `cargo test --benches`
//! stays quick.

mod synth;

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use synth::{Account, Sizes, SIZE_KEYS};
use vpc_reach_core::{Input, Query, QueryProtocol};

/// The allocator `vpc-reach` uses, so that the benchmark measures what the command does. Build with
/// `RUSTFLAGS="--cfg system_allocator"` to measure with the system allocator instead.
#[cfg(not(system_allocator))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
const ALLOCATOR_NAME: &str = if cfg!(system_allocator) {
    "the system allocator"
} else {
    "mimalloc, as the CLI"
};

const CHECK_TARGET: f64 = 1.5;
const EXPOSURE_TARGET: f64 = 2.0;

struct Options {
    smoke: bool,
    runs: usize,
    sizes: Sizes,
    write: Option<String>,
    /// Measure this bundle instead of generating one (also how `bench` measures in a child process).
    input: Option<String>,
    target: Option<String>,
    enforce: bool,
    port: u16,
}

const HELP: &str =
    "usage: scale [--smoke] [--runs N] [--port P] [--write FILE] [--enforce] [--SIZE N]...
sizes (also VPC_REACH_BENCH_<SIZE> variables, e.g. VPC_REACH_BENCH_SECURITY_GROUPS):";

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut sizes = Sizes::standard();
    sizes.apply_env(|name| std::env::var(name).ok())?;
    let mut o = Options {
        // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: be quick there.
        smoke: !args.iter().any(|a| a == "--bench" || a == "--full"),
        // Best of 20: on a shared machine, fewer rounds do not always catch a quiet stretch for
        // every task (best of 10 missed one in three invocations there; see README "Speed").
        runs: match std::env::var("VPC_REACH_BENCH_RUNS") {
            Ok(v) => parse_number("VPC_REACH_BENCH_RUNS", &v)?,
            Err(_) => 20,
        },
        sizes,
        write: None,
        input: None,
        target: None,
        enforce: false,
        port: 22,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match arg.as_str() {
            "--bench" | "--full" => {}
            "--smoke" => o.smoke = true,
            "--enforce" => o.enforce = true,
            "--runs" => o.runs = parse_number("--runs", &value("--runs")?)?,
            "--port" => o.port = parse_number("--port", &value("--port")?)?,
            "--write" => o.write = Some(value("--write")?),
            "--input" => o.input = Some(value("--input")?),
            "--target" => o.target = Some(value("--target")?),
            "-h" | "--help" => return Err(format!("{HELP} {}", SIZE_KEYS.join(", "))),
            flag if flag.starts_with("--") => {
                let key = flag.trim_start_matches("--");
                let v = value(flag)?;
                o.sizes.set(key, &v)?;
            }
            // libtest-style filters from `cargo bench NAME`: nothing to filter.
            _ => {}
        }
    }
    o.runs = o.runs.max(1);
    Ok(o)
}

fn parse_number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("`{v}` is not a valid number for `{name}`"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse_options(&args).and_then(|o| if o.smoke { smoke() } else { bench(&o) });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scale: {e}");
            ExitCode::from(2)
        }
    }
}

/// Tiny account: the generator's JSON parses, has the requested counts and consistent references,
/// and the engine entry points run on it without panicking.
fn smoke() -> Result<ExitCode, String> {
    let sizes = Sizes::smoke();
    let account = synth::generate(sizes)?;
    let counts = synth::validate(&account)?;
    let s = account.sizes;
    let wanted = [
        ("instances", counts.instances, s.instances),
        ("security groups", counts.security_groups, s.security_groups),
        ("network ACLs", counts.nacls, s.nacls),
        ("route tables", counts.route_tables, s.route_tables),
        ("subnets", counts.subnets, s.subnets),
        ("VPCs", counts.vpcs, s.vpcs),
        ("instance statuses", counts.instance_statuses, s.instances),
    ];
    for (what, got, want) in wanted {
        if got != want {
            return Err(format!("smoke: {got} {what} generated, {want} asked for"));
        }
    }
    let (bundle, _) = account.bundle();
    let loaded = vpc_reach_core::load(&[Input {
        name: "bundle.json",
        bytes: &bundle,
    }]);
    let check = vpc_reach_core::analyze(&loaded, &query(&account, 22));
    let exposure = vpc_reach_core::exposure(&loaded.inventory);
    println!(
        "smoke: generator ok ({} documents, {} bytes: {} instances, {} ENIs, {} security groups, {} NACLs, {} route tables); check {}; exposure lists {} addresses",
        counts.documents,
        bundle.len(),
        counts.instances,
        counts.enis,
        counts.security_groups,
        counts.nacls,
        counts.route_tables,
        match &check {
            Ok(r) => format!("verdict {}", r.verdict.name()),
            Err(e) => format!("failed: {e}"),
        },
        exposure.exposures.len()
    );
    println!("smoke: run `cargo bench -p vpc-reach-core --bench scale` for the timed benchmark");
    Ok(ExitCode::SUCCESS)
}

fn query(account: &Account, port: u16) -> Query {
    Query {
        target: account.target.clone(),
        protocol: QueryProtocol::Tcp { port },
        source: None,
        address: None,
    }
}

/// Keeps the shorter of two timed runs.
fn keep_best<T>(best: &mut (T, Duration), run: (T, Duration)) {
    if run.1 < best.1 {
        *best = run;
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// Peak resident memory so far (`VmHWM`), in bytes, on Linux.
fn peak_memory() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets `VmHWM` to the current resident size (Linux ≥ 4.0); false where that is not possible.
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn verdict(ratio: f64, target: f64) -> &'static str {
    if ratio <= target {
        "ok"
    } else {
        "OVER TARGET"
    }
}

/// Generates the account, writes it to a file and measures it in a fresh process (`--input`), so
/// the generator's memory does not hide the engine's peak.
fn bench(o: &Options) -> Result<ExitCode, String> {
    if let Some(path) = &o.input {
        let bundle = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
        let target = o
            .target
            .clone()
            .ok_or("`--input` needs `--target INSTANCE_ID` (the instance to check)")?;
        return measure(o, &bundle, target);
    }
    let t = Instant::now();
    let account = synth::generate(o.sizes)?;
    let (bundle, ranges) = account.bundle();
    let generated_in = t.elapsed();
    let s = account.sizes;
    let e = &account.expected;
    println!(
        "scale: {} instances, {} ENIs, {} security groups ({} rule sets), {} network ACLs ({} entries), {} route tables ({} routes), {} subnets, {} VPCs, {} addresses, {} prefix lists; seed {}",
        s.instances,
        e.enis,
        s.security_groups,
        e.sg_permissions,
        s.nacls,
        e.nacl_entries,
        s.route_tables,
        e.routes,
        s.subnets,
        s.vpcs,
        e.addresses,
        e.prefix_lists,
        s.seed
    );
    println!(
        "generated {:.1} MB in {} documents in {}",
        mb(bundle.len()),
        ranges.len(),
        ms(generated_in)
    );
    let (path, keep) = match &o.write {
        Some(p) => (std::path::PathBuf::from(p), true),
        None => (
            std::env::temp_dir().join(format!("vpc-reach-scale-{}.json", std::process::id())),
            false,
        ),
    };
    std::fs::write(&path, &bundle)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    if keep {
        println!("input written to {}", path.display());
    }
    let target = account.target.clone();
    drop(account);
    drop(bundle);

    let exe = std::env::current_exe().map_err(|e| format!("cannot find the bench binary: {e}"))?;
    let mut child = std::process::Command::new(exe);
    child
        .arg("--bench")
        .arg("--input")
        .arg(&path)
        .args(["--target", &target])
        .args(["--port", &o.port.to_string()])
        .args(["--runs", &o.runs.to_string()]);
    if o.enforce {
        child.arg("--enforce");
    }
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let status = child.status();
    if !keep {
        let _ = std::fs::remove_file(&path);
    }
    let status = status.map_err(|e| format!("cannot run the measuring process: {e}"))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}

/// The measurements, on `bundle` (a stream of describe-* documents).
fn measure(o: &Options, bundle: &[u8], target: String) -> Result<ExitCode, String> {
    // Document boundaries, for a per-document scan of exactly these bytes.
    let mut ranges = Vec::new();
    let mut stream =
        serde_json::Deserializer::from_slice(bundle).into_iter::<serde::de::IgnoredAny>();
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(_)) => ranges.push(start..stream.byte_offset()),
            Some(Err(e)) => {
                return Err(format!("the input is not a stream of JSON documents: {e}"))
            }
        }
    }
    println!(
        "input: {:.1} MB in {} documents; best of {} runs; target {target} tcp/{}; allocator: {ALLOCATOR_NAME}",
        mb(bundle.len()),
        ranges.len(),
        o.runs,
        o.port
    );
    let q = Query {
        target,
        protocol: QueryProtocol::Tcp { port: o.port },
        source: None,
        address: None,
    };
    let sizes_mb = mb(bundle.len());
    let inputs = [Input {
        name: "bundle.json",
        bytes: bundle,
    }];
    let can_reset = reset_peak_memory();
    let base_memory = peak_memory();

    // The tasks. Each times itself; dropping its result is not timed.
    // Baseline: the cheapest pass over the same bytes.
    let scan_task = || {
        let t = Instant::now();
        let r: Result<(), serde_json::Error> = ranges.iter().try_for_each(|r| {
            let doc = bundle.get(r.clone()).unwrap_or_default();
            serde_json::from_slice::<serde::de::IgnoredAny>(doc).map(|_| ())
        });
        (black_box(r), t.elapsed())
    };
    // check: what `vpc-reach check` does, reading only what the question needs.
    let check_task = || {
        let t = Instant::now();
        let (loaded, report) = vpc_reach_core::analyze_inputs(black_box(&inputs), &q);
        let total = t.elapsed();
        let counts = (
            loaded.inventory.instances.len(),
            loaded.inventory.enis.len(),
            loaded.inventory.security_groups.len(),
            loaded.inventory.network_acls.len(),
            loaded.inventory.route_tables.len(),
            loaded.diagnostics.len(),
        );
        ((black_box(report), counts), total)
    };
    // The full load alone (what `exposure` and the web page start with), for the breakdown.
    let load_task = || {
        let t = Instant::now();
        let loaded = vpc_reach_core::load(black_box(&inputs));
        let total = t.elapsed();
        let counts = (
            loaded.inventory.instances.len(),
            loaded.inventory.enis.len(),
            loaded.diagnostics.len(),
        );
        (counts, total)
    };
    // exposure: load + exposure.
    let exposure_task = || {
        let t = Instant::now();
        let loaded = vpc_reach_core::load(black_box(&inputs));
        let report = vpc_reach_core::exposure(&loaded.inventory);
        let total = t.elapsed();
        (black_box(report).exposures.len(), total)
    };

    // Interleaved (scan, check, load, exposure) × runs, best of each: on a shared machine whose
    // speed drifts, each task's best run then comes from the same stretch of time as the scan's.
    let mut scan_best = scan_task();
    let scan_peak = peak_memory();
    reset_peak_memory();
    let mut check_best = check_task();
    // Peaks from the first round only: later rounds start with what the allocator kept.
    let check_peak = peak_memory();
    let mut load_best = load_task();
    reset_peak_memory();
    let mut exposure_best = exposure_task();
    let exposure_peak = peak_memory();
    for _ in 1..o.runs {
        keep_best(&mut scan_best, scan_task());
        reset_peak_memory();
        keep_best(&mut check_best, check_task());
        keep_best(&mut load_best, load_task());
        reset_peak_memory();
        keep_best(&mut exposure_best, exposure_task());
    }
    let (scan_result, scan) = scan_best;
    scan_result.map_err(|e| format!("the input does not parse: {e}"))?;
    let ((check, loaded_counts), check_time) = check_best;
    let (full_counts, load_time) = load_best;
    let (exposed, exposure_time) = exposure_best;

    let scan_s = scan.as_secs_f64().max(1e-9);
    let check_ratio = check_time.as_secs_f64() / scan_s;
    let exposure_ratio = exposure_time.as_secs_f64() / scan_s;
    println!(
        "scan: serde_json IgnoredAny over every document {} ({:.0} MB/s)",
        ms(scan),
        sizes_mb / scan_s
    );
    println!(
        "check: {check_ratio:.2}x of serde_json IgnoredAny scan (analyze_inputs {} vs scan {}, {sizes_mb:.1} MB) [target <= {CHECK_TARGET}x: {}]",
        ms(check_time),
        ms(scan),
        verdict(check_ratio, CHECK_TARGET)
    );
    let (instances, enis, sgs, nacls, rts, diagnostics) = loaded_counts;
    println!(
        "  read for the question: {instances} instances, {enis} ENIs, {sgs} security groups, {nacls} NACLs, {rts} route tables, {diagnostics} diagnostics"
    );
    println!(
        "load (everything, as exposure does): {:.2}x ({}; {} instances, {} ENIs, {} diagnostics)",
        load_time.as_secs_f64() / scan_s,
        ms(load_time),
        full_counts.0,
        full_counts.1,
        full_counts.2
    );
    if full_counts.0 == 0 {
        println!(
            "  note: nothing was loaded (is ingest still a stub?): these ratios mean nothing yet"
        );
    }
    let check_failed = match &check {
        Ok(r) => {
            println!(
                "  check tcp/{} on {}: {} (blocking: {:?})",
                o.port,
                q.target,
                r.verdict.name(),
                r.blocking
            );
            false
        }
        Err(e) => {
            println!("  check FAILED: {e}");
            true
        }
    };
    println!(
        "exposure: {exposure_ratio:.2}x of serde_json IgnoredAny scan (load+exposure {} vs scan {}, {sizes_mb:.1} MB) [target <= {EXPOSURE_TARGET}x: {}]",
        ms(exposure_time),
        ms(scan),
        verdict(exposure_ratio, EXPOSURE_TARGET)
    );
    println!("  {exposed} exposed addresses");
    match (can_reset, base_memory, scan_peak, check_peak, exposure_peak) {
        (true, Some(base), Some(a), Some(b), Some(c)) => println!(
            "peak memory (VmHWM): scan {:.0} MB, check {:.0} MB, exposure {:.0} MB; {:.0} MB before the first run (the input is read into memory)",
            mb(a),
            mb(b),
            mb(c),
            mb(base)
        ),
        (false, _, _, _, Some(c)) => println!(
            "peak memory (VmHWM, whole run): {:.0} MB",
            mb(c)
        ),
        _ => println!("peak memory: not available on this system"),
    }

    let missed = check_ratio > CHECK_TARGET || exposure_ratio > EXPOSURE_TARGET || check_failed;
    if o.enforce && missed {
        println!("scale: a target was missed or the check failed (--enforce)");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
