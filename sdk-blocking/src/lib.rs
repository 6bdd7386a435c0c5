//! # userbridge-blocking
//!
//! The [`userbridge`] API for callers without an async runtime: the same
//! `Client::builder(..)...build()?` and `client.users().reactivate(..)`, without
//! `.await`, returning the same [`Reactivated`] and [`Error`] types (re-exported,
//! not copied). Requests, validation, retries and error mapping are the async
//! crate's; this crate only runs them.
//!
//! ```no_run
//! use userbridge_blocking::{Client, ErrorKind, Provider};
//!
//! fn main() -> Result<(), userbridge_blocking::Error> {
//!     let client = Client::builder(Provider::ZitadelV2)
//!         .base_url("https://example.zitadel.cloud")
//!         .bearer_token(std::env::var("ZITADEL_TOKEN").unwrap_or_default())
//!         .build()?;
//!     match client.users().reactivate("69629023906488334") {
//!         Ok(done) => println!("reactivated {}", done.user_id()),
//!         Err(e) if e.kind() == ErrorKind::NotDeactivated => println!("already active"),
//!         Err(e) => return Err(e),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! ## Testing against a simulator
//!
//! The async crate's simulators (feature `mock`) serve the blocking client too:
//!
//! ```
//! use userbridge::mock::{Simulator, UserState};
//! use userbridge_blocking::{Client, ErrorKind, Provider};
//!
//! // The simulator needs a Tokio runtime to start; it then serves from its own thread.
//! let runtime = tokio::runtime::Runtime::new()?;
//! let sim = runtime.block_on(Simulator::start(Provider::Nethesis));
//! sim.add_user("usr_123456789", sim.organization(), UserState::Deactivated);
//!
//! let client = Client::builder(Provider::Nethesis)
//!     .base_url(sim.base_url())
//!     .bearer_token(sim.token())
//!     .build()?;
//! let done = client.users().reactivate("usr_123456789")?;
//! assert_eq!(done.message(), Some("user reactivated successfully"));
//! let again = client.users().reactivate("usr_123456789").unwrap_err();
//! assert_eq!(again.kind(), ErrorKind::NotDeactivated);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Threads and async contexts
//!
//! A [`Client`] is `Clone + Send + Sync`; clones share one connection pool and
//! one background thread that runs the async client on its own Tokio runtime.
//! Each call blocks the calling thread until its answer arrives, so calls from
//! many threads run concurrently.
//!
//! It never panics inside a Tokio runtime (the classic `reqwest::blocking`
//! failure): building, calling and dropping it there all work, because the work
//! happens on the client's own thread and the caller only waits on a channel.
//! Calling it from an async task still blocks that task's worker thread for the
//! duration of the call: in async code, use the async [`userbridge::Client`]; in
//! `tokio::task::spawn_blocking`, this client is fine.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{mpsc, Arc};
use std::time::Duration;

pub use userbridge::{
    AitronosUser, ApiError, ChangeDetails, Details, Error, ErrorKind, FieldError, Provider,
    ReactivateRequest, Reactivated, RetryPolicy, ScimPatchForm, ScimUser,
};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A blocking client for one provider. Cheap to clone: clones share the pool
/// and the background thread.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    client: userbridge::Client,
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("inner", &self.shared.client)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client for `provider`.
    pub fn builder(provider: Provider) -> ClientBuilder {
        ClientBuilder {
            inner: userbridge::Client::builder(provider),
        }
    }

    /// The provider this client talks to.
    pub fn provider(&self) -> Provider {
        self.shared.client.provider()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.shared.client.base_url()
    }

    /// User operations. Cheap: shares this client.
    pub fn users(&self) -> Users {
        Users {
            client: self.clone(),
        }
    }

    /// Runs `fut` on the client's thread and waits for its output.
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
        stopped: impl FnOnce() -> T,
    ) -> T {
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            let _ = tx.send(fut.await);
        });
        if self.shared.jobs.send(job).is_err() {
            return stopped();
        }
        rx.recv().unwrap_or_else(|_| stopped())
    }
}

/// Configures a blocking [`Client`]: the same options, under the same names, as
/// [`userbridge::ClientBuilder`].
#[must_use = "a builder does nothing until .build() is called"]
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    inner: userbridge::ClientBuilder,
}

impl ClientBuilder {
    /// See [`userbridge::ClientBuilder::base_url`].
    pub fn base_url(self, url: impl AsRef<str>) -> Self {
        self.map(|b| b.base_url(url))
    }

    /// See [`userbridge::ClientBuilder::bearer_token`].
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.map(|b| b.bearer_token(token))
    }

    /// See [`userbridge::ClientBuilder::organization`].
    pub fn organization(self, id: impl Into<String>) -> Self {
        self.map(|b| b.organization(id))
    }

    /// See [`userbridge::ClientBuilder::timeout`].
    pub fn timeout(self, per_attempt: Duration) -> Self {
        self.map(|b| b.timeout(per_attempt))
    }

    /// See [`userbridge::ClientBuilder::deadline`].
    pub fn deadline(self, overall: Duration) -> Self {
        self.map(|b| b.deadline(overall))
    }

    /// See [`userbridge::ClientBuilder::retry_policy`].
    pub fn retry_policy(self, policy: RetryPolicy) -> Self {
        self.map(|b| b.retry_policy(policy))
    }

    /// See [`userbridge::ClientBuilder::max_response_bytes`].
    pub fn max_response_bytes(self, max: usize) -> Self {
        self.map(|b| b.max_response_bytes(max))
    }

    /// See [`userbridge::ClientBuilder::scim_patch_form`].
    pub fn scim_patch_form(self, form: ScimPatchForm) -> Self {
        self.map(|b| b.scim_patch_form(form))
    }

    /// Any other option of the async builder, by closure: new async options are
    /// available here at once.
    pub fn map(
        self,
        f: impl FnOnce(userbridge::ClientBuilder) -> userbridge::ClientBuilder,
    ) -> Self {
        ClientBuilder {
            inner: f(self.inner),
        }
    }

    /// Checks the configuration (as [`userbridge::ClientBuilder::build`]) and
    /// starts the client's background thread.
    pub fn build(self) -> Result<Client, Error> {
        let client = self.inner.build()?;
        let provider = client.provider();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| setup_error(provider, &format!("its runtime could not start: {e}")))?;
        let (jobs, mut rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name(format!("userbridge-blocking-{}", provider.as_str()))
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = rx.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|e| setup_error(provider, &format!("its thread could not start: {e}")))?;
        Ok(Client {
            shared: Arc::new(Shared { client, jobs }),
        })
    }
}

fn setup_error(provider: Provider, why: &str) -> Error {
    Error::InvalidRequest {
        provider: Some(provider),
        reason: format!("the blocking client could not be set up: {why}"),
    }
}

/// User operations of a blocking [`Client`].
#[derive(Clone, Debug)]
pub struct Users {
    client: Client,
}

impl Users {
    /// Reactivates a user, blocking until the answer: see
    /// [`userbridge::Users::reactivate`] for the rules, retries and outcomes.
    pub fn reactivate(&self, req: impl Into<ReactivateRequest>) -> Result<Reactivated, Error> {
        let req = req.into();
        let users = self.client.shared.client.users();
        let provider = self.client.provider();
        let user_id = req.user_id().to_string();
        self.client
            .run(async move { users.reactivate(req).await }, move || {
                Err(Error::Network {
                    provider,
                    user_id,
                    reason: "the blocking client's background thread has stopped".into(),
                    connected: false,
                    attempts: 0,
                })
            })
    }
}

/// The README's code blocks, compiled as doctests (both quickstarts).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
