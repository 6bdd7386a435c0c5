//! Real answers of today's servers, each with its public source: every body
//! of `real_world/<provider>.rs` is served to the SDK, async and blocking, and
//! must come out as its table says (the kind, and the code and words that say
//! what happened). Bodies are kept as facts (status, headers, body); the
//! sources are named beside each.
//!
//! A read-first provider (Keycloak, Entra ID, Okta, Auth0, SCIM) gets an answer
//! either to its first request ([`At::First`]: the answer is served to every
//! request, so the first one decides) or to its write ([`At::Write`]: its
//! reads are answered with the provider file's `READS`, a user that is
//! deactivated, and every other request gets the answer).

#[path = "real_world/aitronos.rs"]
mod aitronos;
#[path = "real_world/auth0.rs"]
mod auth0;
#[path = "real_world/entra_id.rs"]
mod entra_id;
#[path = "real_world/flashback.rs"]
mod flashback;
#[path = "real_world/keycloak.rs"]
mod keycloak;
#[path = "real_world/nethesis.rs"]
mod nethesis;
#[path = "real_world/okta.rs"]
mod okta;
#[path = "real_world/scim.rs"]
mod scim;
#[path = "real_world/zitadel.rs"]
mod zitadel;

use userbridge::{ErrorKind, Provider, ReactivateRequest};
use userbridge_tests::{runners, runtime, Config, Runner};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Where a real answer is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// To every request: the first one the SDK sends decides.
    First,
    /// To the write, after reads answered with the provider's `READS`.
    Write,
}

/// One real answer and what the SDK must make of it.
#[derive(Clone, Debug)]
pub struct RealAnswer {
    /// Where it was seen: a URL, or `owner/repo: path` of a fixture.
    pub source: &'static str,
    /// What it is, in a few words.
    pub what: &'static str,
    pub status: u16,
    /// Headers as sent (`content-type` included when the source shows it).
    pub headers: &'static [(&'static str, &'static str)],
    pub body: &'static str,
    pub at: At,
    /// The outcome: `None` for a success, else the error's kind.
    pub kind: Option<ErrorKind>,
    /// The provider's code the error must keep (`ApiError::code`), if any.
    pub code: Option<&'static str>,
    /// Words the error's message must contain, if any.
    pub says: Option<&'static str>,
}

/// A read answered before a write: `(method, path regex, status, body)`.
pub type Read = (&'static str, &'static str, u16, &'static str);

/// Each provider's table and the reads that put its user in a deactivated
/// state for [`At::Write`] answers.
fn tables() -> Vec<(Provider, Vec<RealAnswer>, &'static [Read])> {
    vec![
        (Provider::Aitronos, aitronos::answers(), aitronos::READS),
        (Provider::Flashback, flashback::answers(), flashback::READS),
        (Provider::ZitadelV1, zitadel::answers_v1(), zitadel::READS),
        (Provider::ZitadelV2, zitadel::answers_v2(), zitadel::READS),
        (Provider::Nethesis, nethesis::answers(), nethesis::READS),
        (Provider::Scim, scim::answers(), scim::READS),
        (Provider::Keycloak, keycloak::answers(), keycloak::READS),
        (Provider::EntraId, entra_id::answers(), entra_id::READS),
        (Provider::Okta, okta::answers(), okta::READS),
        (Provider::Auth0, auth0::answers(), auth0::READS),
    ]
}

/// The provider's sample user (one its request rules accept).
fn user(p: Provider) -> &'static str {
    match p {
        Provider::Aitronos => "usr_abc123",
        Provider::Flashback => "550e8400-e29b-41d4-a716-446655440000",
        Provider::Keycloak => "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b",
        Provider::EntraId => "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
        Provider::Okta => "00ub0oNGTSWTBKOLGLNR",
        Provider::Auth0 => "auth0|5f7c8ec7c33c6c004bbafe82",
        Provider::Scim => "2819c223-7f76-453a-919d-413861904646",
        _ => "69629023906488334",
    }
}

/// A client of `p` for the mock server at `uri`. `Config::for_server` reads the
/// spec of a single-call provider only (it panics for the read-first ones), so
/// those get their base URL's path and realm here, as their own suites do.
fn config(p: Provider, uri: &str) -> Config {
    let (prefix, organization) = match p {
        Provider::Keycloak => ("", Some("acme")),
        Provider::EntraId => ("/v1.0", None),
        Provider::Okta => ("", None),
        Provider::Auth0 => ("/api/v2", None),
        Provider::Scim => ("/scim/v2", None),
        _ => return Config::for_server(p, uri),
    };
    Config {
        provider: p,
        base_url: Some(format!("{uri}{prefix}")),
        token: Some(userbridge_tests::TOKEN.to_string()),
        organization: organization.map(str::to_string),
        timeout: Some(std::time::Duration::from_secs(10)),
        retry: userbridge::RetryPolicy::none(),
    }
}

/// Serves `a` (after `reads` for a write) and reactivates `p`'s user once
/// through `runner`; returns what is wrong with the outcome.
fn check(runner: &dyn Runner, p: Provider, a: &RealAnswer, reads: &[Read]) -> Vec<String> {
    let server = runtime().block_on(async {
        let server = MockServer::start().await;
        if a.at == At::Write {
            for (m, path, status, body) in reads {
                Mock::given(method(*m))
                    .and(path_regex(*path))
                    .respond_with(
                        ResponseTemplate::new(*status)
                            .insert_header("content-type", "application/json")
                            .set_body_string(*body),
                    )
                    .with_priority(1)
                    .mount(&server)
                    .await;
            }
        }
        let mut answer = ResponseTemplate::new(a.status).set_body_string(a.body);
        for (name, value) in a.headers {
            answer = answer.insert_header(*name, *value);
        }
        Mock::given(wiremock::matchers::any())
            .respond_with(answer)
            .with_priority(5)
            .mount(&server)
            .await;
        server
    });
    let cfg = config(p, &server.uri());
    let result = runner.reactivate(&cfg, ReactivateRequest::new(user(p)));
    let mut problems = Vec::new();
    match (&result, a.kind) {
        (Ok(_), None) => {}
        (Ok(done), Some(kind)) => problems.push(format!("expected {kind:?}, got Ok({done:?})")),
        (Err(e), None) => problems.push(format!("expected Ok, got {:?}: {e}", e.kind())),
        (Err(e), Some(kind)) => {
            if e.kind() != kind {
                problems.push(format!("expected {kind:?}, got {:?}: {e}", e.kind()));
            }
            let api = e.api_error();
            if let Some(code) = a.code {
                let kept = api.and_then(|x| x.code.as_deref());
                if kept != Some(code) {
                    problems.push(format!("code: expected {code:?}, got {kept:?}"));
                }
            }
            if let Some(words) = a.says {
                let line = e.to_string();
                if !line.contains(words) {
                    problems.push(format!("message lacks {words:?}: {line}"));
                }
            }
            if let Some(api) = api {
                if api.status != a.status {
                    problems.push(format!("status {} kept as {}", a.status, api.status));
                }
            }
        }
    }
    problems
}

#[test]
fn every_real_answer_is_read_as_its_table_says() {
    let mut failures = Vec::new();
    let mut counted = Vec::new();
    for (p, answers, reads) in tables() {
        counted.push(format!("{p}: {}", answers.len()));
        assert!(
            answers.len() >= 8,
            "{p} has {} real answers; the corpus keeps at least 8 per provider",
            answers.len()
        );
        for a in &answers {
            assert!(
                a.source.starts_with("https://") || a.source.contains(": "),
                "{p} {}: name the source",
                a.what
            );
            for runner in runners() {
                for problem in check(runner.as_ref(), p, a, reads) {
                    failures.push(format!("[{}] {p} {}: {problem}", runner.name(), a.what));
                }
            }
        }
    }
    println!("real answers per provider: {}", counted.join(", "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
