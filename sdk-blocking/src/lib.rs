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
//! With the feature `mock`, [`mock`] has the provider simulators of
//! `userbridge::mock`; [`mock::Simulator::start_blocking`] starts one without
//! any async code or Tokio dependency of your own:
//!
//! ```
//! use userbridge_blocking::mock::{Simulator, UserState};
//! use userbridge_blocking::{Client, ErrorKind, Provider};
//!
//! let sim = Simulator::start_blocking(Provider::Nethesis)?;
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
//! happens on the client's own thread and the caller only parks until its
//! call's task there has finished. The thread stops when the last clone of the
//! client (or the last [`BulkIter`], which keeps one) is dropped.
//! Calling it from an async task still blocks that task's worker thread for the
//! duration of the call: in async code, use the async [`userbridge::Client`]; in
//! `tokio::task::spawn_blocking`, this client is fine.
#![warn(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::future::Future;
use std::sync::{mpsc, Arc};
use std::time::Duration;

pub use userbridge::{
    kind_for_status, AccessToken, ActivationLink, AitronosUser, ApiError, Auth0Unblock, BoxError,
    BulkItem, BulkReport, ChangeDetails, CognitoUser, Details, EntraUser, Error, ErrorKind,
    FieldError, KeycloakUser, OktaLifecycle, OktaTransition, Progress, Provider, ReactivateRequest,
    Reactivated, RetryPolicy, ScimPatchForm, ScimUser, DEFAULT_BULK_CONCURRENCY, DEFAULT_DEADLINE,
    DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, MAX_ID_CHARS, MAX_KEPT_BODY, MIN_REDACTED_SECRET_CHARS,
};
pub use userbridge::{FirebaseUser, WorkspaceUser};

/// The provider simulators of [`userbridge::mock`] (feature `mock`), for testing
/// code that uses the blocking client without an account or a network.
///
/// Everything here is `userbridge::mock`'s, re-exported (the same types, not
/// copies). [`Simulator::start_blocking`](mock::Simulator::start_blocking)
/// starts a simulator from plain blocking code: it serves from threads of its
/// own, so neither the test nor your crate needs Tokio or any async code.
/// What each simulator answers, and the failures it can inject, are described
/// in [`userbridge::mock`].
///
/// ```
/// use userbridge_blocking::mock::{Failure, Simulator, UserState};
/// use userbridge_blocking::{Client, ErrorKind, Provider, RetryPolicy};
///
/// let sim = Simulator::start_blocking(Provider::Flashback)?;
/// sim.add_user("u1", sim.organization(), UserState::Deactivated);
/// sim.fail_user("u1", 1, Failure::ServerError);
/// let client = Client::builder(Provider::Flashback)
///     .base_url(sim.base_url())
///     .bearer_token(sim.token())
///     .retry_policy(RetryPolicy::none())
///     .build()?;
/// let err = client.users().reactivate("u1").unwrap_err();
/// assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(500)));
/// client.users().reactivate("u1")?;
/// assert_eq!(sim.user_state("u1"), Some(UserState::Active));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock {
    pub use userbridge::mock::*;
}

/// A blocking client for one provider. Cheap to clone: clones share the pool
/// and the background thread.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    client: userbridge::Client,
    /// The background thread's runtime: calls are spawned onto it directly.
    runtime: tokio::runtime::Handle,
    /// Dropped with the last clone: the background thread then stops its
    /// runtime (cancelling whatever still runs there) and ends.
    _stop: tokio::sync::oneshot::Sender<()>,
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

    /// Runs `fut` on the client's thread without waiting.
    fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        drop(self.shared.runtime.spawn(fut));
    }

    /// Runs `fut` on the client's thread and waits for its output; `failed`
    /// makes the answer when it produced none (it panicked, or the runtime
    /// has stopped), from the reason in words.
    ///
    /// The wait is `futures_lite::future::block_on`: a parker cached per
    /// thread (no allocation per call) that, unlike Tokio's own blocking
    /// waits, neither needs nor refuses an async context, and nests.
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
        failed: impl FnOnce(&str) -> T,
    ) -> T {
        match futures_lite::future::block_on(self.shared.runtime.spawn(fut)) {
            Ok(out) => out,
            Err(e) if e.is_panic() => failed(
                "the call panicked on the blocking client's background thread (a userbridge \
                 bug: please report it)",
            ),
            Err(_) => failed("the blocking client's background thread has stopped"),
        }
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

    /// See [`userbridge::ClientBuilder::api_token`] (an Okta API token, sent as
    /// `SSWS <token>`).
    pub fn api_token(self, token: impl Into<String>) -> Self {
        self.map(|b| b.api_token(token))
    }

    /// See [`userbridge::ClientBuilder::client_credentials`]: OAuth 2.0 client
    /// credentials at the provider's token endpoint, the token fetched,
    /// shared by every clone and renewed by the client itself.
    pub fn client_credentials(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.map(|b| b.client_credentials(client_id, client_secret))
    }

    /// See [`userbridge::ClientBuilder::private_key_jwt`].
    pub fn private_key_jwt(
        self,
        client_id: impl Into<String>,
        private_key_pem: impl Into<String>,
        key_id: Option<String>,
    ) -> Self {
        self.map(|b| b.private_key_jwt(client_id, private_key_pem, key_id))
    }

    /// See [`userbridge::ClientBuilder::token_url`].
    pub fn token_url(self, url: impl AsRef<str>) -> Self {
        self.map(|b| b.token_url(url))
    }

    /// See [`userbridge::ClientBuilder::scopes`].
    pub fn scopes<S: Into<String>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.map(|b| b.scopes(scopes))
    }

    /// See [`userbridge::ClientBuilder::google_service_account`].
    pub fn google_service_account(self, key_json: impl Into<String>) -> Self {
        self.map(|b| b.google_service_account(key_json))
    }

    /// See [`userbridge::ClientBuilder::subject`].
    pub fn subject(self, user_email: impl Into<String>) -> Self {
        self.map(|b| b.subject(user_email))
    }

    /// See [`userbridge::ClientBuilder::tenant`].
    pub fn tenant(self, tenant: impl Into<String>) -> Self {
        self.map(|b| b.tenant(tenant))
    }

    /// Any other source of bearer tokens, as
    /// [`userbridge::ClientBuilder::token_source`], from a plain closure: it
    /// runs on a thread of its own (it may block, read a file, call a
    /// command), never twice at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use userbridge_blocking::{AccessToken, Client, Provider};
    ///
    /// let client = Client::builder(Provider::ZitadelV2)
    ///     .base_url("https://example.zitadel.cloud")
    ///     .token_source(|| {
    ///         let token = std::env::var("ZITADEL_TOKEN")?;
    ///         Ok(AccessToken::new(token, Some(Duration::from_secs(300))))
    ///     })
    ///     .build()?;
    /// # Ok::<(), userbridge_blocking::Error>(())
    /// ```
    pub fn token_source<F>(self, fetch: F) -> Self
    where
        F: Fn() -> Result<AccessToken, BoxError> + Send + Sync + 'static,
    {
        let fetch = Arc::new(fetch);
        self.map(move |b| {
            b.token_source(move || {
                let fetch = fetch.clone();
                async move {
                    tokio::task::spawn_blocking(move || fetch())
                        .await
                        .map_err(|e| -> BoxError {
                            format!("the token source did not return: {e}").into()
                        })?
                }
            })
        })
    }

    /// See [`userbridge::ClientBuilder::region`]: the AWS region of a
    /// provider that signs with AWS credentials (Amazon Cognito).
    pub fn region(self, region: impl Into<String>) -> Self {
        self.map(|b| b.region(region))
    }

    /// See [`userbridge::ClientBuilder::aws_credentials`]: an IAM access key
    /// that signs every request (AWS Signature Version 4).
    pub fn aws_credentials(
        self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.map(|b| b.aws_credentials(access_key_id, secret_access_key))
    }

    /// See [`userbridge::ClientBuilder::aws_session_token`].
    pub fn aws_session_token(self, token: impl Into<String>) -> Self {
        self.map(|b| b.aws_session_token(token))
    }

    /// See [`userbridge::ClientBuilder::organization`].
    pub fn organization(self, id: impl Into<String>) -> Self {
        self.map(|b| b.organization(id))
    }

    /// See [`userbridge::ClientBuilder::realm`].
    pub fn realm(self, name: impl Into<String>) -> Self {
        self.map(|b| b.realm(name))
    }

    /// See [`userbridge::ClientBuilder::danger_accept_plain_http_on_private_network`]
    /// (and its risk).
    pub fn danger_accept_plain_http_on_private_network(self, accept: bool) -> Self {
        self.map(|b| b.danger_accept_plain_http_on_private_network(accept))
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

    /// Any other option of the async builder, by closure: `f` takes and returns
    /// the async crate's [`userbridge::ClientBuilder`] that this builder wraps
    /// (not this crate's [`ClientBuilder`]), so new async options are available
    /// here at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use userbridge_blocking::{Client, Provider};
    ///
    /// let client = Client::builder(Provider::ZitadelV2)
    ///     .base_url("https://example.zitadel.cloud")
    ///     .bearer_token("token")
    ///     .map(|inner: userbridge::ClientBuilder| inner.deadline(Duration::from_secs(5)))
    ///     .build()?;
    /// # Ok::<(), userbridge_blocking::Error>(())
    /// ```
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
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(format!("userbridge-blocking-{}", provider.as_str()))
            .spawn(move || {
                // Serves the calls spawned onto `handle` until the last clone
                // of the client is gone; dropping the runtime here, outside
                // any async context, cancels what still runs.
                runtime.block_on(async move {
                    let _ = stopped.await;
                });
            })
            .map_err(|e| setup_error(provider, &format!("its thread could not start: {e}")))?;
        Ok(Client {
            shared: Arc::new(Shared {
                client,
                runtime: handle,
                _stop: stop,
            }),
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
            .run(async move { users.reactivate(req).await }, move |why| {
                Err(Error::Network {
                    provider,
                    user_id,
                    reason: why.into(),
                    connected: false,
                    attempts: 0,
                })
            })
    }
}

impl Users {
    /// Reactivates many users, as [`userbridge::Users::reactivate_many`]: the
    /// same options, with [`ReactivateMany::run`] (every item, in input order)
    /// and [`ReactivateMany::iter`] (items as they finish). The calls run on the
    /// client's background thread, and so does the reading of the input: it
    /// must be `Send + 'static`, owned ids (`ids.into_iter()`, `ids.clone()`,
    /// lines of a reader), not `ids.iter()`. (The async crate's
    /// `reactivate_many` reads its input on the caller's task and takes
    /// borrowed ids too.)
    ///
    /// ```no_run
    /// use userbridge_blocking::{Client, Provider};
    ///
    /// # fn run(client: Client) {
    /// use std::io::BufRead as _;
    ///
    /// let ids = std::io::BufReader::new(std::io::stdin()).lines().map_while(Result::ok);
    /// for item in client.users().reactivate_many(ids).concurrency(16).iter() {
    ///     match item.result() {
    ///         Ok(_) => println!("{} reactivated", item.request().user_id()),
    ///         Err(e) => eprintln!("{e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn reactivate_many<I>(&self, requests: I) -> ReactivateMany
    where
        I: IntoIterator,
        I::Item: Into<ReactivateRequest> + 'static,
        I::IntoIter: Send + 'static,
    {
        ReactivateMany {
            client: self.client.clone(),
            inner: self.client.shared.client.users().reactivate_many(requests),
        }
    }
}

/// A bulk reactivation of a blocking [`Client`]; see
/// [`userbridge::ReactivateMany`]. Nothing is sent until
/// [`ReactivateMany::run`] or [`ReactivateMany::iter`].
#[must_use = "nothing is sent until .run() or .iter()"]
#[derive(Debug)]
pub struct ReactivateMany {
    client: Client,
    inner: userbridge::ReactivateMany<'static>,
}

impl ReactivateMany {
    /// See [`userbridge::ReactivateMany::concurrency`].
    pub fn concurrency(self, n: usize) -> Self {
        self.map(|m| m.concurrency(n))
    }

    /// See [`userbridge::ReactivateMany::rate_limit`].
    pub fn rate_limit(self, per_second: u32) -> Self {
        self.map(|m| m.rate_limit(per_second))
    }

    /// See [`userbridge::ReactivateMany::request_rate`].
    pub fn request_rate(self, per_second: u32) -> Self {
        self.map(|m| m.request_rate(per_second))
    }

    /// See [`userbridge::ReactivateMany::on_progress`]; `f` runs on the
    /// client's background thread.
    pub fn on_progress(self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.map(|m| m.on_progress(f))
    }

    fn map(self, f: impl FnOnce(userbridge::ReactivateMany) -> userbridge::ReactivateMany) -> Self {
        ReactivateMany {
            client: self.client,
            inner: f(self.inner),
        }
    }

    /// Runs every request, blocking until the last one finished; items in
    /// input order. (An empty report if the client's background thread has
    /// stopped.)
    pub fn run(self) -> BulkReport {
        self.client
            .run(self.inner.run(), |_| std::iter::empty().collect())
    }

    /// The items as they finish (completion order), blocking for each. At
    /// most the concurrency's worth of items is started and not yet taken;
    /// dropping the iterator cancels the calls in flight and starts no further
    /// ones.
    pub fn iter(self) -> BulkIter {
        let (tx, rx) = mpsc::channel();
        // One item handed over and not yet taken at a time: the background
        // thread waits for this permit asynchronously (never blocking the calls
        // in flight), the iterator gives it back after each item.
        let handed = Arc::new(tokio::sync::Semaphore::new(1));
        let permits = handed.clone();
        let stream = self.inner.stream();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        self.client.spawn(async move {
            use futures_util::future::{select, Either};
            use futures_util::StreamExt as _;
            let mut stream = std::pin::pin!(stream);
            // Dropping the iterator drops `stop`: stop polling the stream (so it
            // starts nothing more) at once, and drop it.
            while let Either::Right((Some(item), _)) = select(&mut stopped, stream.next()).await {
                match permits.acquire().await {
                    Ok(permit) => permit.forget(),
                    Err(_) => break,
                }
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        BulkIter {
            rx,
            handed,
            _stop: stop,
            _client: self.client,
        }
    }
}

/// The items of [`ReactivateMany::iter`], as they finish.
#[derive(Debug)]
pub struct BulkIter {
    rx: mpsc::Receiver<BulkItem>,
    handed: Arc<tokio::sync::Semaphore>,
    /// Dropped with the iterator: tells the background thread to stop.
    _stop: tokio::sync::oneshot::Sender<()>,
    /// Keeps the background thread running while the iterator lives, even
    /// if every other clone of the client is gone.
    _client: Client,
}

impl Iterator for BulkIter {
    type Item = BulkItem;

    /// The next finished item, blocking until there is one; `None` after the
    /// last (or if the client's background thread has stopped).
    fn next(&mut self) -> Option<BulkItem> {
        let item = self.rx.recv().ok()?;
        self.handed.add_permits(1);
        Some(item)
    }
}

impl Drop for BulkIter {
    /// Stops the run: the calls in flight are cancelled, no further one starts.
    fn drop(&mut self) {
        self.handed.close();
    }
}

/// The README's code blocks, compiled as doctests (the quickstarts) or run (the
/// simulator examples).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
