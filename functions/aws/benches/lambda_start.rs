//! Lambda start-up: time from process start to the first `GET /runtime/invocation/next` against a local
//! Runtime API, for the optimised `scan` and `send` binaries (no AWS call happens before that request
//! when `KINDLY_MAX_SEND_RATE` is set). Target: ≤ 80 ms.
//!
//!   cargo bench -p kindly-aws --bench lambda_start

// The tests' Runtime API; this benchmark only needs it to be polled.
#[allow(dead_code)]
#[path = "../tests/common/runtime_api.rs"]
mod runtime_api;

use runtime_api::RuntimeApi;
use std::time::{Duration, Instant};

const RUNS: usize = 20;

async fn start_once(binary: &str) -> Duration {
    let api = RuntimeApi::start().await;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "kindly-bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/kindly-bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("KINDLY_TABLE", "kindly-bench")
        .env("KINDLY_MAX_SEND_RATE", "14")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let deadline = started + Duration::from_secs(10);
    let first = loop {
        if let Some(first) = api.first_poll() {
            break first;
        }
        assert!(
            Instant::now() < deadline,
            "{binary} never polled; init error: {:?}",
            api.init_error()
        );
        tokio::time::sleep(Duration::from_micros(200)).await;
    };
    child.kill().await.expect("stop the binary");
    first - started
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for (name, binary) in [
        ("scan", env!("CARGO_BIN_EXE_scan")),
        ("send", env!("CARGO_BIN_EXE_send")),
    ] {
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            times.push(start_once(binary).await);
        }
        times.sort();
        let size = std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0);
        println!(
            "{name}: start to first /next over {RUNS} runs: min {:.1?}, median {:.1?}, max {:.1?} (binary {:.1} MB, bench profile)",
            times[0],
            times[RUNS / 2],
            times[RUNS - 1],
            size as f64 / 1_048_576.0
        );
    }
}
