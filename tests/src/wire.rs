//! What the fault-injection, classification and secrets suites share: async
//! clients and wiremock routes for the provider's endpoint, the fault table's
//! outcome summary, an HTTP-date, a refused port, and a raw TCP server for faults
//! wiremock cannot produce.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::{method, sample_path, Answer, Config};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use userbridge::{ClientBuilder, Error, Provider, Reactivated};
use wiremock::matchers;
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// A builder for a server at `root` with `token`: [`Config::for_server`]
/// (base URL, the organization where one is required, retries off) with a 5 s
/// timeout.
pub fn builder_with_token(p: Provider, root: &str, token: &str) -> ClientBuilder {
    Config {
        token: Some(token.to_string()),
        timeout: Some(Duration::from_secs(5)),
        ..Config::for_server(p, root)
    }
    .async_builder()
}

/// [`builder_with_token`] with the suite's token, [`crate::TOKEN`].
pub fn builder(p: Provider, root: &str) -> ClientBuilder {
    builder_with_token(p, root, crate::TOKEN)
}

/// The wiremock route of the provider's reactivation endpoint, for the sample
/// user.
pub fn endpoint(p: Provider) -> MockBuilder {
    Mock::given(matchers::method(method(p))).and(matchers::path(sample_path(p)))
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

/// A JSON response.
pub fn json(status: u16, body: &Value) -> ResponseTemplate {
    Answer::json(status, body).template()
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
    httpdate::fmt_http_date(t)
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
