//! Amazon Cognito user pools: against two emulators nobody here wrote (moto's
//! server, with its signature checking switched on, and cognito-local), and
//! the error forms of the service served by a mock server.
//!
//! The emulators are installed pinned under `<target>/tools/` by the suite
//! itself (`userbridge_tests::aws`); when one cannot be installed, the test
//! fails and says how to install it.

use std::time::Duration;

use serde_json::{json, Value};
use userbridge::{Client, Details, Error, ErrorKind, Provider, ReactivateRequest, RetryPolicy};
use userbridge_tests::aws::{Emulator, COGNITO_LOCAL_NEEDS, MOTO_NEEDS};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const REGION: &str = "us-east-1";

fn builder(base: &str, key: &str, secret: &str, pool: &str) -> userbridge::ClientBuilder {
    Client::builder(Provider::Cognito)
        .base_url(base)
        .region(REGION)
        .aws_credentials(key, secret)
        .organization(pool)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

fn blocking(base: &str, key: &str, secret: &str, pool: &str) -> userbridge_blocking::Client {
    userbridge_blocking::Client::builder(Provider::Cognito)
        .base_url(base)
        .region(REGION)
        .aws_credentials(key, secret)
        .organization(pool)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a blocking client")
}

fn cognito_of(done: &userbridge::Reactivated) -> &userbridge::CognitoUser {
    match done.details() {
        Details::Cognito(c) => c,
        other => panic!("Cognito details expected: {other:?}"),
    }
}

fn code(e: &Error) -> Option<&str> {
    e.api_error().and_then(|a| a.code.as_deref())
}

/// The outcomes every emulator must give: a disabled user reactivated (async
/// and blocking), an enabled one "not deactivated" (or accepted with
/// `allow_already_active`), an unknown user not found. `unknown_pool`: the
/// kind an unknown pool gets from this emulator.
async fn common_outcomes(
    emulator: &Emulator,
    key: &str,
    secret: &str,
    pool: &str,
    unknown_pool: ErrorKind,
) {
    let client = builder(&emulator.url, key, secret, pool)
        .build()
        .expect("a client");

    // A disabled user who never signed in: enabled, its status kept.
    let done = client
        .users()
        .reactivate("disabled-async")
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", emulator.log()));
    let c = cognito_of(&done);
    assert_eq!(c.username, "disabled-async");
    assert_eq!(c.user_status.as_deref(), Some("FORCE_CHANGE_PASSWORD"));
    assert!(c.re_enabled && !done.already_active());

    // Now enabled: the read says so, nothing is written.
    let again = client
        .users()
        .reactivate("disabled-async")
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated, "{again}");
    let allowed = client
        .users()
        .reactivate(ReactivateRequest::new("disabled-async").allow_already_active())
        .await
        .expect("allowed when already active");
    assert!(allowed.already_active());

    // An enabled user from the start.
    let e = client.users().reactivate("enabled").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{e}");

    // An unknown user.
    let e = client.users().reactivate("nobody").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(code(&e), Some("UserNotFoundException"), "{e}");
    assert_eq!(e.status(), Some(400));

    // An unknown user pool (of the same region).
    let e = client
        .users()
        .reactivate(
            ReactivateRequest::new("disabled-blocking").organization("us-east-1_NoSuchPool0"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), unknown_pool, "{e}");

    // The blocking client, on its own user.
    let key = key.to_string();
    let secret = secret.to_string();
    let (url, pool) = (emulator.url.clone(), pool.to_string());
    let outcomes = tokio::task::spawn_blocking(move || {
        let client = blocking(&url, &key, &secret, &pool);
        let first = client.users().reactivate("disabled-blocking");
        let second = client.users().reactivate("disabled-blocking");
        let unknown = client.users().reactivate("nobody");
        (first, second, unknown)
    })
    .await
    .expect("the blocking calls ran");
    let done = outcomes.0.unwrap_or_else(|e| panic!("blocking: {e}"));
    assert!(cognito_of(&done).re_enabled);
    assert_eq!(outcomes.1.unwrap_err().kind(), ErrorKind::NotDeactivated);
    assert_eq!(outcomes.2.unwrap_err().kind(), ErrorKind::NotFound);
}

/// moto 5.2.6 with signature checking on: the SDK's signatures are verified
/// by an implementation of its own (moto's `moto/iam/access_control.py`), a
/// wrong secret is refused and reported as `Unauthenticated`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_verifies_the_signature_and_every_outcome() {
    let moto = Emulator::moto()
        .await
        .unwrap_or_else(|e| panic!("{MOTO_NEEDS}.\n{e}"));
    let pool = moto
        .create_pool(REGION, "userbridge")
        .await
        .expect("a pool");
    for (name, enabled) in [
        ("disabled-async", false),
        ("disabled-blocking", false),
        ("enabled", true),
    ] {
        moto.create_user(REGION, &pool, name, enabled)
            .await
            .expect("a user");
    }
    let (key, secret) = moto
        .iam_user(
            "userbridge",
            &["cognito-idp:AdminGetUser", "cognito-idp:AdminEnableUser"],
        )
        .await
        .expect("an IAM user");
    let (reader, reader_secret) = moto
        .iam_user("reader", &["cognito-idp:AdminGetUser"])
        .await
        .expect("an IAM user who may only read");
    moto.moto_auth(true).await.expect("signature checking on");

    // A wrong secret: moto's signature differs from ours.
    let wrong = builder(&moto.url, &key, "not-the-secret-access-key", &pool)
        .build()
        .expect("a client");
    let e = wrong
        .users()
        .reactivate("disabled-async")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}\n{}", moto.log());
    assert_eq!(code(&e), Some("SignatureDoesNotMatch"), "{e}");
    assert!(!e.to_string().contains("not-the-secret"), "{e}");
    // An access key moto does not know.
    let unknown = builder(&moto.url, "AKIAUNKNOWNKEY000000", &secret, &pool)
        .build()
        .expect("a client");
    let e = unknown
        .users()
        .reactivate("disabled-async")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    assert_eq!(code(&e), Some("InvalidClientTokenId"), "{e}");
    // A key whose policy allows the read only: the write is refused.
    let limited = builder(&moto.url, &reader, &reader_secret, &pool)
        .build()
        .expect("a client");
    let e = limited
        .users()
        .reactivate("disabled-async")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    // moto answers as IAM does (`AccessDenied`, in XML); Cognito itself says
    // `AccessDeniedException`: both are PermissionDenied.
    assert_eq!(code(&e), Some("AccessDenied"), "{e}");

    // Correct signatures: every outcome.
    common_outcomes(&moto, &key, &secret, &pool, ErrorKind::Misconfigured).await;
    let e = builder(&moto.url, &key, &secret, &pool)
        .build()
        .expect("a client")
        .users()
        .reactivate(ReactivateRequest::new("x").organization("us-east-1_NoSuchPool0"))
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some("ResourceNotFoundException"), "{e}");
    assert!(e.to_string().contains(".organization(..)"), "{e}");
    let trace = e.api_error().and_then(|a| a.trace_id.clone());
    assert!(
        trace.is_some_and(|t| !t.is_empty()),
        "x-amzn-RequestId kept"
    );

    moto.moto_auth(false).await.expect("signature checking off");
    for name in ["disabled-async", "disabled-blocking"] {
        assert!(moto.enabled(REGION, &pool, name).await.expect("read back"));
    }
}

/// cognito-local 3.23.3 (no signature checking; an unknown pool id is served
/// as a new, empty pool, so its users are "not found").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_local_reactivates_async_and_blocking() {
    let local = Emulator::cognito_local()
        .await
        .unwrap_or_else(|e| panic!("{COGNITO_LOCAL_NEEDS}.\n{e}"));
    let pool = local
        .create_pool(REGION, "userbridge")
        .await
        .expect("a pool");
    for (name, enabled) in [
        ("disabled-async", false),
        ("disabled-blocking", false),
        ("enabled", true),
    ] {
        local
            .create_user(REGION, &pool, name, enabled)
            .await
            .expect("a user");
    }
    common_outcomes(
        &local,
        "AKIDLOCAL",
        "local-secret",
        &pool,
        ErrorKind::NotFound,
    )
    .await;
    for name in ["disabled-async", "disabled-blocking"] {
        assert!(local.enabled(REGION, &pool, name).await.expect("read back"));
    }
}

// ------------------------------------------------------------ the wire

/// Serves `answers` in order to every request (the last one again after).
async fn serve(answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    let answers = std::sync::Mutex::new(answers.into_iter().collect::<Vec<_>>());
    let n = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(move |_: &Request| {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let answers = answers.lock().unwrap();
            answers[i.min(answers.len() - 1)].clone()
        })
        .mount(&server)
        .await;
    server
}

fn aws_json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(body.to_string(), "application/x-amz-json-1.1")
        .insert_header("x-amzn-RequestId", "7b2c8a1e-0000-4000-8000-000000000001")
}

const POOL: &str = "eu-west-1_AbCdEf123";

async fn call(
    answers: Vec<ResponseTemplate>,
) -> (Result<userbridge::Reactivated, Error>, Vec<Request>) {
    let server = serve(answers).await;
    let client = Client::builder(Provider::Cognito)
        .base_url(server.uri())
        .region("eu-west-1")
        .aws_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .aws_session_token("FwoGZXIvYXdzEXAMPLESESSIONTOKEN")
        .organization(POOL)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let result = client.users().reactivate("jane.doe").await;
    let seen = server.received_requests().await.unwrap_or_default();
    (result, seen)
}

/// The exact requests: `POST /`, the target, the AWS JSON media type, the
/// body, a SigV4 `Authorization` over the body's hash for `cognito-idp` in the
/// client's region, with the session token.
#[tokio::test]
async fn requests_are_aws_json_signed_for_cognito_idp() {
    let (result, seen) = call(vec![
        aws_json(
            200,
            json!({"Username": "jane.doe", "Enabled": false, "UserStatus": "CONFIRMED"}),
        ),
        aws_json(200, json!({})),
    ])
    .await;
    let done = result.expect("reactivated");
    assert_eq!(cognito_of(&done).user_status.as_deref(), Some("CONFIRMED"));
    assert_eq!(seen.len(), 2);
    for (r, op) in seen.iter().zip(["AdminGetUser", "AdminEnableUser"]) {
        let h = |n: &str| {
            r.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        assert_eq!(
            h("x-amz-target"),
            format!("AWSCognitoIdentityProviderService.{op}")
        );
        assert_eq!(h("content-type"), "application/x-amz-json-1.1");
        let body: Value = serde_json::from_slice(&r.body).expect("JSON");
        assert_eq!(body, json!({"UserPoolId": POOL, "Username": "jane.doe"}));
        let auth = h("authorization");
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                && auth.contains("/eu-west-1/cognito-idp/aws4_request")
                && auth.contains("SignedHeaders=")
                && auth.contains("x-amz-date")
                && auth.contains("x-amz-target"),
            "{auth}"
        );
        assert_eq!(h("x-amz-security-token"), "FwoGZXIvYXdzEXAMPLESESSIONTOKEN");
        assert_eq!(h("x-amz-date").len(), "20240101T000000Z".len());
    }
}

/// Every form of an error's name, in the body or the header, and IAM's XML
/// documents (also sent as text/html), map by the name.
#[tokio::test]
async fn error_names_in_every_form_are_read() {
    let xml = |code: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ErrorResponse><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>it says so</Message></Error>\
             <RequestId>4d1c0000-0000-4000-8000-000000000002</RequestId></ErrorResponse>"
        )
    };
    let cases: Vec<(ResponseTemplate, ErrorKind, &str)> = vec![
        (aws_json(400, json!({"__type": "UserNotFoundException", "message": "User does not exist."})), ErrorKind::NotFound, "UserNotFoundException"),
        (aws_json(400, json!({"__type": "#UserNotFoundException", "message": "m"})), ErrorKind::NotFound, "UserNotFoundException"),
        (aws_json(400, json!({"__type": "aws.cognito#UserNotFoundException", "message": "m"})), ErrorKind::NotFound, "UserNotFoundException"),
        (aws_json(400, json!({"__type": "com.amazonaws.cognito#NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws.cognito/", "Message": "m"})), ErrorKind::Unauthenticated, "NotAuthorizedException"),
        (aws_json(400, json!({"message": "m"})).insert_header("X-Amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"), ErrorKind::RateLimited, "ThrottlingException"),
        (aws_json(400, json!({"__type": "ResourceNotFoundException", "message": "User pool eu-west-1_AbCdEf123 does not exist."})), ErrorKind::Misconfigured, "ResourceNotFoundException"),
        (aws_json(400, json!({"__type": "UnrecognizedClientException", "message": "m"})), ErrorKind::Unauthenticated, "UnrecognizedClientException"),
        (aws_json(400, json!({"__type": "ExpiredTokenException", "message": "m"})), ErrorKind::Unauthenticated, "ExpiredTokenException"),
        (aws_json(400, json!({"__type": "AccessDeniedException", "message": "m"})), ErrorKind::PermissionDenied, "AccessDeniedException"),
        (aws_json(400, json!({"__type": "TooManyRequestsException", "message": "m"})), ErrorKind::RateLimited, "TooManyRequestsException"),
        (aws_json(400, json!({"__type": "LimitExceededException", "message": "m"})), ErrorKind::RateLimited, "LimitExceededException"),
        (aws_json(400, json!({"__type": "InvalidParameterException", "message": "m"})), ErrorKind::InvalidArgument, "InvalidParameterException"),
        (aws_json(500, json!({"__type": "InternalErrorException", "message": "m"})), ErrorKind::Server, "InternalErrorException"),
        (ResponseTemplate::new(403).set_body_raw(xml("SignatureDoesNotMatch"), "text/html; charset=utf-8"), ErrorKind::Unauthenticated, "SignatureDoesNotMatch"),
        (ResponseTemplate::new(403).set_body_raw(xml("InvalidClientTokenId"), "text/xml"), ErrorKind::Unauthenticated, "InvalidClientTokenId"),
        (ResponseTemplate::new(400).set_body_raw(xml("IncompleteSignature"), "text/xml"), ErrorKind::Unauthenticated, "IncompleteSignature"),
    ];
    for (answer, kind, name) in cases {
        let (result, seen) = call(vec![answer]).await;
        let e = result.unwrap_err();
        assert_eq!(seen.len(), 1, "{name}: only the read");
        assert_eq!((e.kind(), code(&e)), (kind, Some(name)), "{name}: {e}");
        assert!(
            e.api_error().is_some_and(|a| a.trace_id.is_some()),
            "{name}: trace id"
        );
        assert!(!e.to_string().contains("wJalr"), "{e}");
    }
    // A 5xx that names nothing is the server's; a 404 that is not Cognito's
    // (a wrong base URL) is a misconfiguration, never "user not found".
    let (result, _) = call(vec![
        ResponseTemplate::new(502).set_body_string("bad gateway")
    ])
    .await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Server);
    let (result, _) = call(vec![
        ResponseTemplate::new(404).set_body_string("<html>no</html>")
    ])
    .await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Misconfigured);
}

/// A failed write after a read; an enabled user; a read without `Enabled`.
#[tokio::test]
async fn reads_decide_and_writes_map() {
    let (result, seen) = call(vec![aws_json(
        200,
        json!({"Username": "jane.doe", "Enabled": true, "UserStatus": "CONFIRMED"}),
    )])
    .await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::NotDeactivated);
    assert_eq!(seen.len(), 1, "nothing written");
    let (result, seen) = call(vec![
        aws_json(200, json!({"Username": "jane.doe", "Enabled": false})),
        aws_json(400, json!({"__type": "AccessDeniedException", "message": "not authorized to perform: cognito-idp:AdminEnableUser"})),
    ])
    .await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::PermissionDenied);
    assert_eq!(seen.len(), 2);
    let (result, _) = call(vec![aws_json(200, json!({"Username": "jane.doe"}))]).await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::UnexpectedResponse);
}

/// What `build()` says: the region and the credentials it misses, a bearer
/// token Cognito does not take, AWS settings on another provider, the pool.
#[test]
fn build_names_what_is_missing() {
    let env_key = std::env::var("AWS_ACCESS_KEY_ID").is_ok_and(|v| !v.trim().is_empty())
        && std::env::var("AWS_SECRET_ACCESS_KEY").is_ok_and(|v| !v.trim().is_empty());
    let env_region = std::env::var("AWS_REGION").is_ok_and(|v| !v.trim().is_empty())
        || std::env::var("AWS_DEFAULT_REGION").is_ok_and(|v| !v.trim().is_empty());
    let no_keys = Client::builder(Provider::Cognito)
        .region("eu-west-1")
        .organization(POOL)
        .build();
    if env_key {
        assert!(no_keys.is_ok(), "the environment's keys are used");
    } else {
        let e = no_keys.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        let text = e.to_string();
        assert!(
            text.contains("AWS_ACCESS_KEY_ID") && text.contains("AWS_SECRET_ACCESS_KEY"),
            "{text}"
        );
    }
    let no_region = Client::builder(Provider::Cognito)
        .aws_credentials("AKIDEXAMPLE", "secret")
        .organization(POOL)
        .build();
    if env_region {
        assert!(no_region.is_ok());
    } else {
        let text = no_region.unwrap_err().to_string();
        assert!(
            text.contains(".region(..)") && text.contains("AWS_REGION"),
            "{text}"
        );
    }
    let client = Client::builder(Provider::Cognito)
        .region("eu-west-1")
        .aws_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .aws_session_token("FwoGZXIvYXdzEXAMPLESESSIONTOKEN")
        .organization(POOL)
        .build()
        .expect("a client");
    assert_eq!(
        client.base_url(),
        "https://cognito-idp.eu-west-1.amazonaws.com"
    );
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("wJalr") && !shown.contains("FwoGZX"),
        "{shown}"
    );
    let e = Client::builder(Provider::Cognito)
        .region("eu-west-1")
        .bearer_token("token")
        .organization(POOL)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("takes no bearer token"), "{e}");
    let e = Client::builder(Provider::Cognito)
        .region("eu-west-1")
        .aws_credentials("AKIDEXAMPLE", "secret")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("user pool id"), "{e}");
    let e = Client::builder(Provider::Cognito)
        .region("Europe West")
        .aws_credentials("AKIDEXAMPLE", "secret")
        .organization(POOL)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("not an AWS region"), "{e}");
    let e = Client::builder(Provider::Okta)
        .base_url("https://example.okta.com")
        .bearer_token("t")
        .region("eu-west-1")
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("does not sign requests with AWS credentials"),
        "{e}"
    );
    let blocking = userbridge_blocking::Client::builder(Provider::Cognito)
        .region("eu-west-1")
        .aws_credentials("AKIDEXAMPLE", "secret")
        .organization("not-a-pool")
        .build();
    assert!(blocking.unwrap_err().to_string().contains("user pool id"));
}

/// A retry signs again: each attempt carries its own `X-Amz-Date` and
/// signature (the transport signs as it sends).
#[tokio::test]
async fn every_attempt_is_signed_again() {
    let server = serve(vec![
        ResponseTemplate::new(503).set_delay(Duration::from_millis(1100)),
        aws_json(200, json!({"Username": "jane.doe", "Enabled": true})),
    ])
    .await;
    let client = Client::builder(Provider::Cognito)
        .base_url(server.uri())
        .region("eu-west-1")
        .aws_credentials("AKIDEXAMPLE", "secret")
        .organization(POOL)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .expect("a client");
    let e = client.users().reactivate("jane.doe").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{e}");
    let seen = server.received_requests().await.unwrap_or_default();
    assert_eq!(seen.len(), 2);
    let auth = |r: &Request| r.headers.get("authorization").cloned();
    let date = |r: &Request| r.headers.get("x-amz-date").cloned();
    assert_ne!(auth(&seen[0]), auth(&seen[1]), "a new signature");
    assert_ne!(date(&seen[0]), date(&seen[1]), "a new X-Amz-Date");
}
