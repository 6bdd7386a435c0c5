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
//! | token without permission | 403 `FORBIDDEN` | 403 `Insufficient permissions to activate users` | 403, gRPC 7, `AUTH-5mWD2` / `AUTH-AWfge` | 403 `insufficient permissions` |
//! | user of another organization | see below | 403 `Users not in same organization` | v1: 404 in the selected organization; v2: 404 | 403 (the backend's hierarchy reason) |
//!
//! Providers that read the user before changing it (Okta, Auth0) have more
//! states than [`UserState`]'s two: [`Simulator::statuses`] lists them and
//! [`Simulator::add_user_with_status`] adds a user in one. Each provider's
//! simulator documents its answers in its own module
//! (`providers/<provider>/mock.rs`).
//!
//! **SCIM 2.0** (served under `/scim/v2`, so [`Simulator::base_url`] is the SCIM
//! root): the SDK reads `GET /Users/{id}` first and PATCHes only an inactive
//! user, so an active user is "not deactivated" from the read (HTTP 200,
//! `active: true`) without a write. The PATCH is answered 200 with the resource;
//! an unknown user 404 `User '<id>' not found`, a missing or unknown token 401
//! with `WWW-Authenticate: Bearer realm="SCIM"`, a token without permission 403,
//! all in the RFC 7644 error envelope. It also serves `POST /Users`,
//! `PUT /Users/{id}` (RFC 7644 §3.5.1), `DELETE /Users/{id}`, `GET /Users`
//! with `filter`, and discovery (`/ServiceProviderConfig`, `/ResourceTypes`,
//! `/Schemas`) for SCIM clients and conformance checkers; a write with a stale
//! `If-Match` is 412 (§3.14). With [`Simulator::fail_next`], remember that a reactivation makes
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
//! Keycloak and Microsoft Entra ID read the user before they write, so a
//! reactivation is two calls (three to release a Keycloak lockout, see
//! [`Simulator::lock_out`]):
//!
//! | outcome | Keycloak | Microsoft Entra ID |
//! |---|---|---|
//! | deactivated user | `GET` 200 `enabled: false`, `PUT {"enabled": true}` 204 | `GET` 200 `accountEnabled: false`, `PATCH {"accountEnabled": true}` 204 |
//! | active user | `GET` 200 `enabled: true`, brute-force status 200 `disabled: false` | `GET` 200 `accountEnabled: true` |
//! | active user, locked out | brute-force status `disabled: true`, `DELETE` 204 | (no lockout in Graph) |
//! | unknown user | 404 `User not found` | 404 `Request_ResourceNotFound` |
//! | missing or unknown token | 401 `HTTP 401 Unauthorized` | 401 `InvalidAuthenticationToken` |
//! | token without permission | the read works; the write is 403 `HTTP 403 Forbidden` | the read works; the write is 403 `Authorization_RequestDenied` |
//! | user of another organization | 404 in the named realm | 404 (another tenant) |
//!
//! - **Keycloak**: the organization is the realm, named in the path. Unknown
//!   realms are 404 `Realm not found.`; a token acts in its own realm, and a
//!   token of the `master` realm in every realm (add one with
//!   [`Simulator::add_token_in`]); elsewhere it is 403.
//! - **Microsoft Entra ID**: the organization is the tenant of the token. A user
//!   is found by the id it was added with, by its object id or by its user
//!   principal name (case-insensitive). A user added with a principal name
//!   (`adele.vance@contoso.com`) gets an object id derived from it; a user added
//!   with any other id has that id as object id and `<id>@<tenant>` as principal
//!   name. [`Simulator::base_url`] ends in `/v1.0`, as Graph's does.
//!
//! # States, finding users, official clients
//!
//! A user is added in a generic [`UserState`] ([`Simulator::add_user`]), in
//! one of the provider's own statuses ([`Simulator::add_user_with_status`]),
//! or by a seed word with a login and email ([`Simulator::seed_user`]): any
//! word of [`standalone::state_words`], lower-case kebab, joined with `+`
//! where states hold together (Okta `locked-out`, Auth0
//! `blocked+brute-force-blocked`, Keycloak `disabled+locked-out`). The
//! simulators of the providers whose official SDKs look a user up first
//! serve those calls too, with the seeded login and email:
//!
//! | provider | finding the user | what the official clients send that the simulator takes |
//! |---|---|---|
//! | Okta | `GET /api/v1/users?search=` / `filter=` / `q=`; `{id}` = id, login or its short name | `Authorization: SSWS<token>` without a space; `activate?sendEmail=true` answers `{}`, `false` the link |
//! | Auth0 | `GET /users-by-email?email=`, `/users?q=...&search_engine=v3`, `/user-blocks?identifier=` (and `DELETE`) | `PATCH` of `blocked` with other attributes, `app_metadata` merged |
//! | Keycloak | `GET /admin/realms/{r}/users?username=..&exact=true`, `/users/count` | |
//! | Entra ID | `GET /users?$filter=accountEnabled eq false`, `userPrincipalName eq '..'` | `"@odata.type": "#microsoft.graph.user"` in the `PATCH` |
//! | SCIM | `GET /Users?filter=userName eq "x"` | discovery, `PUT`, `If-Match` |
//! | Zitadel v2 | `GET /v2/users/{id}`, Connect `POST /zitadel.user.v2.UserService/GetUserByID` | Connect `ReactivateUser`, errors `{"code": "not_found", "message"}` |
//!
//! Okta and Auth0 send their rate-limit headers (Okta
//! `X-Rate-Limit-Limit/-Remaining/-Reset`, Auth0 `x-ratelimit-*`) on every
//! answer, not only on a 429; every answer carries `Date`. A path a provider
//! does not serve is answered as that provider does where it is documented
//! and cannot pass for "user not found" (Auth0 404 `Not Found`, Keycloak
//! `Unable to find matching target resource method`, Zitadel's gateway gRPC
//! 5, My Nethesis `api not found`), else in plain text naming the routes
//! served; a method a path does not take is 405 in the provider's shape.
//!
//! [`standalone`] runs a simulator for clients in any language, with an
//! admin interface (`/_userbridge`) to add users, queue failures and read
//! the requests (with their query strings) over HTTP.
//!
//! # Token endpoints
//!
//! The simulators of providers with an OAuth 2.0 token endpoint serve it, on
//! the path the SDK derives from [`Simulator::base_url`], so that
//! [`ClientBuilder::client_credentials`](crate::ClientBuilder::client_credentials)
//! and [`ClientBuilder::private_key_jwt`](crate::ClientBuilder::private_key_jwt)
//! can be tested end to end. [`Simulator::token_url`] is its URL;
//! [`Simulator::client_id`] / [`Simulator::client_secret`] a confidential
//! client registered from the start; [`Simulator::add_client`] and
//! [`Simulator::add_jwt_client`] register more.
//!
//! | provider | path | clients | the request must also carry | `expires_in` |
//! |---|---|---|---|---|
//! | Keycloak | `/realms/{realm}/protocol/openid-connect/token` (every realm the simulator knows; the token acts in that realm, `master`'s in every realm) | secret, private key JWT (`aud`: the token URL or `{base}/realms/{realm}`; a `jti`) | | 300 |
//! | Auth0 | `/oauth/token` (the origin, outside `/api/v2`) | secret, private key JWT (`aud`: `{origin}/`; a `jti`; at most 5 minutes) | `audience` = the base URL + `/` (else 403 `Service not found: <aud>`) | 86400 |
//! | Microsoft Entra ID | `/{tenant}/oauth2/v2.0/token` on the simulator's origin (any tenant): the SDK derives `login.microsoftonline.com`, so pass `.token_url(sim.token_url().unwrap())` | secret, private key JWT (`aud`: the token URL) | `scope=https://graph.microsoft.com/.default` (else 400 `invalid_scope`, AADSTS70011) | 3599 |
//! | Zitadel v1 / v2 | `/oauth/v2/token` | secret (HTTP Basic or form), private key JWT (`aud`: the base URL, the issuer) | `scope` with `urn:zitadel:iam:org:project:id:zitadel:aud`, or the API refuses the token (its 401) | 43199 |
//! | Okta | `/oauth2/v1/token` | private key JWT only (`aud`: the token URL; `exp` at most an hour ahead; `kid` the registered one, if any); a secret is refused | `scope` (else 400 `invalid_scope`); without `okta.users.manage` the token may read users only | 3600 |
//!
//! Aitronos, Flashback, My Nethesis and SCIM have no token endpoint
//! ([`Simulator::token_url`] is `None`).
//!
//! What every token endpoint does:
//! - It is routed before the API's routes and takes `POST` only, the grant
//!   type `client_credentials` only (another is 400 `unsupported_grant_type`).
//!   A secret comes in the form (`client_id`, `client_secret`) or in HTTP Basic
//!   (RFC 6749 §2.3.1: the id and the secret form-encoded, then base64).
//! - A private key JWT (`client_assertion_type=urn:ietf:params:oauth:client-
//!   assertion-type:jwt-bearer`, `client_assertion`) must be RS256, signed by
//!   the key of [`Simulator::add_jwt_client`], with `iss` = `sub` = the client
//!   id, the provider's `aud`, an `exp` in the future; a `jti` is accepted once
//!   (a replay is refused).
//! - Success answers in the provider's own shape and fields (e.g. Keycloak's
//!   `refresh_expires_in` and `not-before-policy`, Entra ID's
//!   `ext_expires_in`), with `Content-Type: application/json` and
//!   `Cache-Control: no-store`; refusals too (Keycloak's 401
//!   `unauthorized_client` for a wrong secret, Auth0's 401 `access_denied`,
//!   Entra ID's `AADSTS7000215` with `error_codes`, `trace_id` and
//!   `correlation_id`, Zitadel's 400 `Errors.User.Machine.Secret.Invalid`,
//!   Okta's "The client_assertion signature is invalid.", ...). Each
//!   provider's module names its sources.
//! - Issued tokens are random, and expire: after [`Simulator::set_token_lifetime`]
//!   (default: the provider's usual lifetime above) or [`Simulator::revoke_tokens`],
//!   the API refuses them with the provider's 401 for an unknown token.
//!   [`DEFAULT_TOKEN`] and the tokens of [`Simulator::add_token`] never expire.
//! - [`Simulator::token_requests`] counts the requests that reached it. They are
//!   in [`Simulator::requests`] like any request, with the form's
//!   `client_secret` recorded as `client_secret=<redacted>`. Injected failures
//!   of [`Simulator::fail_next`] apply to them (in the provider's API error
//!   shape), so a test can rate-limit the token endpoint;
//!   [`Simulator::fail_user`]'s do not (a token request names no user).
//!
//! ```
//! use userbridge::mock::{Simulator, UserState};
//! use userbridge::{Client, Provider};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), userbridge::Error> {
//! let sim = Simulator::start(Provider::EntraId).await;
//! sim.add_user("adele.vance@contoso.com", sim.organization(), UserState::Deactivated);
//!
//! let client = Client::builder(Provider::EntraId)
//!     .base_url(sim.base_url())
//!     .tenant("contoso.onmicrosoft.com")
//!     .token_url(sim.token_url().unwrap_or_default())
//!     .client_credentials(sim.client_id(), sim.client_secret())
//!     .build()?;
//! client.users().reactivate("adele.vance@contoso.com").await?;
//! assert_eq!(sim.token_requests(), 1);
//! let token_request = &sim.requests()[0];
//! assert!(token_request.body_text().contains("client_secret=<redacted>"));
//! # Ok(())
//! # }
//! ```
//!
//! # Failures on demand
//!
//! [`Simulator::fail_next`] makes the next calls, whatever they are, fail with
//! a [`Failure`]; [`Simulator::fail_user`] makes the next calls *for one user*
//! fail, so that a partial failure in concurrent code hits the same user
//! whatever order the calls arrive in. The failures:
//!
//! | [`Failure`] | what the client receives | what the SDK returns |
//! |---|---|---|
//! | [`TooManyRequests`](Failure::TooManyRequests) | 429, the provider's error shape, `Retry-After` (and `retry-after-ms` below one second) | [`RateLimited`](crate::Error::RateLimited), retried |
//! | [`ServerError`](Failure::ServerError) | 500, the provider's error shape | [`Server`](crate::Error::Server), status 500, retried |
//! | [`BadGateway`](Failure::BadGateway) | 502, the provider's error shape | [`Server`](crate::Error::Server), status 502, retried |
//! | [`ServiceUnavailable`](Failure::ServiceUnavailable) | 503, the provider's error shape | [`Server`](crate::Error::Server), status 503, retried |
//! | [`MalformedBody`](Failure::MalformedBody) | 200 with JSON cut off in the middle | [`UnexpectedResponse`](crate::Error::UnexpectedResponse) |
//! | [`ConnectionReset`](Failure::ConnectionReset) | the connection is reset, no answer | [`Network`](crate::Error::Network), retried |
//! | [`Slow`](Failure::Slow) | the normal answer, late | [`Timeout`](crate::Error::Timeout) if later than the client's timeout |
//! | [`Custom`](Failure::Custom) | the [`Answer`] given | whatever the SDK makes of it |
//!
//! Flashback and My Nethesis document neither 429, 502 nor 503 (My Nethesis no
//! 500 either), so those bodies take the shape of their other errors; Zitadel's
//! are its gateway's gRPC status (8 ResourceExhausted, 13 Internal, 14
//! Unavailable for both 502 and 503). A 502 from a load balancer in front of a
//! provider is often an HTML page instead: serve one with [`Failure::Custom`].
//!
//! ```
//! use userbridge::mock::{Answer, Failure, Simulator, UserState};
//! use userbridge::{Client, ErrorKind, Provider, RetryPolicy};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), userbridge::Error> {
//! let sim = Simulator::start(Provider::Flashback).await;
//! for id in ["u1", "u2", "u3"] {
//!     sim.add_user(id, sim.organization(), UserState::Deactivated);
//! }
//! // Only u2 fails, whichever call reaches the simulator first.
//! sim.fail_user("u2", 1, Failure::BadGateway);
//! let client = Client::builder(Provider::Flashback)
//!     .base_url(sim.base_url())
//!     .bearer_token(sim.token())
//!     .retry_policy(RetryPolicy::none())
//!     .build()?;
//! let users = client.users();
//! let (u1, u2, u3) = tokio::join!(
//!     users.reactivate("u1"),
//!     users.reactivate("u2"),
//!     users.reactivate("u3"),
//! );
//! assert!(u1.is_ok() && u3.is_ok());
//! let err = u2.unwrap_err();
//! assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(502)));
//!
//! // Any answer at all: a proxy's HTML error page.
//! sim.respond_next(
//!     1,
//!     Answer::new(502)
//!         .header("content-type", "text/html")
//!         .body("<html><body><h1>502 Bad Gateway</h1></body></html>"),
//! );
//! let err = users.reactivate("u2").await.unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Server);
//! assert!(err.api_error().is_some_and(|e| e.body.contains("<h1>")));
//! # Ok(())
//! # }
//! ```
//!
//! ## Short waits in tests
//!
//! `Retry-After` carries whole seconds only, so the simulator sends the wait of
//! [`Failure::TooManyRequests`] rounded up (1 ms becomes `Retry-After: 1`). A
//! wait shorter than one second is also sent exactly as `retry-after-ms` (e.g.
//! `retry-after-ms: 1`), which the SDK prefers to `Retry-After`: a test that
//! injects a 1 ms rate limit waits 1 ms, not 1 s. Other clients that read only
//! `Retry-After` wait the whole second.
//!
//! # Your own answers
//!
//! [`Failure::Custom`] (or [`Simulator::respond_next`]) serves an [`Answer`] you
//! build: any status, headers and body. For full control, [`Simulator::server`]
//! is the underlying [`wiremock::MockServer`] (re-exported as
//! [`mock::wiremock`](wiremock)): a mock you mount there takes precedence over the
//! simulator, which answers only the requests no mounted mock matches. Requests
//! your mocks answer do not appear in [`Simulator::requests`].
//!
//! # Blocking code
//!
//! [`Simulator::start_blocking`] starts a simulator without any async code: it
//! serves from threads of its own, so a blocking client (`userbridge-blocking`,
//! whose feature `mock` re-exports this module) can call it from plain `#[test]`
//! functions, with no Tokio dependency in the test:
//!
//! ```
//! use userbridge::mock::{Simulator, UserState};
//! use userbridge::Provider;
//!
//! let sim = Simulator::start_blocking(Provider::Nethesis)?;
//! sim.add_user("usr_123456789", sim.organization(), UserState::Deactivated);
//! // ... point a blocking client at sim.base_url() ...
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A simulator started with [`Simulator::start`] also serves from its own
//! threads once started, whichever runtime started it.

use std::fmt;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use wiremock::{Mock, MockServer};

use crate::provider::Provider;

mod front;
pub(crate) mod state;

/// The mock server the simulators are built on, for mounting your own mocks on
/// [`Simulator::server`] without a separate (and possibly different) `wiremock`
/// dependency.
pub use wiremock;

pub(crate) mod model;
pub mod standalone;

use front::{Front, Hangups};
pub use model::{Answer, Failure, ReceivedRequest, UserState};
use state::{ClientKey, ClientRecord, Quota, Responder, Simulate, State, TokenRecord};

/// The bearer token every simulator accepts from the start, in
/// [`Simulator::organization`], with permission to reactivate.
pub const DEFAULT_TOKEN: &str = "userbridge-simulator-token";

/// The id of the default client of a simulator whose provider has no token
/// endpoint (those that have one give it a client id of their own shape).
const DEFAULT_CLIENT_ID: &str = "userbridge-simulator";

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
            UserState::Deactivated => provider
                .simulator()
                .map_or("deactivated", |sim| sim.inactive_label()),
        }
    }
}

/// A running simulator of one provider; see the [module docs](self).
///
/// It listens on `127.0.0.1` on a free port until it is dropped. Every method
/// takes `&self`: share it behind an `Arc` if several tasks need it.
pub struct Simulator {
    provider: Provider,
    sim: &'static dyn Simulate,
    front: Front,
    server: MockServer,
    state: Arc<Mutex<State>>,
    organization: String,
    /// The default client of the token endpoint: its id and secret (never
    /// printed).
    client_id: String,
    client_secret: String,
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
    /// [`Simulator::organization`]. Needs a Tokio runtime with the time driver
    /// to start; once started, it serves from threads of its own. Without a
    /// runtime, use [`Simulator::start_blocking`].
    ///
    /// # Panics
    ///
    /// If no port can be bound on `127.0.0.1`; use [`Simulator::try_start`] to
    /// get that as an error instead.
    pub async fn start(provider: Provider) -> Simulator {
        match Simulator::try_start(provider).await {
            Ok(sim) => sim,
            Err(e) => panic!("userbridge simulator of {provider}: cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`Simulator::start`], but reports a failure to bind a port on
    /// `127.0.0.1` (or to start the simulator's thread) as an error.
    ///
    /// # Errors
    ///
    /// Also [`std::io::ErrorKind::Unsupported`] for a provider this build of
    /// userbridge does not include (its cargo feature is off).
    pub async fn try_start(provider: Provider) -> std::io::Result<Simulator> {
        let sim = provider.simulator().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                format!(
                    "this build of userbridge does not include {provider}: enable the `{}` \
                     feature of the userbridge crate",
                    provider.feature()
                ),
            )
        })?;
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let upstream = listener.local_addr()?;
        let hangups = Arc::new(Hangups::default());
        let front = Front::start(upstream, hangups.clone())?;
        let server = MockServer::builder()
            .listener(listener)
            .disable_request_recording()
            .start()
            .await;
        Ok(Simulator::serve(provider, sim, front, server, hangups).await)
    }

    /// Starts a simulator without an async runtime: for blocking code and plain
    /// `#[test]` functions. The simulator is the same as
    /// [`Simulator::start`]'s; it serves from threads of its own until dropped.
    /// Works inside a Tokio runtime too.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::Provider;
    ///
    /// let sim = Simulator::start_blocking(Provider::ZitadelV1)?;
    /// sim.add_user("42", sim.organization(), UserState::Deactivated);
    /// assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When no port can be bound on `127.0.0.1`, or a thread or runtime cannot
    /// be started.
    pub fn start_blocking(provider: Provider) -> std::io::Result<Simulator> {
        // On a thread of its own, so that it works inside a runtime as well.
        std::thread::Builder::new()
            .name("userbridge-simulator-start".to_string())
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
                    .block_on(Simulator::try_start(provider))
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(std::io::Error::other(
                    "userbridge simulator: its start-up thread panicked",
                ))
            })
    }

    async fn serve(
        provider: Provider,
        sim: &'static dyn Simulate,
        front: Front,
        server: MockServer,
        hangups: Arc<Hangups>,
    ) -> Simulator {
        let organization = sim.default_organization().to_string();
        let state = Arc::new(Mutex::new(State::new(
            provider,
            sim,
            hangups,
            format!("http://{}", front.address()),
        )));
        lock(&state).tokens.insert(
            DEFAULT_TOKEN.to_string(),
            TokenRecord::lasting(organization.clone(), true),
        );
        let client_id = sim
            .tokens()
            .map_or(DEFAULT_CLIENT_ID, |t| t.default_client_id())
            .to_string();
        // A secret of this simulator's own: 40 random letters and digits.
        let client_secret: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(40)
            .collect();
        lock(&state).clients.insert(
            client_id.clone(),
            ClientRecord {
                organization: organization.clone(),
                secret: Some(client_secret.clone()),
                key: None,
            },
        );
        // The lowest priority: mocks mounted on `server()` answer first.
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder::new(state.clone()))
            .with_priority(u8::MAX)
            .mount(&server)
            .await;
        Simulator {
            provider,
            sim,
            front,
            server,
            state,
            organization,
            client_id,
            client_secret,
        }
    }

    /// The provider simulated.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// What [`ClientBuilder::base_url`](crate::ClientBuilder::base_url) needs: the
    /// server root (`http://127.0.0.1:PORT`), with the spec's server path where
    /// it has one: My Nethesis' `/api` (`http://127.0.0.1:PORT/api`), Microsoft
    /// Graph's `/v1.0`.
    pub fn base_url(&self) -> String {
        let base_path = self.sim.base_path();
        format!("http://{}{base_path}", self.front.address())
    }

    /// The underlying wiremock server, to mount mocks of your own: they take
    /// precedence over the simulator, which answers whatever no mounted mock
    /// matches. Send requests to [`Simulator::base_url`] as usual (it relays to
    /// this server; [`MockServer::uri`] bypasses the relay, and
    /// [`Failure::ConnectionReset`] with it).
    ///
    /// Requests a mounted mock answers are not in [`Simulator::requests`], and
    /// the simulator's state does not change for them. Each relayed request
    /// carries an extra header, `x-userbridge-simulator-connection`.
    ///
    /// ```
    /// use userbridge::mock::wiremock::matchers::{method, path};
    /// use userbridge::mock::wiremock::{Mock, ResponseTemplate};
    /// use userbridge::mock::Simulator;
    /// use userbridge::{Client, ErrorKind, Provider, RetryPolicy};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::ZitadelV2).await;
    /// Mock::given(method("POST"))
    ///     .and(path("/v2/users/42/reactivate"))
    ///     .respond_with(ResponseTemplate::new(504).set_body_string("upstream timeout"))
    ///     .mount(sim.server())
    ///     .await;
    /// let client = Client::builder(Provider::ZitadelV2)
    ///     .base_url(sim.base_url())
    ///     .bearer_token(sim.token())
    ///     .retry_policy(RetryPolicy::none())
    ///     .build()?;
    /// let err = client.users().reactivate("42").await.unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(504)));
    /// assert!(sim.requests().is_empty()); // answered by the mounted mock
    /// # Ok(())
    /// # }
    /// ```
    pub fn server(&self) -> &MockServer {
        &self.server
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

    /// The URL of this simulator's OAuth 2.0 token endpoint (see [Token
    /// endpoints](self#token-endpoints)), or `None` when the provider has
    /// none. Keycloak's is the default realm's
    /// (`{base}/realms/{organization}/protocol/openid-connect/token`; every
    /// realm the simulator knows has one); Microsoft Entra ID's names a
    /// default tenant id (any tenant is served).
    ///
    /// ```
    /// use userbridge::mock::Simulator;
    /// use userbridge::Provider;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let sim = Simulator::start(Provider::ZitadelV2).await;
    /// assert_eq!(sim.token_url(), Some(format!("{}/oauth/v2/token", sim.base_url())));
    /// let flashback = Simulator::start(Provider::Flashback).await;
    /// assert_eq!(flashback.token_url(), None);
    /// # }
    /// ```
    pub fn token_url(&self) -> Option<String> {
        lock(&self.state).token_url()
    }

    /// The id of the confidential client registered from the start: its
    /// tokens act in [`Simulator::organization`], with permission to
    /// reactivate. Its secret is [`Simulator::client_secret`] (Okta's token
    /// endpoint takes no secrets: register a private key JWT client with
    /// [`Simulator::add_jwt_client`]).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The secret of [`Simulator::client_id`]: 40 random letters and digits,
    /// this simulator's own.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::{Client, Provider};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::Keycloak).await;
    /// let id = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";
    /// sim.add_user(id, sim.organization(), UserState::Deactivated);
    /// let client = Client::builder(Provider::Keycloak)
    ///     .base_url(sim.base_url())
    ///     .realm(sim.organization())
    ///     .client_credentials(sim.client_id(), sim.client_secret())
    ///     .build()?;
    /// client.users().reactivate(id).await?;
    /// assert_eq!(sim.token_requests(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// Registers (or replaces) a confidential client of the token endpoint:
    /// `client_secret` in the form or in HTTP Basic gets tokens that act in
    /// [`Simulator::organization`], with permission to reactivate.
    pub fn add_client(&self, client_id: impl Into<String>, client_secret: impl Into<String>) {
        let record = ClientRecord {
            organization: self.organization.clone(),
            secret: Some(client_secret.into()),
            key: None,
        };
        lock(&self.state).clients.insert(client_id.into(), record);
    }

    /// Registers (or replaces) a client of the token endpoint that
    /// authenticates with a private key JWT (RFC 7523 §2.2): RS256 assertions
    /// signed with the private key of `public_key_pem` (an RSA public key in
    /// PEM, `BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`), with `kid` =
    /// `key_id` when one is given. Its tokens act in
    /// [`Simulator::organization`], with permission to reactivate. See [Token
    /// endpoints](self#token-endpoints) for what an assertion must say.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::{Client, Provider};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys");
    /// # let public_pem = std::fs::read_to_string(format!("{dir}/test-rsa-public.pem"))?;
    /// # let private_pem = std::fs::read_to_string(format!("{dir}/test-rsa-pkcs8.pem"))?;
    /// let sim = Simulator::start(Provider::Okta).await;
    /// sim.add_jwt_client("0oa1service", &public_pem, Some("key-1"));
    /// sim.add_user("00u1", sim.organization(), UserState::Deactivated);
    /// let client = Client::builder(Provider::Okta)
    ///     .base_url(sim.base_url())
    ///     .private_key_jwt("0oa1service", private_pem, Some("key-1".into()))
    ///     .build()?;
    /// client.users().reactivate("00u1").await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If `public_key_pem` is not an RSA public key in PEM.
    pub fn add_jwt_client(
        &self,
        client_id: impl Into<String>,
        public_key_pem: &str,
        key_id: Option<&str>,
    ) {
        let key = match jsonwebtoken::DecodingKey::from_rsa_pem(public_key_pem.trim().as_bytes()) {
            Ok(key) => key,
            Err(e) => panic!(
                "userbridge simulator: add_jwt_client needs an RSA public key in PEM \
                 (`-----BEGIN PUBLIC KEY-----`): {e}"
            ),
        };
        let record = ClientRecord {
            organization: self.organization.clone(),
            secret: None,
            key: Some(ClientKey {
                key,
                id: key_id.map(str::to_string),
            }),
        };
        lock(&self.state).clients.insert(client_id.into(), record);
    }

    /// Sets the lifetime of the tokens the token endpoint issues from now on
    /// (tokens issued before keep theirs). Without it, the provider's usual:
    /// Keycloak 300 s, Auth0 86400 s, Entra ID 3599 s, Zitadel 43199 s, Okta
    /// 3600 s. `expires_in` is sent in whole seconds, rounded up (at least
    /// 1); the API refuses a token once the exact lifetime has passed, with
    /// the provider's 401 for an unknown token.
    ///
    /// ```
    /// use std::time::Duration;
    /// use userbridge::mock::Simulator;
    /// use userbridge::Provider;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let sim = Simulator::start(Provider::ZitadelV2).await;
    /// sim.set_token_lifetime(Duration::from_millis(300)); // `expires_in: 1`, refused after 300 ms
    /// # }
    /// ```
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        lock(&self.state).token_lifetime = Some(lifetime);
    }

    /// Revokes every token the token endpoint has issued so far: the API
    /// refuses them from now on (the provider's 401 for an unknown token).
    /// [`DEFAULT_TOKEN`] and the tokens of [`Simulator::add_token`] stay
    /// accepted; tokens issued later are accepted.
    pub fn revoke_tokens(&self) {
        lock(&self.state).tokens.retain(|_, t| !t.issued);
    }

    /// Enforces a request quota from now on: at most `limit` requests of the
    /// API in each `window`, the windows aligned on Unix time (a one-minute
    /// window starts on the minute), the token endpoint aside. One group for
    /// all of the provider's routes (Okta and Auth0 count some endpoints
    /// apart; a reactivation's reads and writes are counted together here).
    ///
    /// Providers that publish rate-limit headers send theirs on every answer
    /// (Okta: `X-Rate-Limit-Limit`, `-Remaining`, `-Reset`; Auth0:
    /// `x-ratelimit-limit`, `-remaining`, `-reset`; the reset a Unix time in
    /// seconds); a request over the quota gets the provider's own 429 (with
    /// `Remaining: 0` and the reset), or for other providers a 429 with
    /// `Retry-After`. Injected failures ([`Simulator::fail_next`]) come first
    /// and count no quota. Replaces any quota set before.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use userbridge::{mock::Simulator, Provider};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sim = Simulator::start(Provider::Okta).await;
    /// sim.set_quota(600, Duration::from_secs(60)); // Okta's 600 a minute
    /// assert_eq!(sim.quota_refusals(), 0);
    /// # }
    /// ```
    pub fn set_quota(&self, limit: u32, window: Duration) {
        lock(&self.state).quota = Some(Quota::new(u64::from(limit), window));
    }

    /// How many requests were answered 429 because the quota
    /// ([`Simulator::set_quota`]) was spent.
    pub fn quota_refusals(&self) -> u64 {
        lock(&self.state).quota.map_or(0, |q| q.refused)
    }

    /// How many requests have reached the token endpoint, refused ones and
    /// those that got an injected failure included.
    pub fn token_requests(&self) -> usize {
        lock(&self.state).token_requests
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
        lock(&self.state).add_user(id.into(), organization.into(), state);
    }

    /// Adds (or replaces) a user in the state a seed word names: any word
    /// of [`standalone::state_words`] (`suspended`, `disabled+locked-out`,
    /// ...), with a login and email for the simulators that serve them
    /// (Okta, Auth0, Keycloak, Entra ID, SCIM: else derived from the id).
    /// `Err` names the words the provider has.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::Provider;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let sim = Simulator::start(Provider::Keycloak).await;
    /// sim.seed_user("u1", "disabled+locked-out", None, None).unwrap();
    /// assert_eq!(sim.user_state("u1"), Some(UserState::Deactivated));
    /// assert_eq!(sim.is_locked_out("u1"), Some(true));
    /// assert!(sim.seed_user("u2", "frozen", None, None).is_err());
    /// # }
    /// ```
    pub fn seed_user(
        &self,
        id: &str,
        state: &str,
        login: Option<String>,
        email: Option<String>,
    ) -> Result<(), String> {
        lock(&self.state).seed(id, self.organization.clone(), state, login, email)
    }

    /// Serves the admin interface under `/_userbridge` (a standalone
    /// simulator's; see [`standalone`]).
    pub(crate) fn serve_admin(&self) {
        lock(&self.state).admin = true;
    }

    /// The seed word of a user's state (`locked-out`, `disabled+locked-out`),
    /// `None` for an unknown id.
    pub(crate) fn state_word(&self, id: &str) -> Option<String> {
        let state = lock(&self.state);
        state.users.get(id).map(|user| state.state_word(user))
    }

    /// Locks a user out as a provider's login protection does after failed
    /// logins: the user keeps its state (an [`UserState::Active`] user stays
    /// active) but cannot log in until an administrator releases the lockout.
    /// Returns false for an unknown id.
    ///
    /// Simulators of providers that expose such a lockout answer accordingly
    /// (Keycloak: brute-force detection reports the user `disabled`, and a
    /// reactivation releases it); the others ignore it.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::{Client, Details, Provider};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::Keycloak).await;
    /// let id = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";
    /// sim.add_user(id, sim.organization(), UserState::Active);
    /// assert!(sim.lock_out(id));
    ///
    /// let client = Client::builder(Provider::Keycloak)
    ///     .base_url(sim.base_url())
    ///     .bearer_token(sim.token())
    ///     .realm(sim.organization())
    ///     .build()?;
    /// let done = client.users().reactivate(id).await?;
    /// assert!(matches!(done.details(), Details::Keycloak(k) if k.lockout_cleared));
    /// assert_eq!(sim.is_locked_out(id), Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn lock_out(&self, id: &str) -> bool {
        match lock(&self.state).users.get_mut(id) {
            Some(user) => {
                user.locked_out = true;
                true
            }
            None => false,
        }
    }

    /// Whether a user is locked out (see [`Simulator::lock_out`]), or `None`
    /// for an unknown id.
    pub fn is_locked_out(&self, id: &str) -> Option<bool> {
        lock(&self.state).users.get(id).map(|u| u.locked_out)
    }

    /// The current state of a user, or `None` for an unknown id.
    pub fn user_state(&self, id: &str) -> Option<UserState> {
        lock(&self.state).users.get(id).map(|u| u.state)
    }

    /// The provider's own user states, for providers that have more than the
    /// two of [`UserState`] (empty for the others): the words
    /// [`Simulator::add_user_with_status`] accepts, e.g. Okta's user statuses
    /// (`SUSPENDED`, `LOCKED_OUT`, ...) or Auth0's kinds of block.
    pub fn statuses(&self) -> Vec<&'static str> {
        self.sim.statuses().iter().map(|(word, _)| *word).collect()
    }

    /// Adds (or replaces) a user in one of the provider's own states, named by
    /// the provider's word for it (one of [`Simulator::statuses`]). Its
    /// [`UserState`] is the generic state that word counts as. `Err` names the
    /// words the provider has when `status` is not one of them.
    ///
    /// ```
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::Provider;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let sim = Simulator::start(Provider::Okta).await;
    /// sim.add_user_with_status("00u1", sim.organization(), "LOCKED_OUT").unwrap();
    /// assert_eq!(sim.user_status("00u1").as_deref(), Some("LOCKED_OUT"));
    /// assert_eq!(sim.user_state("00u1"), Some(UserState::Deactivated));
    /// assert!(sim.add_user_with_status("00u2", sim.organization(), "FROZEN").is_err());
    /// # }
    /// ```
    pub fn add_user_with_status(
        &self,
        id: impl Into<String>,
        organization: impl Into<String>,
        status: &str,
    ) -> Result<(), String> {
        let sim = self.sim;
        let Some(&(_, generic)) = sim.statuses().iter().find(|(w, _)| *w == status) else {
            let known = self.statuses();
            return Err(if known.is_empty() {
                format!(
                    "the {} simulator has no states beyond UserState; use add_user",
                    self.provider
                )
            } else {
                format!(
                    "`{status}` is not a state of the {} simulator; it has: {}",
                    self.provider,
                    known.join(", ")
                )
            });
        };
        let id = id.into();
        self.add_user(id.clone(), organization, generic);
        lock(&self.state).set_status(&id, status);
        Ok(())
    }

    /// The provider's own word for a user's state (one of
    /// [`Simulator::statuses`]), or for providers without own states the
    /// [`UserState::label`]; `None` for an unknown id.
    pub fn user_status(&self, id: &str) -> Option<String> {
        let state = lock(&self.state);
        let user = state.users.get(id)?;
        Some(
            user.status
                .unwrap_or_else(|| user.state.label(self.provider))
                .to_string(),
        )
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
            TokenRecord::lasting(organization.into(), true),
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
            .or_insert(TokenRecord::lasting(organization, false))
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

    /// Makes the next `n` requests for the user `id` fail with `failure`,
    /// whatever other requests arrive in between: with concurrent calls, the
    /// failure hits this user and no other. A request is for `id` when its path
    /// is the provider's reactivation path with that (decoded) user id, whatever
    /// its method, token or organization. Failures for a user queue up like
    /// [`Simulator::fail_next`]'s, and go first: a request for `id` takes the
    /// user's next failure, and [`Simulator::fail_next`]'s only when the user
    /// has none left.
    ///
    /// ```
    /// use userbridge::mock::{Failure, Simulator, UserState};
    /// use userbridge::{Client, ErrorKind, Provider, RetryPolicy};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::Aitronos).await;
    /// sim.add_user("usr_a", sim.organization(), UserState::Deactivated);
    /// sim.add_user("usr_b", sim.organization(), UserState::Deactivated);
    /// sim.fail_user("usr_b", 1, Failure::ConnectionReset);
    /// let client = Client::builder(Provider::Aitronos)
    ///     .base_url(sim.base_url())
    ///     .bearer_token(sim.token())
    ///     .organization(sim.organization())
    ///     .retry_policy(RetryPolicy::none())
    ///     .build()?;
    /// let err = client.users().reactivate("usr_b").await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Network);
    /// client.users().reactivate("usr_a").await?;
    /// client.users().reactivate("usr_b").await?; // one failure only
    /// # Ok(())
    /// # }
    /// ```
    pub fn fail_user(&self, id: impl Into<String>, n: usize, failure: Failure) {
        if n == 0 {
            return;
        }
        let mut state = lock(&self.state);
        state
            .targeted
            .entry(id.into())
            .or_default()
            .extend(std::iter::repeat_n(failure, n));
    }

    /// Makes the next `n` requests (whatever they are) answer `answer`:
    /// shorthand for [`Simulator::fail_next`]`(n, Failure::Custom(answer))`.
    ///
    /// ```
    /// use userbridge::mock::{Answer, Simulator};
    /// use userbridge::{Client, ErrorKind, Provider, RetryPolicy};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), userbridge::Error> {
    /// let sim = Simulator::start(Provider::Nethesis).await;
    /// sim.respond_next(1, Answer::new(418).body("I'm a teapot"));
    /// let client = Client::builder(Provider::Nethesis)
    ///     .base_url(sim.base_url())
    ///     .bearer_token(sim.token())
    ///     .retry_policy(RetryPolicy::none())
    ///     .build()?;
    /// let err = client.users().reactivate("usr_1").await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    /// assert_eq!(err.status(), Some(418));
    /// assert_eq!(sim.requests()[0].status, 418);
    /// # Ok(())
    /// # }
    /// ```
    pub fn respond_next(&self, n: usize, answer: Answer) {
        self.fail_next(n, Failure::Custom(answer));
    }
}

/// The state, even after a panic elsewhere poisoned the lock: the simulator never
/// leaves it half-updated.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
