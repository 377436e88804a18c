//! Render speed: every fixture in `tests/fixtures/` with one representative stage template, in µs per
//! message (subject, text, HTML and content hash). Target: ≤ 15 µs per message, native release build.
//! Run: `cargo bench -p kindly-render --bench render`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{fixtures, with_template};
use criterion::{Criterion, criterion_group, criterion_main};
use kindly_render::render;
use std::hint::black_box;

/// A stage with a full intro and request in every language: the usual reminder.
const TEMPLATE: &str = "overdue_direct";

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("render/{TEMPLATE}"));
    for (name, context) in fixtures() {
        let context = with_template(&context, TEMPLATE);
        // The first render builds the engines; keep it out of the measurement.
        render(&context).unwrap_or_else(|e| panic!("{name}: {e}"));
        group.bench_function(name, |b| b.iter(|| render(black_box(&context)).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
