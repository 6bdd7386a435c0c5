//! The engine of the token endpoint suites: the simulators' OAuth 2.0 token
//! endpoints driven with raw requests (not the SDK's credentials). Nothing here
//! knows a provider: what a provider's endpoint is (its URL, how a client
//! authenticates, what it asks for, what it answers) is a [`TokenFacts`] its
//! own test file (`tests/tests/<provider>.rs`) gives, with its own refusals;
//! the checks every token endpoint passes are here. The SDK is used only to
//! check that the API takes (or refuses) an issued token.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use userbridge::mock::{Simulator, UserState, DEFAULT_TOKEN};
use userbridge::{Client, Error, ErrorKind, Provider, RetryPolicy};

use crate::sim::{api, builder};

/// `client_assertion_type` of a private key JWT (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The client id of the private key JWT clients registered here.
pub const JWT_CLIENT: &str = "0oa-jwt-client";

/// How the provider's default token request authenticates the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form.
    SecretInForm,
    /// HTTP Basic of the form-encoded id and secret.
    SecretInBasic,
    /// A private key JWT of a client registered with the test key
    /// ([`JWT_CLIENT`]).
    PrivateKeyJwt,
}

/// What a provider's token endpoint is, as its test file states it.
pub struct TokenFacts {
    /// The provider.
    pub provider: Provider,
    /// The user the scenarios reactivate (an id of the provider's shape).
    pub user: &'static str,
    /// The token URL the simulator must give (may assert on the URL's shape
    /// and return it).
    pub token_url: fn(&Simulator) -> String,
    /// What the token request needs besides the client (audience, scopes).
    pub extras: fn(&Simulator) -> Vec<(&'static str, String)>,
    /// The `aud` of a private key JWT at the endpoint.
    pub assertion_audience: fn(&Simulator) -> String,
    /// How the default request authenticates the client.
    pub auth: ClientAuth,
    /// The fields of a success, sorted.
    pub success_fields: &'static [&'static str],
    /// The default `expires_in`.
    pub lifetime: u64,
    /// Fields of a success besides `expires_in` that equal the lifetime.
    pub lifetime_fields: &'static [&'static str],
    /// Fields of a success that are always 0.
    pub zero_fields: &'static [&'static str],
}

/// The simulator's token URL.
pub fn token_url(sim: &Simulator) -> String {
    sim.token_url().expect("a token endpoint")
}

/// A test key of `tests/keys/`.
pub fn key(name: &str) -> String {
    let path = format!("{}/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An RS256 assertion signed with the private key in `private_pem`.
pub fn sign(private_pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// RFC 7523 claims: `iss` = `sub` = `client`, `aud`, `exp` in `exp_in`
/// seconds, `jti`.
pub fn claims(client: &str, aud: &str, exp_in: i64, jti: &str) -> Value {
    let now = now();
    json!({"iss": client, "sub": client, "aud": aud, "iat": now, "exp": now + exp_in, "jti": jti})
}

/// A `jti` not used before in this process.
pub fn fresh_jti() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("jti-{nanos}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A raw answer of the token endpoint.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// A header's value ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The issued token (the answer must be a 200).
    pub fn token(&self) -> String {
        assert_eq!(self.status, 200, "{self:?}");
        self.body["access_token"].as_str().unwrap().to_string()
    }

    /// `{error, error_description}` of a refusal.
    pub fn oauth(&self) -> (u16, &str, &str) {
        (
            self.status,
            self.body["error"].as_str().unwrap_or_default(),
            self.body["error_description"].as_str().unwrap_or_default(),
        )
    }
}

/// POSTs `pairs` as a form to `url`, with HTTP Basic when given (the id and
/// secret form-encoded, then base64: RFC 6749 §2.3.1).
pub async fn post(url: &str, pairs: &[(&str, &str)], basic: Option<(&str, &str)>) -> Answer {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    send(url, "application/x-www-form-urlencoded", body, basic).await
}

/// POSTs `body` of `content_type` to `url`, with HTTP Basic when given.
pub async fn send(
    url: &str,
    content_type: &str,
    body: String,
    basic: Option<(&str, &str)>,
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body);
    if let Some((id, secret)) = basic {
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        request = request.basic_auth(enc(id), Some(enc(secret)));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Answer {
        status,
        headers,
        body,
    }
}

/// A fresh simulator of the provider with its user deactivated.
pub async fn started(f: &TokenFacts) -> Simulator {
    let sim = Simulator::start(f.provider).await;
    sim.add_user(f.user, sim.organization(), UserState::Deactivated);
    sim
}

/// A token of `sim`'s default client (a private key JWT client registered
/// with the test key where the provider authenticates so), asked for as the
/// provider wants it.
pub async fn issue(f: &TokenFacts, sim: &Simulator) -> Answer {
    let url = token_url(sim);
    let extras = (f.extras)(sim);
    let mut pairs: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    pairs.extend(extras.iter().map(|(k, v)| (*k, v.as_str())));
    match f.auth {
        ClientAuth::PrivateKeyJwt => {
            sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), None);
            let jwt = sign(
                &key("test-rsa-pkcs8.pem"),
                None,
                &claims(JWT_CLIENT, &url, 60, &fresh_jti()),
            );
            pairs.extend([
                ("client_id", JWT_CLIENT),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", jwt.as_str()),
            ]);
            post(&url, &pairs, None).await
        }
        ClientAuth::SecretInBasic => {
            post(&url, &pairs, Some((sim.client_id(), sim.client_secret()))).await
        }
        ClientAuth::SecretInForm => {
            pairs.extend([
                ("client_id", sim.client_id()),
                ("client_secret", sim.client_secret()),
            ]);
            post(&url, &pairs, None).await
        }
    }
}

/// The request of [`issue`] with the secret in the form: `id`, `secret` and
/// `grant` as given, the provider's extras added.
pub async fn with_secret(
    f: &TokenFacts,
    sim: &Simulator,
    id: &str,
    secret: &str,
    grant: &str,
) -> Answer {
    let extras = (f.extras)(sim);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", grant),
        ("client_id", id),
        ("client_secret", secret),
    ];
    pairs.extend(extras.iter().map(|(k, v)| (*k, v.as_str())));
    post(&token_url(sim), &pairs, None).await
}

/// A client of the API with `token`, retries off.
pub fn api_client(sim: &Simulator, token: &str) -> Client {
    builder(sim, token)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Reactivates the provider's user with `token`: `Ok` when the API took the
/// token (a user already active counts).
pub async fn use_token(f: &TokenFacts, sim: &Simulator, token: &str) -> Result<(), Error> {
    match api_client(sim, token).users().reactivate(f.user).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotDeactivated => Ok(()),
        Err(e) => Err(e),
    }
}

/// Asserts that the API refuses `token` as it refuses a token it never
/// issued: the provider's own 401.
pub async fn assert_refused_like_unknown(f: &TokenFacts, sim: &Simulator, token: &str) {
    let p = sim.provider();
    let got = use_token(f, sim, token)
        .await
        .expect_err("the token is refused");
    let unknown = use_token(f, sim, "never-issued").await.unwrap_err();
    assert_eq!(got.kind(), ErrorKind::Unauthenticated, "{p}: {got}");
    assert_eq!(got.status(), Some(401), "{p}: {got}");
    assert_eq!(api(&got).code, api(&unknown).code, "{p}");
    assert_eq!(got.status(), unknown.status(), "{p}");
}

// ------------------------------------------------------- the generic checks

/// The simulator's token URL is the provider's; it has a client whose secret
/// `Debug` never shows.
pub async fn token_url_is_where_the_sdk_looks(f: &TokenFacts) {
    let p = f.provider;
    let sim = Simulator::start(p).await;
    assert_eq!(sim.provider(), p);
    let want = (f.token_url)(&sim);
    assert_eq!(sim.token_url(), Some(want), "{p}");
    assert!(!sim.client_id().is_empty(), "{p}");
    assert_eq!(sim.client_secret().len(), 40, "{p}");
    assert!(
        !format!("{sim:?}").contains(sim.client_secret()),
        "{p}: Debug shows the secret"
    );
}

/// A correct request gets the provider's success (its fields, `Bearer`, the
/// default lifetime, JSON, `no-store`) with a random token the API accepts;
/// the static token keeps working.
pub async fn issues_tokens_the_api_accepts(f: &TokenFacts) {
    let p = f.provider;
    let sim = started(f).await;
    let answer = issue(f, &sim).await;
    assert_eq!(answer.status, 200, "{p}: {answer:?}");
    assert!(
        answer
            .header("content-type")
            .starts_with("application/json"),
        "{p}"
    );
    assert_eq!(answer.header("cache-control"), "no-store", "{p}");
    let mut keys: Vec<&str> = answer
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, f.success_fields, "{p}");
    assert_eq!(answer.body["token_type"], "Bearer", "{p}");
    assert_eq!(answer.body["expires_in"], f.lifetime, "{p}");
    for field in f.lifetime_fields {
        assert_eq!(answer.body[field], f.lifetime, "{p}: {field}");
    }
    for field in f.zero_fields {
        assert_eq!(answer.body[field], 0, "{p}: {field}");
    }
    let token = answer.token();
    assert!(token.len() >= 32, "{p}: {token}");
    assert_ne!(
        token,
        issue(f, &sim).await.token(),
        "{p}: tokens are random"
    );
    use_token(f, &sim, &token)
        .await
        .unwrap_or_else(|e| panic!("{p}: the API refused an issued token: {e}"));
    assert_eq!(sim.user_state(f.user), Some(UserState::Active), "{p}");
    // The static token still works.
    use_token(f, &sim, DEFAULT_TOKEN).await.unwrap();
}

/// A private key JWT (with a `kid`) gets a token the API accepts; the same
/// assertion again is a replay; one for another audience is refused.
pub async fn takes_a_private_key_jwt(f: &TokenFacts) {
    let p = f.provider;
    let sim = started(f).await;
    sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), Some("kid-1"));
    let url = token_url(&sim);
    let jwt = sign(
        &key("test-rsa-pkcs8.pem"),
        Some("kid-1"),
        &claims(JWT_CLIENT, &(f.assertion_audience)(&sim), 120, &fresh_jti()),
    );
    let extras = (f.extras)(&sim);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("client_id", JWT_CLIENT),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", jwt.as_str()),
    ];
    pairs.extend(extras.iter().map(|(k, v)| (*k, v.as_str())));
    let answer = post(&url, &pairs, None).await;
    assert_eq!(answer.status, 200, "{p}: {answer:?}");
    use_token(f, &sim, &answer.token()).await.unwrap();

    let replay = post(&url, &pairs, None).await;
    assert_eq!(replay.status / 100, 4, "{p}: {replay:?}");
    let elsewhere = sign(
        &key("test-rsa-pkcs8.pem"),
        Some("kid-1"),
        &claims(JWT_CLIENT, "https://elsewhere.example/", 120, &fresh_jti()),
    );
    pairs[3] = ("client_assertion", elsewhere.as_str());
    let wrong_aud = post(&url, &pairs, None).await;
    assert_eq!(wrong_aud.status / 100, 4, "{p}: {wrong_aud:?}");
}

/// A token issued with a one-second lifetime says so, works, then is refused
/// as an unknown token; the static token never expires.
pub async fn issued_tokens_expire(f: &TokenFacts) {
    let p = f.provider;
    let sim = started(f).await;
    sim.set_token_lifetime(Duration::from_secs(1));
    let answer = issue(f, &sim).await;
    assert_eq!(answer.body["expires_in"], 1, "{p}");
    let token = answer.token();
    use_token(f, &sim, &token).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_refused_like_unknown(f, &sim, &token).await;
    use_token(f, &sim, DEFAULT_TOKEN).await.unwrap();
}

/// Revoking refuses the issued tokens, not the static ones; tokens issued
/// after the revocation work.
pub async fn revoked_tokens_are_refused(f: &TokenFacts) {
    let sim = started(f).await;
    let token = issue(f, &sim).await.token();
    sim.add_token("static-token");
    sim.revoke_tokens();
    assert_refused_like_unknown(f, &sim, &token).await;
    use_token(f, &sim, DEFAULT_TOKEN).await.unwrap();
    use_token(f, &sim, "static-token").await.unwrap();
    sim.add_user(f.user, sim.organization(), UserState::Deactivated);
    use_token(f, &sim, &issue(f, &sim).await.token())
        .await
        .unwrap();
}

/// The five generic checks above as `#[tokio::test]` functions of the
/// calling test file, run for each [`TokenFacts`] of `$facts` (anything
/// iterable: `[facts()]`, or both Zitadel versions).
#[macro_export]
macro_rules! token_endpoint_tests {
    ($facts:expr) => {
        #[tokio::test]
        async fn token_url_is_where_the_sdk_looks() {
            for f in $facts {
                $crate::tokens::token_url_is_where_the_sdk_looks(&f).await;
            }
        }

        #[tokio::test]
        async fn issues_tokens_the_api_accepts() {
            for f in $facts {
                $crate::tokens::issues_tokens_the_api_accepts(&f).await;
            }
        }

        #[tokio::test]
        async fn takes_a_private_key_jwt() {
            for f in $facts {
                $crate::tokens::takes_a_private_key_jwt(&f).await;
            }
        }

        #[tokio::test]
        async fn issued_tokens_expire() {
            for f in $facts {
                $crate::tokens::issued_tokens_expire(&f).await;
            }
        }

        #[tokio::test]
        async fn revoked_tokens_are_refused() {
            for f in $facts {
                $crate::tokens::revoked_tokens_are_refused(&f).await;
            }
        }
    };
}
