//! Client middleware overhead: one GET through a `reqwest_middleware` client to an untraced
//! axum server on 127.0.0.1, body collected, bare and with baton's `TracingMiddleware` (and
//! reqwest-tracing). See `baton_bench::CLIENT_CASES` for each case.
//!
//! ```text
//! cargo bench -p baton-bench --bench client
//! ```
//!
//! Client and server share one current-thread runtime, so a request costs the same loopback
//! round trip in every case and the difference is the middleware.

use baton_bench::{Bench, CLIENT_CASES};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn client(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut group = c.benchmark_group("client");
    for case in CLIENT_CASES {
        let bench = rt.block_on(Bench::new(case.name)).expect("known case");
        let _subscriber = bench.dispatch().map(tracing::dispatcher::set_default);
        group.bench_function(case.name, |b| {
            b.iter(|| black_box(rt.block_on(bench.run_one())));
        });
        drop(_subscriber);
        rt.block_on(async { bench.shutdown() });
    }
    group.finish();
}

criterion_group!(benches, client);
criterion_main!(benches);
