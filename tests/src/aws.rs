//! Two Cognito emulators nobody here wrote, for `tests/tests/cognito.rs`:
//! moto's server (`moto[server]` from PyPI, in a venv) and cognito-local
//! (npm), each installed pinned under `<target dir>/tools/` when missing and
//! started on a free loopback port until dropped; and the calls that set them
//! up (user pools, users, an IAM user and its access key), sent as plain AWS
//! JSON 1.1 and IAM query requests.
//!
//! Facts relied on, read in the tools' sources:
//! - moto 5.2.6 (`moto/core/authorization.py`, `moto_api/_internal/responses.py`):
//!   requests are not authenticated until `INITIAL_NO_AUTH_ACTION_COUNT`
//!   actions have run (infinite by default); `POST /moto-api/reset-auth` with
//!   the new count as a `text/plain` body sets it and restarts the count, so
//!   `0` switches signature checking on at once. Its backends keep their
//!   state per region, the region of the `Authorization` header's credential
//!   scope (the service is routed from it too).
//! - cognito-local 3.23.3 (`lib/bin/start.js`, `lib/server/config.js`,
//!   `lib/services/cognitoService.js`): host and port come only from `HOST`
//!   and `PORT`; its data is kept in `./.cognito` of its working directory;
//!   `.cognito/config.json` with `{"UserPoolDefaults":{"UsernameAttributes":[]}}`
//!   lets users have plain user names; any user pool id is served (an unknown
//!   one is created empty on first use); it checks no signature.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::tools;

/// The pinned moto release.
pub const MOTO: &str = "moto[server]==5.2.6";
const MOTO_DIR: &str = "moto-5.2.6";
/// The pinned cognito-local release.
pub const COGNITO_LOCAL_VERSION: &str = "3.23.3";

/// What a suite needs to install moto itself.
pub const MOTO_NEEDS: &str = "this test installs moto[server] 5.2.6 from PyPI into \
    <target>/tools/moto-5.2.6 itself: it needs `python3` with the `venv` module (on Debian: \
    apt-get install python3-venv) and access to PyPI; or install it there by hand: \
    python3 -m venv <target>/tools/moto-5.2.6 && <target>/tools/moto-5.2.6/bin/pip install \
    'moto[server]==5.2.6' && touch <target>/tools/moto-5.2.6/.userbridge-installed";
/// What a suite needs to install cognito-local itself.
pub const COGNITO_LOCAL_NEEDS: &str = "this test installs cognito-local 3.23.3 from npm into \
    <target>/tools/cognito-local-3.23.3 itself: it needs Node.js and npm on PATH and access to \
    the npm registry; or: npm install --prefix <target>/tools/cognito-local-3.23.3 \
    cognito-local@3.23.3";

/// The venv of moto, installed once per target directory.
fn moto_venv() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let home = tools::tools_dir().join(MOTO_DIR);
    let marker = home.join(".userbridge-installed");
    if marker.is_file() {
        return Ok(home);
    }
    let staging = home.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(tools::tools_dir()).map_err(|e| e.to_string())?;
    let staged = staging.to_string_lossy().into_owned();
    tools::run("python3", &["-m", "venv", &staged])?;
    tools::run(
        &format!("{staged}/bin/python"),
        &[
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            MOTO,
        ],
    )?;
    std::fs::write(staging.join(".userbridge-installed"), MOTO).map_err(|e| e.to_string())?;
    if std::fs::rename(&staging, &home).is_err() {
        // Another process won the race.
        let _ = std::fs::remove_dir_all(&staging);
    }
    if marker.is_file() {
        Ok(home)
    } else {
        Err(format!("{} was not installed", home.display()))
    }
}

/// A free loopback port.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// A running emulator, stopped (its process ended) when dropped.
pub struct Emulator {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its output, for failure messages.
    log: PathBuf,
    /// The working directory (cognito-local's data), removed when dropped.
    workdir: Option<PathBuf>,
    http: reqwest::Client,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.workdir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The credential scope the setup requests name (moto routes and keeps state
/// by it; neither emulator checks it while authentication is off).
fn setup_authorization(region: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDSETUP/20240101/{region}/{service}/aws4_request, \
         SignedHeaders=host, Signature=0000"
    )
}

impl Emulator {
    /// moto's server on a free port.
    pub async fn moto() -> Result<Emulator, String> {
        let venv = moto_venv()?;
        let port = free_port()?;
        let log = venv.join(format!("server-{port}.log"));
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("moto could not be started: {e}"))?;
        Emulator::ready(child, port, log, None).await
    }

    /// cognito-local on a free port, its data in a fresh directory.
    pub async fn cognito_local() -> Result<Emulator, String> {
        let home = tools::npm_package(
            &format!("cognito-local-{COGNITO_LOCAL_VERSION}"),
            "cognito-local",
            COGNITO_LOCAL_VERSION,
        )?;
        let start = home.join("node_modules/cognito-local/lib/bin/start.js");
        let port = free_port()?;
        let workdir =
            tools::tools_dir().join(format!("cognito-local-data-{}-{port}", std::process::id()));
        let config = workdir.join(".cognito");
        std::fs::create_dir_all(&config).map_err(|e| e.to_string())?;
        std::fs::write(
            config.join("config.json"),
            json!({"UserPoolDefaults": {"UsernameAttributes": []}}).to_string(),
        )
        .map_err(|e| e.to_string())?;
        let log = workdir.join("server.log");
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new("node")
            .arg(&start)
            .current_dir(&workdir)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cognito-local could not be started with node: {e}"))?;
        Emulator::ready(child, port, log, Some(workdir)).await
    }

    /// Waits until the emulator accepts connections (at most 60 s).
    async fn ready(
        child: Child,
        port: u16,
        log: PathBuf,
        workdir: Option<PathBuf>,
    ) -> Result<Emulator, String> {
        let mut emulator = Emulator {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            workdir,
            http: reqwest::Client::new(),
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = emulator.child.try_wait() {
                return Err(format!(
                    "the emulator exited ({status}): {}",
                    emulator.log()
                ));
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(emulator);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "the emulator did not listen within 60 s: {}",
            emulator.log()
        ))
    }

    /// The emulator's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// One Cognito operation (AWS JSON 1.1) in `region`, unsigned: for the
    /// setup, while the emulator checks no signature. Its answer, or why it
    /// failed.
    pub async fn cognito(
        &self,
        region: &str,
        operation: &str,
        body: Value,
    ) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("{}/", self.url))
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("Authorization", setup_authorization(region, "cognito-idp"))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("{operation}: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{operation}: HTTP {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{operation}: {e}: {text}"))
    }

    /// A new user pool in `region`: its id.
    pub async fn create_pool(&self, region: &str, name: &str) -> Result<String, String> {
        let made = self
            .cognito(region, "CreateUserPool", json!({"PoolName": name}))
            .await?;
        made["UserPool"]["Id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("CreateUserPool answered no id: {made}"))
    }

    /// A new user (no invitation sent: `FORCE_CHANGE_PASSWORD`), disabled
    /// unless `enabled`.
    pub async fn create_user(
        &self,
        region: &str,
        pool: &str,
        name: &str,
        enabled: bool,
    ) -> Result<(), String> {
        let user = json!({"UserPoolId": pool, "Username": name});
        let mut create = user.clone();
        create["MessageAction"] = json!("SUPPRESS");
        self.cognito(region, "AdminCreateUser", create).await?;
        if !enabled {
            self.cognito(region, "AdminDisableUser", user).await?;
        }
        Ok(())
    }

    /// Whether a user is enabled, read with `AdminGetUser` (unsigned: while
    /// no signature is checked).
    pub async fn enabled(&self, region: &str, pool: &str, name: &str) -> Result<bool, String> {
        let user = self
            .cognito(
                region,
                "AdminGetUser",
                json!({"UserPoolId": pool, "Username": name}),
            )
            .await?;
        user["Enabled"]
            .as_bool()
            .ok_or_else(|| format!("AdminGetUser answered no Enabled: {user}"))
    }

    /// One IAM query-protocol action (moto): its XML answer.
    async fn iam(&self, params: &[(&str, &str)]) -> Result<String, String> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Version", "2010-05-08");
        for (k, v) in params {
            form.append_pair(k, v);
        }
        let response = self
            .http
            .post(format!("{}/", self.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", setup_authorization("us-east-1", "iam"))
            .body(form.finish())
            .send()
            .await
            .map_err(|e| format!("IAM: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("IAM {params:?}: HTTP {status}: {text}"));
        }
        Ok(text)
    }

    /// An IAM user (moto) with an access key, allowed `actions` (e.g.
    /// `cognito-idp:AdminEnableUser`) by an inline policy when any are
    /// given: `(access key id, secret access key)`.
    pub async fn iam_user(&self, name: &str, actions: &[&str]) -> Result<(String, String), String> {
        self.iam(&[("Action", "CreateUser"), ("UserName", name)])
            .await?;
        if !actions.is_empty() {
            let policy = json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
            })
            .to_string();
            self.iam(&[
                ("Action", "PutUserPolicy"),
                ("UserName", name),
                ("PolicyName", "userbridge"),
                ("PolicyDocument", &policy),
            ])
            .await?;
        }
        let key = self
            .iam(&[("Action", "CreateAccessKey"), ("UserName", name)])
            .await?;
        let element = |tag: &str| {
            let open = format!("<{tag}>");
            let start = key.find(&open)? + open.len();
            let end = start + key[start..].find(&format!("</{tag}>"))?;
            Some(key[start..end].to_string())
        };
        match (element("AccessKeyId"), element("SecretAccessKey")) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            _ => Err(format!("CreateAccessKey answered no key: {key}")),
        }
    }

    /// Switches moto's signature checking on (`0`) or off (`inf`): `POST
    /// /moto-api/reset-auth`, the count as a `text/plain` body.
    pub async fn moto_auth(&self, on: bool) -> Result<(), String> {
        let response = self
            .http
            .post(format!("{}/moto-api/reset-auth", self.url))
            .header("Content-Type", "text/plain")
            .body(if on { "0" } else { "inf" })
            .send()
            .await
            .map_err(|e| format!("reset-auth: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("reset-auth: HTTP {}", response.status()))
        }
    }
}
