//! Issue 3/4: the exact request each provider's server sees on a successful
//! call, through both clients: method, raw path, `authorization`,
//! `x-zitadel-orgid` (Zitadel v1 with an organization only), `accept`, body,
//! and no `api-version` header.

use serde_json::json;
use userbridge_tests::{
    call_configured, expected_path, method, organization, providers, req_header, runners,
    sample_user_id, success_answer, Provider, ReactivateRequest, Runner, ORG, TOKEN,
};

/// One successful call; returns the single request the server saw.
fn one_request(
    runner: &dyn Runner,
    p: Provider,
    client_org: Option<&str>,
    req: ReactivateRequest,
) -> wiremock::Request {
    let (result, mut reqs) = call_configured(
        runner,
        p,
        &success_answer(p),
        |cfg| cfg.organization(client_org),
        req,
    );
    let done = result.unwrap_or_else(|e| panic!("[{}] {p:?}: {e}", runner.name()));
    assert_eq!(done.provider(), p);
    assert_eq!(
        reqs.len(),
        1,
        "[{}] {p:?}: exactly one request",
        runner.name()
    );
    reqs.remove(0)
}

fn check_common(runner: &dyn Runner, p: Provider, r: &wiremock::Request, path: &str) {
    let who = format!("[{}] {p:?}", runner.name());
    assert_eq!(r.method.as_str(), method(p), "{who}: method");
    assert_eq!(r.url.path(), path, "{who}: path");
    assert_eq!(r.url.query(), None, "{who}: no query");
    assert_eq!(
        req_header(r, "authorization").as_deref(),
        Some(format!("Bearer {TOKEN}").as_str()),
        "{who}: authorization"
    );
    assert_eq!(r.headers.get_all("authorization").iter().count(), 1);
    assert_eq!(
        req_header(r, "accept").as_deref(),
        Some("application/json"),
        "{who}: accept"
    );
    assert_eq!(req_header(r, "api-version"), None, "{who}: no api-version");
    match p {
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            let body: serde_json::Value =
                serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{who}: body {e}"));
            assert_eq!(body, json!({}), "{who}: body is {{}}");
            assert!(
                req_header(r, "content-type").is_some_and(|c| c.starts_with("application/json")),
                "{who}: content-type {:?}",
                req_header(r, "content-type")
            );
        }
        _ => assert!(
            r.body.is_empty(),
            "{who}: empty body, got {:?}",
            String::from_utf8_lossy(&r.body)
        ),
    }
}

#[test]
fn successful_call_sends_the_documented_request() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            let user = sample_user_id(p);
            let r = one_request(runner, p, organization(p), user.into());
            check_common(runner, p, &r, &expected_path(p, ORG, user));
            assert_eq!(
                req_header(&r, "x-zitadel-orgid"),
                None,
                "[{}] {p:?}: no organization given, no x-zitadel-orgid",
                runner.name()
            );
        }
    }
}

#[test]
fn organization_header_only_for_zitadel_v1() {
    for runner in runners() {
        let runner = runner.as_ref();
        for p in providers() {
            let user = sample_user_id(p);
            for (what, request_org, want_org) in [
                // Client default organization.
                ("client organization", None, "org_client1"),
                // Per-request organization overrides the client default.
                ("request organization", Some("org_request2"), "org_request2"),
            ] {
                let mut req = ReactivateRequest::new(user);
                if let Some(org) = request_org {
                    req = req.organization(org);
                }
                let r = one_request(runner, p, Some("org_client1"), req);
                let path_org = if p == Provider::Aitronos {
                    want_org
                } else {
                    ORG
                };
                check_common(runner, p, &r, &expected_path(p, path_org, user));
                let want = (p == Provider::ZitadelV1).then(|| want_org.to_string());
                assert_eq!(
                    req_header(&r, "x-zitadel-orgid"),
                    want,
                    "[{}] {p:?}: {what}",
                    runner.name()
                );
                assert!(
                    r.headers.get_all("x-zitadel-orgid").iter().count() <= 1,
                    "one header at most"
                );
            }

            // Per-request organization without a client default.
            if p != Provider::Aitronos {
                let r = one_request(
                    runner,
                    p,
                    None,
                    ReactivateRequest::new(user).organization("258190124534"),
                );
                let want = (p == Provider::ZitadelV1).then(|| "258190124534".to_string());
                assert_eq!(req_header(&r, "x-zitadel-orgid"), want);
            }
        }
    }
}

#[test]
fn zitadel_v1_without_organization_sends_no_header() {
    for runner in runners() {
        let r = one_request(runner.as_ref(), Provider::ZitadelV1, None, "123".into());
        assert_eq!(r.url.path(), "/management/v1/users/123/_reactivate");
        assert!(r.headers.get("x-zitadel-orgid").is_none());
    }
}

#[test]
fn aitronos_uses_the_request_organization_in_the_path() {
    for runner in runners() {
        let r = one_request(
            runner.as_ref(),
            Provider::Aitronos,
            None,
            ReactivateRequest::new("usr_abc123").organization("org_xyz789"),
        );
        assert_eq!(
            r.url.path(),
            "/v1/organizations/org_xyz789/users/usr_abc123/reactivate"
        );
    }
}
