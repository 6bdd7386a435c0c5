//! Embedded provider simulators (feature `mock`), built on [wiremock].
//!
//! A [`Simulator`] is a small HTTP server on `127.0.0.1` that speaks exactly one
//! provider's reactivation protocol: the documented method and path, the
//! documented success body, and the documented error status and body for every
//! outcome. It is stateful: it holds users (each with an organization and a
//! [`UserState`]) and bearer tokens, so reactivating a deactivated user makes it
//! active and reactivating it again answers that provider's "not deactivated"
//! error. Point a [`Client`](crate::Client) at [`Simulator::base_url`] to test
//! code that reactivates users without an account or a network.
//!
//! ```
//! use userbridge::mock::{Simulator, UserState};
//! use userbridge::{Client, ErrorKind, Provider};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start(Provider::ZitadelV2).await;
//! sim.add_user("69629023906488334", sim.organization(), UserState::Deactivated);
//!
//! let client = Client::builder(Provider::ZitadelV2)
//!     .base_url(sim.base_url())
//!     .bearer_token(sim.token())
//!     .build()?;
//! let done = client.users().reactivate("69629023906488334").await?;
//! assert_eq!(done.user_id(), "69629023906488334");
//! assert_eq!(sim.user_state("69629023906488334"), Some(UserState::Active));
//!
//! // Again: Zitadel answers gRPC 9 FailedPrecondition, the SDK says NotDeactivated.
//! let again = client.users().reactivate("69629023906488334").await.unwrap_err();
//! assert_eq!(again.kind(), ErrorKind::NotDeactivated);
//!
//! // What the simulator received (the token is redacted).
//! let seen = sim.requests();
//! assert_eq!(seen.len(), 2);
//! assert_eq!(seen[0].method, "POST");
//! assert_eq!(seen[0].path, "/v2/users/69629023906488334/reactivate");
//! assert_eq!(seen[0].header("authorization"), Some("Bearer <redacted>"));
//! # Ok(())
//! # }
//! ```
//!
//! # What each simulator answers
//!
//! Every body is built from the generated types of the provider's spec
//! (`userbridge::generated::<provider>::types`), so it decodes with the
//! generated client. Checks run in the order the provider runs them: token,
//! permission, the user, its organization, its state.
//!
//! | outcome | Aitronos | Flashback | Zitadel v1 / v2 | My Nethesis |
//! |---|---|---|---|---|
//! | deactivated user | 200 user, `account_state: active` | 200 `User activated successfully` | 200 `{details}` | 200 `user reactivated successfully`, `data: null` |
//! | active user | 422 `USER_NOT_DEACTIVATED` | 400 `User is not deleted` | 400, gRPC 9, `COMMAND-6M0sf` / `COMMAND-s5qqcz97hf` | 400 `user not found or not suspended` |
//! | unknown user | 404 `USER_NOT_FOUND` | 404 `User not found` | 404, gRPC 5, `COMMAND-4M0sd` / `COMMAND-9hy5kzbuk6` | 404 `user not found` |
//! | missing or unknown token | 401 `UNAUTHORIZED` | 401 `Unauthorized` (undocumented) | 401, gRPC 16 | 401 `invalid token` |
//! | token without permission | 403 `FORBIDDEN` | 403 `Insufficient permissions to activate users` | 403, gRPC 7, `AUTHZ-HKJD33` | 403 `insufficient permissions` |
//! | user of another organization | see below | 403 `Users not in same organization` | v1: 404 in the selected organization; v2: 404 | 403 (the backend's hierarchy reason) |
//!
//! **SCIM 2.0** (served under `/scim/v2`, so [`Simulator::base_url`] is the SCIM
//! root): the SDK reads `GET /Users/{id}` first and PATCHes only an inactive
//! user, so an active user is "not deactivated" from the read (HTTP 200,
//! `active: true`) without a write. The PATCH is answered 200 with the resource;
//! an unknown user 404 `User '<id>' not found`, a missing or unknown token 401
//! with `WWW-Authenticate: Bearer realm="SCIM"`, a token without permission 403,
//! all in the RFC 7644 error envelope. It also serves `POST /Users`,
//! `DELETE /Users/{id}` and `/ServiceProviderConfig` for SCIM conformance
//! checkers. With [`Simulator::fail_next`], remember that a reactivation makes
//! two requests (the read, then the write): to delay the write only, queue
//! `Failure::Slow(Duration::ZERO)` for the read first.
//!
//! Organizations:
//! - **Aitronos** names the organization in the path. A path organization that is
//!   not the token's is answered 403 `FORBIDDEN` (the spec's "the caller may not
//!   manage users in this organization"); a user that exists only in another
//!   organization than the (token's) path organization is answered 404
//!   `USER_NOT_FOUND`, as the user is not in that organization.
//! - **Zitadel v1** looks the user up in the organization of the
//!   `x-zitadel-orgid` header, or the token's organization without it; a user of
//!   another organization is 404 there. The simulator lets any accepted token act
//!   in any organization it names (as an instance administrator can); use
//!   [`Simulator::deny_permission`] for a token without permission.
//! - **Flashback, Zitadel v2, My Nethesis** scope by the token: a user of another
//!   organization than the token's is 403 (Flashback, My Nethesis) or 404
//!   (Zitadel v2).
//!
//! # Failures on demand
//!
//! [`Simulator::fail_next`] makes the next calls answer 429 (optionally with
//! `Retry-After`), 503, or answer late ([`Failure::Slow`]), to test retry and
//! timeout handling. 429 and 503 bodies follow each provider's error shape;
//! Flashback and My Nethesis document neither, so their bodies are the shape of
//! their other errors.
//!
//! # Blocking code
//!
//! The blocking client (`userbridge-blocking`) works against a simulator too: start
//! the simulator on a Tokio runtime you own (`runtime.block_on(Simulator::start(..))`);
//! it keeps serving from its own thread while the blocking client calls it.

use std::fmt;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use wiremock::{Mock, MockServer};

use crate::Provider;

pub(crate) mod state;

pub(crate) use state::Simulate;
use state::{Responder, State, TokenRecord, UserRecord};

/// The bearer token every simulator accepts from the start, in
/// [`Simulator::organization`], with permission to reactivate.
pub const DEFAULT_TOKEN: &str = "userbridge-simulator-token";

/// The state of a simulated user.
///
/// Providers name the inactive state differently; [`UserState::label`] gives
/// each provider's word.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserState {
    /// The user can log in; reactivating it is answered "not deactivated".
    Active,
    /// Deactivated (Aitronos, Zitadel), soft-deleted (Flashback), suspended (My
    /// Nethesis): reactivating it succeeds and makes it [`UserState::Active`].
    Deactivated,
}

impl UserState {
    /// The provider's own word for this state: `active`, or `deactivated`
    /// (Aitronos), `deleted` (Flashback), `inactive` (Zitadel), `suspended`
    /// (My Nethesis).
    ///
    /// ```
    /// use userbridge::mock::UserState;
    /// use userbridge::Provider;
    ///
    /// assert_eq!(UserState::Deactivated.label(Provider::Nethesis), "suspended");
    /// assert_eq!(UserState::Active.label(Provider::Flashback), "active");
    /// ```
    pub fn label(self, provider: Provider) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Deactivated => provider.adapter().simulator().inactive_label(),
        }
    }
}

/// A failure the simulator injects instead of (or on top of) its normal answer;
/// see [`Simulator::fail_next`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 429 in the provider's error shape, with `Retry-After` (whole seconds,
    /// rounded up) when given. Nothing changes in the simulator's state.
    TooManyRequests {
        /// The `Retry-After` to send, if any.
        retry_after: Option<Duration>,
    },
    /// HTTP 503 in the provider's error shape. Nothing changes.
    ServiceUnavailable,
    /// The call is handled normally (its effect on the state happens at once) but
    /// the answer is sent only after this delay: a client that times out does not
    /// know that the user was reactivated, exactly like a real provider whose
    /// answer is lost.
    Slow(Duration),
}

/// One request a simulator received, as seen on the wire.
///
/// The `Authorization` (and `Proxy-Authorization`) header is redacted: its value
/// is `Bearer <redacted>` when it used the bearer scheme, `<redacted>` otherwise,
/// so recorded requests can be printed without leaking a token.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The headers, names lower-case, in the order received; credentials
    /// redacted.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The HTTP status the simulator answered.
    pub status: u16,
}

impl ReceivedRequest {
    /// The first value of the header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A running simulator of one provider; see the [module docs](self).
///
/// It listens on `127.0.0.1` on a free port until it is dropped. Every method
/// takes `&self`: share it behind an `Arc` if several tasks need it.
pub struct Simulator {
    provider: Provider,
    server: MockServer,
    state: Arc<Mutex<State>>,
    organization: String,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url())
            .field("organization", &self.organization)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts the simulator of `provider` on `127.0.0.1` (a free port), with no
    /// users and one accepted token, [`DEFAULT_TOKEN`], in
    /// [`Simulator::organization`]. Needs a Tokio runtime with the time driver.
    ///
    /// # Panics
    ///
    /// wiremock panics if no port can be bound on `127.0.0.1`; use
    /// [`Simulator::try_start`] to get that as an error instead.
    pub async fn start(provider: Provider) -> Simulator {
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Simulator::serve(provider, server).await
    }

    /// Like [`Simulator::start`], but reports a failure to bind a port on
    /// `127.0.0.1` as an error.
    pub async fn try_start(provider: Provider) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let server = MockServer::builder()
            .listener(listener)
            .disable_request_recording()
            .start()
            .await;
        Ok(Simulator::serve(provider, server).await)
    }

    async fn serve(provider: Provider, server: MockServer) -> Simulator {
        let organization = provider
            .adapter()
            .simulator()
            .default_organization()
            .to_string();
        let state = Arc::new(Mutex::new(State::new(provider)));
        lock(&state).tokens.insert(
            DEFAULT_TOKEN.to_string(),
            TokenRecord {
                organization: organization.clone(),
                permitted: true,
            },
        );
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder::new(state.clone()))
            .mount(&server)
            .await;
        Simulator {
            provider,
            server,
            state,
            organization,
        }
    }

    /// The provider simulated.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// What [`ClientBuilder::base_url`](crate::ClientBuilder::base_url) needs: the
    /// server root (`http://127.0.0.1:PORT`), and for My Nethesis the backend's
    /// `/api` prefix (`http://127.0.0.1:PORT/api`).
    pub fn base_url(&self) -> String {
        let base_path = self.provider.adapter().simulator().base_path();
        format!("{}{base_path}", self.server.uri())
    }

    /// The default organization: the organization of [`DEFAULT_TOKEN`] and of
    /// tokens added with [`Simulator::add_token`]. `org_xyz789` for Aitronos (its
    /// ids are `org_*`), an opaque id for the others.
    pub fn organization(&self) -> &str {
        &self.organization
    }

    /// The token accepted from the start: [`DEFAULT_TOKEN`].
    pub fn token(&self) -> &'static str {
        DEFAULT_TOKEN
    }

    /// Adds (or replaces) a user with its organization and state.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::Provider;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let sim = Simulator::start(Provider::Aitronos).await;
    /// sim.add_user("usr_abc123", sim.organization(), UserState::Deactivated);
    /// sim.add_user("usr_elsewhere", "org_other", UserState::Deactivated);
    /// assert_eq!(sim.user_state("usr_abc123"), Some(UserState::Deactivated));
    /// # }
    /// ```
    pub fn add_user(
        &self,
        id: impl Into<String>,
        organization: impl Into<String>,
        state: UserState,
    ) {
        let now = SystemTime::now();
        let record = UserRecord {
            organization: organization.into(),
            state,
            // Created (1), then deactivated (2) when added inactive.
            sequence: if state == UserState::Active { 1 } else { 2 },
            created: now,
            deactivated_at: (state == UserState::Deactivated).then_some(now),
        };
        lock(&self.state).users.insert(id.into(), record);
    }

    /// The current state of a user, or `None` for an unknown id.
    pub fn user_state(&self, id: &str) -> Option<UserState> {
        lock(&self.state).users.get(id).map(|u| u.state)
    }

    /// Accepts `token` as a bearer token of [`Simulator::organization`], with
    /// permission to reactivate (clearing any earlier
    /// [`Simulator::deny_permission`]).
    pub fn add_token(&self, token: impl Into<String>) {
        self.add_token_in(token, self.organization.clone());
    }

    /// Accepts `token` as a bearer token of `organization`, with permission to
    /// reactivate: a caller of another organization.
    pub fn add_token_in(&self, token: impl Into<String>, organization: impl Into<String>) {
        lock(&self.state).tokens.insert(
            token.into(),
            TokenRecord {
                organization: organization.into(),
                permitted: true,
            },
        );
    }

    /// Marks `token` as valid but lacking permission to reactivate users: calls
    /// with it are answered 403. An unknown token is added in
    /// [`Simulator::organization`] first.
    ///
    /// ```
    /// use userbridge::mock::Simulator;
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::Flashback).await;
    /// sim.deny_permission("read-only");
    /// let client = Client::builder(Provider::Flashback)
    ///     .base_url(sim.base_url())
    ///     .bearer_token("read-only")
    ///     .build()?;
    /// let err = client.users().reactivate("any-user").await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    /// # Ok(())
    /// # }
    /// ```
    pub fn deny_permission(&self, token: impl Into<String>) {
        let mut state = lock(&self.state);
        let organization = self.organization.clone();
        state
            .tokens
            .entry(token.into())
            .or_insert(TokenRecord {
                organization,
                permitted: false,
            })
            .permitted = false;
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Makes the next `n` requests (whatever they are) fail with `failure`.
    /// Failures queue up: `fail_next(1, A)` then `fail_next(2, B)` fails the next
    /// request with `A` and the two after it with `B`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use userbridge::mock::{Failure, Simulator, UserState};
    /// use userbridge::{Client, Provider, RetryPolicy};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::Nethesis).await;
    /// sim.add_user("usr_1", sim.organization(), UserState::Deactivated);
    /// sim.fail_next(1, Failure::TooManyRequests { retry_after: Some(Duration::ZERO) });
    /// let client = Client::builder(Provider::Nethesis)
    ///     .base_url(sim.base_url())
    ///     .bearer_token(sim.token())
    ///     .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
    ///     .build()?;
    /// let done = client.users().reactivate("usr_1").await?;
    /// assert_eq!(done.attempts(), 2);
    /// assert_eq!(sim.requests()[0].status, 429);
    /// # Ok(())
    /// # }
    /// ```
    pub fn fail_next(&self, n: usize, failure: Failure) {
        let mut state = lock(&self.state);
        state.failures.extend(std::iter::repeat_n(failure, n));
    }
}

/// The state, even after a panic elsewhere poisoned the lock: the simulator never
/// leaves it half-updated.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
