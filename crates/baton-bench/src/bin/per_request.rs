//! Runs one benchmark case N times in-process, for counting instructions and allocations
//! per request under callgrind.
//!
//! ```text
//! per_request <case> <N>   # set up, one warm-up request, N requests, shut down, report
//! per_request list         # the case names, one per line: server cases, then client cases
//! ```
//!
//! Prints one line of `key=value` pairs on stdout:
//! `case`, `n`, `exported_spans` (what the counting exporter received after the provider was
//! shut down), `expected_spans` (`(N + 1) × spans per request`: none dropped when equal),
//! `allocs` and `reallocs` (counted by a global allocator in every thread of the process,
//! from start to exit) and `loop_allocs` (only during the N requests).
//!
//! Setup, the warm-up request and the shutdown happen whatever N is, so
//! `(count(N) − count(0)) / N` is the steady-state cost of one request, including the batch
//! exporter's thread. `scripts/bench_instructions.sh` runs every case that way.

use baton_bench::alloc::{CountingAlloc, allocations, reallocations};
use baton_bench::{Bench, CLIENT_CASES, SERVER_CASES, case_info};
use std::hint::black_box;
use std::process::ExitCode;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, n) = match args.as_slice() {
        [list] if list == "list" => {
            for case in SERVER_CASES.iter().chain(CLIENT_CASES) {
                println!("{}", case.name);
            }
            return ExitCode::SUCCESS;
        }
        [name, n] => match n.parse::<u64>() {
            Ok(n) => (name.as_str(), n),
            Err(_) => return usage(&format!("N must be a whole number, not {n:?}")),
        },
        _ => return usage("expected <case> <N> or list"),
    };
    let Some(info) = case_info(name) else {
        return usage(&format!("unknown case {name:?} (see `per_request list`)"));
    };

    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("per_request: cannot start a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(bench) = rt.block_on(Bench::new(name)) else {
        eprintln!("per_request: cannot set up {name}");
        return ExitCode::FAILURE;
    };
    if let Some(dispatch) = bench.dispatch()
        && tracing::dispatcher::set_global_default(dispatch.clone()).is_err()
    {
        eprintln!("per_request: a tracing subscriber is already installed");
        return ExitCode::FAILURE;
    }

    let (loop_allocs, loop_reallocs) = rt.block_on(async {
        black_box(bench.run_one().await);
        let (a, r) = (allocations(), reallocations());
        for _ in 0..n {
            black_box(bench.run_one().await);
        }
        (allocations() - a, reallocations() - r)
    });
    let exported = rt.block_on(async { bench.shutdown() });
    drop(rt);

    println!(
        "case={name} n={n} exported_spans={exported} expected_spans={} allocs={} reallocs={} \
         loop_allocs={loop_allocs} loop_reallocs={loop_reallocs}",
        (n + 1) * info.spans_per_request,
        allocations(),
        reallocations(),
    );
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("per_request: {problem}\nusage: per_request <case> <N> | per_request list");
    ExitCode::from(2)
}
