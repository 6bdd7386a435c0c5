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

/// One provider's table: its answers, the reads that put its user in a
/// deactivated state for [`At::Write`] answers, its user, and how a client
/// reaches the mock server (each provider's file says).
struct Table {
    provider: Provider,
    answers: Vec<RealAnswer>,
    reads: &'static [Read],
    user: &'static str,
    client: Option<(&'static str, Option<&'static str>)>,
}

macro_rules! table {
    ($provider:expr, $module:ident, $answers:ident) => {
        Table {
            provider: $provider,
            answers: $module::$answers(),
            reads: $module::READS,
            user: $module::USER,
            client: $module::CLIENT,
        }
    };
}

fn tables() -> Vec<Table> {
    vec![
        table!(Provider::Aitronos, aitronos, answers),
        table!(Provider::Flashback, flashback, answers),
        table!(Provider::ZitadelV1, zitadel, answers_v1),
        table!(Provider::ZitadelV2, zitadel, answers_v2),
        table!(Provider::Nethesis, nethesis, answers),
        table!(Provider::Scim, scim, answers),
        table!(Provider::Keycloak, keycloak, answers),
        table!(Provider::EntraId, entra_id, answers),
        table!(Provider::Okta, okta, answers),
        table!(Provider::Auth0, auth0, answers),
    ]
}

/// The client of `t` on the mock server at `uri`: the provider file's base
/// path and organization, or the spec's for the single-call providers.
fn config(t: &Table, uri: &str) -> Config {
    let Some((path, organization)) = t.client else {
        return Config::for_server(t.provider, uri);
    };
    Config {
        provider: t.provider,
        base_url: Some(format!("{uri}{path}")),
        token: Some(userbridge_tests::TOKEN.to_string()),
        organization: organization.map(str::to_string),
        timeout: Some(std::time::Duration::from_secs(10)),
        retry: userbridge::RetryPolicy::none(),
    }
}

/// Serves `a` (after `reads` for a write) and reactivates `p`'s user once
/// through `runner`; returns what is wrong with the outcome.
fn check(runner: &dyn Runner, t: &Table, a: &RealAnswer) -> Vec<String> {
    let reads = t.reads;
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
    let cfg = config(t, &server.uri());
    let result = runner.reactivate(&cfg, ReactivateRequest::new(t.user));
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
    for t in tables() {
        let (p, answers) = (t.provider, &t.answers);
        counted.push(format!("{p}: {}", answers.len()));
        assert!(
            answers.len() >= 8,
            "{p} has {} real answers; the corpus keeps at least 8 per provider",
            answers.len()
        );
        for a in answers {
            assert!(
                a.source.starts_with("https://") || a.source.contains(": "),
                "{p} {}: name the source",
                a.what
            );
            for runner in runners() {
                for problem in check(runner.as_ref(), &t, a) {
                    failures.push(format!("[{}] {p} {}: {problem}", runner.name(), a.what));
                }
            }
        }
    }
    println!("real answers per provider: {}", counted.join(", "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
