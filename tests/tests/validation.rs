//! Issue 3/4: request rules enforced before anything is sent
//! (`ErrorKind::InvalidRequest`, zero requests on the wire), `build()` errors,
//! and path encoding (every id reaches the server as one exactly
//! percent-encoded segment), through both clients. A provider's own id rules
//! (the id forms of `x-userbridge-id-prefix`) are tested in its file.

use std::time::Duration;

use userbridge_tests::single_call_providers;
use userbridge_tests::{
    accepted, call_configured, expected_path, organization, rejected, runners, sample_user_id,
    spec, success_answer, Config, ErrorKind, Provider, ReactivateRequest,
};

/// The organization the sample path is built with.
fn sample_org(p: Provider) -> &'static str {
    organization(p).unwrap_or_default()
}

/// A valid id of `len` characters for `p` (of the form its spec imposes).
fn id_of_len(p: Provider, len: usize) -> String {
    spec(p).user_id_of_len(len)
}

#[test]
fn bad_user_ids_are_rejected_before_sending() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in single_call_providers() {
            let org = organization(p);
            // Bad for a generic reason, not for the provider's id form.
            let pre = spec(p).user_id_prefix().unwrap_or("");
            let bad = [
                String::new(),
                " ".into(),
                "   ".into(),
                "\t".into(),
                id_of_len(p, 201),
                format!("{pre}a\u{0}b"),
                format!("{pre}a\nb"),
                format!("{pre}a\rb"),
                format!("{pre}a\u{7f}b"),
                format!("{pre}a\u{1b}b"),
                "\u{85}".into(),
                ".".into(),
                "..".into(),
                "a\\b".into(),
                format!("{pre}a\\b"),
                // Issue 10: ids are sent exactly as given, so padding is rejected
                // everywhere (it used to travel as %20 on some providers).
                format!(" {pre}x"),
                format!("{pre}x "),
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
        for p in single_call_providers() {
            let id = id_of_len(p, 200);
            accepted(
                runner,
                p,
                ReactivateRequest::new(id.as_str()),
                &expected_path(p, sample_org(p), &id),
            );
            // 200 characters, more bytes: characters count, not bytes (where
            // the provider takes any id).
            if spec(p).accepts_any_user_id() {
                let id = "é".repeat(200);
                let enc = "%C3%A9".repeat(200);
                accepted(
                    runner,
                    p,
                    ReactivateRequest::new(id.as_str()),
                    &expected_path(p, sample_org(p), &enc),
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
        for p in single_call_providers() {
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

/// A provider whose spec requires an organization refuses a call without one.
#[test]
fn a_required_organization_is_needed() {
    let mut checked = 0;
    for runner in runners() {
        for p in single_call_providers() {
            if spec(p).required_organization().is_none() {
                continue;
            }
            checked += 1;
            let user = sample_user_id(p);
            let line = rejected(runner.as_ref(), p, None, ReactivateRequest::new(user));
            assert!(line.to_lowercase().contains("organization"), "{line}");
        }
    }
    assert!(checked > 0, "no provider requires an organization any more");
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
        ("a b", "a%20b"),
        ("...", "..."),
        ("a..b", "a..b"),
        ("/", "%2F"),
        ("?", "%3F"),
        ("#", "%23"),
        ("a\"b<c>`{d}", "a%22b%3Cc%3E%60%7Bd%7D"),
        ("user@example.com", "user@example.com"),
        // Java servers cut a segment at `;` (a matrix parameter): `abc;x`
        // must reach them as the one segment `abc;x`, not as user `abc`.
        ("8f3a0718;x", "8f3a0718%3Bx"),
        ("a;b=c,d", "a%3Bb=c,d"),
        ("jane+test@example.com", "jane%2Btest@example.com"),
        ("a[0]^b", "a%5B0%5D%5Eb"),
        ("a!$&'()*,=:@b", "a!$&'()*,=:@b"),
    ];
    for runner in runners() {
        let runner = runner.as_ref();
        for p in single_call_providers() {
            if !spec(p).accepts_any_user_id() {
                continue; // its id form is tested in its own file
            }
            for (id, enc) in cases {
                accepted(
                    runner,
                    p,
                    ReactivateRequest::new(id),
                    &expected_path(p, sample_org(p), enc),
                );
            }
        }
    }
}

#[test]
fn build_rejects_bad_configuration() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in single_call_providers() {
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
            // Missing base URL: required where the spec's server URL has
            // variables (a custom domain, a self-hosted host); otherwise the
            // spec's server is the public host.
            let mut cfg = base.clone();
            cfg.base_url = None;
            if spec(p).base_url_required() {
                let line = check(cfg, "no base URL");
                assert!(line.contains("base URL"), "{line}");
            } else {
                runner
                    .build(&cfg)
                    .unwrap_or_else(|e| panic!("{p:?} has a public host: {e}"));
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
        for p in single_call_providers() {
            let (result, reqs) = call_configured(
                runner.as_ref(),
                p,
                &success_answer(p),
                |cfg| Config { token: None, ..cfg },
                ReactivateRequest::new(sample_user_id(p)),
            );
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{p}");
            assert!(reqs.is_empty(), "{p}");
        }
    }
}
