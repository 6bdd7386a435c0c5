//! Every documented case of every annotated spec, served by Prism in mock mode:
//! the SDK against the spec itself, not against our reading of it.
//!
//! For each provider of `Provider::ALL` whose `openapi/<name>.yaml` is annotated
//! (see `spec_cases`), Prism (`@stoplight/prism-cli` 5.14.2) mocks the spec on
//! 127.0.0.1, and a small forwarding proxy in front of it adds, to each call the
//! SDK makes, the `Prefer: code=<status>, example=<name>` header of the answer the
//! case plans for that call's operation. The SDK's result must match the
//! example's `x-userbridge-outcome`, the calls must be exactly the planned ones,
//! and Prism must report no violation of the spec by any request
//! (`sl-violations`). Cases run with the async client and with the blocking one.
//!
//! Prism is installed with npm into `<target dir>/tools/prism-5.14.2/` when it is
//! not there yet. Without node and npm, or if the install fails, the test fails
//! and says why: it never passes without having run.

mod spec_cases;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use spec_cases::{Answer, Case, NotCovered, Spec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use userbridge::{Client, Error, Provider, ReactivateRequest, Reactivated, RetryPolicy};
use userbridge_tests::{tools, Credentials};

const PRISM_VERSION: &str = "5.14.2";
const PRISM_PACKAGE: &str = "@stoplight/prism-cli";
/// The token every case sends (Prism checks that the bearer scheme is used).
const TOKEN: &str = "userbridge-prism-token";

// ------------------------------------------------------------------ Prism itself

/// The `prism` executable, installed first if needed (see
/// [`userbridge_tests::tools::npm_package`]).
fn prism() -> Result<PathBuf, String> {
    let dir = tools::npm_package(
        &format!("prism-{PRISM_VERSION}"),
        PRISM_PACKAGE,
        PRISM_VERSION,
    )?;
    let bin = dir.join("node_modules").join(".bin").join("prism");
    let version = tools::run(&bin.to_string_lossy(), &["--version"])?;
    if version != PRISM_VERSION {
        return Err(format!(
            "{} is Prism {version}, expected {PRISM_VERSION}",
            bin.display()
        ));
    }
    Ok(bin)
}

/// A running `prism mock`, stopped when dropped.
struct PrismServer {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for PrismServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

async fn start_prism(bin: &Path, spec: &Path) -> Result<PrismServer, String> {
    let port = free_port();
    let mut child = Command::new(bin)
        .args(["mock", &spec.to_string_lossy(), "-h", "127.0.0.1", "-p"])
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("prism could not start: {e}"))?;
    let log = Arc::new(Mutex::new(Vec::new()));
    for pipe in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Ok(mut l) = log.lock() {
                    l.push(line);
                }
            }
        });
    }
    let server = PrismServer { child, port, log };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    Err(format!(
        "prism did not listen on port {port} within 60 s:\n{log}"
    ))
}

// ------------------------------------------------------------------ the proxy

/// One call as it reached the proxy.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    operation: Option<String>,
    status: u16,
    violations: Option<String>,
}

/// What the proxy knows: the spec's operations, the current plan, the calls.
struct ProxyState {
    operations: Vec<spec_cases::Operation>,
    /// A versioned vendor JSON media type of the spec (AWS JSON 1.1's
    /// `application/x-amz-json-1.1`), which Prism can neither parse nor
    /// serialize: Prism gets a copy of the spec with it read as
    /// `application/json` ([`prism_spec`]), and the proxy translates the
    /// `Content-Type` and `Accept` of the requests to Prism and of its answers.
    vendor_json: Option<String>,
    /// operationId -> the `Prefer` header of its planned answer.
    /// The `Prefer` header of each operation's calls, in order; the last one
    /// answers any further call.
    plan: BTreeMap<String, std::collections::VecDeque<String>>,
    seen: Vec<Seen>,
}

struct Proxy {
    port: u16,
    state: Arc<Mutex<ProxyState>>,
}

impl Proxy {
    async fn start(
        prism_port: u16,
        operations: Vec<spec_cases::Operation>,
        vendor_json: Option<String>,
    ) -> Result<Proxy, String> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("the proxy cannot bind: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let state = Arc::new(Mutex::new(ProxyState {
            operations,
            vendor_json,
            plan: BTreeMap::new(),
            seen: Vec::new(),
        }));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, http) = (shared.clone(), http.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, prism_port, state, http).await;
                });
            }
        });
        Ok(Proxy { port, state })
    }

    fn begin(&self, plan: BTreeMap<String, std::collections::VecDeque<String>>) {
        if let Ok(mut s) = self.state.lock() {
            s.plan = plan;
            s.seen.clear();
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.state
            .lock()
            .map(|s| s.seen.clone())
            .unwrap_or_default()
    }
}

/// A request head and body read from a connection.
struct RawRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<RawRequest>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(RawRequest {
        method,
        target,
        headers,
        body,
    }))
}

async fn serve(
    mut stream: TcpStream,
    prism_port: u16,
    state: Arc<Mutex<ProxyState>>,
    http: reqwest::Client,
) -> std::io::Result<()> {
    let Some(req) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let path = req.target.split('?').next().unwrap_or_default().to_string();
    let (operation, prefer, vendor_json) = {
        let mut s = state
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        let vendor_json = s.vendor_json.clone();
        let operation = s
            .operations
            .iter()
            .find(|o| o.matches(&req.method, &path))
            .map(|o| o.id.clone());
        let queue = operation.as_ref().and_then(|o| s.plan.get_mut(o));
        let prefer = queue.and_then(|q| {
            if q.len() > 1 {
                q.pop_front()
            } else {
                q.front().cloned()
            }
        });
        (operation, prefer, vendor_json)
    };
    // Prism reads the vendor JSON type as `application/json` (see
    // `prism_spec`); the client sees its own type.
    let to_prism = |k: &str, v: &str| match &vendor_json {
        Some(vendor)
            if matches!(k, "content-type" | "accept") && v.eq_ignore_ascii_case(vendor) =>
        {
            "application/json".to_string()
        }
        _ => v.to_string(),
    };
    let mut seen = Seen {
        method: req.method.clone(),
        target: req.target.clone(),
        operation: operation.clone(),
        status: 0,
        violations: None,
    };
    let (status, headers, body) = match prefer {
        // A call the case does not plan: answered here, and the case fails.
        None => (
            599,
            vec![("content-type".to_string(), "text/plain".to_string())],
            b"not planned by the case".to_vec(),
        ),
        Some(prefer) => {
            let method =
                reqwest::Method::from_bytes(req.method.as_bytes()).unwrap_or(reqwest::Method::GET);
            let mut out = http.request(
                method,
                format!("http://127.0.0.1:{prism_port}{}", req.target),
            );
            for (k, v) in &req.headers {
                if !matches!(k.as_str(), "host" | "content-length" | "connection") {
                    out = out.header(k.as_str(), to_prism(k.as_str(), v));
                }
            }
            let answer = out.header("prefer", prefer).body(req.body).send().await;
            match answer {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let headers: Vec<(String, String)> = r
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                            let v = match &vendor_json {
                                Some(vendor)
                                    if k.as_str() == "content-type"
                                        && v.starts_with("application/json") =>
                                {
                                    vendor.clone()
                                }
                                _ => v,
                            };
                            (k.as_str().to_string(), v)
                        })
                        .collect();
                    let body = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    (status, headers, body)
                }
                Err(e) => (
                    599,
                    vec![("content-type".to_string(), "text/plain".to_string())],
                    format!("prism did not answer: {e}").into_bytes(),
                ),
            }
        }
    };
    seen.status = status;
    seen.violations = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("sl-violations"))
        .map(|(_, v)| v.clone());
    if let Ok(mut s) = state.lock() {
        s.seen.push(seen);
    }
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut response = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in &headers {
        if !matches!(
            k.to_ascii_lowercase().as_str(),
            "content-length" | "connection" | "transfer-encoding" | "keep-alive"
        ) {
            response.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    response.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(response.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.flush().await?;
    Ok(())
}

// ------------------------------------------------------------------ the cases

fn request(spec: &Spec) -> ReactivateRequest {
    let req = ReactivateRequest::new(spec.user_id.clone());
    match &spec.organization {
        Some(org) => req.organization(org.clone()),
        None => req,
    }
}

async fn run_async(spec: &Spec, base: &str) -> Result<Reactivated, Error> {
    let mut builder = Client::builder(spec.provider);
    if let Some(org) = &spec.organization {
        builder = builder.organization(org.clone());
    }
    let client = builder
        .base_url(base)
        .credentials(spec.provider, TOKEN)
        .retry_policy(RetryPolicy::none())
        .timeout(spec_cases::TIMEOUT)
        .build()?;
    client.users().reactivate(request(spec)).await
}

async fn run_blocking(spec: &Spec, base: &str) -> Result<Reactivated, Error> {
    let (provider, base, req) = (spec.provider, base.to_string(), request(spec));
    let org = spec.organization.clone();
    tokio::task::spawn_blocking(move || {
        let mut builder = userbridge_blocking::Client::builder(provider);
        if let Some(org) = org {
            builder = builder.organization(org);
        }
        let client = builder
            .base_url(base)
            .credentials(provider, TOKEN)
            .retry_policy(RetryPolicy::none())
            .timeout(spec_cases::TIMEOUT)
            .build()?;
        client.users().reactivate(req)
    })
    .await
    .unwrap_or_else(|e| panic!("the blocking client's task failed: {e}"))
}

/// Checks the calls of one case: exactly the planned operations, once each,
/// with the planned answers, and no violation Prism reported.
fn check_calls(case: &Case, seen: &[Seen]) -> Result<(), String> {
    let mut problems = Vec::new();
    for s in seen {
        match &s.operation {
            None => problems.push(format!(
                "{} {}: not an operation of the spec",
                s.method, s.target
            )),
            Some(op) if !case.plan.contains_key(op) => {
                problems.push(format!("{} {}: `{op}` is not planned", s.method, s.target))
            }
            _ => {}
        }
        if let Some(v) = &s.violations {
            problems.push(format!(
                "{} {}: Prism reports violations: {v}",
                s.method, s.target
            ));
        }
        if s.status == 599 {
            problems.push(format!("{} {}: no answer from Prism", s.method, s.target));
        }
    }
    for (op, answers) in &case.plan {
        let n = seen
            .iter()
            .filter(|s| s.operation.as_deref() == Some(op))
            .count();
        if n != answers.len() {
            problems.push(format!(
                "`{op}` was called {n} times, planned {}",
                answers.len()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n    calls: {seen:?}",
            case.name(),
            problems.join("; ")
        ))
    }
}

/// The `Prefer` header that makes Prism give each planned answer: its status
/// (the outcome's for `default`) and example.
fn prefer_headers(
    spec: &Spec,
    plan: &BTreeMap<String, Vec<Answer>>,
) -> Result<BTreeMap<String, std::collections::VecDeque<String>>, String> {
    plan.iter()
        .map(|(op, answers)| {
            let prefers = answers
                .iter()
                .map(|a| {
                    let status = spec.served(op, a)?.status;
                    Ok(match &a.example {
                        Some(e) => format!("code={status}, example={e}"),
                        None => format!("code={status}"),
                    })
                })
                .collect::<Result<_, String>>()?;
            Ok((op.clone(), prefers))
        })
        .collect()
}

/// Runs every case of one spec against Prism; returns the failures.
/// Whether a media type is a versioned vendor JSON type
/// (`application/x-amz-json-1.1`).
fn is_vendor_json(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or_default().trim();
    m.starts_with("application/x-") && m.contains("-json-")
}

/// The spec Prism serves: the spec itself, or, where it uses a versioned
/// vendor JSON media type Prism cannot read, a copy (JSON, under the target
/// directory) with that type read as `application/json`, the same schemas
/// and examples; and that media type.
fn prism_spec(spec: &Spec) -> Result<(PathBuf, Option<String>), String> {
    let original = spec_cases::spec_path(spec.provider);
    fn rename(v: &mut serde_json::Value, found: &mut Option<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(content) = map.get_mut("content").and_then(|c| c.as_object_mut()) {
                    let vendor: Vec<String> = content
                        .keys()
                        .filter(|k| is_vendor_json(k))
                        .cloned()
                        .collect();
                    for key in vendor {
                        if let Some(media) = content.remove(&key) {
                            content.insert("application/json".to_string(), media);
                        }
                        *found = Some(key);
                    }
                }
                map.values_mut().for_each(|v| rename(v, found));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| rename(v, found)),
            _ => {}
        }
    }
    let mut doc = spec.doc.clone();
    let mut found = None;
    rename(&mut doc, &mut found);
    let Some(vendor) = found else {
        return Ok((original, None));
    };
    let copy = tools::tools_dir().join(format!(
        "prism-spec-{}-{}.json",
        spec.provider.as_str(),
        std::process::id()
    ));
    std::fs::create_dir_all(tools::tools_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&copy, doc.to_string()).map_err(|e| format!("{}: {e}", copy.display()))?;
    Ok((copy, Some(vendor)))
}

async fn run_spec(bin: &Path, spec: &Spec, cases: &[Case]) -> Result<Vec<String>, String> {
    let (spec_file, vendor_json) = prism_spec(spec)?;
    let prism = start_prism(bin, &spec_file).await;
    if vendor_json.is_some() {
        // Prism has read the copy.
        let _ = std::fs::remove_file(&spec_file);
    }
    let prism = prism?;
    let proxy = Proxy::start(prism.port, spec.operations.clone(), vendor_json).await?;
    // Prism serves the spec's paths without the server URL's path.
    let base = format!("http://127.0.0.1:{}", proxy.port);
    let mut failures = Vec::new();
    for case in cases {
        let plan = prefer_headers(spec, &case.plan)?;
        for (client, blocking) in [("async", false), ("blocking", true)] {
            proxy.begin(plan.clone());
            let result = if blocking {
                run_blocking(spec, &base).await
            } else {
                run_async(spec, &base).await
            };
            let seen = proxy.seen();
            let checks = [spec_cases::check(case, &result), check_calls(case, &seen)];
            for e in checks.into_iter().filter_map(Result::err) {
                failures.push(format!("{} ({client}): {e}", spec.provider));
            }
        }
    }
    Ok(failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prism_mock_mode_serves_every_documented_case_as_the_sdk_expects() {
    let started = Instant::now();
    let bin =
        prism().unwrap_or_else(|e| panic!("Prism is not available, so nothing was checked: {e}"));
    let mut covered = Vec::new();
    let mut not_covered = Vec::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for provider in Provider::ALL {
        let spec = match Spec::load(provider) {
            Ok(Ok(spec)) => spec,
            Ok(Err(NotCovered::NoSpec)) => {
                not_covered.push(format!("{provider}: no openapi/{}.yaml", provider.as_str()));
                continue;
            }
            Ok(Err(NotCovered::NotAnnotated(why))) => {
                not_covered.push(format!("{provider}: not annotated ({why})"));
                continue;
            }
            Err(e) => {
                failures.push(format!("{provider}: {e}"));
                continue;
            }
        };
        let cases = match spec.cases() {
            Ok(cases) => cases,
            Err(e) => {
                failures.push(format!(
                    "{provider}: the spec's case data is incomplete:\n{e}"
                ));
                continue;
            }
        };
        let spec_started = Instant::now();
        match run_spec(&bin, &spec, &cases).await {
            Ok(f) => failures.extend(f),
            Err(e) => failures.push(format!("{provider}: {e}")),
        }
        total += cases.len();
        covered.push(format!(
            "{provider}: {} cases x 2 clients in {:.1} s",
            cases.len(),
            spec_started.elapsed().as_secs_f64()
        ));
    }
    eprintln!(
        "Prism {PRISM_VERSION} mock mode, {total} documented cases in {:.1} s\n  covered:\n    {}\n  \
         not covered:\n    {}",
        started.elapsed().as_secs_f64(),
        covered.join("\n    "),
        if not_covered.is_empty() { "(none)".to_string() } else { not_covered.join("\n    ") }
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        !covered.is_empty(),
        "no spec is annotated for the Prism suite: nothing was checked"
    );
}
