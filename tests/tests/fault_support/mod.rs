//! Shared helpers of the fault-injection, classification and secrets suites:
//! per-provider request shapes, spec examples read from `openapi/*.yaml`, client
//! construction, and a raw TCP server for faults wiremock cannot produce.
#![allow(dead_code)] // each test binary uses a different part of it

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use userbridge::{Client, ClientBuilder, Error, Provider, Reactivated, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// The token of the fault suites (the secrets suite uses its own).
pub const TOKEN: &str = "tok-fault-7c1e";
/// Aitronos' organization, as in its spec (`org_xyz789`).
pub const ORG: &str = "org_xyz789";

/// A user id of the form each provider documents.
pub fn user_id(p: Provider) -> &'static str {
    match p {
        Provider::Aitronos => "usr_abc123",
        Provider::Flashback => "550e8400-e29b-41d4-a716-446655440000",
        Provider::ZitadelV1 | Provider::ZitadelV2 => "69629023906488334",
        Provider::Nethesis => "usr_123456789",
        other => panic!("no test user id for {other:?}"),
    }
}

/// The HTTP method of the reactivation endpoint.
pub fn http_method(p: Provider) -> &'static str {
    match p {
        Provider::Nethesis => "PATCH",
        _ => "POST",
    }
}

/// The request path as the server sees it (with the `/api` prefix of the
/// Nethesis base URL).
pub fn api_path(p: Provider) -> String {
    let user = user_id(p);
    match p {
        Provider::Aitronos => format!("/v1/organizations/{ORG}/users/{user}/reactivate"),
        Provider::Flashback => format!("/organization/users/{user}/activate"),
        Provider::ZitadelV1 => format!("/management/v1/users/{user}/_reactivate"),
        Provider::ZitadelV2 => format!("/v2/users/{user}/reactivate"),
        Provider::Nethesis => format!("/api/users/{user}/reactivate"),
        other => panic!("no path for {other:?}"),
    }
}

/// The base URL for a server at `root` (`http://127.0.0.1:port`): My Nethesis'
/// server URL carries the `/api` prefix.
pub fn base_url(p: Provider, root: &str) -> String {
    match p {
        Provider::Nethesis => format!("{root}/api"),
        _ => root.to_string(),
    }
}

/// A builder for a server at `root` with `token`: base URL, organization
/// (Aitronos), retries off, a 5 s timeout.
pub fn builder_with_token(p: Provider, root: &str, token: &str) -> ClientBuilder {
    let mut b = Client::builder(p)
        .base_url(base_url(p, root))
        .bearer_token(token)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none());
    if p == Provider::Aitronos {
        b = b.organization(ORG);
    }
    b
}

/// [`builder_with_token`] with [`TOKEN`].
pub fn builder(p: Provider, root: &str) -> ClientBuilder {
    builder_with_token(p, root, TOKEN)
}

/// Retries with waits of a few milliseconds.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// The wiremock route of the provider's reactivation endpoint.
pub fn endpoint(p: Provider) -> MockBuilder {
    Mock::given(method(http_method(p))).and(path(api_path(p)))
}

/// Mounts `t` as the answer to every reactivation request.
pub async fn answer_always(server: &MockServer, p: Provider, t: ResponseTemplate) {
    endpoint(p).respond_with(t).mount(server).await;
}

/// Mounts `t` as the answer to the first reactivation request only (it wins over
/// mocks mounted with the default priority).
pub async fn answer_once(server: &MockServer, p: Provider, t: ResponseTemplate) {
    endpoint(p)
        .respond_with(t)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
}

/// How many requests `server` received.
pub async fn requests_seen(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .len()
}

fn spec_file(p: Provider) -> &'static str {
    match p {
        Provider::Aitronos => "aitronos",
        Provider::Flashback => "flashback",
        Provider::ZitadelV1 => "zitadel-v1",
        Provider::ZitadelV2 => "zitadel-v2",
        Provider::Nethesis => "nethesis",
        other => panic!("no spec for {other:?}"),
    }
}

/// The named example of response `status` (`"200"`, `"422"`, `"default"`, ...)
/// in the provider's spec.
pub fn spec_example(p: Provider, status: &str, name: &str) -> Value {
    let file = format!(
        "{}/../openapi/{}.yaml",
        env!("CARGO_MANIFEST_DIR"),
        spec_file(p)
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let paths = doc["paths"].as_mapping().expect("paths");
    assert_eq!(paths.len(), 1, "{file}: one path expected");
    let item = paths.values().next().unwrap().as_mapping().unwrap();
    assert_eq!(item.len(), 1, "{file}: one operation expected");
    let op = item.values().next().unwrap();
    let value = &op["responses"][status]["content"]["application/json"]["examples"][name];
    let value = value
        .get("value")
        .unwrap_or_else(|| panic!("{file}: no example {status}/{name}"));
    serde_json::to_value(value).unwrap()
}

/// The spec's success example.
pub fn success_example(p: Provider) -> Value {
    match p {
        Provider::Flashback => spec_example(p, "200", "activated"),
        _ => spec_example(p, "200", "reactivated"),
    }
}

/// The spec's "user is not deactivated" answer: (status, body).
pub fn not_deactivated_example(p: Provider) -> (u16, Value) {
    match p {
        Provider::Aitronos => (422, spec_example(p, "422", "userNotDeactivated")),
        Provider::Flashback => (400, spec_example(p, "400", "userNotDeleted")),
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            (400, spec_example(p, "default", "notInactive"))
        }
        Provider::Nethesis => (400, spec_example(p, "400", "notSuspended")),
        other => panic!("no example for {other:?}"),
    }
}

/// The spec's 401 example where there is one; Flashback documents none, so its
/// envelope `{success, message}` is used.
pub fn unauthenticated_example(p: Provider) -> Value {
    match p {
        Provider::Aitronos => spec_example(p, "401", "unauthorized"),
        Provider::ZitadelV1 | Provider::ZitadelV2 => spec_example(p, "default", "unauthenticated"),
        Provider::Nethesis => spec_example(p, "401", "invalidToken"),
        _ => serde_json::json!({"success": false, "message": "Unauthorized"}),
    }
}

/// A 5xx body in the provider's error shape: the spec's example where it has one
/// (Aitronos `5XX`, Flashback `500`), else the documented envelope.
pub fn server_error_body(p: Provider, status: u16) -> Value {
    match p {
        Provider::Aitronos => spec_example(p, "5XX", "internalError"),
        Provider::Flashback => spec_example(p, "500", "internalError"),
        // gRPC 14 Unavailable is answered as 503, 13 Internal as 500.
        Provider::ZitadelV1 | Provider::ZitadelV2 => serde_json::json!({
            "code": if status == 503 { 14 } else { 13 },
            "message": "upstream failure",
            "details": []
        }),
        _ => serde_json::json!({"code": status, "message": "internal server error", "data": null}),
    }
}

/// A 429 body in the provider's error shape (Aitronos: the spec's example; the
/// others document no rate limiting, so their envelope is used).
pub fn rate_limited_body(p: Provider) -> Value {
    match p {
        Provider::Aitronos => spec_example(p, "429", "rateLimited"),
        Provider::Flashback => {
            serde_json::json!({"success": false, "message": "Too many requests"})
        }
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            serde_json::json!({"code": 8, "message": "resource exhausted", "details": []})
        }
        _ => serde_json::json!({"code": 429, "message": "too many requests", "data": null}),
    }
}

/// A JSON response.
pub fn json(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(serde_json::to_vec(body).unwrap(), "application/json")
}

/// A compact outcome for the fault table: `Ok x1`, `Ok already_active x2`,
/// `RateLimited(429) x1`, `Timeout x3`.
pub fn outcome(r: &Result<Reactivated, Error>) -> String {
    match r {
        Ok(d) if d.already_active() => format!("Ok already_active x{}", d.attempts()),
        Ok(d) => format!("Ok x{}", d.attempts()),
        Err(e) => match e.status() {
            Some(s) => format!("{:?}({s}) x{}", e.kind(), e.attempts()),
            None => format!("{:?} x{}", e.kind(), e.attempts()),
        },
    }
}

/// An IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) for `t`.
pub fn http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {month} {year} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A loopback port nothing listens on (bound, then released).
pub fn refused_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

/// What a [`RawServer`] does with one connection, after reading the request.
#[derive(Clone, Debug)]
pub enum RawReply {
    /// Close the connection without answering.
    Close,
    /// Write these bytes, then close (FIN).
    Bytes(Vec<u8>),
    /// Write these bytes, then reset the connection (RST).
    BytesThenReset(Vec<u8>),
    /// A chunked 200 whose body is `total` bytes of JSON-looking filler.
    Chunked { total: usize },
}

/// A complete HTTP/1.1 response with a JSON body.
pub fn raw_json_response(status: u16, body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap();
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

type Script = dyn Fn(usize) -> RawReply + Send + Sync;

/// A TCP server on 127.0.0.1 that reads each request and then answers as its
/// script says for that connection (0-based), for faults wiremock cannot make.
pub struct RawServer {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Connection `i` gets `script[min(i, len - 1)]`.
    pub async fn start(script: Vec<RawReply>) -> Self {
        assert!(!script.is_empty());
        Self::start_with(move |i| script[i.min(script.len() - 1)].clone()).await
    }

    /// Connection `i` gets `script(i)`.
    pub async fn start_with(script: impl Fn(usize) -> RawReply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let script: Arc<Script> = Arc::new(script);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let i = counter.fetch_add(1, Ordering::SeqCst);
                let reply = script(i);
                tokio::spawn(serve(stream, reply));
            }
        });
        RawServer {
            addr,
            connections,
            task,
        }
    }

    /// `http://127.0.0.1:port`.
    pub fn root(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (head and `content-length` body).
async fn read_request(stream: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn serve(mut stream: TcpStream, reply: RawReply) {
    read_request(&mut stream).await;
    match reply {
        RawReply::Close => {
            let _ = stream.shutdown().await;
        }
        RawReply::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        RawReply::BytesThenReset(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        RawReply::Chunked { total } => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                        transfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let piece = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let n = piece.len().min(total - sent);
                let mut frame = format!("{n:x}\r\n").into_bytes();
                frame.extend_from_slice(&piece[..n]);
                frame.extend_from_slice(b"\r\n");
                if stream.write_all(&frame).await.is_err() {
                    return; // the client stopped reading: expected
                }
                sent += n;
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
            let _ = stream.shutdown().await;
        }
    }
}
