//! `cargo xtask conformance`: our specs, simulators and requests checked by
//! tools we did not write.
//!
//! - **Spectral** (`@stoplight/spectral-cli`) lints every spec with the
//!   repository's ruleset (`.spectral.yaml`, extending `spectral:oas`), failing
//!   on warnings.
//! - **Schemathesis** runs against each provider's simulator (the `simulator`
//!   example), with the checks for status codes, content types, headers and
//!   response schemas; the spec's user (and organization) parameters are the
//!   simulator's seeded user and organization.
//! - **Prism** (`@stoplight/prism-cli`) in proxy mode sits between the SDK (the
//!   `reactivate` example) and each simulator; the documented cases (a
//!   deactivated user, the same user again, an unknown user, a rejected token)
//!   must come out as documented with zero request violations.
//!
//! The tools are installed under `<target>/tools/` when missing (npm and pip
//! reach their registries), pinned. Every provider with a spec in `openapi/` is
//! covered; nothing here names one. One line per tool and provider is printed;
//! any finding fails the command.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Pinned tool versions.
pub const SPECTRAL: &str = "@stoplight/spectral-cli@6.16.3";
/// Prism 5.14.2: 5.16 needs a newer Node than 20.
pub const PRISM: &str = "@stoplight/prism-cli@5.14.2";
/// Schemathesis, from PyPI.
pub const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// Schemathesis' checks: what the simulators answer, against the specs.
const CHECKS: &str = "status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";

/// One tool's verdict on one subject.
struct Line {
    tool: &'static str,
    subject: String,
    ok: bool,
    what: String,
}

/// Runs every check; `Ok` is the report when all passed, `Err` the report with
/// the failures.
pub fn run(root: &Path, only: Option<&str>) -> Result<String, String> {
    let target = target_dir(root);
    let tools = target.join("tools");
    let spectral = npm_tool(&tools, SPECTRAL, "spectral")?;
    let prism = npm_tool(&tools, PRISM, "prism")?;
    let st = pip_tool(&tools, SCHEMATHESIS, "st")?;
    let examples = build_examples(root, &target)?;

    let mut lines = Vec::new();
    for spec in specs(root)? {
        let name = spec_name(&spec);
        if only.is_some_and(|o| o != name) {
            continue;
        }
        lines.push(lint(root, &spectral, &spec, &name));
        let doc = read_yaml(&spec)?;
        let facts = match SpecFacts::of(&doc) {
            Ok(f) => f,
            Err(why) => {
                for tool in ["schemathesis", "prism-proxy"] {
                    lines.push(Line {
                        tool,
                        subject: name.clone(),
                        ok: false,
                        what: why.clone(),
                    });
                }
                continue;
            }
        };
        lines.push(schemathesis(&st, &examples, &spec, &name, &facts));
        lines.push(prism_proxy(&prism, &examples, &spec, &name, &facts));
    }
    let mut report = String::new();
    for l in &lines {
        let _ = writeln!(
            report,
            "{:<13} {:<12} {}  {}",
            l.tool,
            l.subject,
            if l.ok { "ok  " } else { "FAIL" },
            l.what
        );
    }
    let failed = lines.iter().filter(|l| !l.ok).count();
    let _ = writeln!(
        report,
        "\n{} checks, {} passed, {failed} failed",
        lines.len(),
        lines.len() - failed
    );
    if failed == 0 && !lines.is_empty() {
        Ok(report)
    } else {
        Err(report)
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"))
}

/// The provider specs: `openapi/*.yaml`.
fn specs(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("openapi");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    out.sort();
    Ok(out)
}

fn spec_name(spec: &Path) -> String {
    spec.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_yaml(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

// ------------------------------------------------------------------- tools

fn run_quiet(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// An npm package's binary under `tools/<package@version>/`, installed if
/// missing.
fn npm_tool(tools: &Path, package: &str, bin: &str) -> Result<PathBuf, String> {
    let dir = tools.join(package.trim_start_matches('@').replace('/', "-"));
    let exe = dir.join("node_modules/.bin").join(bin);
    if exe.exists() {
        return Ok(exe);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!("installing {package} (npm) into {}", dir.display());
    run_quiet(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(package),
        &format!("npm install {package} (needs node and npm: apt-get install nodejs npm)"),
    )?;
    exe.exists()
        .then_some(exe)
        .ok_or_else(|| format!("{package} installed, but {bin} is missing"))
}

/// A PyPI package's console script in a venv under `tools/<package>/`,
/// installed if missing.
fn pip_tool(tools: &Path, requirement: &str, bin: &str) -> Result<PathBuf, String> {
    let dir = tools.join(requirement.replace("==", "-"));
    let exe = dir.join("venv/bin").join(bin);
    if exe.exists() {
        return Ok(exe);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!("installing {requirement} (pip) into {}", dir.display());
    let venv = dir.join("venv");
    run_quiet(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (needs python3 with venv: apt-get install python3-venv)",
    )?;
    run_quiet(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(requirement),
        &format!("pip install {requirement}"),
    )?;
    exe.exists()
        .then_some(exe)
        .ok_or_else(|| format!("{requirement} installed, but {bin} is missing"))
}

/// The SDK's `simulator` and `reactivate` examples, built.
struct Examples {
    simulator: PathBuf,
    reactivate: PathBuf,
}

fn build_examples(root: &Path, target: &Path) -> Result<Examples, String> {
    run_quiet(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(root)
            .args([
                "build",
                "-p",
                "userbridge",
                "--features",
                "mock",
                "--example",
                "simulator",
                "--example",
                "reactivate",
            ]),
        "building the simulator and reactivate examples",
    )?;
    let dir = target.join("debug/examples");
    Ok(Examples {
        simulator: dir.join("simulator"),
        reactivate: dir.join("reactivate"),
    })
}

// ------------------------------------------------------------------ Spectral

fn lint(root: &Path, spectral: &Path, spec: &Path, name: &str) -> Line {
    let out = Command::new(spectral)
        .current_dir(root)
        .args([
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--fail-severity",
            "warn",
        ])
        .args(["--format", "json", "--quiet"])
        .arg(spec)
        .output();
    let (ok, what) = match out {
        Err(e) => (false, format!("cannot run spectral: {e}")),
        Ok(out) => {
            let findings: Vec<Value> =
                serde_json::from_slice(&out.stdout).unwrap_or_else(|_| Vec::new());
            let listed: Vec<String> = findings
                .iter()
                .map(|f| {
                    format!(
                        "{} at {} ({})",
                        f["code"].as_str().unwrap_or("?"),
                        f["path"]
                            .as_array()
                            .map(|p| p
                                .iter()
                                .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_string))
                                .collect::<Vec<_>>()
                                .join("."))
                            .unwrap_or_default(),
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect();
            if out.status.success() && listed.is_empty() {
                (true, "0 findings".to_string())
            } else if listed.is_empty() {
                (
                    false,
                    format!(
                        "spectral failed ({}): {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                )
            } else {
                (
                    false,
                    format!("{} finding(s): {}", listed.len(), listed.join("; ")),
                )
            }
        }
    };
    Line {
        tool: "spectral",
        subject: name.to_string(),
        ok,
        what,
    }
}

// -------------------------------------------------------- the spec's facts

/// What the checks need to know of a spec: its parameters' roles and the
/// sample user id (`x-userbridge-param`, `example`).
struct SpecFacts {
    /// `(location, name)` of the user id parameters, e.g. `("path", "userId")`.
    user_params: Vec<(String, String)>,
    /// `(location, name)` of the organization parameters.
    org_params: Vec<(String, String)>,
    /// The sample user id: the user parameter's `example`.
    user: String,
    /// The service name of a spec whose requests are signed with AWS
    /// Signature Version 4 (its security scheme says
    /// `x-amazon-apigateway-authtype: awsSigv4`, the API Gateway extension
    /// Smithy's OpenAPI conversion writes): the first label of its server's
    /// host (`cognito-idp`).
    aws_service: Option<String>,
    /// Versioned vendor JSON media types of the spec
    /// (`application/x-amz-json-1.1`): JSON that Schemathesis does not know
    /// by that name ([`schemathesis_hooks`] teaches it).
    vendor_json: Vec<String>,
}

impl SpecFacts {
    fn of(doc: &Value) -> Result<SpecFacts, String> {
        let mut user_params = Vec::new();
        let mut org_params = Vec::new();
        let mut user = None;
        let paths = doc["paths"].as_object().ok_or("the spec has no paths")?;
        for item in paths.values() {
            let Some(item) = item.as_object() else {
                continue;
            };
            let shared = item.get("parameters").and_then(Value::as_array);
            let ops = item
                .values()
                .filter_map(|op| op.get("parameters")?.as_array());
            for param in shared.into_iter().chain(ops).flatten() {
                let param = resolve(doc, param);
                let role = param["x-userbridge-param"].as_str();
                let key = (
                    param["in"].as_str().unwrap_or_default().to_string(),
                    param["name"].as_str().unwrap_or_default().to_string(),
                );
                match role {
                    Some("user") => {
                        if user.is_none() {
                            user = param["example"].as_str().map(str::to_string);
                        }
                        if !user_params.contains(&key) {
                            user_params.push(key);
                        }
                    }
                    Some("organization") if !org_params.contains(&key) => org_params.push(key),
                    _ => {}
                }
            }
        }
        // A user named in a JSON request body (Firebase's `localId`): a
        // property marked `x-userbridge-param: user`, its example (a string,
        // or the first of an array).
        if user.is_none() {
            user = paths
                .values()
                .filter_map(Value::as_object)
                .flat_map(|item| item.values())
                .filter_map(|op| {
                    // Any JSON media type (AWS JSON 1.1's is its own).
                    op.pointer("/requestBody/content")?
                        .as_object()?
                        .values()
                        .next()?
                        .get("schema")
                })
                .filter_map(|schema| resolve(doc, schema).get("properties")?.as_object())
                .flat_map(|props| props.values())
                .map(|p| resolve(doc, p))
                .filter(|p| p["x-userbridge-param"].as_str() == Some("user"))
                .find_map(|p| match &p["example"] {
                    Value::String(s) => Some(s.clone()),
                    Value::Array(items) => items.first()?.as_str().map(str::to_string),
                    _ => None,
                });
        }
        let user = user.ok_or(
            "no parameter (or request body property) marked `x-userbridge-param: user` with an \
             `example`: the checks cannot tell which user to seed",
        )?;
        let sigv4 = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .is_some_and(|schemes| {
                schemes
                    .values()
                    .any(|s| s["x-amazon-apigateway-authtype"].as_str() == Some("awsSigv4"))
            });
        let aws_service = sigv4.then(|| {
            let url = doc
                .pointer("/servers/0/url")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let host = url.split("://").nth(1).unwrap_or(url);
            host.split(['.', '/'])
                .next()
                .unwrap_or_default()
                .to_string()
        });
        let mut vendor_json = Vec::new();
        collect_vendor_json(doc, &mut vendor_json);
        Ok(SpecFacts {
            user_params,
            org_params,
            user,
            aws_service,
            vendor_json,
        })
    }
}

/// The versioned vendor JSON media types (`application/x-<name>-json-<version>`)
/// that are keys of any `content` in `v`.
fn collect_vendor_json(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(content) = map.get("content").and_then(Value::as_object) {
                for media in content.keys() {
                    let essence = media.split(';').next().unwrap_or_default().trim();
                    let vendor =
                        essence.starts_with("application/x-") && essence.contains("-json-");
                    if vendor && !out.iter().any(|m| m == essence) {
                        out.push(essence.to_string());
                    }
                }
            }
            map.values().for_each(|v| collect_vendor_json(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_vendor_json(v, out)),
        _ => {}
    }
}

/// A Schemathesis hooks module (`SCHEMATHESIS_HOOKS`) that reads and writes
/// `media_types` as the JSON they are (its `serializer` and `deserializer`
/// extension points), or `None` when there are none.
fn schemathesis_hooks(media_types: &[String]) -> Option<String> {
    if media_types.is_empty() {
        return None;
    }
    let list = media_types
        .iter()
        .map(|m| format!("{m:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "import json\nimport schemathesis\n\n\
         @schemathesis.serializer({list})\n\
         def vendor_json(ctx, value):\n    return {{\"data\": json.dumps(value).encode(\"utf-8\")}}\n\n\
         @schemathesis.deserializer({list})\n\
         def vendor_json_response(ctx, response):\n    return json.loads(response.content)\n"
    ))
}

/// `v`, or what its local `$ref` points to.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap_or(v),
        None => v,
    }
}

/// An id of the same form as `id`, differing in its last letter or digit: an
/// unknown user that passes the same request rules.
fn sibling(id: &str) -> String {
    let mut chars: Vec<char> = id.chars().collect();
    if let Some(c) = chars.iter_mut().rev().find(|c| c.is_ascii_alphanumeric()) {
        *c = match *c {
            '9' => '8',
            '0'..='8' => (*c as u8 + 1) as char,
            'z' => 'y',
            'Z' => 'Y',
            _ => (*c as u8 + 1) as char,
        };
    }
    chars.into_iter().collect()
}

// ---------------------------------------------------------------- processes

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the `simulator` example printed.
struct Sim {
    _process: Running,
    base_url: String,
    token: String,
    organization: String,
}

fn start_simulator(examples: &Examples, name: &str, user: &str) -> Result<Sim, String> {
    let mut child = Command::new(&examples.simulator)
        .arg(name)
        .arg("--user")
        .arg(format!("{user}=deactivated"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let stdout = child.stdout.take().ok_or("the simulator has no stdout")?;
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading the simulator's line: {e}"))?;
    let v: Value = serde_json::from_str(&line)
        .map_err(|e| format!("the simulator printed `{}`: {e}", line.trim()))?;
    let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    Ok(Sim {
        _process: running,
        base_url: field("base_url"),
        token: field("token"),
        organization: field("organization"),
    })
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

fn wait_for_port(port: u16, child: &mut Child, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status}) before listening"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("it did not listen on port {port} within {limit:?}"))
}

// ------------------------------------------------- vendor JSON for Prism

/// A JSON copy of `spec` (next to the system's temporary files) whose
/// `vendor` media types are `application/json` (same schemas and examples):
/// Prism reads and writes JSON only by that name (or `+json`).
fn json_copy(spec: &Path, vendor: &[String]) -> Result<PathBuf, String> {
    fn rename(v: &mut Value, vendor: &[String]) {
        match v {
            Value::Object(map) => {
                if let Some(content) = map.get_mut("content").and_then(Value::as_object_mut) {
                    for m in vendor {
                        if let Some(media) = content.remove(m) {
                            content.insert("application/json".to_string(), media);
                        }
                    }
                }
                map.values_mut().for_each(|v| rename(v, vendor));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| rename(v, vendor)),
            _ => {}
        }
    }
    let mut doc = read_yaml(spec)?;
    rename(&mut doc, vendor);
    let copy = std::env::temp_dir().join(format!(
        "userbridge-prism-spec-{}-{}.json",
        spec_name(spec),
        std::process::id()
    ));
    std::fs::write(&copy, doc.to_string()).map_err(|e| format!("{}: {e}", copy.display()))?;
    Ok(copy)
}

/// A relay on a free port to `127.0.0.1:upstream`, one request per
/// connection (it closes each), for the rest of the process: the requests'
/// `Content-Type` and `Accept` of media type `from` go on as `to`, and the
/// answers' `Content-Type` `to` comes back as `from`. In front of Prism
/// (`from` the vendor type) and behind it (`from` `application/json`).
fn media_relay(upstream: u16, from: &str, to: &str) -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let (from, to) = (from.to_string(), to.to_string());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (from, to) = (from.clone(), to.clone());
            std::thread::spawn(move || {
                let _ = relay_one(stream, upstream, &from, &to);
            });
        }
    });
    Ok(port)
}

/// One request through [`media_relay`].
fn relay_one(mut client: TcpStream, upstream: u16, from: &str, to: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let (head, body) = read_message(&mut client, true)?;
    let head = swap_media(&head, from, to, &["content-type", "accept"]);
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    server.write_all(head.as_bytes())?;
    server.write_all(&body)?;
    let (head, body) = read_message(&mut server, false)?;
    let head = swap_media(&head, to, from, &["content-type"]);
    client.write_all(head.as_bytes())?;
    client.write_all(&body)?;
    client.flush()
}

/// `http://host:port` and the path after it of a URL.
fn split_origin(url: &str) -> (&str, &str) {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(i) => url.split_at(after + i),
        None => (url, ""),
    }
}

/// An HTTP/1.1 message's head (its lines, a `connection: close` in place of
/// any `connection` header, `\r\n\r\n`-terminated) and its body
/// (`content-length` bytes; an answer without one: up to the end).
fn read_message(stream: &mut TcpStream, request: bool) -> std::io::Result<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head = String::new();
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        head.push_str(&line);
    }
    head.push_str("connection: close\r\n\r\n");
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        }
        None if !request => {
            reader.read_to_end(&mut body)?;
        }
        None => {}
    }
    Ok((head, body))
}

/// `head` with the value `from` of the `names` headers replaced by `to`.
fn swap_media(head: &str, from: &str, to: &str, names: &[&str]) -> String {
    head.split_inclusive("\r\n")
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.trim();
            let swap = names.iter().any(|n| name.eq_ignore_ascii_case(n))
                && value
                    .split(';')
                    .next()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case(from));
            if swap {
                format!("{name}: {to}\r\n")
            } else {
                line.to_string()
            }
        })
        .collect()
}

// -------------------------------------------------------------- Schemathesis

fn schemathesis(st: &Path, examples: &Examples, spec: &Path, name: &str, f: &SpecFacts) -> Line {
    let line = |ok, what| Line {
        tool: "schemathesis",
        subject: name.to_string(),
        ok,
        what,
    };
    let sim = match start_simulator(examples, name, &f.user) {
        Ok(sim) => sim,
        Err(e) => return line(false, e),
    };
    let dir = std::env::temp_dir().join(format!("userbridge-st-{name}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut config = String::from("[parameters]\n");
    for (at, param) in &f.user_params {
        let _ = writeln!(config, "\"{at}.{param}\" = \"{}\"", f.user);
    }
    for (at, param) in &f.org_params {
        let _ = writeln!(config, "\"{at}.{param}\" = \"{}\"", sim.organization);
    }
    let config_path = dir.join("schemathesis.toml");
    if let Err(e) = std::fs::write(&config_path, config) {
        return line(false, format!("{}: {e}", config_path.display()));
    }
    let mut command = Command::new(st);
    if let Some(hooks) = schemathesis_hooks(&f.vendor_json) {
        let module = dir.join("userbridge_st_hooks.py");
        if let Err(e) = std::fs::write(&module, hooks) {
            return line(false, format!("{}: {e}", module.display()));
        }
        command
            .env("SCHEMATHESIS_HOOKS", "userbridge_st_hooks")
            .env("PYTHONPATH", &dir);
    }
    let out = command
        .current_dir(&dir)
        .arg("--config-file")
        .arg(&config_path)
        .arg("run")
        .arg(spec)
        .args(["--url", &sim.base_url])
        .args(["-H", &authorization(f, &sim.token)])
        .args(["--checks", CHECKS])
        .args(["--max-examples", "30", "--no-color"])
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Err(e) => line(false, format!("cannot run schemathesis: {e}")),
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let summary = text
                .lines()
                .rev()
                .find(|l| l.contains("passed") || l.contains("failed") || l.contains("error"))
                .unwrap_or("")
                .trim_matches(|c: char| c == '=' || c.is_whitespace())
                .to_string();
            if out.status.success() {
                line(true, summary)
            } else {
                let failures: Vec<&str> = text
                    .lines()
                    .filter(|l| {
                        l.contains("ST1") || l.contains("Undocumented") || l.contains("violat")
                    })
                    .take(12)
                    .collect();
                line(
                    false,
                    format!(
                        "{summary}: {}{}",
                        failures.join(" | "),
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                )
            }
        }
    }
}

/// The `Authorization` header of Schemathesis' requests: the bearer token, or
/// for an AWS-signed spec a Signature Version 4 header naming the token as
/// the access key id (the simulators check its form, not the signature).
fn authorization(f: &SpecFacts, token: &str) -> String {
    match &f.aws_service {
        Some(service) => format!(
            "Authorization: AWS4-HMAC-SHA256 Credential={token}/20240101/{AWS_REGION}/{service}/\
             aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
            "0".repeat(64)
        ),
        None => format!("Authorization: Bearer {token}"),
    }
}

/// The region of the AWS-signed cases.
const AWS_REGION: &str = "us-east-1";

// ---------------------------------------------------------------- Prism proxy

/// The documented cases through the proxy: (label, user, token, expected
/// `kind` of the SDK's JSON line).
fn cases<'a>(
    user: &'a str,
    unknown: &'a str,
    token: &'a str,
) -> [(&'static str, &'a str, &'a str, &'static str); 4] {
    [
        ("deactivated user", user, token, "ok"),
        ("the same user again", user, token, "not_deactivated"),
        ("unknown user", unknown, token, "not_found"),
        (
            "rejected token",
            user,
            "rejected-token-12345",
            "unauthenticated",
        ),
    ]
}

fn prism_proxy(prism: &Path, examples: &Examples, spec: &Path, name: &str, f: &SpecFacts) -> Line {
    let line = |ok, what| Line {
        tool: "prism-proxy",
        subject: name.to_string(),
        ok,
        what,
    };
    let sim = match start_simulator(examples, name, &f.user) {
        Ok(sim) => sim,
        Err(e) => return line(false, e),
    };
    let port = match free_port() {
        Ok(p) => p,
        Err(e) => return line(false, e),
    };
    let log = std::env::temp_dir().join(format!(
        "userbridge-prism-{name}-{}.log",
        std::process::id()
    ));
    let log_file = match std::fs::File::create(&log) {
        Ok(f) => f,
        Err(e) => return line(false, format!("{}: {e}", log.display())),
    };
    let err_file = match log_file.try_clone() {
        Ok(f) => f,
        Err(e) => return line(false, format!("{}: {e}", log.display())),
    };
    // Prism serves the spec's paths without the server URL's prefix and
    // forwards them to the upstream, whose URL carries that prefix.
    let plain = match &f.vendor_json[..] {
        [] => spec.to_path_buf(),
        vendor => match json_copy(spec, vendor) {
            Ok(copy) => copy,
            Err(e) => return line(false, e),
        },
    };
    let upstream = match f.vendor_json.first() {
        None => sim.base_url.clone(),
        Some(vendor) => {
            let (root, path) = split_origin(&sim.base_url);
            let sim_port = root.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
            match sim_port.map(|p| media_relay(p, "application/json", vendor)) {
                Some(Ok(relay)) => format!("http://127.0.0.1:{relay}{path}"),
                Some(Err(e)) => return line(false, e),
                None => return line(false, format!("no port in {}", sim.base_url)),
            }
        }
    };
    let child = Command::new(prism)
        .arg("proxy")
        .arg(&plain)
        .arg(&upstream)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--errors"])
        .stdout(log_file)
        .stderr(err_file)
        .spawn();
    let mut proxy = match child {
        Ok(c) => Running(c),
        Err(e) => return line(false, format!("cannot start prism: {e}")),
    };
    if let Err(e) = wait_for_port(port, &mut proxy.0, Duration::from_secs(60)) {
        return line(false, format!("prism: {e}"));
    }
    // A vendor JSON type Prism cannot read: Prism proxies a copy of the spec
    // that reads it as `application/json`, behind a relay translating the
    // `Content-Type` and `Accept` headers both ways.
    let base = match f.vendor_json.first() {
        None => format!("http://127.0.0.1:{port}"),
        Some(vendor) => match media_relay(port, vendor, "application/json") {
            Ok(relay) => format!("http://127.0.0.1:{relay}"),
            Err(e) => return line(false, e),
        },
    };
    let unknown = sibling(&f.user);
    let mut problems = Vec::new();
    for (label, user, token, want) in cases(&f.user, &unknown, &sim.token) {
        let mut command = Command::new(&examples.reactivate);
        command
            .args(["--provider", name, "--base-url", &base])
            .args(["--organization", &sim.organization]);
        if f.aws_service.is_some() {
            // The token as the access key id, from the standard variables.
            command
                .args(["--json"])
                .env("AWS_ACCESS_KEY_ID", token)
                .env("AWS_SECRET_ACCESS_KEY", "userbridge-conformance-secret")
                .env("AWS_REGION", AWS_REGION)
                .env_remove("AWS_SESSION_TOKEN");
        } else {
            command
                .args(["--token-env", "USERBRIDGE_CONFORMANCE_TOKEN", "--json"])
                .env("USERBRIDGE_CONFORMANCE_TOKEN", token);
        }
        let out = command.arg("--").arg(user).output();
        let got = match out {
            Err(e) => format!("cannot run reactivate: {e}"),
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout);
                serde_json::from_str::<Value>(text.lines().next().unwrap_or(""))
                    .ok()
                    .map(|v| v["kind"].as_str().unwrap_or("ok").to_string())
                    .unwrap_or_else(|| {
                        format!(
                            "no JSON line ({})",
                            String::from_utf8_lossy(&out.stderr).trim()
                        )
                    })
            }
        };
        if got != want {
            problems.push(format!("{label}: expected {want}, got {got}"));
        }
    }
    drop(proxy);
    if !f.vendor_json.is_empty() {
        let _ = std::fs::remove_file(&plain);
    }
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(&log) {
        let _ = file.read_to_string(&mut text);
    }
    let _ = std::fs::remove_file(&log);
    let violations: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Violation:"))
        .map(str::trim)
        .collect();
    let request_violations = violations.iter().filter(|l| l.contains("request")).count();
    problems.extend(violations.iter().map(|v| v.to_string()));
    if problems.is_empty() {
        line(true, "4 documented calls, 0 request violations".to_string())
    } else {
        line(
            false,
            format!(
                "{request_violations} request violation(s); {}",
                problems.join("; ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_keep_the_form() {
        assert_eq!(sibling("usr_abc123"), "usr_abc124");
        assert_eq!(
            sibling("550e8400-e29b-41d4-a716-446655440000"),
            "550e8400-e29b-41d4-a716-446655440001"
        );
        assert_eq!(sibling("jf584cz36kcz"), "jf584cz36kcy");
        assert_eq!(
            sibling("auth0|5f7c8ec7c33c6c004bbafe82"),
            "auth0|5f7c8ec7c33c6c004bbafe83"
        );
        assert_eq!(sibling("a@b.c9"), "a@b.c8");
    }

    #[test]
    fn facts_come_from_the_parameters() {
        let doc: Value = serde_yaml::from_str(
            "paths:\n  /o/{org}/u/{id}:\n    post:\n      parameters:\n        - {name: org, in: path, x-userbridge-param: organization, example: o1}\n        - {name: id, in: path, x-userbridge-param: user, example: u1}\n",
        )
        .unwrap_or(Value::Null);
        let f = SpecFacts::of(&doc).map_err(|e| e.to_string());
        let f = f.as_ref().ok();
        assert_eq!(f.map(|f| f.user.as_str()), Some("u1"));
        assert_eq!(
            f.map(|f| f.org_params.clone()),
            Some(vec![("path".to_string(), "org".to_string())])
        );
        assert!(SpecFacts::of(&Value::Null).is_err());
    }
}
