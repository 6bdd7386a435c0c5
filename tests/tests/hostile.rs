//! Issue 3/4: undocumented and hostile responses for every provider, through
//! both clients: 418, 502 with HTML, empty bodies, truncated JSON, non-JSON and
//! wrong-shape 2xx bodies. Each is a classified error (never `Ok`, never a
//! panic) that keeps the raw body.

use userbridge_tests::{
    call_with, check_outcome, example, expected_outcome, first_example, observed, providers,
    runners, sample_user_id, Answer, ErrorKind, Expected, Provider, ReactivateRequest, Runner,
};

const HTML: &str = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 \
                    Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

/// A JSON text cut in the middle.
fn truncated(json: &str) -> String {
    json[..json.len() / 2].to_string()
}

/// The hostile cases of `p`: (label, answer, expected kind).
fn cases(p: Provider) -> Vec<(String, Answer, ErrorKind)> {
    use ErrorKind::*;
    let documented = |key: &str| first_example(p, key).body.to_string();
    let not_found_body = match p {
        Provider::ZitadelV1 => example(p, "default", "notFound").body.to_string(),
        Provider::Aitronos | Provider::Flashback | Provider::ZitadelV2 | Provider::Nethesis => {
            documented("404")
        }
        other => panic!("{other:?}"),
    };
    let mut v: Vec<(String, Answer, ErrorKind)> = vec![
        (
            "418 teapot".into(),
            Answer::raw(418, "text/plain", "I'm a teapot"),
            UnexpectedResponse,
        ),
        (
            "418 with a JSON body".into(),
            Answer::raw(418, "application/json", r#"{"message":"teapot"}"#),
            UnexpectedResponse,
        ),
        (
            "502 HTML".into(),
            Answer::raw(502, "text/html", HTML),
            Server,
        ),
        (
            "503 HTML".into(),
            Answer::raw(503, "text/html", "<html>down</html>"),
            Server,
        ),
        (
            "200 empty body".into(),
            Answer::raw(200, "application/json", ""),
            UnexpectedResponse,
        ),
        (
            "204 no content".into(),
            Answer::raw(204, "application/json", ""),
            UnexpectedResponse,
        ),
        (
            "400 empty body".into(),
            Answer::raw(400, "application/json", ""),
            InvalidArgument,
        ),
        (
            "200 truncated JSON".into(),
            Answer::raw(200, "application/json", truncated(&documented("200"))),
            UnexpectedResponse,
        ),
        (
            "404 truncated JSON".into(),
            Answer::raw(404, "application/json", truncated(&not_found_body)),
            NotFound,
        ),
        (
            "200 non-JSON body".into(),
            Answer::raw(200, "text/plain", "OK"),
            UnexpectedResponse,
        ),
        (
            "200 HTML".into(),
            Answer::raw(200, "text/html", "<html><body>Login</body></html>"),
            UnexpectedResponse,
        ),
        (
            "200 JSON array []".into(),
            Answer::raw(200, "application/json", "[]"),
            UnexpectedResponse,
        ),
        (
            "200 JSON null".into(),
            Answer::raw(200, "application/json", "null"),
            UnexpectedResponse,
        ),
        (
            "401 HTML".into(),
            Answer::raw(401, "text/html", "<html>401 Authorization Required</html>"),
            Unauthenticated,
        ),
        (
            "403 HTML".into(),
            Answer::raw(403, "text/html", "<html>403 Forbidden</html>"),
            PermissionDenied,
        ),
        (
            "500 JSON of another shape".into(),
            Answer::raw(500, "application/json", r#"{"error":"boom","code":[1]}"#),
            Server,
        ),
        (
            "302 redirect".into(),
            Answer::raw(302, "text/html", "").header("location", "https://evil.example/login"),
            UnexpectedResponse,
        ),
    ];
    let wrong_shape: &[&str] = match p {
        Provider::Aitronos => &[
            r#"{"x":1}"#,
            r#"{"id":5,"account_state":"active"}"#,
            r#"{"id":"usr_abc123"}"#,
            r#"{"id":"usr_abc123","account_state":"active","role_ids":"role_admin1"}"#,
        ],
        Provider::Flashback => &[
            r#"{"success":"yes"}"#,
            r#"{"success":false,"message":"Could not activate"}"#,
            r#"{"message":42}"#,
        ],
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            &[r#"{"details":"done"}"#, r#"{"details":[1,2]}"#]
        }
        Provider::Nethesis => &[r#"{"code":"ok"}"#, r#"{"message":5}"#, r#"{"data":[]}"#],
        _ => &[],
    };
    for body in wrong_shape {
        v.push((
            format!("200 wrong shape {body}"),
            Answer::raw(200, "application/json", *body),
            UnexpectedResponse,
        ));
    }
    v
}

fn run(runner: &dyn Runner, p: Provider) {
    let mut failures = Vec::new();
    for (label, answer, kind) in cases(p) {
        let user = sample_user_id(p);
        let (result, requests) = call_with(runner, p, &answer, ReactivateRequest::new(user));
        let mut problems = Vec::new();
        match &result {
            Ok(done) => problems.push(format!("expected {kind:?}, got Ok({done:?})")),
            Err(e) => {
                if e.kind() != kind {
                    problems.push(format!("kind: expected {kind:?}, got {:?}: {e}", e.kind()));
                }
                match e.api_error() {
                    Some(a) => {
                        if a.body != answer.body_text() {
                            problems.push(format!("body not kept: {:?}", a.body));
                        }
                        if a.status != answer.status {
                            problems.push(format!("status {}", a.status));
                        }
                        if a.message.trim().is_empty() {
                            problems.push("empty message".into());
                        }
                    }
                    None => problems.push(format!("no ApiError: {e:?}")),
                }
            }
        }
        // The rules of the support crate agree, field by field.
        let expected = expected_outcome(p, answer.status, &answer.headers, &answer.body);
        match &expected {
            Expected::Err(x) if x.kind == kind => {}
            other => problems.push(format!(
                "the rules say {}, the hostile table says {kind:?}",
                other.summary()
            )),
        }
        problems.extend(check_outcome(p, user, &expected, &result));
        let n = requests.len();
        if n != 1 {
            problems.push(format!("server saw {n} requests"));
        }
        println!(
            "| {p} | {label} | HTTP {} | observed {} |",
            answer.status,
            observed(&result)
        );
        if !problems.is_empty() {
            failures.push(format!(
                "[{}] {p} {label}: {}",
                runner.name(),
                problems.join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hostile_responses_are_classified_and_keep_the_body() {
    for runner in runners() {
        for p in providers() {
            run(runner.as_ref(), p);
        }
    }
}

#[test]
fn a_large_body_is_kept_bounded() {
    // The raw body is kept, but bounded: a 64 KiB HTML page is not copied whole.
    let page = format!("<html>{}</html>", "x".repeat(64 * 1024));
    for runner in runners() {
        for p in providers() {
            let answer = Answer::raw(502, "text/html", page.clone());
            let req = ReactivateRequest::new(sample_user_id(p));
            let err = call_with(runner.as_ref(), p, &answer, req).0.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Server);
            let a = err.api_error().expect("api error");
            assert!(a.body.starts_with("<html>xxx"), "{p:?}");
            assert!(
                a.body.len() < page.len(),
                "{p:?}: {} bytes kept",
                a.body.len()
            );
            assert!(a.body.len() <= userbridge::MAX_KEPT_BODY + 64, "{p:?}");
        }
    }
}
