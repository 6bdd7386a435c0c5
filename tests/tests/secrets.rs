//! The bearer token never shows: not in `Debug` of the client, its builder, its
//! `Users`, a result or an error; not in `Display` or serde of an error; not in
//! a panic message; not in tracing output, captured at TRACE level with span
//! open/close events. The calls fail as a user sees them fail: a 401, a network
//! error, configuration errors from `build()`, request validation errors. The
//! same captures show the spans the SDK promises (`userbridge.reactivate`,
//! `userbridge.attempt`) with their fields.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tracing_subscriber::fmt::format::FmtSpan;
use userbridge::{Client, ClientBuilder, Error, ErrorKind, Provider, Reactivated};
use userbridge_tests::single_call_providers;
use userbridge_tests::wire::{answer_always, builder_with_token, json, refused_port};
use userbridge_tests::{
    answer_of, fast_retry, organization, panic_text, sample_user_id, spec, success_body,
};
use wiremock::{MockServer, ResponseTemplate};

/// The token of this suite: distinctive, so any leak is found.
const SECRET: &str = "tok-SECRET-4f9a";

/// A shared buffer the tracing subscriber writes into.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buf {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `f` on a current-thread runtime with a TRACE-level fmt subscriber as the
/// thread's default; returns its result and everything that was logged.
fn traced<T>(f: impl FnOnce(&tokio::runtime::Runtime) -> T) -> (T, String) {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = tracing::subscriber::with_default(subscriber, || f(&rt));
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

/// Asserts that no text contains the token (nor its distinctive part).
fn assert_no_token(p: Option<Provider>, texts: &[(&str, String)]) {
    for (what, text) in texts {
        assert!(
            !text.contains(SECRET) && !text.contains("SECRET-4f9a"),
            "{p:?}: the token appears in {what}: {text}"
        );
    }
}

/// Every text a user might print of an error: Display, Debug (both forms),
/// serde, the `ApiError`'s Debug and serde, the source chain, and the message
/// of a panic from `unwrap()` on it.
fn error_texts(e: Error) -> Vec<(&'static str, String)> {
    let mut texts = vec![
        ("the error's Display", e.to_string()),
        ("the error's Debug", format!("{e:?}")),
        ("the error's pretty Debug", format!("{e:#?}")),
        ("the error's serde", serde_json::to_string(&e).unwrap()),
        ("the error kind", format!("{} {:?}", e.kind(), e.kind())),
    ];
    if let Some(api) = e.api_error() {
        texts.push(("the ApiError's Debug", format!("{api:#?}")));
        texts.push(("the ApiError's serde", serde_json::to_string(api).unwrap()));
        texts.push(("the kept body", api.body.clone()));
        texts.push(("the message", api.message.clone()));
    }
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        texts.push(("an error source", format!("{s} {s:?}")));
        source = s.source();
    }
    texts.push((
        "the panic message of unwrap()",
        unwrap_panic_message(Err(e)),
    ));
    texts
}

/// What `result.unwrap()` panics with.
fn unwrap_panic_message(result: Result<Reactivated, Error>) -> String {
    let panic = catch_unwind(AssertUnwindSafe(|| result.unwrap())).unwrap_err();
    let message = panic_text(&panic);
    assert!(!message.is_empty());
    message
}

fn client_texts(builder: &ClientBuilder, client: &Client) -> Vec<(&'static str, String)> {
    vec![
        ("the builder's Debug", format!("{builder:?}")),
        ("the builder's pretty Debug", format!("{builder:#?}")),
        ("the client's Debug", format!("{client:?}")),
        ("the client's pretty Debug", format!("{client:#?}")),
        ("Users' Debug", format!("{:?}", client.users())),
    ]
}

/// The spans and their fields, as the fmt subscriber writes them.
fn assert_spans(p: Provider, log: &str, status: Option<u16>, attempts: u32) {
    assert!(!log.is_empty(), "{p}: no tracing output");
    assert!(log.contains("userbridge.reactivate"), "{p}: {log}");
    assert!(log.contains("userbridge.attempt"), "{p}: {log}");
    assert!(
        log.contains(&format!("user_id={}", sample_user_id(p))),
        "{p}: {log}"
    );
    assert!(log.contains("operation=\"reactivate\"") || log.contains("operation=reactivate"));
    assert!(log.contains(&format!("attempt={attempts}")), "{p}: {log}");
    assert!(
        !log.contains(&format!("attempt={}", attempts + 1)),
        "{p}: {log}"
    );
    if let Some(status) = status {
        assert!(log.contains(&format!("status={status}")), "{p}: {log}");
    }
    assert!(log.contains("duration_ms="), "{p}: {log}");
}

/// What [`traced_call`] saw.
struct TracedCall {
    builder: ClientBuilder,
    client: Client,
    result: Result<Reactivated, Error>,
    requests: Vec<wiremock::Request>,
    log: String,
}

/// Serves `answer` to every reactivation request on a fresh mock server and
/// reactivates `p`'s sample user once with a client using [`SECRET`] (the
/// suite's builder, then `configure`), all traced.
fn traced_call(
    p: Provider,
    answer: ResponseTemplate,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> TracedCall {
    let ((builder, client, result, requests), log) = traced(|rt| {
        rt.block_on(async {
            let server = MockServer::start().await;
            answer_always(&server, p, answer).await;
            let builder = configure(builder_with_token(p, &server.uri(), SECRET));
            let client = builder.clone().build().unwrap();
            let result = client.users().reactivate(sample_user_id(p)).await;
            let requests = server.received_requests().await.unwrap();
            (builder, client, result, requests)
        })
    });
    TracedCall {
        builder,
        client,
        result,
        requests,
        log,
    }
}

/// Asserts that the token shows in none of `texts`, the builder's, the
/// client's and `Users`' `Debug`, and the tracing output `log`.
fn assert_nothing_shows_the_token(
    p: Provider,
    builder: &ClientBuilder,
    client: &Client,
    texts: Vec<(&'static str, String)>,
    log: &str,
) {
    let mut all = client_texts(builder, client);
    all.extend(texts);
    all.push(("the tracing output", log.to_string()));
    assert_no_token(Some(p), &all);
}

#[test]
fn unauthenticated_call_leaks_no_token() {
    for p in single_call_providers() {
        let call = traced_call(p, answer_of(p, "unauthenticated").template(), |b| b);
        assert_eq!(call.requests.len(), 1);
        let auth = call.requests[0]
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string());
        // The token was really used: its absence below means something.
        assert_eq!(auth.as_deref(), Some(format!("Bearer {SECRET}").as_str()));
        let e = call.result.expect_err("a 401 is an error");
        assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{p}: {e:?}");
        assert_nothing_shows_the_token(p, &call.builder, &call.client, error_texts(e), &call.log);
        assert_spans(p, &call.log, Some(401), 1);
    }
}

#[test]
fn network_error_leaks_no_token() {
    for p in single_call_providers() {
        let root = format!("http://127.0.0.1:{}", refused_port());
        let builder = builder_with_token(p, &root, SECRET).retry_policy(fast_retry(2));
        let client = builder.clone().build().unwrap();
        let (result, log) = traced(|rt| rt.block_on(client.users().reactivate(sample_user_id(p))));
        let e = result.expect_err("nothing listens");
        assert_eq!(e.kind(), ErrorKind::Network, "{p}: {e:?}");
        assert_eq!(e.attempts(), 2);
        assert_nothing_shows_the_token(p, &builder, &client, error_texts(e), &log);
        assert_spans(p, &log, None, 2);
    }
}

#[test]
fn timeout_leaks_no_token() {
    for p in single_call_providers() {
        let slow = json(200, &success_body(p)).set_delay(Duration::from_secs(2));
        let call = traced_call(p, slow, |b| b.timeout(Duration::from_millis(100)));
        let e = call.result.expect_err("times out");
        assert_eq!(e.kind(), ErrorKind::Timeout, "{p}: {e:?}");
        assert_nothing_shows_the_token(p, &call.builder, &call.client, error_texts(e), &call.log);
        assert_spans(p, &call.log, None, 1);
    }
}

#[test]
fn successful_call_leaks_no_token() {
    for p in single_call_providers() {
        let call = traced_call(p, json(200, &success_body(p)), |b| b);
        let done = call.result.unwrap();
        let texts = vec![
            ("the result's Debug", format!("{done:#?}")),
            ("the result's serde", serde_json::to_string(&done).unwrap()),
        ];
        assert_nothing_shows_the_token(p, &call.builder, &call.client, texts, &call.log);
        assert_spans(p, &call.log, None, 1);
    }
}

#[test]
fn configuration_errors_leak_no_token() {
    let with_token = |p: Provider, token: &str| {
        let b = Client::builder(p).bearer_token(token);
        match organization(p) {
            Some(org) => b.organization(org),
            None => b,
        }
    };
    let mut cases: Vec<(&str, Provider, ClientBuilder)> = Vec::new();
    for p in single_call_providers() {
        let with_url = |url: &str| with_token(p, SECRET).base_url(url);
        cases.extend([
            (
                "plain http to a non-loopback host",
                p,
                with_url("http://idp.example.com"),
            ),
            ("a base URL that is not a URL", p, with_url("not a url")),
            (
                "a token with a line break",
                p,
                with_token(p, &format!("{SECRET}\r\nX-Injected: 1"))
                    .base_url("https://idp.example.com"),
            ),
            (
                "a token with a control character",
                p,
                with_token(p, &format!("{SECRET}\u{7f}")).base_url("https://idp.example.com"),
            ),
            (
                "a zero timeout",
                p,
                with_url("https://idp.example.com").timeout(Duration::ZERO),
            ),
            (
                "an invalid organization",
                p,
                with_url("https://idp.example.com").organization("bad\u{0}org"),
            ),
        ]);
        if spec(p).base_url_required() {
            cases.push((
                "no base URL where one is required",
                p,
                with_token(p, SECRET),
            ));
        }
    }
    for (what, p, builder) in cases {
        let (result, log) = traced(|_| builder.clone().build());
        let e = result.expect_err(what);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{p}: {what}: {e:?}");
        assert_eq!(e.attempts(), 0);
        let mut texts = vec![
            ("the builder's Debug", format!("{builder:?}")),
            ("the builder's pretty Debug", format!("{builder:#?}")),
            ("the tracing output", log),
        ];
        texts.extend(error_texts(e));
        assert_no_token(Some(p), &texts);
    }

    // Rejected before sending: an id not of the form the provider insists on.
    for p in single_call_providers() {
        if spec(p).accepts_any_user_id() {
            continue;
        }
        let builder = with_token(p, SECRET);
        let client = builder.clone().build().unwrap();
        let (result, log) =
            traced(|rt| rt.block_on(client.users().reactivate("not-an-id-of-the-form")));
        let e = result.expect_err("an id of the wrong form");
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{p}: {e:?}");
        assert_nothing_shows_the_token(p, &builder, &client, error_texts(e), &log);
    }
}

/// Some servers echo a rejected credential in their error message
/// (`invalid token: <token>`). The SDK knows its token and must not carry it
/// into the error it returns: not in the message, the kept body, `Display`,
/// `Debug` or serde.
#[test]
fn token_echoed_by_the_provider_is_not_repeated() {
    for p in single_call_providers() {
        let mut body = spec(p).example_of("unauthenticated").body.clone();
        let echo = format!("invalid token: Bearer {SECRET}");
        if !echo_in_messages(&mut body, &echo) {
            body["message"] = echo.clone().into();
        }
        let call = traced_call(p, json(401, &body), |b| b);
        let e = call.result.expect_err("a 401 is an error");
        assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{p}: {e:?}");
        assert_nothing_shows_the_token(p, &call.builder, &call.client, error_texts(e), &call.log);
    }
}

/// Puts `echo` in every `message` member of `body`, at any depth; whether there
/// was one.
fn echo_in_messages(body: &mut Value, echo: &str) -> bool {
    match body {
        Value::Object(o) => {
            let mut found = false;
            for (k, v) in o.iter_mut() {
                if k == "message" && v.is_string() {
                    *v = echo.into();
                    found = true;
                } else {
                    found |= echo_in_messages(v, echo);
                }
            }
            found
        }
        Value::Array(a) => {
            let mut found = false;
            for v in a.iter_mut() {
                found |= echo_in_messages(v, echo);
            }
            found
        }
        _ => false,
    }
}

/// Renewing credentials: the client secret, the private key, the client
/// assertion and every issued token show nowhere: not in `Debug` of the
/// builder or the client, not in an error (whose token endpoint or API echoed
/// them all back), not in the tracing output at TRACE level.
#[test]
fn renewing_credentials_leak_no_secret() {
    const CLIENT_SECRET: &str = "cs-SECRET-77b1e0";
    const ISSUED: &str = "tok-ISSUED-9c3d11";
    const PEM: &str = include_str!("../keys/test-rsa-pkcs8.pem");
    const USER: &str = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";
    // The body of the key, as a leak would show a part of it.
    let key_part: String = PEM.lines().nth(3).unwrap_or_default().to_string();
    let echo_request = |status: u16| {
        move |req: &wiremock::Request| {
            let sent = String::from_utf8_lossy(&req.body).into_owned();
            ResponseTemplate::new(status).set_body_json(serde_json::json!({
                "error": "invalid_client",
                "error_description": format!("refused: {sent}"),
            }))
        }
    };
    let p = Provider::Keycloak;
    let (outcomes, log) = traced(|rt| {
        rt.block_on(async {
            let mut outcomes = Vec::new();
            // 1. A secret, 2. a private key JWT refused, the whole request
            // echoed back.
            let echoing = || async {
                let server = MockServer::start().await;
                wiremock::Mock::given(wiremock::matchers::method("POST"))
                    .respond_with(echo_request(401))
                    .mount(&server)
                    .await;
                server
            };
            let server = echoing().await;
            let keycloak = || Client::builder(p).base_url(server.uri()).realm("acme");
            let builder = keycloak().client_credentials("userbridge", CLIENT_SECRET);
            let client = builder.clone().build().unwrap();
            let result = client.users().reactivate(USER).await;
            outcomes.push((builder, client, result, String::new()));
            let server = echoing().await;
            let keycloak = || Client::builder(p).base_url(server.uri()).realm("acme");
            let builder = keycloak().private_key_jwt("userbridge", PEM, Some("kid-1".into()));
            let client = builder.clone().build().unwrap();
            let result = client.users().reactivate(USER).await;
            let sent = server.received_requests().await.unwrap_or_default();
            let assertion = sent
                .first()
                .and_then(|r| {
                    form_urlencoded::parse(&r.body)
                        .find(|(k, _)| k == "client_assertion")
                        .map(|(_, v)| v.into_owned())
                })
                .unwrap_or_default();
            assert!(!assertion.is_empty(), "an assertion was sent");
            outcomes.push((builder, client, result, assertion));
            // 3. A token issued, then refused by the API, which echoes it.
            let server = MockServer::start().await;
            wiremock::Mock::given(wiremock::matchers::method("POST"))
                .and(wiremock::matchers::path(
                    "/realms/acme/protocol/openid-connect/token",
                ))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "access_token": ISSUED, "token_type": "Bearer", "expires_in": 300,
                })))
                .mount(&server)
                .await;
            wiremock::Mock::given(wiremock::matchers::method("GET"))
                .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
                    "error": format!("HTTP 401 Unauthorized: token {ISSUED} expired"),
                })))
                .mount(&server)
                .await;
            let builder = Client::builder(p)
                .base_url(server.uri())
                .realm("acme")
                .client_credentials("userbridge", CLIENT_SECRET);
            let client = builder.clone().build().unwrap();
            let result = client.users().reactivate(USER).await;
            outcomes.push((builder, client, result, String::new()));
            outcomes
        })
    });
    for (builder, client, result, assertion) in outcomes {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
        let mut texts = client_texts(&builder, &client);
        texts.extend(error_texts(err));
        texts.push(("the tracing output", log.clone()));
        for (what, text) in texts {
            for secret in [CLIENT_SECRET, ISSUED, key_part.as_str()] {
                assert!(!text.contains(secret), "{secret} appears in {what}: {text}");
            }
            assert!(
                assertion.is_empty() || !text.contains(&assertion),
                "the client assertion appears in {what}: {text}"
            );
        }
    }
}

/// AWS credentials (Amazon Cognito): the secret access key and the session
/// token show nowhere: not in `Debug` of the builder or the client, not in an
/// error whose answer echoes the whole signed request back (headers and
/// body), a network error, a configuration error, nor in the tracing output
/// at TRACE level (which includes aws-sigv4's own).
#[test]
fn aws_credentials_leak_no_secret() {
    const AWS_SECRET: &str = "aws-SECRET-wJalrXUtnFEMI0K7MDENG";
    const SESSION: &str = "aws-SESSION-FwoGZXIvYXdzE1a2b3c";
    let p = Provider::Cognito;
    let aws = |b: ClientBuilder| {
        b.region("eu-west-1")
            .aws_credentials("AKIDEXAMPLE", AWS_SECRET)
            .aws_session_token(SESSION)
            .organization("eu-west-1_AbCdEf123")
    };
    let (outcomes, log) = traced(|rt| {
        rt.block_on(async {
            let mut outcomes = Vec::new();
            // The provider echoes the signed request, headers included.
            let server = MockServer::start().await;
            wiremock::Mock::given(wiremock::matchers::method("POST"))
                .respond_with(|req: &wiremock::Request| {
                    let headers: Vec<String> = req
                        .headers
                        .iter()
                        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or_default()))
                        .collect();
                    ResponseTemplate::new(400).set_body_json(serde_json::json!({
                        "__type": "NotAuthorizedException",
                        "message": format!(
                            "refused {} {} {AWS_SECRET}",
                            headers.join("; "),
                            String::from_utf8_lossy(&req.body)
                        ),
                    }))
                })
                .mount(&server)
                .await;
            let builder = aws(Client::builder(p).base_url(server.uri()));
            let client = builder.clone().build().unwrap();
            let result = client.users().reactivate("jane.doe").await;
            outcomes.push((builder, Some(client), result));
            // Nothing listens.
            let builder =
                aws(Client::builder(p).base_url(format!("http://127.0.0.1:{}", refused_port())))
                    .retry_policy(fast_retry(2));
            let client = builder.clone().build().unwrap();
            let result = client.users().reactivate("jane.doe").await;
            outcomes.push((builder, Some(client), result));
            // A configuration error (no pool).
            let builder = Client::builder(p)
                .region("eu-west-1")
                .aws_credentials("AKIDEXAMPLE", AWS_SECRET)
                .aws_session_token(SESSION);
            let result: Result<Reactivated, Error> = match builder.clone().build() {
                Ok(_) => panic!("a client without a user pool was built"),
                Err(e) => Err(e),
            };
            outcomes.push((builder, None, result));
            outcomes
        })
    });
    assert!(log.contains("userbridge.attempt"), "traced: {log}");
    for (builder, client, result) in outcomes {
        let err = result.unwrap_err();
        let mut texts = match &client {
            Some(client) => client_texts(&builder, client),
            None => vec![("the builder's Debug", format!("{builder:#?}"))],
        };
        texts.extend(error_texts(err));
        texts.push(("the tracing output", log.clone()));
        for (what, text) in texts {
            for secret in [AWS_SECRET, SESSION, "SECRET-wJalr", "SESSION-FwoG"] {
                assert!(!text.contains(secret), "{secret} appears in {what}: {text}");
            }
        }
    }
}

/// A Google service account: its private key, the signed assertion and the
/// issued token show nowhere: not in `Debug` of the builder or the client,
/// not in an error whose token endpoint echoed the whole request back, not in
/// a refusal of the key at `build()`, not in the tracing output.
#[test]
fn google_service_account_leaks_no_key() {
    const PEM: &str = include_str!("../keys/test-rsa-pkcs8.pem");
    const ISSUED: &str = "ya29.ISSUED-4e1a77c0";
    let key_part: String = PEM.lines().nth(3).unwrap_or_default().to_string();
    let key_json = |token_uri: &str, pem: &str| {
        serde_json::json!({
            "type": "service_account",
            "private_key_id": "kid-google-1",
            "private_key": pem,
            "client_email": "sync@demo-userbridge.iam.gserviceaccount.com",
            "token_uri": token_uri,
        })
        .to_string()
    };
    for p in [Provider::GoogleWorkspace, Provider::Firebase] {
        let (outcomes, log) = traced(|rt| {
            rt.block_on(async {
                let mut outcomes = Vec::new();
                // 1. The token endpoint refuses and echoes the request.
                let server = MockServer::start().await;
                wiremock::Mock::given(wiremock::matchers::method("POST"))
                    .respond_with(|req: &wiremock::Request| {
                        let sent = String::from_utf8_lossy(&req.body).into_owned();
                        ResponseTemplate::new(400).set_body_json(serde_json::json!({
                            "error": "invalid_grant",
                            "error_description": format!("refused: {sent}"),
                        }))
                    })
                    .mount(&server)
                    .await;
                let builder = Client::builder(p)
                    .base_url(format!("{}/v1", server.uri()))
                    .organization("demo-userbridge")
                    .google_service_account(key_json(&format!("{}/token", server.uri()), PEM))
                    .subject("admin@example.com");
                let client = builder.clone().build().unwrap();
                let result = client.users().reactivate("user-1@example.com").await;
                let assertion = server
                    .received_requests()
                    .await
                    .unwrap_or_default()
                    .first()
                    .and_then(|r| {
                        form_urlencoded::parse(&r.body)
                            .find(|(k, _)| k == "assertion")
                            .map(|(_, v)| v.into_owned())
                    })
                    .unwrap_or_default();
                assert!(!assertion.is_empty(), "{p}: an assertion was sent");
                outcomes.push((builder, client, result, assertion));
                // 2. A token issued, then refused by the API, which echoes it.
                let server = MockServer::start().await;
                wiremock::Mock::given(wiremock::matchers::path("/token"))
                    .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                        "access_token": ISSUED, "token_type": "Bearer", "expires_in": 3599,
                    })))
                    .mount(&server)
                    .await;
                wiremock::Mock::given(wiremock::matchers::any())
                    .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
                        "error": {"code": 401, "message": format!("token {ISSUED} expired"),
                                  "status": "UNAUTHENTICATED"},
                    })))
                    .mount(&server)
                    .await;
                let builder = Client::builder(p)
                    .base_url(format!("{}/v1", server.uri()))
                    .organization("demo-userbridge")
                    .google_service_account(key_json(&format!("{}/token", server.uri()), PEM))
                    .subject("admin@example.com");
                let client = builder.clone().build().unwrap();
                let result = client.users().reactivate("user-1@example.com").await;
                outcomes.push((builder, client, result, String::new()));
                outcomes
            })
        });
        for (builder, client, result, assertion) in outcomes {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{p}: {err}");
            let mut texts = client_texts(&builder, &client);
            texts.extend(error_texts(err));
            texts.push(("the tracing output", log.clone()));
            for (what, text) in texts {
                for secret in [ISSUED, key_part.as_str(), "PRIVATE KEY"] {
                    assert!(
                        !text.contains(secret),
                        "{p}: {secret} appears in {what}: {text}"
                    );
                }
                assert!(
                    assertion.is_empty() || !text.contains(&assertion),
                    "{p}: the assertion appears in {what}: {text}"
                );
            }
        }
        // A key refused at build(): the reason names the field, not the key.
        let truncated = PEM.replace(&key_part, "");
        let builder = Client::builder(p)
            .organization("demo-userbridge")
            .google_service_account(key_json("https://oauth2.googleapis.com/token", &truncated));
        let err = builder.clone().build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{p}: {err}");
        assert!(err.to_string().contains("`private_key`"), "{p}: {err}");
        let other_line = truncated.lines().nth(2).unwrap_or_default().to_string();
        for (what, text) in error_texts(err)
            .into_iter()
            .chain([("the builder", format!("{builder:?}"))])
        {
            assert!(
                !text.contains(&other_line),
                "{p}: the key appears in {what}: {text}"
            );
        }
    }
}
