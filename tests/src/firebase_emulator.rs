//! The Firebase Authentication emulator (the Local Emulator Suite of
//! [`firebase-tools`](https://github.com/firebase/firebase-tools) [`VERSION`],
//! Google's own), for `tests/tests/firebase.rs`: installed by
//! [`crate::tools::npm_package`] into `<target dir>/tools/firebase-tools-<VERSION>/`
//! and run as `firebase emulators:start --only auth --project demo-<name>`
//! (no Java is needed for auth alone) with `CI=true`, `HOME` in a temporary
//! folder and a `firebase.json` that puts the auth emulator, the hub and the
//! logging emulator on loopback ports chosen here (the UI off).
//!
//! The child is the node process itself (`node .../lib/bin/firebase.js`), so
//! that stopping it is signalling it: `SIGTERM` (the emulator shuts down
//! cleanly), then a kill if it has not stopped after ten seconds.
//!
//! What the emulator does (15.37.0, read from its `lib/emulator/auth`): it
//! takes `Authorization: Bearer owner` as an administrator's credential; it
//! serves Identity Toolkit v1 under `/identitytoolkit.googleapis.com/v1`
//! (`POST projects/{p}/accounts` creates an account with a chosen `localId`,
//! `accounts:lookup`, `accounts:update`); `DELETE
//! /emulator/v1/projects/{p}/accounts` removes every account of a project;
//! any project id is served (an unknown one is an empty project: the CLI's
//! "single project mode" only logs a warning), so the emulator never answers
//! `PROJECT_NOT_FOUND`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The pinned firebase-tools (its `engines`: node >= 20).
pub const VERSION: &str = "15.37.0";
/// The npm package.
pub const PACKAGE: &str = "firebase-tools";
/// The administrator's token the emulator takes.
pub const OWNER: &str = "owner";
/// What a failure to start says first: how the suite gets its emulator.
pub const HOW_TO_RUN: &str = "this test installs firebase-tools 15.37.0 from npm into \
    <target>/tools/ itself and runs its Authentication emulator on 127.0.0.1 (no Java needed \
    for auth alone): it needs Node.js 20+ and npm on PATH, and access to the npm registry the \
    first time (or install it by hand: npm install --prefix <target>/tools/firebase-tools-15.37.0 \
    --save-exact firebase-tools@15.37.0)";

/// A running emulator; stopped when dropped.
pub struct Emulator {
    child: Option<Child>,
    port: u16,
    project: String,
    home: PathBuf,
    output: Arc<Mutex<Vec<String>>>,
    http: reqwest::Client,
}

/// A free loopback port (bound, then released).
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

impl Emulator {
    /// Installs firebase-tools if needed and starts the auth emulator for
    /// `project` (a `demo-` project: no Google account is ever reached).
    pub fn start(project: &str) -> Result<Emulator, String> {
        assert!(
            project.starts_with("demo-"),
            "a demo project keeps it offline"
        );
        let dir = super::tools::npm_package(&format!("{PACKAGE}-{VERSION}"), PACKAGE, VERSION)
            .map_err(|e| format!("{HOW_TO_RUN}: {e}"))?;
        let cli = dir
            .join("node_modules")
            .join(PACKAGE)
            .join("lib")
            .join("bin")
            .join("firebase.js");
        if !cli.is_file() {
            return Err(format!("{HOW_TO_RUN}: {} is missing", cli.display()));
        }
        let home = std::env::temp_dir().join(format!(
            "userbridge-firebase-{}-{}",
            std::process::id(),
            fastrand_suffix()
        ));
        std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
        let (port, hub, logging) = (free_port()?, free_port()?, free_port()?);
        let config = json!({
            "emulators": {
                "auth": {"host": "127.0.0.1", "port": port},
                "hub": {"host": "127.0.0.1", "port": hub},
                "logging": {"host": "127.0.0.1", "port": logging},
                "ui": {"enabled": false},
            }
        });
        let config_file = home.join("firebase.json");
        std::fs::write(&config_file, config.to_string())
            .map_err(|e| format!("{}: {e}", config_file.display()))?;
        let mut child = Command::new("node")
            .arg(&cli)
            .args(["emulators:start", "--only", "auth", "--project", project])
            .arg("--config")
            .arg(&config_file)
            .current_dir(&home)
            .env("CI", "true")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{HOW_TO_RUN}: `node` could not be started: {e}"))?;
        let output = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        for stream in [
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
            let (output, ready) = (output.clone(), ready_tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.contains("All emulators ready") {
                        let _ = ready.send(());
                    }
                    output.lock().unwrap_or_else(|p| p.into_inner()).push(line);
                }
            });
        }
        let mut emulator = Emulator {
            child: Some(child),
            port,
            project: project.to_string(),
            home,
            output,
            http: reqwest::Client::new(),
        };
        let started = Instant::now();
        loop {
            if ready_rx.recv_timeout(Duration::from_millis(200)).is_ok() {
                return Ok(emulator);
            }
            if let Some(child) = emulator.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!(
                        "the Firebase emulator exited ({status}) before it was ready:\n{}",
                        emulator.output()
                    ));
                }
            }
            if started.elapsed() > Duration::from_secs(90) {
                return Err(format!(
                    "the Firebase emulator was not ready after 90 s:\n{}",
                    emulator.output()
                ));
            }
        }
    }

    /// The SDK's base URL for it:
    /// `http://127.0.0.1:<port>/identitytoolkit.googleapis.com/v1`.
    pub fn base_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/identitytoolkit.googleapis.com/v1",
            self.port
        )
    }

    /// The project it was started for.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .join("\n")
    }

    async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self.http.request(method.clone(), &url).bearer_auth(OWNER);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{method} {url}: HTTP {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates the account `uid` (with `email`) in `project`.
    pub async fn create_user(&self, project: &str, uid: &str, email: &str) -> Result<(), String> {
        let url = format!("{}/projects/{project}/accounts", self.base_url());
        self.call(
            reqwest::Method::POST,
            url,
            Some(json!({"localId": uid, "email": email})),
        )
        .await
        .map(|_| ())
    }

    /// Disables (or enables) the account `uid` of `project`.
    pub async fn set_disabled(
        &self,
        project: &str,
        uid: &str,
        disabled: bool,
    ) -> Result<(), String> {
        let url = format!("{}/projects/{project}/accounts:update", self.base_url());
        self.call(
            reqwest::Method::POST,
            url,
            Some(json!({"localId": uid, "disableUser": disabled})),
        )
        .await
        .map(|_| ())
    }

    /// Whether the account `uid` of `project` is disabled (`None`: no such
    /// account), as the emulator says.
    pub async fn disabled(&self, project: &str, uid: &str) -> Result<Option<bool>, String> {
        let url = format!("{}/projects/{project}/accounts:lookup", self.base_url());
        let found = self
            .call(reqwest::Method::POST, url, Some(json!({"localId": [uid]})))
            .await?;
        Ok(found["users"]
            .as_array()
            .and_then(|users| users.first())
            .map(|user| {
                user.get("disabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            }))
    }

    /// Removes every account of `project`.
    pub async fn reset(&self, project: &str) -> Result<(), String> {
        let url = format!(
            "http://127.0.0.1:{}/emulator/v1/projects/{project}/accounts",
            self.port
        );
        self.call(reqwest::Method::DELETE, url, None)
            .await
            .map(|_| ())
    }

    /// Stops it: `SIGTERM` to the node process, then a kill after ten seconds.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.home);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A short random suffix for a temporary folder's name.
fn fastrand_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{nanos:08x}")
}
