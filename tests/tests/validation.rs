//! Issue 3/4: request rules enforced before anything is sent
//! (`ErrorKind::InvalidRequest`, zero requests on the wire), `build()` errors,
//! and path encoding (every id reaches the server as one exactly
//! percent-encoded segment), through both clients.

use std::time::Duration;

use userbridge_tests::{
    call_configured, call_with, expected_path, organization, providers, runners, sample_user_id,
    success_answer, Config, Error, ErrorKind, Provider, ReactivateRequest, Runner, ORG,
};

/// Makes the call against a server that would answer 200, and asserts it was
/// rejected before sending: `InvalidRequest` for `p`, attempts 0, and the
/// server saw no request. Returns the error's text.
fn rejected(
    runner: &dyn Runner,
    p: Provider,
    cfg_org: Option<&str>,
    req: ReactivateRequest,
) -> String {
    let what = format!("[{}] {p:?} {req:?} (client org {cfg_org:?})", runner.name());
    let (result, reqs) = call_configured(
        runner,
        p,
        &success_answer(p),
        |cfg| cfg.organization(cfg_org),
        req,
    );
    let err = result
        .map(|done| panic!("{what}: accepted: {done:?}"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{what}: {err}");
    assert!(matches!(err, Error::InvalidRequest { .. }), "{what}");
    assert_eq!(err.provider(), Some(p), "{what}");
    assert_eq!(err.attempts(), 0, "{what}");
    assert_eq!(err.status(), None, "{what}");
    assert!(!err.is_retryable(), "{what}");
    let n = reqs.len();
    assert_eq!(n, 0, "{what}: the server saw {n} request(s)");
    let line = err.to_string();
    assert!(!line.contains('\n'), "{what}: one line: {line:?}");
    line
}

/// Makes the call and asserts it succeeded with exactly one request on `path`.
fn accepted(runner: &dyn Runner, p: Provider, req: ReactivateRequest, path: &str) {
    let what = format!("[{}] {p:?} {req:?}", runner.name());
    let user = req.user_id().to_string();
    let (result, reqs) = call_with(runner, p, &success_answer(p), req);
    let done = result.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(done.user_id(), user, "{what}");
    assert_eq!(reqs.len(), 1, "{what}");
    assert_eq!(reqs[0].url.path(), path, "{what}: raw path");
}

/// A valid id of `len` characters for `p` (`usr_` prefixed for Aitronos).
fn id_of_len(p: Provider, len: usize) -> String {
    match p {
        Provider::Aitronos => format!("usr_{}", "a".repeat(len - 4)),
        _ => "a".repeat(len),
    }
}

#[test]
fn bad_user_ids_are_rejected_before_sending() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            let org = organization(p);
            let bad = [
                String::new(),
                " ".into(),
                "   ".into(),
                "\t".into(),
                id_of_len(p, 201),
                "usr_a\u{0}b".into(),
                "usr_a\nb".into(),
                "usr_a\rb".into(),
                "usr_a\u{7f}b".into(),
                "usr_a\u{1b}b".into(),
                "\u{85}".into(),
                ".".into(),
                "..".into(),
                "a\\b".into(),
                "usr_a\\b".into(),
                "\\".into(),
            ];
            for id in bad {
                let line = rejected(runner, p, org, ReactivateRequest::new(id.as_str()));
                assert!(
                    line.contains(&p.to_string()),
                    "the error names the provider: {line}"
                );
            }
        }
    }
}

#[test]
fn id_length_limit_is_200_characters() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            let id = id_of_len(p, 200);
            accepted(
                runner,
                p,
                ReactivateRequest::new(id.as_str()),
                &expected_path(p, ORG, &id),
            );
            // 200 characters, more bytes: characters count, not bytes.
            if p != Provider::Aitronos {
                let id = "é".repeat(200);
                let enc = "%C3%A9".repeat(200);
                accepted(
                    runner,
                    p,
                    ReactivateRequest::new(id.as_str()),
                    &expected_path(p, ORG, &enc),
                );
                let line = rejected(runner, p, None, ReactivateRequest::new("é".repeat(201)));
                assert!(line.contains("201"), "{line}");
            }
        }
    }
}

#[test]
fn bad_organization_ids_are_rejected_before_sending() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            let user = sample_user_id(p);
            for org in [
                "",
                "  ",
                "org_a\r\nx-evil: 1",
                "org_a\u{0}",
                ".",
                "..",
                "org_a\\b",
            ] {
                rejected(
                    runner,
                    p,
                    None,
                    ReactivateRequest::new(user).organization(org),
                );
            }
            rejected(
                runner,
                p,
                None,
                ReactivateRequest::new(user).organization(id_of_len(p, 201)),
            );
        }
    }
}

#[test]
fn aitronos_needs_an_organization() {
    for runner in runners() {
        let line = rejected(
            runner.as_ref(),
            Provider::Aitronos,
            None,
            ReactivateRequest::new("usr_abc123"),
        );
        assert!(line.to_lowercase().contains("organization"), "{line}");
    }
}

#[test]
fn aitronos_ids_must_be_usr_and_org() {
    for runner in runners() {
        let runner = runner.as_ref();
        let p = Provider::Aitronos;
        for user in [
            "abc123",
            "usr_",
            "USR_abc",
            "org_abc123",
            "usr_a/b",
            "usr_../x",
            "usr_a?b",
            "usr_a#b",
            "usr_%2F",
            "usr_é",
            "usr_ x",
            "usr_a.b",
            " usr_abc",
        ] {
            rejected(runner, p, Some(ORG), ReactivateRequest::new(user));
        }
        for org in ["xyz789", "org_", "usr_abc", "org_a/b", "org_x y", "org_%2F"] {
            // Client default and per request.
            rejected(runner, p, Some(org), ReactivateRequest::new("usr_abc123"));
            rejected(
                runner,
                p,
                None,
                ReactivateRequest::new("usr_abc123").organization(org),
            );
        }
        // The documented forms, with `_` and `-`, go through unchanged.
        accepted(
            runner,
            p,
            ReactivateRequest::new("usr_Ab-9_z"),
            "/v1/organizations/org_xyz789/users/usr_Ab-9_z/reactivate",
        );
    }
}

#[test]
fn ids_travel_as_one_percent_encoded_segment() {
    let cases = [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("%2F", "%252F"),
        ("%2e%2e", "%252e%252e"),
        ("é", "%C3%A9"),
        (" x", "%20x"),
        ("x ", "x%20"),
        ("a b", "a%20b"),
        ("...", "..."),
        ("a..b", "a..b"),
        ("/", "%2F"),
        ("?", "%3F"),
        ("#", "%23"),
        ("a\"b<c>`{d}", "a%22b%3Cc%3E%60%7Bd%7D"),
        ("user@example.com", "user@example.com"),
    ];
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            if p == Provider::Aitronos {
                continue; // its ids are `usr_[A-Za-z0-9_-]+`: see aitronos_ids_must_be_usr_and_org
            }
            for (id, enc) in cases {
                accepted(
                    runner,
                    p,
                    ReactivateRequest::new(id),
                    &expected_path(p, ORG, enc),
                );
            }
        }
    }
}

#[test]
fn build_rejects_bad_configuration() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            let base = Config::for_server(p, "http://127.0.0.1:9");
            let with_url = |url: &str| Config {
                base_url: Some(url.into()),
                ..base.clone()
            };
            let check = |cfg: Config, what: &str| {
                let err = runner
                    .build(&cfg)
                    .map(|()| panic!("[{}] {p:?}: {what} accepted", runner.name()))
                    .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{p:?} {what}: {err}");
                assert_eq!(err.provider(), Some(p), "{p:?} {what}");
                assert_eq!(err.attempts(), 0);
                let line = err.to_string();
                assert!(!line.contains('\n'), "{line:?}");
                line
            };
            // A loopback http base URL is accepted (the mock server is one).
            runner
                .build(&base)
                .unwrap_or_else(|e| panic!("[{}] {p:?}: loopback refused: {e}", runner.name()));
            for url in [
                "http://localhost:9",
                "http://[::1]:9",
                "https://example.com",
            ] {
                runner
                    .build(&with_url(url))
                    .unwrap_or_else(|e| panic!("{p:?} {url} refused: {e}"));
            }
            // Missing base URL: required for Zitadel and My Nethesis only.
            let mut cfg = base.clone();
            cfg.base_url = None;
            match p {
                Provider::ZitadelV1 | Provider::ZitadelV2 | Provider::Nethesis => {
                    let line = check(cfg, "no base URL");
                    assert!(line.contains("base URL"), "{line}");
                }
                _ => runner
                    .build(&cfg)
                    .unwrap_or_else(|e| panic!("{p:?} has a public host: {e}")),
            }
            // Plain http to a non-loopback host.
            for url in [
                "http://example.com",
                "http://example.com/api",
                "http://10.0.0.1",
            ] {
                let line = check(with_url(url), url);
                assert!(line.contains("http"), "{line}");
            }
            for url in [
                "not a url",
                "ftp://example.com",
                "https://u:p@example.com",
                "https://example.com/?q=1",
            ] {
                check(with_url(url), url);
            }
            // Missing or blank token.
            for token in [None, Some(""), Some("   ")] {
                let mut cfg = base.clone();
                cfg.token = token.map(str::to_string);
                let line = check(cfg, "no token");
                assert!(line.contains("token"), "{line}");
            }
            let mut cfg = base.clone();
            cfg.token = Some("abc\ndef".into());
            let line = check(cfg, "token with a newline");
            assert!(!line.contains("abc"), "the token is not echoed: {line}");
            // Zero timeout.
            let mut cfg = base.clone();
            cfg.timeout = Some(Duration::ZERO);
            check(cfg, "zero timeout");
        }
    }
}

#[test]
fn a_build_error_sends_nothing() {
    // A build error (here: no token) means no client: nothing reaches the server.
    for runner in runners() {
        let p = Provider::ZitadelV2;
        let (result, reqs) = call_configured(
            runner.as_ref(),
            p,
            &success_answer(p),
            |cfg| Config { token: None, ..cfg },
            ReactivateRequest::new("123"),
        );
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        assert!(reqs.is_empty());
    }
}
