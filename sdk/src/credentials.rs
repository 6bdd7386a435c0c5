//! Credentials that renew themselves: OAuth 2.0 client credentials (RFC 6749
//! §4.4) with a client secret or a private key JWT (RFC 7523 §2.2), and token
//! sources of the user's own. Below the adapters: an adapter only describes its
//! token endpoint ([`TokenEndpoint`]); fetching, caching, sharing and renewing
//! a token happen here, the same for every provider.
//!
//! One [`Renewing`] per built client, shared by its clones and every item of a
//! bulk run:
//! - a token is fetched on first use and kept until shortly before it expires
//!   ([`refresh_margin`]: a fifth of its lifetime, at most a minute), so that a
//!   token of a few seconds is not fetched per call;
//! - calls that need a token while none is usable wait for one fetch
//!   (single-flight): the fetch runs under an async lock, and a waiter that
//!   gets the lock finds the new token (or, when the fetch failed, its error)
//!   instead of fetching again;
//! - a token the provider refused (a 401) is dropped once, unless another call
//!   already replaced it ([`Renewing::refused`]);
//! - while one call renews a token that is due but still valid, the others
//!   keep sending it instead of waiting;
//! - a failed early refresh keeps using the old token while it is still valid.
//!
//! Nothing here is printed: `Debug` of every type shows no secret, and what is
//! kept of a token endpoint's answer never carries the client secret.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use crate::error::{bounded_text, redact, ApiError, Error, ErrorKind, MAX_KEPT_BODY};
use crate::provider::Provider;
use crate::transport::{describe_transport, header_str, later, read_body, retry_after};

/// The error a [`token_source`](crate::ClientBuilder::token_source) returns:
/// any error type, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A bearer token and how long it stays valid, from a
/// [`token_source`](crate::ClientBuilder::token_source).
///
/// `Debug` shows its lifetime, never the token:
///
/// ```
/// use std::time::Duration;
/// use userbridge::AccessToken;
///
/// let token = AccessToken::new("eyJhbGciOi.secret", Some(Duration::from_secs(300)));
/// assert!(!format!("{token:?}").contains("secret"));
/// assert_eq!(token.expires_in(), Some(Duration::from_secs(300)));
/// ```
#[derive(Clone)]
pub struct AccessToken {
    token: String,
    expires_in: Option<Duration>,
}

impl AccessToken {
    /// The token (without the `Bearer ` scheme), valid for `expires_in` from
    /// now; `None`: until the provider refuses it (a 401), after which the
    /// source is asked for a new one.
    pub fn new(token: impl Into<String>, expires_in: Option<Duration>) -> Self {
        AccessToken {
            token: token.into(),
            expires_in,
        }
    }

    /// How long the token stays valid, as given.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// A text that is a secret: never printed.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The future a token source returns, boxed.
pub(crate) type TokenFuture = Pin<Box<dyn Future<Output = Result<AccessToken, BoxError>> + Send>>;
/// A token source: called for each token the client needs.
pub(crate) type TokenFn = dyn Fn() -> TokenFuture + Send + Sync;

/// How a client secret travels to the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretIn {
    /// `client_id` and `client_secret` in the form (`client_secret_post`).
    Form,
    /// `Authorization: Basic` of the form-encoded id and secret
    /// (`client_secret_basic`).
    Basic,
}

/// The `aud` of a private key JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AssertionAudience {
    /// The token endpoint's URL (RFC 7523 §3; Okta, Keycloak, Entra ID).
    TokenUrl,
    /// This text (Auth0: the tenant's issuer, `https://{tenant}/`).
    Issuer(String),
}

/// Google's OAuth 2.0 token endpoint (a service account key file's usual
/// `token_uri`).
pub(crate) const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// The `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub(crate) const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The lifetime of a service account's assertion: Google takes at most an
/// hour (`exp` - `iat` <= 3600 s).
const SERVICE_ACCOUNT_ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);

/// A provider's token endpoint as its adapter describes it, from the client's
/// base URL, organization and tenant.
#[derive(Clone, Debug)]
pub(crate) struct TokenEndpoint {
    /// Where tokens come from.
    pub url: String,
    /// How a client secret is sent.
    pub secret_in: SecretIn,
    /// The scopes asked for unless the client sets its own.
    pub scopes: Vec<String>,
    /// An `audience` form parameter (Auth0: the Management API).
    pub audience: Option<String>,
    /// The `aud` of a private key JWT.
    pub assertion_audience: AssertionAudience,
    /// `Some(why)` when the provider's service clients cannot use a client
    /// secret (Okta: private key JWT only).
    pub no_secret: Option<&'static str>,
    /// Words of the endpoint's refusals that mean the client's configuration
    /// is wrong, not its credentials, with the setting to check (Keycloak's
    /// "Realm does not exist": `.realm(..)`).
    pub misconfigured: &'static [(&'static str, &'static str)],
}

impl TokenEndpoint {
    /// An endpoint at `url` with the defaults of RFC 6749: a secret in the
    /// form, no scope, the URL as a private key JWT's audience.
    pub(crate) fn at(url: impl Into<String>) -> TokenEndpoint {
        TokenEndpoint {
            url: url.into(),
            secret_in: SecretIn::Form,
            scopes: Vec::new(),
            audience: None,
            assertion_audience: AssertionAudience::TokenUrl,
            no_secret: None,
            misconfigured: &[],
        }
    }
}

/// What an adapter needs to describe its token endpoint.
pub(crate) struct TokenScope<'a> {
    /// The client's base URL (checked, without a trailing slash).
    pub base_url: &'a str,
    /// The client's default organization (the Keycloak realm).
    pub organization: Option<&'a str>,
    /// [`ClientBuilder::tenant`](crate::ClientBuilder::tenant).
    pub tenant: Option<&'a str>,
}

/// How a client proves who it is at a token endpoint.
pub(crate) enum ClientAuth {
    /// A client secret.
    Secret(Secret, SecretIn),
    /// A private key JWT signed with this RSA key.
    PrivateKeyJwt {
        key: jsonwebtoken::EncodingKey,
        key_id: Option<String>,
        audience: String,
    },
    /// A Google service account: no client authentication, the JWT bearer
    /// grant (RFC 7523 §2.1) with an assertion signed by its key (`iss` = the
    /// client email, the scopes in `scope`, `aud` = the token URL, `sub` = the
    /// user it acts as under domain-wide delegation).
    ServiceAccount {
        key: jsonwebtoken::EncodingKey,
        key_id: Option<String>,
        subject: Option<String>,
    },
}

/// A Google service account key file, read: what the JWT bearer grant needs.
/// `Debug` shows the client email and the token URI only.
pub(crate) struct ServiceAccountKey {
    pub client_email: String,
    pub key: jsonwebtoken::EncodingKey,
    pub private_key_id: Option<String>,
    pub token_uri: Option<String>,
}

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key", &"<redacted>")
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

/// A service account key file's JSON, checked: `type` is `service_account`,
/// `client_email` and `private_key` (an RSA key in PEM) are there and usable;
/// `private_key_id` and `token_uri` are kept when present. `Err` names the
/// field that is missing or wrong, never a value of the file.
pub(crate) fn service_account_key(json: &str) -> Result<ServiceAccountKey, String> {
    let json = json.trim();
    if json.is_empty() {
        return Err("the service account key is empty (was it read from a file or a variable                     that is not there?)"
            .into());
    }
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        format!(
            "the service account key is not JSON (pass the key file's contents, not its path):              {} at line {} column {}",
            match e.classify() {
                serde_json::error::Category::Io => "unreadable",
                serde_json::error::Category::Syntax => "a syntax error",
                serde_json::error::Category::Data => "unexpected data",
                serde_json::error::Category::Eof => "it ends too early",
            },
            e.line(),
            e.column()
        )
    })?;
    if !value.is_object() {
        return Err("the service account key is not a JSON object (a key file holds one)".into());
    }
    let field = |name: &str| -> Result<Option<String>, String> {
        match value.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => {
                Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
            }
            Some(_) => Err(format!(
                "the service account key's `{name}` is not a string"
            )),
        }
    };
    match field("type")?.as_deref() {
        Some("service_account") => {}
        Some(other) if other.len() <= 40 && !other.contains('-') => {
            return Err(format!(
                "the key's `type` is `{other}`, not `service_account`: create a key for a                  service account (IAM > Service accounts > Keys > Add key > JSON)"
            ))
        }
        Some(_) => {
            return Err("the key's `type` is not `service_account`: create a key for a                         service account (IAM > Service accounts > Keys > Add key > JSON)"
                .into())
        }
        None => {
            return Err("the service account key has no `type` field (a service account key                         file has `\"type\": \"service_account\"`)"
                .into())
        }
    }
    let client_email =
        field("client_email")?.ok_or("the service account key has no `client_email` field")?;
    if !client_email.contains('@') {
        return Err("the service account key's `client_email` is not an email address".into());
    }
    let pem = field("private_key")?.ok_or("the service account key has no `private_key` field")?;
    let key = rsa_key(&pem).map_err(|e| format!("the service account key's `private_key`: {e}"))?;
    let token_uri = field("token_uri")?;
    if let Some(uri) = &token_uri {
        if reqwest::Url::parse(uri).is_err() {
            return Err("the service account key's `token_uri` is not an absolute URL".into());
        }
    }
    Ok(ServiceAccountKey {
        client_email,
        key,
        private_key_id: field("private_key_id")?,
        token_uri,
    })
}

/// A token endpoint, resolved for one client: where, as whom, for what.
pub(crate) struct Exchange {
    pub url: reqwest::Url,
    pub client_id: String,
    pub auth: ClientAuth,
    pub scope: Option<String>,
    pub audience: Option<String>,
    /// [`TokenEndpoint::misconfigured`].
    pub misconfigured: &'static [(&'static str, &'static str)],
}

/// Where a client's tokens come from.
pub(crate) enum Source {
    /// The OAuth 2.0 client-credentials grant.
    Exchange(Box<Exchange>),
    /// The user's token source.
    Custom(Arc<TokenFn>),
}

/// A usable token.
pub(crate) struct Token {
    /// `Authorization: Bearer <token>`, marked sensitive.
    pub header: HeaderValue,
    /// The token itself, to scrub it from what a provider echoes.
    secret: String,
    /// When to fetch the next one (`None`: not before a 401).
    refresh_at: Option<Instant>,
    /// When it stops being valid (`None`: unknown).
    expires_at: Option<Instant>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The cache of one client's token.
#[derive(Default)]
struct Cache {
    token: Option<Arc<Token>>,
    /// Counts finished fetches: a waiter that saw `fetches` before waiting
    /// and finds it moved on takes that fetch's outcome.
    fetches: u64,
    /// The error of the last fetch, if it failed.
    failed: Option<Error>,
    /// The token before the current one, still scrubbed from answers.
    previous: Option<String>,
}

/// A client's renewing credentials: its token source and the token cache
/// every clone shares.
pub(crate) struct Renewing {
    provider: Provider,
    source: Source,
    cache: Mutex<Cache>,
    /// Held while a token is fetched: one fetch at a time.
    fetching: tokio::sync::Mutex<()>,
}

impl fmt::Debug for Renewing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.source {
            Source::Exchange(e) => match e.auth {
                ClientAuth::Secret(..) => format!(
                    "client_credentials {{ client_id: {:?}, token_url: {:?} }}",
                    e.client_id,
                    e.url.as_str()
                ),
                ClientAuth::PrivateKeyJwt { .. } => format!(
                    "private_key_jwt {{ client_id: {:?}, token_url: {:?} }}",
                    e.client_id,
                    e.url.as_str()
                ),
                ClientAuth::ServiceAccount { ref subject, .. } => format!(
                    "google_service_account {{ client_email: {:?}, subject: {:?}, token_url: \
                     {:?} }}",
                    e.client_id,
                    subject,
                    e.url.as_str()
                ),
            },
            Source::Custom(_) => "token_source".to_string(),
        };
        f.write_str(&what)
    }
}

/// How long before a token's expiry it is renewed: a fifth of its lifetime,
/// at most a minute (a 3-second token is renewed after 2.4 s, an hour's after
/// 59 minutes).
pub(crate) fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 5).min(Duration::from_secs(60))
}

/// The largest token answer read (bytes).
const MAX_TOKEN_ANSWER: usize = 64 * 1024;
/// The lifetime of a private key JWT: short (Auth0 takes at most 5 minutes,
/// Okta at most an hour).
const ASSERTION_LIFETIME: Duration = Duration::from_secs(120);

impl Renewing {
    pub(crate) fn new(provider: Provider, source: Source) -> Renewing {
        Renewing {
            provider,
            source,
            cache: Mutex::new(Cache::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached token, if it is not due for renewal.
    fn fresh(&self, now: Instant) -> Option<Arc<Token>> {
        let cache = self.cache();
        cache
            .token
            .as_ref()
            .filter(|t| t.refresh_at.is_none_or(|at| now < at))
            .cloned()
    }

    /// The cached token, if it has not expired (it may be due for renewal).
    fn valid(&self, now: Instant) -> Option<Arc<Token>> {
        let cache = self.cache();
        cache
            .token
            .as_ref()
            .filter(|t| t.expires_at.is_none_or(|at| now < at))
            .cloned()
    }

    /// A token to send now: the cached one, or one fetched (a single fetch
    /// for every call that needs one at the same time). `ends`: when the
    /// fetch must be over (the attempt's end); `user_id`: the call's, for
    /// its error.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        ends: Instant,
        user_id: &str,
    ) -> Result<Arc<Token>, Error> {
        let now = Instant::now();
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        let seen = self.cache().fetches;
        let _fetching = match self.fetching.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                // Another call is renewing the token: while the current one
                // is still valid, use it rather than wait.
                if let Some(token) = self.valid(now) {
                    return Ok(token);
                }
                self.fetching.lock().await
            }
        };
        {
            let cache = self.cache();
            if cache.fetches != seen {
                // A fetch finished while this call waited: its outcome is
                // this call's too.
                if let Some(token) = cache.token.clone() {
                    return Ok(token);
                }
                if let Some(e) = cache.failed.clone() {
                    return Err(for_user(e, user_id));
                }
            }
        }
        if let Some(token) = self.fresh(Instant::now()) {
            return Ok(token);
        }
        let fetched = self.fetch(http, ends, user_id).await;
        let mut cache = self.cache();
        cache.fetches += 1;
        match fetched {
            Ok(token) => {
                let token = Arc::new(token);
                if let Some(old) = cache.token.replace(token.clone()) {
                    cache.previous = Some(old.secret.clone());
                }
                cache.failed = None;
                Ok(token)
            }
            Err(e) => {
                // An early renewal that failed keeps the token it would have
                // replaced while that is still valid.
                let now = Instant::now();
                let still_valid = cache
                    .token
                    .clone()
                    .filter(|t| t.expires_at.is_some_and(|at| now < at));
                if let Some(token) = still_valid {
                    tracing::warn!(
                        provider = %self.provider,
                        error = %e,
                        "renewing the access token failed; the current one is still valid"
                    );
                    return Ok(token);
                }
                cache.token = None;
                cache.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// The provider refused `used` (a 401): the next call fetches a new
    /// token, unless another call already replaced it.
    pub(crate) fn refused(&self, used: &Token) {
        let mut cache = self.cache();
        if cache
            .token
            .as_ref()
            .is_some_and(|t| std::ptr::eq(Arc::as_ptr(t), used))
        {
            if let Some(old) = cache.token.take() {
                cache.previous = Some(old.secret.clone());
            }
        }
    }

    /// Scrubs the tokens and the client secret from `error`.
    pub(crate) fn redact(&self, error: &mut Error) {
        for secret in self.secrets() {
            error.redact(&secret);
        }
    }

    /// Scrubs the tokens and the client secret from `text`.
    pub(crate) fn redact_text(&self, text: &mut String) {
        for secret in self.secrets() {
            redact(text, &secret);
        }
    }

    fn secrets(&self) -> Vec<String> {
        let cache = self.cache();
        let mut all: Vec<String> = cache
            .token
            .iter()
            .map(|t| t.secret.clone())
            .chain(cache.previous.clone())
            .collect();
        if let Source::Exchange(e) = &self.source {
            if let ClientAuth::Secret(s, _) = &e.auth {
                all.push(s.expose().to_string());
            }
        }
        all
    }

    /// One fetch from the source.
    async fn fetch(
        &self,
        http: &reqwest::Client,
        ends: Instant,
        user_id: &str,
    ) -> Result<Token, Error> {
        let started = Instant::now();
        let access = match &self.source {
            Source::Exchange(exchange) => self.exchange(http, exchange, ends, user_id).await?,
            Source::Custom(fetch) => fetch().await.map_err(|e| {
                let mut api =
                    ApiError::new(self.provider, 0, format!("the token source failed: {e}"));
                api.user_id = user_id.to_string();
                api.from_token_endpoint = true;
                Error::Unauthenticated(api)
            })?,
        };
        self.usable(access, started, user_id)
    }

    /// A token answer made usable: a valid header, its renewal time.
    fn usable(
        &self,
        access: AccessToken,
        received: Instant,
        user_id: &str,
    ) -> Result<Token, Error> {
        let refuse = |why: &str| {
            let mut api = ApiError::new(self.provider, 0, why.to_string());
            api.user_id = user_id.to_string();
            api.from_token_endpoint = true;
            Error::Unauthenticated(api)
        };
        let secret = access.token.trim().to_string();
        if secret.is_empty() {
            return Err(refuse("the token source returned an empty access token"));
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| {
            refuse("the access token contains characters not allowed in an HTTP header")
        })?;
        header.set_sensitive(true);
        let (refresh_at, expires_at) = match access.expires_in {
            Some(lifetime) => (
                Some(later(
                    received,
                    lifetime.saturating_sub(refresh_margin(lifetime)),
                )),
                Some(later(received, lifetime)),
            ),
            None => (None, None),
        };
        Ok(Token {
            header,
            secret,
            refresh_at,
            expires_at,
        })
    }

    /// The client-credentials grant at a token endpoint.
    async fn exchange(
        &self,
        http: &reqwest::Client,
        ex: &Exchange,
        ends: Instant,
        user_id: &str,
    ) -> Result<AccessToken, Error> {
        let (body, basic, assertion) = self.form(ex, user_id)?;
        let mut request = http
            .post(ex.url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body)
            .timeout(ends.saturating_duration_since(Instant::now()));
        if let Some(basic) = basic {
            request = request.header(AUTHORIZATION, basic);
        }
        let started = Instant::now();
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.transport_error(ex, &e, started, user_id)),
        };
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let (body, too_large) = match read_body(&mut response, MAX_TOKEN_ANSWER).await {
            Ok(read) => read,
            Err(e) => return Err(self.transport_error(ex, &e, started, user_id)),
        };
        let answer = Answer {
            status,
            headers: &headers,
            body: &body,
            too_large,
        };
        let result = self.read_answer(ex, &answer, user_id);
        // A token endpoint may echo what it was sent.
        result.map_err(|mut e| {
            if let ClientAuth::Secret(s, _) = &ex.auth {
                e.redact(s.expose());
            }
            if let Some(assertion) = &assertion {
                e.redact(assertion);
            }
            e
        })
    }

    /// The form of a token request, the `Authorization: Basic` of a client
    /// secret sent that way, and the client assertion in the form, if any.
    #[allow(clippy::type_complexity)]
    fn form(
        &self,
        ex: &Exchange,
        user_id: &str,
    ) -> Result<(String, Option<HeaderValue>, Option<String>), Error> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        if let ClientAuth::ServiceAccount {
            key,
            key_id,
            subject,
        } = &ex.auth
        {
            // The JWT bearer grant: the scopes travel in the assertion.
            let assertion = service_account_assertion(
                &ex.client_id,
                key,
                key_id.as_deref(),
                ex.scope.as_deref(),
                ex.url.as_str(),
                subject.as_deref(),
            )
            .map_err(|e| {
                self.endpoint_error(
                    ex,
                    0,
                    &format!("the service account's assertion could not be signed ({e})"),
                    user_id,
                )
            })?;
            form.append_pair("grant_type", JWT_BEARER_GRANT);
            form.append_pair("assertion", &assertion);
            return Ok((form.finish(), None, Some(assertion)));
        }
        form.append_pair("grant_type", "client_credentials");
        let mut basic = None;
        let mut sent_assertion = None;
        match &ex.auth {
            ClientAuth::Secret(secret, SecretIn::Form) => {
                form.append_pair("client_id", &ex.client_id);
                form.append_pair("client_secret", secret.expose());
            }
            ClientAuth::Secret(secret, SecretIn::Basic) => {
                // RFC 6749 §2.3.1: the id and the secret are form-encoded first.
                let pair = format!(
                    "{}:{}",
                    form_encode(&ex.client_id),
                    form_encode(secret.expose())
                );
                let mut value = HeaderValue::from_str(&format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
                .map_err(|_| self.endpoint_error(ex, 0, "the client id cannot be sent", user_id))?;
                value.set_sensitive(true);
                basic = Some(value);
            }
            ClientAuth::PrivateKeyJwt {
                key,
                key_id,
                audience,
            } => {
                let assertion = assertion(&ex.client_id, key, key_id.as_deref(), audience)
                    .map_err(|e| {
                        self.endpoint_error(
                            ex,
                            0,
                            &format!("the client assertion could not be signed ({e})"),
                            user_id,
                        )
                    })?;
                form.append_pair("client_id", &ex.client_id);
                form.append_pair(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                );
                form.append_pair("client_assertion", &assertion);
                sent_assertion = Some(assertion);
            }
            ClientAuth::ServiceAccount { .. } => {}
        }
        if let Some(scope) = &ex.scope {
            form.append_pair("scope", scope);
        }
        if let Some(audience) = &ex.audience {
            form.append_pair("audience", audience);
        }
        Ok((form.finish(), basic, sent_assertion))
    }

    /// A token endpoint's answer: the token, or the error it says.
    fn read_answer(
        &self,
        ex: &Exchange,
        a: &Answer<'_>,
        user_id: &str,
    ) -> Result<AccessToken, Error> {
        let json: Option<serde_json::Value> = if a.too_large {
            None
        } else {
            serde_json::from_slice(a.body).ok()
        };
        let describe = || describe(a);
        if (200..300).contains(&a.status) {
            let Some(json) = json else {
                return Err(self.endpoint_error_with(
                    ex,
                    a,
                    &format!(
                        "answered HTTP {} with {}, not an OAuth 2.0 token answer: check the token \
                         URL",
                        a.status,
                        describe()
                    ),
                    user_id,
                ));
            };
            let token = json.get("access_token").and_then(|v| v.as_str());
            let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
                return Err(self.endpoint_error_with(
                    ex,
                    a,
                    "answered without an access_token",
                    user_id,
                ));
            };
            if let Some(kind) = json.get("token_type").and_then(|v| v.as_str()) {
                if !kind.eq_ignore_ascii_case("bearer") {
                    return Err(self.endpoint_error_with(
                        ex,
                        a,
                        &format!(
                            "issued a token of type `{kind}`; only bearer tokens are supported \
                             (Okta: turn off \"Require Demonstrating Proof of Possession (DPoP) \
                             header in token requests\" on the app)"
                        ),
                        user_id,
                    ));
                }
            }
            return Ok(AccessToken::new(token, expires_in(&json)));
        }
        // An error: the OAuth 2.0 shape (RFC 6749 §5.2) where it is one.
        let code = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let description = json
            .as_ref()
            .and_then(|j| j.get("error_description"))
            .and_then(|v| v.as_str())
            .map(|d| d.lines().next().unwrap_or(d).trim().to_string());
        let said = match (&code, &description) {
            (Some(c), Some(d)) => format!("{c}: {d}"),
            (Some(c), None) => c.clone(),
            _ => format!("HTTP {} with {}", a.status, describe()),
        };
        let what = match a.status {
            429 => format!("is rate limiting token requests ({said})"),
            500..=599 => format!("failed ({said})"),
            _ if code.as_deref() == Some("invalid_dpop_proof")
                || code.as_deref() == Some("use_dpop_nonce") =>
            {
                format!(
                    "requires DPoP-bound tokens ({said}); userbridge sends bearer tokens: turn off \
                     \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" \
                     on the app"
                )
            }
            _ if code.is_some() => format!("refused the client ({said})"),
            _ => format!(
                "answered HTTP {} with {}, not an OAuth 2.0 error: check the token URL",
                a.status,
                describe()
            ),
        };
        // A token endpoint that is not there, or a refusal that names the
        // client's scoping (an unknown realm or tenant): the configuration is
        // wrong, not the credentials.
        let setting = ex
            .misconfigured
            .iter()
            .find(|(words, _)| said.contains(words))
            .map(|(_, setting)| *setting);
        let what = match (a.status, setting) {
            (_, Some(setting)) => format!("refused the client ({said}): check {setting}"),
            (404, None) => format!(
                "was not found (HTTP 404 with {}): check .token_url(..), or the base URL, realm \
                 or tenant it is derived from",
                describe()
            ),
            _ => what,
        };
        let mut e = self.endpoint_error_with(ex, a, &what, user_id);
        if let Some(api) = e.api_error_mut() {
            api.code = code;
        }
        Err(match (a.status, setting) {
            (_, Some(_)) | (404, _) => retag(e, ErrorKind::Misconfigured),
            (429, _) => retag(e, ErrorKind::RateLimited),
            (500..=599, _) => retag(e, ErrorKind::Server),
            _ => e,
        })
    }

    fn endpoint_error_with(
        &self,
        ex: &Exchange,
        a: &Answer<'_>,
        what: &str,
        user_id: &str,
    ) -> Error {
        let mut e = self.endpoint_error(ex, a.status, what, user_id);
        if let Some(api) = e.api_error_mut() {
            api.body = bounded_text(a.body, MAX_KEPT_BODY);
            api.retry_after = retry_after(a.headers, a.status);
            api.trace_id = header_str(a.headers, "x-request-id")
                .or_else(|| header_str(a.headers, "request-id"))
                .or_else(|| header_str(a.headers, "x-ms-request-id"));
        }
        e
    }

    /// `Unauthenticated`: the token endpoint at `ex.url` says `what`.
    fn endpoint_error(&self, ex: &Exchange, status: u16, what: &str, user_id: &str) -> Error {
        let mut api = ApiError::new(
            self.provider,
            status,
            format!("the token endpoint {} {what}", ex.url),
        );
        api.user_id = user_id.to_string();
        api.from_token_endpoint = true;
        Error::Unauthenticated(api)
    }

    fn transport_error(
        &self,
        ex: &Exchange,
        e: &reqwest::Error,
        started: Instant,
        user_id: &str,
    ) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                provider: self.provider,
                user_id: user_id.to_string(),
                after: started.elapsed(),
                attempts: 1,
            };
        }
        Error::Network {
            provider: self.provider,
            user_id: user_id.to_string(),
            reason: format!(
                "the token endpoint {} could not be reached: {}",
                ex.url,
                describe_transport(e)
            ),
            connected: false,
            attempts: 1,
        }
    }
}

/// A token endpoint's answer, read.
struct Answer<'a> {
    status: u16,
    headers: &'a reqwest::header::HeaderMap,
    body: &'a [u8],
    too_large: bool,
}

/// What a body looks like, for messages.
fn describe(a: &Answer<'_>) -> &'static str {
    let content_type = header_str(a.headers, "content-type").unwrap_or_default();
    if a.too_large {
        "a body too large to be a token answer"
    } else if a.body.iter().all(u8::is_ascii_whitespace) {
        "an empty body"
    } else if content_type.contains("html") || a.body.trim_ascii_start().starts_with(b"<") {
        "an HTML page"
    } else if serde_json::from_slice::<serde_json::Value>(a.body).is_ok() {
        "JSON of another shape"
    } else {
        "a body that is not JSON"
    }
}

/// The same error under another kind.
fn retag(e: Error, kind: ErrorKind) -> Error {
    match e {
        Error::Unauthenticated(api) => Error::from_api(kind, api),
        other => other,
    }
}

/// `e`, as the error of the call for `user_id` (a fetch shared by several
/// calls failed once for all of them).
fn for_user(mut e: Error, user_id: &str) -> Error {
    match &mut e {
        Error::Timeout { user_id: u, .. } | Error::Network { user_id: u, .. } => {
            *u = user_id.to_string()
        }
        other => {
            if let Some(api) = other.api_error_mut() {
                api.user_id = user_id.to_string();
            }
        }
    }
    e
}

/// `expires_in` of a token answer: seconds, as a number or (Entra ID's v1
/// endpoint) a string of digits; `None` when absent or not a sane number.
fn expires_in(json: &serde_json::Value) -> Option<Duration> {
    let v = json.get("expires_in")?;
    let secs = match v {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0 && secs < 1e9).then(|| Duration::from_secs_f64(secs))
}

/// `scheme://host[:port]` of a URL (an issuer, a tenant's host).
pub(crate) fn origin(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    url.host_str()?;
    Some(url.origin().ascii_serialization())
}

/// `s` form-encoded (`application/x-www-form-urlencoded`).
fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The claims of a private key JWT (RFC 7523 §3).
#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

/// A private key JWT for `client_id`, signed RS256 with `key`.
pub(crate) fn assertion(
    client_id: &str,
    key: &jsonwebtoken::EncodingKey,
    key_id: Option<&str>,
    audience: &str,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    // `jsonwebtoken` takes its crypto backend from its features (userbridge
    // asks for RustCrypto); when another crate of the program also asks for
    // aws-lc-rs, it has no default and would panic: say so instead.
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        return Err(jsonwebtoken::errors::new_error(
            jsonwebtoken::errors::ErrorKind::Provider(
                "jsonwebtoken has more than one crypto backend in this program (its rust_crypto \
                 and aws_lc_rs features): install one at start with \
                 jsonwebtoken::crypto::CryptoProvider::install_default"
                    .to_string(),
            ),
        ));
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = key_id.map(str::to_string);
    let claims = Claims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        iat: now,
        exp: now + ASSERTION_LIFETIME.as_secs(),
        jti: format!("{:032x}", fastrand::u128(..)),
    };
    jsonwebtoken::encode(&header, &claims, key)
}

/// The claims of a service account's assertion (RFC 7523 §2.1, as Google's
/// "Using OAuth 2.0 for Server to Server Applications" lists them).
#[derive(serde::Serialize)]
struct ServiceAccountClaims<'a> {
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    aud: &'a str,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
}

/// A service account's assertion for the JWT bearer grant: RS256, `kid` =
/// the key's id, `iss` = the client email, `scope` (space-separated), `aud`
/// = the token URL, an hour's lifetime, `sub` = the user acted as.
pub(crate) fn service_account_assertion(
    client_email: &str,
    key: &jsonwebtoken::EncodingKey,
    key_id: Option<&str>,
    scope: Option<&str>,
    audience: &str,
    subject: Option<&str>,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = key_id.map(str::to_string);
    let claims = ServiceAccountClaims {
        iss: client_email,
        scope,
        aud: audience,
        iat: now,
        exp: now + SERVICE_ACCOUNT_ASSERTION_LIFETIME.as_secs(),
        sub: subject,
    };
    jsonwebtoken::encode(&header, &claims, key)
}

/// An RSA private key in PEM (PKCS#8 or PKCS#1), or why it is not one; the
/// key's text never appears in the reason.
pub(crate) fn rsa_key(pem: &str) -> Result<jsonwebtoken::EncodingKey, String> {
    let pem = pem.trim();
    if !pem.starts_with("-----BEGIN") {
        return Err(
            "the private key is not PEM text (it must start with `-----BEGIN PRIVATE KEY-----` \
             or `-----BEGIN RSA PRIVATE KEY-----`; pass the file's contents, not its path)"
                .into(),
        );
    }
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| {
        format!(
            "the private key could not be read as an RSA private key in PEM (PKCS#8 or PKCS#1, \
             not encrypted): {e}"
        )
    })?;
    // A key that parses but cannot sign (a truncated modulus) fails here,
    // not at the first call.
    assertion("check", &key, None, "check")
        .map_err(|e| format!("the private key cannot sign RS256 JWTs: {e}"))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A renewing client over a token source that counts its calls, waits a
    /// little, and fails when `fail` says so.
    fn counted(fail: bool, lifetime: Option<Duration>) -> (Arc<Renewing>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let fetch: Arc<TokenFn> = Arc::new(move || -> TokenFuture {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                if fail {
                    Err("sealed".into())
                } else {
                    Ok(AccessToken::new(format!("token-number-{n}"), lifetime))
                }
            })
        });
        (
            Arc::new(Renewing::new(Provider::Keycloak, Source::Custom(fetch))),
            calls,
        )
    }

    async fn many(renewing: &Arc<Renewing>, n: usize) -> Vec<Result<Arc<Token>, Error>> {
        let http = crate::tls::client_builder().unwrap().build().unwrap();
        let ends = Instant::now() + Duration::from_secs(5);
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            let (renewing, http) = (renewing.clone(), http.clone());
            set.spawn(async move { renewing.token(&http, ends, &format!("u{i}")).await });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r.unwrap_or_else(|e| panic!("{e}")));
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn calls_at_once_make_one_fetch_and_share_its_token() {
        let (renewing, calls) = counted(false, None);
        let got = many(&renewing, 64).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let headers: std::collections::BTreeSet<_> = got
            .iter()
            .map(|r| r.as_ref().map(|t| t.header.clone()).ok())
            .collect();
        assert_eq!(headers.len(), 1, "{headers:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_fetch_fails_its_waiters_once_and_is_not_cached() {
        let (renewing, calls) = counted(true, None);
        let got = many(&renewing, 16).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one fetch for the waiters");
        for r in &got {
            let e = r.as_ref().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("the token source failed: sealed"), "{e}");
        }
        // Each waiter's error names its own user.
        let users: std::collections::BTreeSet<_> = got
            .iter()
            .filter_map(|r| {
                r.as_ref()
                    .err()
                    .and_then(|e| e.api_error())
                    .map(|a| a.user_id.clone())
            })
            .collect();
        assert_eq!(users.len(), 16);
        // A later call tries again.
        let _ = many(&renewing, 1).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_refused_token_is_dropped_once() {
        let (renewing, calls) = counted(false, None);
        let http = crate::tls::client_builder().unwrap().build().unwrap();
        let ends = Instant::now() + Duration::from_secs(5);
        let first = renewing
            .token(&http, ends, "u")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        renewing.refused(&first);
        let second = renewing
            .token(&http, ends, "u")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A second call that saw the first token refused too does not drop
        // the new one.
        renewing.refused(&first);
        let third = renewing
            .token(&http, ends, "u")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(Arc::ptr_eq(&second, &third));
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_renewed_a_fifth_of_its_lifetime_early() {
        let (renewing, calls) = counted(false, Some(Duration::from_secs(10)));
        let http = crate::tls::client_builder().unwrap().build().unwrap();
        let far = || Instant::now() + Duration::from_secs(5);
        let t0 = renewing
            .token(&http, far(), "u")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(t0.refresh_at.is_some());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Fetched at once again only past the refresh time (8 s of 10).
        let due = t0.refresh_at.unwrap_or_else(Instant::now);
        assert!(due > Instant::now() + Duration::from_millis(7900));
        assert!(due < Instant::now() + Duration::from_millis(8100));
        assert!(renewing.fresh(due - Duration::from_millis(1)).is_some());
        assert!(renewing.fresh(due).is_none());
        assert!(
            renewing.valid(due).is_some(),
            "still valid while it is renewed"
        );
    }

    #[test]
    fn the_margin_suits_short_and_long_lifetimes() {
        assert_eq!(
            refresh_margin(Duration::from_secs(3)),
            Duration::from_millis(600)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(300)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn expires_in_takes_numbers_and_digit_strings_only() {
        let e = |v: serde_json::Value| expires_in(&serde_json::json!({ "expires_in": v }));
        assert_eq!(e(serde_json::json!(300)), Some(Duration::from_secs(300)));
        assert_eq!(
            e(serde_json::json!("3599")),
            Some(Duration::from_secs(3599))
        );
        assert_eq!(e(serde_json::json!(2.5)), Some(Duration::from_millis(2500)));
        for bad in [
            serde_json::json!(0),
            serde_json::json!(-5),
            serde_json::json!("soon"),
            serde_json::json!(null),
            serde_json::json!(1e300),
        ] {
            assert_eq!(e(bad.clone()), None, "{bad}");
        }
        assert_eq!(expires_in(&serde_json::json!({})), None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let t = AccessToken::new("tok-123456789", None);
        assert!(!format!("{t:?}").contains("tok-123456789"));
        assert_eq!(format!("{:?}", Secret::new("s3cr3t")), "<redacted>");
    }

    #[test]
    fn a_key_that_is_not_pem_is_refused_without_echoing_it() {
        let err = rsa_key("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")
            .err()
            .unwrap_or_default();
        assert!(err.contains("not PEM text"), "{err}");
        assert!(!err.contains("MIIEv"), "{err}");
        let err = rsa_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .err()
            .unwrap_or_default();
        assert!(err.contains("could not be read"), "{err}");
        assert!(!err.contains("AAAA"), "{err}");
    }
}
