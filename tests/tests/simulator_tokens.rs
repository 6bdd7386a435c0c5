//! The simulators' OAuth 2.0 token endpoints themselves, driven with raw
//! requests (not the SDK's credentials): for every provider that has one, a
//! correct request gets a token the provider's API then accepts; wrong
//! secrets, unknown clients and other grants get the provider's own refusal;
//! issued tokens expire and can be revoked; requests are counted and recorded
//! with the secret redacted; Okta's private key JWTs are verified (signature,
//! `kid`, `aud`, `exp`, `jti`). The SDK is used only to check that the API
//! takes (or refuses) an issued token.

use std::time::Duration;

use futures_util::future::join_all;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use userbridge::mock::{Failure, Simulator, UserState, DEFAULT_TOKEN};
use userbridge::{Client, Error, ErrorKind, Provider, RetryPolicy};
use userbridge_tests::sim::{api, builder};

/// The providers whose simulators serve a token endpoint.
const WITH_TOKENS: [Provider; 6] = [
    Provider::Keycloak,
    Provider::Auth0,
    Provider::EntraId,
    Provider::ZitadelV1,
    Provider::ZitadelV2,
    Provider::Okta,
];

/// The user each provider's scenarios reactivate (an id of its shape).
fn user(p: Provider) -> &'static str {
    match p {
        Provider::Keycloak => "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b",
        Provider::Auth0 => "auth0|64b5f1c2e4b0a1b2c3d4e5f6",
        Provider::EntraId => "adele.vance@contoso.com",
        Provider::Okta => "00u1ab2cd3EF4gh5ij6k",
        _ => "69629023906488334",
    }
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GRAPH: &str = "https://graph.microsoft.com/.default";
const ZITADEL_SCOPE: &str = "openid urn:zitadel:iam:org:project:id:zitadel:aud";
const OKTA_SCOPES: &str = "okta.users.read okta.users.manage";
/// The client id of the private key JWT clients registered here.
const JWT_CLIENT: &str = "0oa-jwt-client";

fn key(name: &str) -> String {
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
fn sign(private_pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// RFC 7523 claims: `iss` = `sub` = `client`, `aud`, `exp` in `exp_in`
/// seconds, `jti`.
fn claims(client: &str, aud: &str, exp_in: i64, jti: &str) -> Value {
    let now = now();
    json!({"iss": client, "sub": client, "aud": aud, "iat": now, "exp": now + exp_in, "jti": jti})
}

/// A `jti` not used before in this process.
fn fresh_jti() -> String {
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
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn token(&self) -> String {
        assert_eq!(self.status, 200, "{self:?}");
        self.body["access_token"].as_str().unwrap().to_string()
    }

    /// `{error, error_description}` of a refusal.
    fn oauth(&self) -> (u16, &str, &str) {
        (
            self.status,
            self.body["error"].as_str().unwrap_or_default(),
            self.body["error_description"].as_str().unwrap_or_default(),
        )
    }
}

/// POSTs `pairs` as a form to `url`, with HTTP Basic when given (the id and
/// secret form-encoded, then base64: RFC 6749 §2.3.1).
async fn post(url: &str, pairs: &[(&str, &str)], basic: Option<(&str, &str)>) -> Answer {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    send(url, "application/x-www-form-urlencoded", body, basic).await
}

async fn send(url: &str, content_type: &str, body: String, basic: Option<(&str, &str)>) -> Answer {
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

fn token_url(sim: &Simulator) -> String {
    sim.token_url().expect("a token endpoint")
}

/// What the provider's token request needs besides the client: Auth0's
/// audience, the scopes of Entra ID, Zitadel and Okta.
fn extras(sim: &Simulator) -> Vec<(&'static str, String)> {
    match sim.provider() {
        Provider::Auth0 => vec![("audience", format!("{}/", sim.base_url()))],
        Provider::EntraId => vec![("scope", GRAPH.to_string())],
        Provider::ZitadelV1 | Provider::ZitadelV2 => vec![("scope", ZITADEL_SCOPE.to_string())],
        Provider::Okta => vec![("scope", OKTA_SCOPES.to_string())],
        _ => Vec::new(),
    }
}

/// The `aud` of a private key JWT at `sim`'s token endpoint.
fn assertion_audience(sim: &Simulator) -> String {
    match sim.provider() {
        Provider::Auth0 => format!("{}/", sim.base_url().trim_end_matches("/api/v2")),
        Provider::ZitadelV1 | Provider::ZitadelV2 => sim.base_url(),
        _ => token_url(sim),
    }
}

/// A token of `sim`'s default client (Okta: of a private key JWT client
/// registered with the test key), asked for as the provider wants it.
async fn issue(sim: &Simulator) -> Answer {
    let url = token_url(sim);
    let extras = extras(sim);
    let mut pairs: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    pairs.extend(extras.iter().map(|(k, v)| (*k, v.as_str())));
    match sim.provider() {
        Provider::Okta => {
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
        // Zitadel's documented way: HTTP Basic.
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            post(&url, &pairs, Some((sim.client_id(), sim.client_secret()))).await
        }
        _ => {
            pairs.extend([
                ("client_id", sim.client_id()),
                ("client_secret", sim.client_secret()),
            ]);
            post(&url, &pairs, None).await
        }
    }
}

/// A client of the API with `token`, its user deactivated beforehand.
fn api_client(sim: &Simulator, token: &str) -> Client {
    builder(sim, token)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Reactivates the provider's sample user with `token`: `Ok` when the API
/// took the token (a user already active counts).
async fn use_token(sim: &Simulator, token: &str) -> Result<(), Error> {
    match api_client(sim, token)
        .users()
        .reactivate(user(sim.provider()))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotDeactivated => Ok(()),
        Err(e) => Err(e),
    }
}

/// Asserts that the API refuses `token` as it refuses a token it never
/// issued: the provider's own 401.
async fn assert_refused_like_unknown(sim: &Simulator, token: &str) {
    let p = sim.provider();
    let got = use_token(sim, token)
        .await
        .expect_err("the token is refused");
    let unknown = use_token(sim, "never-issued").await.unwrap_err();
    assert_eq!(got.kind(), ErrorKind::Unauthenticated, "{p}: {got}");
    assert_eq!(got.status(), Some(401), "{p}: {got}");
    assert_eq!(api(&got).code, api(&unknown).code, "{p}");
    assert_eq!(got.status(), unknown.status(), "{p}");
}

async fn started(p: Provider) -> Simulator {
    let sim = Simulator::start(p).await;
    sim.add_user(user(p), sim.organization(), UserState::Deactivated);
    sim
}

// ---------------------------------------------------------------- the paths

#[tokio::test]
async fn token_urls_are_where_the_sdk_looks() {
    for p in Provider::ALL {
        let sim = Simulator::start(p).await;
        let base = sim.base_url();
        let origin = format!("http://{}", base.split('/').nth(2).unwrap());
        let want = match p {
            Provider::Keycloak => Some(format!(
                "{base}/realms/{}/protocol/openid-connect/token",
                sim.organization()
            )),
            Provider::Auth0 => Some(format!("{origin}/oauth/token")),
            // A default tenant id: one path segment.
            Provider::EntraId => {
                let url = token_url(&sim);
                let tenant = url
                    .strip_prefix(&format!("{origin}/"))
                    .and_then(|rest| rest.strip_suffix("/oauth2/v2.0/token"))
                    .unwrap_or_else(|| panic!("{url}"));
                assert!(!tenant.is_empty() && !tenant.contains('/'), "{url}");
                Some(url)
            }
            Provider::ZitadelV1 | Provider::ZitadelV2 => Some(format!("{base}/oauth/v2/token")),
            Provider::Okta => Some(format!("{base}/oauth2/v1/token")),
            _ => None,
        };
        assert_eq!(sim.token_url(), want, "{p}");
        assert_eq!(sim.token_url().is_some(), WITH_TOKENS.contains(&p), "{p}");
        assert!(!sim.client_id().is_empty(), "{p}");
        assert_eq!(sim.client_secret().len(), 40, "{p}");
        assert!(
            !format!("{sim:?}").contains(sim.client_secret()),
            "{p}: Debug shows the secret"
        );
    }
    // Each simulator has a secret of its own.
    let (a, b) = (
        Simulator::start(Provider::Keycloak).await,
        Simulator::start(Provider::Keycloak).await,
    );
    assert_ne!(a.client_secret(), b.client_secret());
}

// ------------------------------------------------------------------ success

#[tokio::test]
async fn every_token_endpoint_issues_tokens_the_api_accepts() {
    for p in WITH_TOKENS {
        let sim = started(p).await;
        let answer = issue(&sim).await;
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
        let (want_keys, lifetime): (&[&str], u64) = match p {
            Provider::Keycloak => (
                &[
                    "access_token",
                    "expires_in",
                    "not-before-policy",
                    "refresh_expires_in",
                    "scope",
                    "token_type",
                ],
                300,
            ),
            Provider::Auth0 => (
                &["access_token", "expires_in", "scope", "token_type"],
                86_400,
            ),
            Provider::EntraId => (
                &["access_token", "expires_in", "ext_expires_in", "token_type"],
                3599,
            ),
            Provider::Okta => (&["access_token", "expires_in", "scope", "token_type"], 3600),
            _ => (&["access_token", "expires_in", "token_type"], 43_199),
        };
        assert_eq!(keys, want_keys, "{p}");
        assert_eq!(answer.body["token_type"], "Bearer", "{p}");
        assert_eq!(answer.body["expires_in"], lifetime, "{p}");
        if p == Provider::Keycloak {
            assert_eq!(answer.body["refresh_expires_in"], 0);
            assert_eq!(answer.body["not-before-policy"], 0);
        }
        if p == Provider::EntraId {
            assert_eq!(answer.body["ext_expires_in"], lifetime);
        }
        let token = answer.token();
        assert!(token.len() >= 32, "{p}: {token}");
        assert_ne!(token, issue(&sim).await.token(), "{p}: tokens are random");
        use_token(&sim, &token)
            .await
            .unwrap_or_else(|e| panic!("{p}: the API refused an issued token: {e}"));
        assert_eq!(sim.user_state(user(p)), Some(UserState::Active), "{p}");
        // The static token still works.
        use_token(&sim, DEFAULT_TOKEN).await.unwrap();
    }
}

#[tokio::test]
async fn every_token_endpoint_takes_a_private_key_jwt() {
    for p in WITH_TOKENS {
        let sim = started(p).await;
        sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), Some("kid-1"));
        let url = token_url(&sim);
        let jwt = sign(
            &key("test-rsa-pkcs8.pem"),
            Some("kid-1"),
            &claims(JWT_CLIENT, &assertion_audience(&sim), 120, &fresh_jti()),
        );
        let extras = extras(&sim);
        let mut pairs: Vec<(&str, &str)> = vec![
            ("grant_type", "client_credentials"),
            ("client_id", JWT_CLIENT),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", jwt.as_str()),
        ];
        pairs.extend(extras.iter().map(|(k, v)| (*k, v.as_str())));
        let answer = post(&url, &pairs, None).await;
        assert_eq!(answer.status, 200, "{p}: {answer:?}");
        use_token(&sim, &answer.token()).await.unwrap();

        // The same assertion again is a replay; one for another audience is
        // refused.
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
}

// ----------------------------------------------------------------- refusals

/// The request of [`issue`] with the default client, its secret replaced.
async fn with_secret(sim: &Simulator, id: &str, secret: &str, grant: &str) -> Answer {
    let extras = extras(sim);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", grant),
        ("client_id", id),
        ("client_secret", secret),
    ];
    pairs.extend(extras.iter().map(|(k, v)| (*k, v.as_str())));
    post(&token_url(sim), &pairs, None).await
}

#[tokio::test]
async fn keycloak_refusals() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let id = sim.client_id().to_string();
    let invalid = "Invalid client or Invalid client credentials";
    assert_eq!(
        with_secret(&sim, &id, "wrong", "client_credentials")
            .await
            .oauth(),
        (401, "unauthorized_client", invalid)
    );
    assert_eq!(
        with_secret(&sim, "nobody", "x", "client_credentials")
            .await
            .oauth(),
        (401, "invalid_client", invalid)
    );
    assert_eq!(
        with_secret(&sim, &id, sim.client_secret(), "password")
            .await
            .oauth(),
        (400, "unsupported_grant_type", "Unsupported grant_type")
    );
    // The grant type is checked before the client.
    assert_eq!(
        with_secret(&sim, "nobody", "x", "password").await.oauth(),
        (400, "unsupported_grant_type", "Unsupported grant_type")
    );
    let none = post(&token_url(&sim), &[("client_id", &id)], None).await;
    assert_eq!(
        none.oauth(),
        (400, "invalid_request", "Missing form parameter: grant_type")
    );
    // An unknown realm: before anything is read.
    let url = token_url(&sim).replace("/realms/acme/", "/realms/nowhere/");
    let unknown = post(&url, &[("grant_type", "client_credentials")], None).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, json!({"error": "Realm does not exist"}));
}

#[tokio::test]
async fn auth0_refusals() {
    let sim = Simulator::start(Provider::Auth0).await;
    let id = sim.client_id().to_string();
    let unauthorized = (401, "access_denied", "Unauthorized");
    assert_eq!(
        with_secret(&sim, &id, "wrong", "client_credentials")
            .await
            .oauth(),
        unauthorized
    );
    assert_eq!(
        with_secret(&sim, "nobody", "x", "client_credentials")
            .await
            .oauth(),
        unauthorized
    );
    assert_eq!(
        with_secret(&sim, &id, sim.client_secret(), "password")
            .await
            .oauth()
            .0,
        400
    );
    assert_eq!(
        with_secret(&sim, &id, sim.client_secret(), "password")
            .await
            .oauth()
            .1,
        "unsupported_grant_type"
    );
    // The audience must be the Management API's identifier.
    let url = token_url(&sim);
    let base = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", sim.client_secret()),
    ];
    let mut other = base.to_vec();
    other.push(("audience", "https://example.us.auth0.com/api/v2/"));
    assert_eq!(
        post(&url, &other, None).await.oauth(),
        (
            403,
            "access_denied",
            "Service not found: https://example.us.auth0.com/api/v2/"
        )
    );
    let no_slash = sim.base_url();
    let mut other = base.to_vec();
    other.push(("audience", &no_slash));
    assert_eq!(post(&url, &other, None).await.status, 403);
    assert_eq!(post(&url, &base, None).await.status, 403);
    // A JSON body is read too.
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": id,
        "client_secret": sim.client_secret(),
        "audience": format!("{}/", sim.base_url()),
    });
    let answer = send(&url, "application/json", body.to_string(), None).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // Its secret is redacted in the record too.
    let recorded = sim.requests().last().unwrap().body_text();
    assert!(!recorded.contains(sim.client_secret()), "{recorded}");
}

#[tokio::test]
async fn entra_id_refusals() {
    let sim = Simulator::start(Provider::EntraId).await;
    let id = sim.client_id().to_string();
    let wrong = with_secret(&sim, &id, "wrong", "client_credentials").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["error"], "invalid_client");
    assert_eq!(wrong.body["error_codes"], json!([7_000_215]));
    let description = wrong.body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with("AADSTS7000215: Invalid client secret provided."),
        "{description}"
    );
    assert!(description.contains(&format!("for a secret added to app '{id}'")));
    let trace = wrong.body["trace_id"].as_str().unwrap();
    assert!(description.contains(&format!("\r\nTrace ID: {trace}\r\n")));
    for field in ["timestamp", "correlation_id", "error_uri"] {
        assert!(wrong.body[field].is_string(), "{field}: {wrong:?}");
    }
    let unknown = with_secret(&sim, "nobody", "x", "client_credentials").await;
    assert_eq!(
        (unknown.status, unknown.body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    assert_eq!(unknown.body["error_codes"], json!([700_016]));
    let grant = with_secret(&sim, &id, sim.client_secret(), "password").await;
    assert_eq!(
        (grant.status, grant.body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    // The scope must be Graph's `.default`.
    let url = token_url(&sim);
    let mut pairs = vec![
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", sim.client_secret()),
        ("scope", "https://graph.microsoft.com/User.Read"),
    ];
    let scope = post(&url, &pairs, None).await;
    assert_eq!(
        (scope.status, scope.body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    assert!(scope.body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS70011: "));
    pairs.pop();
    assert_eq!(post(&url, &pairs, None).await.oauth().1, "invalid_scope");
    // Any tenant is served.
    pairs.push(("scope", GRAPH));
    let other_tenant = url.replace(url.split('/').nth(3).unwrap(), "fabrikam.onmicrosoft.com");
    assert_eq!(post(&other_tenant, &pairs, None).await.status, 200);
}

#[tokio::test]
async fn zitadel_refusals() {
    for p in [Provider::ZitadelV1, Provider::ZitadelV2] {
        let sim = started(p).await;
        let url = token_url(&sim);
        let id = sim.client_id().to_string();
        let pairs = [
            ("grant_type", "client_credentials"),
            ("scope", ZITADEL_SCOPE),
        ];
        assert_eq!(
            post(&url, &pairs, Some(("nobody", "x"))).await.oauth(),
            (401, "invalid_client", "client not found"),
            "{p}"
        );
        assert_eq!(
            post(&url, &pairs, Some((&id, "wrong"))).await.oauth(),
            (400, "invalid_request", "Errors.User.Machine.Secret.Invalid"),
            "{p}"
        );
        assert_eq!(
            post(&url, &[("grant_type", "password")], Some((&id, "x")))
                .await
                .oauth(),
            (400, "unsupported_grant_type", "password not supported"),
            "{p}"
        );
        // The secret in the form works as well as in HTTP Basic.
        assert_eq!(
            with_secret(&sim, &id, sim.client_secret(), "client_credentials")
                .await
                .status,
            200
        );
        // Basic form-encodes the id and the secret first (RFC 6749 §2.3.1).
        sim.add_client("svc:user", "p@ss:w+rd/=");
        let basic = post(&url, &pairs, Some(("svc:user", "p@ss:w+rd/="))).await;
        use_token(&sim, &basic.token()).await.unwrap();
        // Without the API's audience scope, the API refuses the token.
        let openid = post(
            &url,
            &[("grant_type", "client_credentials"), ("scope", "openid")],
            Some((&id, sim.client_secret())),
        )
        .await;
        assert_refused_like_unknown(&sim, &openid.token()).await;
    }
}

#[tokio::test]
async fn okta_refusals() {
    let sim = Simulator::start(Provider::Okta).await;
    let url = token_url(&sim);
    // A client secret is refused, even the default client's right one.
    let secret = with_secret(
        &sim,
        sim.client_id(),
        sim.client_secret(),
        "client_credentials",
    )
    .await;
    assert_eq!(
        secret.oauth(),
        (
            401,
            "invalid_client",
            "Client authentication failed. Either the client or the client credentials are \
             invalid."
        )
    );
    assert_eq!(
        with_secret(&sim, "nobody", "x", "client_credentials")
            .await
            .oauth()
            .1,
        "invalid_client"
    );
    assert_eq!(
        with_secret(&sim, sim.client_id(), "x", "authorization_code")
            .await
            .oauth()
            .1,
        "unsupported_grant_type"
    );
    // Scopes must be given.
    sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), None);
    let jwt = sign(
        &key("test-rsa-pkcs8.pem"),
        None,
        &claims(JWT_CLIENT, &url, 60, &fresh_jti()),
    );
    let no_scope = post(
        &url,
        &[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &jwt),
        ],
        None,
    )
    .await;
    assert_eq!(
        no_scope.oauth(),
        (
            400,
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, \
             'scope' must be provided."
        )
    );
}

#[tokio::test]
async fn only_post_reaches_the_token_endpoint() {
    for p in WITH_TOKENS {
        let sim = Simulator::start(p).await;
        let response = reqwest::get(token_url(&sim)).await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "{p}");
        assert_eq!(response.headers()["allow"], "POST", "{p}");
    }
}

// ------------------------------------------------------- expiry, revocation

#[tokio::test]
async fn issued_tokens_expire() {
    join_all(WITH_TOKENS.map(|p| async move {
        let sim = started(p).await;
        sim.set_token_lifetime(Duration::from_secs(1));
        let answer = issue(&sim).await;
        assert_eq!(answer.body["expires_in"], 1, "{p}");
        let token = answer.token();
        use_token(&sim, &token).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_refused_like_unknown(&sim, &token).await;
        // The static token never expires.
        use_token(&sim, DEFAULT_TOKEN).await.unwrap();
    }))
    .await;
}

#[tokio::test]
async fn sub_second_lifetimes_are_sent_rounded_up_and_enforced_exactly() {
    let sim = started(Provider::Keycloak).await;
    sim.set_token_lifetime(Duration::from_millis(200));
    let answer = issue(&sim).await;
    assert_eq!(answer.body["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_refused_like_unknown(&sim, &answer.token()).await;
    // Tokens issued earlier keep their lifetime.
    sim.set_token_lifetime(Duration::from_secs(60));
    let lasting = issue(&sim).await;
    assert_eq!(lasting.body["expires_in"], 60);
    sim.set_token_lifetime(Duration::from_millis(1));
    use_token(&sim, &lasting.token()).await.unwrap();
    // A lifetime past what a clock holds: a token that never expires.
    sim.set_token_lifetime(Duration::MAX);
    let forever = issue(&sim).await;
    assert_eq!(forever.body["expires_in"], u64::MAX);
    use_token(&sim, &forever.token()).await.unwrap();
}

#[tokio::test]
async fn revoked_tokens_are_refused() {
    for p in WITH_TOKENS {
        let sim = started(p).await;
        let token = issue(&sim).await.token();
        sim.add_token("static-token");
        sim.revoke_tokens();
        assert_refused_like_unknown(&sim, &token).await;
        use_token(&sim, DEFAULT_TOKEN).await.unwrap();
        use_token(&sim, "static-token").await.unwrap();
        // Tokens issued after the revocation work.
        sim.add_user(user(p), sim.organization(), UserState::Deactivated);
        use_token(&sim, &issue(&sim).await.token()).await.unwrap();
    }
}

// --------------------------------------------------- counting and recording

#[tokio::test]
async fn token_requests_are_counted_and_recorded_without_the_secret() {
    let sim = started(Provider::Keycloak).await;
    assert_eq!(sim.token_requests(), 0);
    let token = issue(&sim).await.token();
    with_secret(&sim, sim.client_id(), "wrong", "client_credentials").await;
    reqwest::get(token_url(&sim)).await.unwrap();
    assert_eq!(sim.token_requests(), 3, "refusals count");
    use_token(&sim, &token).await.unwrap();
    assert_eq!(sim.token_requests(), 3, "API calls do not");

    let seen = sim.requests();
    assert_eq!(
        seen.iter().map(|r| r.status).collect::<Vec<_>>()[..3],
        [200, 401, 405]
    );
    let first = &seen[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/realms/acme/protocol/openid-connect/token");
    let body = first.body_text();
    assert!(!body.contains(sim.client_secret()), "{body}");
    assert!(body.contains("client_secret=<redacted>"), "{body}");
    assert!(
        body.contains(&format!("client_id={}", sim.client_id())),
        "the rest is kept: {body}"
    );
    assert!(body.contains("grant_type=client_credentials"), "{body}");
    // HTTP Basic is redacted as any Authorization header.
    let zitadel = Simulator::start(Provider::ZitadelV2).await;
    issue(&zitadel).await.token();
    assert_eq!(
        zitadel.requests()[0].header("authorization"),
        Some("<redacted>")
    );
}

#[tokio::test]
async fn injected_failures_reach_token_requests_but_not_user_failures() {
    let sim = started(Provider::Okta).await;
    sim.fail_user(user(Provider::Okta), 1, Failure::ServerError);
    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::from_millis(5)),
        },
    );
    let limited = issue(&sim).await;
    assert_eq!(limited.status, 429, "{limited:?}");
    assert_eq!(limited.header("retry-after"), "1");
    assert_eq!(limited.header("retry-after-ms"), "5");
    assert_eq!(sim.token_requests(), 1);
    // The user's failure waits for a request for the user.
    let token = issue(&sim).await.token();
    let err = use_token(&sim, &token).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    use_token(&sim, &token).await.unwrap();
    assert_eq!(sim.token_requests(), 2);
}

// ------------------------------------------------------- Okta's private key JWT

/// Posts an Okta token request with `assertion`.
async fn okta_assertion(sim: &Simulator, assertion: &str) -> Answer {
    post(
        &token_url(sim),
        &[
            ("grant_type", "client_credentials"),
            ("scope", OKTA_SCOPES),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn okta_verifies_private_key_jwts() {
    let sim = started(Provider::Okta).await;
    sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), Some("kid-1"));
    let url = token_url(&sim);
    let good_key = key("test-rsa-pkcs8.pem");
    let refused = |answer: Answer, description: &str| {
        assert_eq!(
            answer.oauth(),
            (401, "invalid_client", description),
            "{answer:?}"
        );
    };

    // A good assertion.
    let jti = fresh_jti();
    let good = sign(
        &good_key,
        Some("kid-1"),
        &claims(JWT_CLIENT, &url, 300, &jti),
    );
    let answer = okta_assertion(&sim, &good).await;
    assert_eq!(answer.body["scope"], OKTA_SCOPES);
    use_token(&sim, &answer.token()).await.unwrap();

    // The same jti again.
    refused(
        okta_assertion(&sim, &good).await,
        "The client_assertion token has already been used.",
    );
    // Signed with another key.
    let wrong_key = sign(
        &key("other-rsa-pkcs8.pem"),
        Some("kid-1"),
        &claims(JWT_CLIENT, &url, 300, &fresh_jti()),
    );
    refused(
        okta_assertion(&sim, &wrong_key).await,
        "The client_assertion signature is invalid.",
    );
    // Another kid than the registered one, or none.
    for kid in [Some("kid-2"), None] {
        let jwt = sign(&good_key, kid, &claims(JWT_CLIENT, &url, 300, &fresh_jti()));
        refused(
            okta_assertion(&sim, &jwt).await,
            "The client_assertion JWT kid is invalid.",
        );
    }
    // Another audience: the issuer is not the token URL.
    let jwt = sign(
        &good_key,
        Some("kid-1"),
        &claims(JWT_CLIENT, &sim.base_url(), 300, &fresh_jti()),
    );
    refused(
        okta_assertion(&sim, &jwt).await,
        "The audience claim for client_assertion must be the endpoint invoked for the request.",
    );
    // Expired; more than an hour ahead.
    let jwt = sign(
        &good_key,
        Some("kid-1"),
        &claims(JWT_CLIENT, &url, -30, &fresh_jti()),
    );
    refused(
        okta_assertion(&sim, &jwt).await,
        "The client_assertion token is expired.",
    );
    let jwt = sign(
        &good_key,
        Some("kid-1"),
        &claims(JWT_CLIENT, &url, 3700, &fresh_jti()),
    );
    refused(
        okta_assertion(&sim, &jwt).await,
        "The client_assertion token has an expiration too far into the future.",
    );
    // `iss` must be the client.
    let mut other_issuer = claims(JWT_CLIENT, &url, 300, &fresh_jti());
    other_issuer["iss"] = json!("someone-else");
    let jwt = sign(&good_key, Some("kid-1"), &other_issuer);
    assert_eq!(okta_assertion(&sim, &jwt).await.status, 401);
    // An unknown client.
    let jwt = sign(
        &good_key,
        Some("kid-1"),
        &claims("0oa-unknown", &url, 300, &fresh_jti()),
    );
    assert_eq!(okta_assertion(&sim, &jwt).await.oauth().1, "invalid_client");
    // Not a JWT.
    assert_eq!(okta_assertion(&sim, "not.a.jwt").await.status, 401);

    // A token with read access only may read, not run lifecycle operations.
    let jwt = sign(
        &good_key,
        Some("kid-1"),
        &claims(JWT_CLIENT, &url, 300, &fresh_jti()),
    );
    let read_only = post(
        &url,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &jwt),
        ],
        None,
    )
    .await;
    sim.add_user(
        user(Provider::Okta),
        sim.organization(),
        UserState::Deactivated,
    );
    let err = use_token(&sim, &read_only.token()).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::PermissionDenied, Some(403))
    );
}

// ------------------------------------------------ Keycloak's realms, JWT aud

#[tokio::test]
async fn keycloak_tokens_act_in_the_realm_of_their_endpoint() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let p = Provider::Keycloak;
    sim.add_user(user(p), "other", UserState::Deactivated);
    let realm_url =
        |realm: &str| token_url(&sim).replace("/realms/acme/", &format!("/realms/{realm}/"));
    let secret = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id()),
        ("client_secret", sim.client_secret()),
    ];
    let in_other = post(&realm_url("other"), &secret, None).await.token();
    let in_acme = post(&realm_url("acme"), &secret, None).await.token();
    let in_master = post(&realm_url("master"), &secret, None).await.token();
    let reactivate = |token: String| {
        let client = Client::builder(p)
            .base_url(sim.base_url())
            .bearer_token(token)
            .realm("other")
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        async move { client.users().reactivate(user(p)).await }
    };
    let err = reactivate(in_acme).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    reactivate(in_other).await.unwrap();
    sim.add_user(user(p), "other", UserState::Deactivated);
    reactivate(in_master).await.unwrap();

    // A signed JWT may name the realm's issuer as its audience.
    sim.add_jwt_client("signed", &key("test-rsa-public.pem"), None);
    let issuer = token_url(&sim).replace("/protocol/openid-connect/token", "");
    let jwt = sign(
        &key("test-rsa-pkcs8.pem"),
        None,
        &claims("signed", &issuer, 60, &fresh_jti()),
    );
    let pairs = [
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", jwt.as_str()),
    ];
    assert_eq!(post(&token_url(&sim), &pairs, None).await.status, 200);
    let replay = post(&token_url(&sim), &pairs, None).await;
    assert_eq!(
        replay.oauth(),
        (
            400,
            "invalid_client",
            "Client authentication with signed JWT failed: Token reuse detected"
        )
    );
    // A JWT without `jti` (Keycloak requires one).
    let mut no_id = claims("signed", &issuer, 60, "");
    no_id.as_object_mut().unwrap().remove("jti");
    let jwt = sign(&key("test-rsa-pkcs8.pem"), None, &no_id);
    let answer = post(
        &token_url(&sim),
        &[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", jwt.as_str()),
        ],
        None,
    )
    .await;
    assert_eq!(
        answer.oauth().2,
        "Client authentication with signed JWT failed: Missing ID on the token"
    );
}
