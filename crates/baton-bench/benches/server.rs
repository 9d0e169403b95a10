//! Server layer overhead, in-process: one request through an axum router with
//! `tower::ServiceExt::oneshot`, body collected, for a bare router, baton's `ServerLayer`
//! (sampled, unsampled, metrics on and off), the SDK floor, a minimal hand-written layer
//! and the crates users trace with today. See `baton_bench::SERVER_CASES` for each case.
//!
//! ```text
//! cargo bench -p baton-bench --bench server            # every case
//! cargo bench -p baton-bench --bench server -- baton   # cases whose name contains "baton"
//! ```
//!
//! Wall-clock numbers on a shared two-core machine are noisy; `scripts/bench_instructions.sh`
//! counts instructions and allocations per request instead, which repeat exactly.

use baton_bench::{Bench, SERVER_CASES};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn server(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut group = c.benchmark_group("server");
    for case in SERVER_CASES {
        let bench = rt.block_on(Bench::new(case.name)).expect("known case");
        let _subscriber = bench.dispatch().map(tracing::dispatcher::set_default);
        group.bench_function(case.name, |b| {
            b.iter(|| black_box(rt.block_on(bench.run_one())));
        });
        drop(_subscriber);
        bench.shutdown();
    }
    group.finish();
}

criterion_group!(benches, server);
criterion_main!(benches);
