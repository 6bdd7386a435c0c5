//! The loopback server: hyper HTTP/1.1 (keep-alive) on 127.0.0.1, answering
//! Flashback's `POST /organization/users/{userId}/activate` with its documented
//! success. It runs on its own thread and runtime, so the client side is
//! measured on a runtime of its own.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// Flashback's documented success answer.
pub const SUCCESS_BODY: &str = r#"{"success":true,"message":"User activated successfully"}"#;

/// A running server; it serves until the process ends.
pub struct Server {
    addr: SocketAddr,
    served: Arc<AtomicU64>,
    thread: Option<u32>,
}

impl Server {
    /// Binds 127.0.0.1:0 and serves from a dedicated thread with its own
    /// single-threaded runtime.
    pub fn start() -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let served = Arc::new(AtomicU64::new(0));
        let counter = served.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let _ = tid_tx.send(crate::cpu::thread_id());
                runtime.block_on(accept_loop(listener, counter));
            })?;
        let thread = tid_rx.recv().ok().flatten();
        Ok(Server {
            addr,
            served,
            thread,
        })
    }

    /// The kernel id of the server's thread (to leave its CPU time out of the
    /// client's).
    pub fn thread_id(&self) -> Option<u32> {
        self.thread
    }

    /// The base URL to give the clients (the server root).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers sent so far (any status).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }
}

async fn accept_loop(listener: std::net::TcpListener, served: Arc<AtomicU64>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bench server: {e}");
            return;
        }
    };
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!("bench server: accept failed: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let served = served.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                served.fetch_add(1, Ordering::Relaxed);
                answer(req)
            });
            // A client closing its pooled connection ends this; nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let ok = req.method() == Method::POST && is_activate_path(req.uri().path());
    let method_ok = req.method() == Method::POST;
    // Read the (empty) request body so the connection is reused cleanly.
    let _ = req.into_body().collect().await;
    let (status, body) = if ok {
        (StatusCode::OK, SUCCESS_BODY)
    } else if !method_ok {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"success":false,"message":"method not allowed"}"#,
        )
    } else {
        (
            StatusCode::NOT_FOUND,
            r#"{"success":false,"message":"not found"}"#,
        )
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

/// `/organization/users/{one non-empty segment}/activate`.
fn is_activate_path(path: &str) -> bool {
    path.strip_prefix("/organization/users/")
        .and_then(|rest| rest.strip_suffix("/activate"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// `userbridge-bench serve`: starts the server, prints its base URL on one
/// line, and serves until standard input is closed (or the process is killed).
pub fn serve_until_stdin_closes() -> std::io::Result<()> {
    use std::io::{Read as _, Write as _};
    let server = Server::start()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.base_url())?;
    out.flush()?;
    drop(out);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    eprintln!("bench server: {} answers sent", server.served());
    Ok(())
}

/// The server in a child process of this binary (`serve`): its CPU time and
/// memory are not the client process's.
pub struct ServerProcess {
    child: std::process::Child,
    base_url: String,
}

impl ServerProcess {
    /// Starts `<this binary> serve` and reads the base URL it prints.
    pub fn start() -> Result<ServerProcess, String> {
        use std::io::BufRead as _;
        use std::process::{Command, Stdio};
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("the server process did not start: {e}"))?;
        let mut line = String::new();
        let read = child
            .stdout
            .take()
            .map(|out| std::io::BufReader::new(out).read_line(&mut line));
        let base_url = line.trim().to_string();
        let server = ServerProcess { child, base_url };
        if !matches!(read, Some(Ok(n)) if n > 0) || !server.base_url.starts_with("http://") {
            return Err("the server process did not print its URL".into());
        }
        Ok(server)
    }

    /// The base URL to give the clients (the server root).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for ServerProcess {
    /// Closing its standard input stops the server (it prints how many
    /// answers it sent).
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Where the server runs: a thread of this process (its CPU time is left out
/// of the client's), or a child process (`--server-process`).
pub enum Backend {
    Thread(Server),
    Process(ServerProcess),
}

impl Backend {
    /// A server in a child process when `process`, else in a thread.
    pub fn start(process: bool) -> Result<Backend, String> {
        if process {
            ServerProcess::start().map(Backend::Process)
        } else {
            Server::start()
                .map(Backend::Thread)
                .map_err(|e| format!("the server did not start: {e}"))
        }
    }

    pub fn base_url(&self) -> String {
        match self {
            Backend::Thread(s) => s.base_url(),
            Backend::Process(p) => p.base_url().to_string(),
        }
    }

    pub fn thread_id(&self) -> Option<u32> {
        match self {
            Backend::Thread(s) => s.thread_id(),
            Backend::Process(_) => None,
        }
    }

    pub fn served(&self) -> Option<u64> {
        match self {
            Backend::Thread(s) => Some(s.served()),
            Backend::Process(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activate_paths() {
        assert!(is_activate_path("/organization/users/u1/activate"));
        assert!(is_activate_path("/organization/users/a%2Fb/activate"));
        assert!(!is_activate_path("/organization/users//activate"));
        assert!(!is_activate_path("/organization/users/a/b/activate"));
        assert!(!is_activate_path("/v2/users/u1/reactivate"));
    }
}
