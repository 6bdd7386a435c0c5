//! A simulator served outside a Rust test, for any client (a shell script,
//! curl, Python): what `userbridge simulate` (the command line, crate
//! `userbridge-cli`) and the `simulator` example run.
//!
//! [`Standalone::start`] starts one provider's [`Simulator`], seeds it with
//! [`SeedUser`]s (each in a state word the provider's simulator knows, see
//! [`state_words`]), optionally on a port of the caller's choice, and
//! [`Standalone::announcement`] is the one JSON object a caller prints to say
//! where it listens and with which credentials, `admin_url` among them.
//!
//! # The admin interface
//!
//! A standalone simulator serves a small admin interface on its own port,
//! under `/_userbridge` ([`Standalone::admin_url`]): no token, JSON in and
//! out, never in the request record, never hit by an injected failure. A
//! body it cannot read is answered 400 `{"error": "<what is wrong and what is
//! accepted>"}`.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /_userbridge/users` | | 200 `[{"id", "state", "organization", "login"?, "email"?}]`, `state` a word of [`state_words`] |
//! | `POST /_userbridge/users` | one `{"id", "state", "login"?, "email"?}` or an array, as in `--users` | 201 `{"added": n}` (all or none) |
//! | `POST /_userbridge/failures` | `{"failure", "user"?, "times"? (1), "retry_after_secs"?, "delay_ms"? (1000)}` | 201 `{"queued": n}` |
//! | `DELETE /_userbridge/failures` | | 204, every queued failure gone |
//! | `GET /_userbridge/requests` | | 200 `[{"method", "path", "query", "headers", "body", "status"}]`, oldest first |
//! | `DELETE /_userbridge/requests` | | 204, the record emptied |
//!
//! A `failure` is `rate-limit` (429 in the provider's shape and headers,
//! `Retry-After` from `retry_after_secs`), `unavailable` (503),
//! `server-error` (500), `bad-gateway` (502), `slow` (the normal answer
//! `delay_ms` late), `reset` (the connection dropped, recorded with status 0)
//! or `malformed` (200 with cut-off JSON): [`Failure`](super::Failure)'s. Without
//! `user` it hits the next `times` API requests, whatever they are; with
//! `user`, the next `times` requests whose path names that user (whatever
//! else arrives in between), before any failure for everyone.
//!
//! In the record, `query` is the raw query string without `?` (`""` when
//! none), `headers` an object of lower-case names (repeated headers joined
//! with `, `), `body` the text sent; credentials read `[redacted]`: the
//! `Authorization` value keeps its scheme word (`Bearer [redacted]`, `SSWS
//! [redacted]`), cookies and API-key headers are `[redacted]` whole, and so
//! is a token request's `client_secret`.
//!
//! ```sh
//! cargo run -p userbridge --features mock --example simulator -- okta \
//!     --users users.json --port 8089 &
//! curl -s -X POST localhost:8089/_userbridge/failures \
//!     -d '{"failure": "rate-limit", "user": "00u1", "retry_after_secs": 1}'
//! # ... run the client under test against http://127.0.0.1:8089 ...
//! curl -s localhost:8089/_userbridge/requests
//! ```
//!
//! ```
//! use userbridge::mock::standalone::{SeedUser, Standalone};
//! use userbridge::Provider;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let users: Vec<SeedUser> = serde_json::from_str(
//!     r#"[{"id": "00u1", "state": "suspended"}, {"id": "00u2", "state": "locked-out"}]"#,
//! )?;
//! let served = Standalone::start(Provider::Okta, &users, None).await?;
//! let line = served.announcement();
//! assert_eq!(line["base_url"], served.base_url());
//! assert_eq!(line["users"]["00u2"], "locked-out");
//! assert_eq!(served.simulator().user_status("00u1").as_deref(), Some("SUSPENDED"));
//!
//! let unknown: Vec<SeedUser> = serde_json::from_str(r#"[{"id": "00u3", "state": "frozen"}]"#)?;
//! let refused = Standalone::start(Provider::Okta, &unknown, None).await.unwrap_err();
//! assert!(refused.to_string().contains("provisioned"));
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::Simulator;
use crate::provider::Provider;

/// One user to seed: an element of the JSON array `userbridge simulate
/// --users FILE` reads, `{"id": "00u1", "state": "suspended"}`.
///
/// `login` and `email` are optional: the simulators of Okta (`profile.login`,
/// `profile.email`), Auth0 (`email`), Keycloak (`username`, `email`), Entra ID
/// (`userPrincipalName`, `mail`) and SCIM (`userName`, `emails`) serve them
/// and find the user by them; without them they derive one from the id.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// The user id, as the provider's API names the user.
    pub id: String,
    /// `active`, `deactivated`, the provider's own words for them, or one of
    /// its own statuses ([`state_words`]), joined with `+` where they hold
    /// together (`disabled+locked-out`); case-insensitive, `_` or `-` alike
    /// (`LOCKED_OUT`, `locked-out`).
    pub state: String,
    /// The user's login.
    #[serde(default)]
    pub login: Option<String>,
    /// The user's email address.
    #[serde(default)]
    pub email: Option<String>,
}

impl SeedUser {
    /// A user `id` in `state`.
    pub fn new(id: impl Into<String>, state: impl Into<String>) -> Self {
        SeedUser {
            id: id.into(),
            state: state.into(),
            login: None,
            email: None,
        }
    }
}

/// The users seeded when none are given: `usr_deactivated1` (deactivated)
/// and `usr_active1` (active).
pub fn default_users() -> Vec<SeedUser> {
    vec![
        SeedUser::new("usr_deactivated1", "deactivated"),
        SeedUser::new("usr_active1", "active"),
    ]
}

/// The state words a seeded user of `provider` may have, in lower-case kebab
/// form: `active`, `deactivated`, the provider's own words for them
/// (`deleted` for Flashback, `enabled`/`disabled` for Keycloak), its
/// simulator's own statuses ([`Simulator::statuses`]: Okta's `suspended`,
/// `locked-out`, `provisioned`, ...), and where the simulator models a
/// lockout apart from the state (Keycloak) `locked-out` and
/// `disabled+locked-out`. States that hold together are joined with `+`.
///
/// ```
/// use userbridge::mock::standalone::state_words;
/// use userbridge::Provider;
///
/// assert!(state_words(Provider::Okta).contains(&"locked-out".to_string()));
/// assert!(state_words(Provider::Flashback).contains(&"deleted".to_string()));
/// assert!(state_words(Provider::Keycloak).contains(&"disabled+locked-out".to_string()));
/// ```
pub fn state_words(provider: Provider) -> Vec<String> {
    provider.simulator().map_or_else(
        || vec!["active".to_string(), "deactivated".to_string()],
        super::state::state_words,
    )
}

/// Reads the users of `--users FILE`: a JSON array of [`SeedUser`]. `Err`
/// says what is wrong with the file, for the caller to print.
pub fn read_users(path: &std::path::Path) -> Result<Vec<SeedUser>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--users {}: cannot read it: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "--users {}: not a JSON array of {{\"id\", \"state\", \"login\"?, \"email\"?}}: {e}",
            path.display()
        )
    })
}

/// Why [`Standalone::start`] failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum StandaloneError {
    /// A seeded user is wrong (an empty or repeated id, an unknown state): a
    /// mistake of the caller's, nothing was started.
    Seed(String),
    /// The simulator (or the port asked for) could not listen.
    Listen(io::Error),
}

impl fmt::Display for StandaloneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StandaloneError::Seed(why) => f.write_str(why),
            StandaloneError::Listen(e) => write!(f, "cannot listen on 127.0.0.1: {e}"),
        }
    }
}

impl std::error::Error for StandaloneError {}

/// A simulator served for clients outside the process; see the [module
/// docs](self). It serves until dropped.
pub struct Standalone {
    simulator: Simulator,
    /// The port the caller asked for, relayed to the simulator's own.
    relay: Option<Relay>,
    /// Each seeded user and its state word (as `GET /_userbridge/users`
    /// gives it).
    users: BTreeMap<String, String>,
}

impl fmt::Debug for Standalone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Standalone")
            .field("provider", &self.simulator.provider())
            .field("base_url", &self.base_url())
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}

impl Standalone {
    /// Starts the simulator of `provider` on `127.0.0.1` (on `port` when
    /// given, else a free port) with `users` seeded. The users are checked
    /// before anything listens: an empty or repeated id, or a state that is
    /// not one of [`state_words`], is [`StandaloneError::Seed`] naming the
    /// words the provider has.
    pub async fn start(
        provider: Provider,
        users: &[SeedUser],
        port: Option<u16>,
    ) -> Result<Standalone, StandaloneError> {
        let mut ids = BTreeSet::new();
        for user in users {
            if user.id.trim().is_empty() {
                return Err(StandaloneError::Seed("a user has an empty id".into()));
            }
            if !ids.insert(user.id.as_str()) {
                return Err(StandaloneError::Seed(format!(
                    "the user `{}` is listed twice",
                    user.id
                )));
            }
        }
        // The words are checked on a simulator nobody calls yet.
        let simulator = Simulator::try_start(provider)
            .await
            .map_err(StandaloneError::Listen)?;
        let mut seeded = BTreeMap::new();
        for user in users {
            simulator
                .seed_user(
                    &user.id,
                    &user.state,
                    user.login.clone(),
                    user.email.clone(),
                )
                .map_err(StandaloneError::Seed)?;
            let word = simulator.state_word(&user.id).unwrap_or_default();
            seeded.insert(user.id.clone(), word);
        }
        simulator.serve_admin();
        let relay = match port {
            Some(port) if port != 0 => Some(
                Relay::start(port, origin_address(&simulator.base_url()))
                    .map_err(StandaloneError::Listen)?,
            ),
            _ => None,
        };
        Ok(Standalone {
            simulator,
            relay,
            users: seeded,
        })
    }

    /// The simulator: to seed more users, queue failures, read its requests.
    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// The base URL clients use: [`Simulator::base_url`], on the port asked
    /// for when one was.
    pub fn base_url(&self) -> String {
        self.rebased(self.simulator.base_url())
    }

    /// The token endpoint's URL, on the port asked for when one was (see
    /// [`Simulator::token_url`]).
    pub fn token_url(&self) -> Option<String> {
        self.simulator.token_url().map(|url| self.rebased(url))
    }

    /// What a caller prints first, as one JSON object: `provider` (its
    /// machine name), `base_url`, `token` (the accepted bearer token),
    /// `organization`, `users` (each seeded id with its state word, as
    /// `GET /_userbridge/users` gives it) and, for providers with an OAuth 2.0 token endpoint,
    /// `token_url`, `client_id` and `client_secret` of the client registered
    /// from the start.
    pub fn announcement(&self) -> serde_json::Value {
        let sim = &self.simulator;
        let mut line = serde_json::json!({
            "provider": sim.provider().as_str(),
            "base_url": self.base_url(),
            "token": sim.token(),
            "organization": sim.organization(),
            "admin_url": self.admin_url(),
            "users": self.users,
        });
        if let (Some(token_url), Some(fields)) = (self.token_url(), line.as_object_mut()) {
            fields.insert("token_url".into(), token_url.into());
            fields.insert("client_id".into(), sim.client_id().into());
            fields.insert("client_secret".into(), sim.client_secret().into());
        }
        line
    }

    /// The admin interface's root, `http://127.0.0.1:PORT/_userbridge` (on
    /// the port of [`Standalone::base_url`]); see the [module docs](self).
    pub fn admin_url(&self) -> String {
        let origin = format!("http://{}", origin_address(&self.base_url()));
        format!("{origin}{}", super::state::ADMIN_PREFIX)
    }

    /// `url` of the simulator's own address, on the relayed port instead.
    fn rebased(&self, url: String) -> String {
        match &self.relay {
            Some(relay) => {
                let inner = format!("http://{}", origin_address(&url));
                match url.strip_prefix(&inner) {
                    Some(rest) => format!("http://{}{rest}", relay.address),
                    None => url,
                }
            }
            None => url,
        }
    }
}

/// The `host:port` of an `http://host:port/...` URL of the simulator.
fn origin_address(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// A TCP relay from a port of the caller's choice to the simulator's front
/// door, on a thread of its own (as the simulator serves). Dropping it stops
/// it and closes its connections.
struct Relay {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Relay {
    fn start(port: u16, to: String) -> io::Result<Relay> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("userbridge-simulator-port".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let mut relays = JoinSet::new();
                    tokio::select! {
                        _ = stopped => {}
                        () = accept(&listener, &mut relays, &to) => {}
                    }
                    // Dropping `relays` closes every open connection.
                });
            })?;
        Ok(Relay {
            address,
            stop: Some(stop),
        })
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The thread may be gone already; nothing to stop then.
            let _ = stop.send(());
        }
    }
}

/// Accepts connections for ever, each relayed to `to` byte for byte (a
/// connection the simulator drops is dropped on the client's side too).
async fn accept(listener: &tokio::net::TcpListener, relays: &mut JoinSet<()>, to: &str) {
    loop {
        while relays.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((mut inbound, _)) => {
                let to = to.to_string();
                relays.spawn(async move {
                    let _ = inbound.set_nodelay(true);
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(to).await {
                        let _ = outbound.set_nodelay(true);
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
            // Out of file descriptors, or a connection gone before it was
            // accepted: wait a little rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Waits for Ctrl-C, or SIGTERM on Unix: how a standalone simulator (the
/// `simulator` example, `userbridge simulate`) serves until it is stopped.
pub async fn until_interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
