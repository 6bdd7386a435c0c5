//! A real OAuth 2.0 server nobody here wrote: the npm package
//! [`oauth2-mock-server`](https://github.com/axa-group/oauth2-mock-server)
//! [`VERSION`], installed by [`super::npm_package`] into
//! `<target dir>/tools/oauth2-mock-server-<VERSION>/` and run on 127.0.0.1 by
//! `tests/oauth/server.mjs`: the package's own issuer, service and HTTP server,
//! assembled as its `OAuth2Server` (and its CLI) does, with one JSON line of
//! access log per request on stdout ([`OAuthServer::requests`]).
//!
//! What the server does (version 8.2.3): `POST /token` issues RS256 JWTs to
//! any client (no client authentication) for `grant_type=client_credentials`
//! (`iss` = [`OAuthServer::issuer`], `exp` = `iat` + 3600, `expires_in` 3600,
//! `scope` echoed); `GET /jwks` publishes its public key; a malformed token
//! request is a 400 `{"error":"invalid_request",...}`; an unknown path a 404
//! with an empty body.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The pinned version: the newest whose `engines` admits Node 20
/// (`^20.19 || ^22.12 || ^24`); 9.0 and later need Node 22.12.
pub const VERSION: &str = "8.2.3";
/// The npm package.
pub const PACKAGE: &str = "oauth2-mock-server";
/// The Node.js versions the pinned version declares (`engines.node`).
pub const NODE_ENGINES: &str = "^20.19 || ^22.12 || ^24";

/// What a failure to start says first: how the suite gets its server.
pub const HOW_TO_RUN: &str = "this test installs the OAuth 2.0 server oauth2-mock-server 8.2.3 \
    from npm into <target>/tools/ itself and runs it on 127.0.0.1: it needs Node.js 20.19+, \
    22.12+ or 24 and npm on PATH, and access to the npm registry the first time";

/// The package installed (once per target directory); its directory.
pub fn install() -> Result<PathBuf, String> {
    super::npm_package(&format!("{PACKAGE}-{VERSION}"), PACKAGE, VERSION)
}

/// `node --version`, checked against [`NODE_ENGINES`] (a newer major than
/// 24 is let through: npm does not enforce `engines` either).
fn check_node() -> Result<String, String> {
    let version = super::run("node", &["--version"])?;
    let mut parts = version.trim_start_matches('v').split('.');
    let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
    let supported = match (next(), next()) {
        (Some(20), Some(minor)) => minor >= 19,
        (Some(22), Some(minor)) => minor >= 12,
        (Some(major), Some(_)) => major >= 24,
        _ => false,
    };
    if supported {
        Ok(version)
    } else {
        Err(format!(
            "node {version} cannot run {PACKAGE} {VERSION} (engines: node {NODE_ENGINES})"
        ))
    }
}

/// One request as the server's access log shows it.
#[derive(Clone, Debug)]
pub struct Logged {
    /// `GET`, `POST`.
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    /// `content-type`, if any.
    pub content_type: Option<String>,
    /// The scheme of `authorization` (`Basic`, `Bearer`), if any.
    pub authorization: Option<String>,
    /// The body as the server parsed it (a token request's form), if it did.
    pub form: Option<Value>,
    /// The status it answered.
    pub status: u16,
}

impl Logged {
    /// A field of the parsed form, as text.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.as_ref()?.get(name)?.as_str()
    }
}

/// oauth2-mock-server, running on 127.0.0.1 until dropped (killed, then
/// waited for).
pub struct OAuthServer {
    child: Child,
    url: String,
    issuer: String,
    log: Arc<Mutex<Vec<Logged>>>,
    output: Arc<Mutex<Vec<String>>>,
}

impl Drop for OAuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl std::fmt::Debug for OAuthServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthServer")
            .field("url", &self.url)
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// The script that runs the server (`tests/oauth/server.mjs`).
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oauth/server.mjs")
}

impl OAuthServer {
    /// Installs the server if needed, starts it on 127.0.0.1 on a port the
    /// system picks, and returns once it listens (at most 30 s).
    pub fn start() -> Result<OAuthServer, String> {
        let node = check_node()?;
        let home = install()?;
        let lib = home
            .join("node_modules")
            .join(PACKAGE)
            .join("dist")
            .join("index.mjs");
        if !lib.is_file() {
            return Err(format!("{} is missing", lib.display()));
        }
        let mut child = Command::new("node")
            .arg(script())
            .arg(&lib)
            .args(["127.0.0.1", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("node {node} could not start {}: {e}", script().display()))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let output = Arc::new(Mutex::new(Vec::new()));
        let (listening, announced) = mpsc::channel::<(String, String)>();
        if let Some(stdout) = child.stdout.take() {
            let (log, output) = (log.clone(), output.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    match serde_json::from_str::<Value>(&line) {
                        Ok(v) if v["event"] == "listening" => {
                            let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                            let _ = listening.send((text("url"), text("issuer")));
                        }
                        Ok(v) if v["event"] == "request" => {
                            let text = |k: &str| v[k].as_str().map(str::to_string);
                            let logged = Logged {
                                method: text("method").unwrap_or_default(),
                                path: text("path").unwrap_or_default(),
                                content_type: text("content_type"),
                                authorization: text("authorization"),
                                form: Some(v["form"].clone()).filter(|f| !f.is_null()),
                                status: v["status"].as_u64().unwrap_or(0) as u16,
                            };
                            if let Ok(mut l) = log.lock() {
                                l.push(logged);
                            }
                        }
                        _ => {}
                    }
                    if let Ok(mut o) = output.lock() {
                        o.push(line);
                    }
                }
            });
        }
        if let Some(stderr) = child.stderr.take() {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(mut o) = output.lock() {
                        o.push(line);
                    }
                }
            });
        }
        let mut server = OAuthServer {
            child,
            url: String::new(),
            issuer: String::new(),
            log,
            output,
        };
        let started = Instant::now();
        loop {
            match announced.recv_timeout(Duration::from_millis(100)) {
                Ok((url, issuer)) => {
                    server.url = url;
                    server.issuer = issuer;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!("the server exited:\n{}", server.output()));
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "the server exited ({status}):\n{}",
                    server.output()
                ));
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!(
                    "the server did not listen within 30 s:\n{}",
                    server.output()
                ));
            }
        }
        // It says it listens once it does; check, from here.
        let port = server.port();
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| {
            format!(
                "the server said it listens on {} but 127.0.0.1:{port} refuses: {e}",
                server.url
            )
        })?;
        Ok(server)
    }

    /// `http://127.0.0.1:<port>`, where it listens.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `iss` of its tokens (`http://localhost:<port>`: the package names
    /// a loopback address `localhost`).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// Every request it answered so far, in order.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits (at most 10 s) until a request matching `which` has been
    /// answered, then returns every request answered so far.
    pub fn requests_until(&self, which: impl Fn(&Logged) -> bool) -> Vec<Logged> {
        let started = Instant::now();
        loop {
            let seen = self.requests();
            if seen.iter().any(&which) || started.elapsed() > Duration::from_secs(10) {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything it printed (stdout and stderr), for failure messages.
    pub fn output(&self) -> String {
        self.output.lock().map(|o| o.join("\n")).unwrap_or_default()
    }
}
