//! A local Lambda Runtime API (the 2018-06-01 interface a Lambda binary polls), for running the real
//! `scan` and `send` binaries as Lambdas. Listens on 127.0.0.1 only.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

type Outcome = Result<String, String>;

struct Shared {
    pending: tokio::sync::Mutex<mpsc::Receiver<(String, String)>>,
    waiting: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    first_poll: OnceLock<Instant>,
    init_error: Mutex<Option<String>>,
}

/// A running Runtime API. Invocations are queued with [`RuntimeApi::invoke`]; the binary polls for them.
pub struct RuntimeApi {
    address: std::net::SocketAddr,
    queue: mpsc::Sender<(String, String)>,
    shared: Arc<Shared>,
    next_id: std::sync::atomic::AtomicU64,
}

impl RuntimeApi {
    pub async fn start() -> RuntimeApi {
        let (queue, pending) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            pending: tokio::sync::Mutex::new(pending),
            waiting: Mutex::new(HashMap::new()),
            first_poll: OnceLock::new(),
            init_error: Mutex::new(None),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("a local address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        RuntimeApi {
            address,
            queue,
            shared,
            next_id: Default::default(),
        }
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// Invoke the function with `payload` (JSON) and wait for its response or error.
    pub async fn invoke(&self, payload: String) -> Outcome {
        let id = format!(
            "req-{}",
            self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let (done, result) = oneshot::channel();
        self.shared.waiting.lock().expect("lock").insert(id.clone(), done);
        self.queue
            .send((id, payload))
            .await
            .expect("the runtime API is running");
        result
            .await
            .unwrap_or_else(|_| Err("the function never answered".into()))
    }

    /// When the binary first asked for an invocation (its start-up is done by then).
    pub fn first_poll(&self) -> Option<Instant> {
        self.shared.first_poll.get().copied()
    }

    /// The error the binary reported during initialisation, if any.
    pub fn init_error(&self) -> Option<String> {
        self.shared.init_error.lock().expect("lock").clone()
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> (HeaderMap, String) {
    shared.first_poll.get_or_init(Instant::now);
    let (id, payload) = shared.pending.lock().await.recv().await.unwrap_or_default();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        + 60_000;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).expect("a header value"));
    };
    set("lambda-runtime-aws-request-id", id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:kindly-test".into(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000;Sampled=0".into(),
    );
    (headers, payload)
}

fn finish(shared: &Shared, id: &str, outcome: Outcome) -> StatusCode {
    match shared.waiting.lock().expect("lock").remove(id) {
        Some(done) => {
            let _ = done.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn response(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    finish(&shared, &id, Ok(String::from_utf8_lossy(&body).into_owned()))
}

async fn error(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    finish(&shared, &id, Err(String::from_utf8_lossy(&body).into_owned()))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    *shared.init_error.lock().expect("lock") = Some(String::from_utf8_lossy(&body).into_owned());
    StatusCode::ACCEPTED
}
