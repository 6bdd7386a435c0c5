//! Acceptance tests on the real provider specs in `openapi/`: each loads and
//! generates, every documented status of every operation stays a typed match arm of
//! the generated client, and the generated text is what is checked in.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;
use xtask::codegen::{self, GENERATED_DIR};
use xtask::generate::{self, generate};
use xtask::spec::{operations, Spec};

/// The provider specs, and the module each becomes.
const SPECS: [(&str, &str); 13] = [
    ("aitronos.yaml", "aitronos"),
    ("auth0.yaml", "auth0"),
    ("cognito.yaml", "cognito"),
    ("entra-id.yaml", "entra_id"),
    ("firebase.yaml", "firebase"),
    ("flashback.yaml", "flashback"),
    ("google-workspace.yaml", "google_workspace"),
    ("keycloak.yaml", "keycloak"),
    ("nethesis.yaml", "nethesis"),
    ("okta.yaml", "okta"),
    ("scim.yaml", "scim"),
    ("zitadel-v1.yaml", "zitadel_v1"),
    ("zitadel-v2.yaml", "zitadel_v2"),
];

fn load(file: &str) -> Spec {
    let path = common::workspace_root().join("openapi").join(file);
    Spec::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// `managementReactivateUser` -> `management_reactivate_user` (progenitor's method name).
fn snake(op_id: &str) -> String {
    let mut out = String::new();
    for (i, c) in op_id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of one generated method, from its signature to the next method.
fn method_body<'a>(text: &'a str, op_id: &str) -> &'a str {
    let signature = format!("pub async fn {}<'a>(", snake(op_id));
    let start = text
        .find(&signature)
        .unwrap_or_else(|| panic!("no generated method `{signature}`"));
    let rest = &text[start + signature.len()..];
    let end = rest.find("pub async fn ").unwrap_or(rest.len());
    &text[start..start + signature.len() + end]
}

/// The match arms a documented status key must become.
fn arms_for(status: &str, has_success: bool) -> Vec<String> {
    match status {
        "default" => {
            assert!(
                has_success,
                "a spec with only `default` is not expected among the real specs"
            );
            vec!["400u16..=499u16".into(), "500u16..=599u16".into()]
        }
        s if s.len() == 3 && s.ends_with("XX") => {
            let class = &s[..1];
            vec![format!("{class}00u16..={class}99u16")]
        }
        s => {
            assert!(
                s.len() == 3 && s.chars().all(|c| c.is_ascii_digit()),
                "unexpected status key {s}"
            );
            vec![format!("{s}u16")]
        }
    }
}

/// Asserts that `arm` is in `body` and that it decodes as a success (an empty one
/// when the response documents no content) or a typed error, from the body the
/// transport recorded (the post-pass's `self.inner().from_response`/`stream`).
fn assert_arm(body: &str, arm: &str, success: bool, content: bool, what: &str) {
    let needle = format!("{arm} => ");
    let at = body
        .find(&needle)
        .unwrap_or_else(|| panic!("{what}: no match arm `{needle}` in:\n{body}"));
    let after: String = body[at + needle.len()..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let expected = if success && body.contains("Result<ResponseValue<ByteStream>,") {
        "Ok(self.inner().stream(response))"
    } else if success && !content {
        "Ok(ResponseValue::empty(response))"
    } else if success {
        "self.inner().from_response(response),"
    } else {
        "Err(Error::ErrorResponse(self.inner().from_response(response)?))"
    };
    // A long arm is a block: `{ <expr> }`.
    let after = after.strip_prefix("{ ").unwrap_or(&after);
    assert!(
        after.starts_with(expected),
        "{what}: arm `{arm}` must be `{expected}`, found `{}`",
        &after[..after.len().min(120)]
    );
}

#[test]
fn the_provider_specs_are_the_ones_tested() {
    let root = common::workspace_root();
    let found: Vec<String> = codegen::spec_paths(&root)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected: Vec<String> = SPECS.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(found, expected);
}

#[test]
fn every_documented_status_is_a_typed_match_arm() {
    for (file, module) in SPECS {
        let spec = load(file);
        let generated = generate(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(generated.module, module);
        let mut arms_checked = 0;
        for (path, method, op) in operations(&spec.raw) {
            let op_id = op["operationId"].as_str().unwrap();
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{file} {op_id}: no responses");
            let has_success = responses.keys().any(|k| k.starts_with('2'));
            let body = method_body(&generated.text, op_id);
            for (status, response) in responses {
                let success = status.starts_with('2');
                let response = xtask::spec::resolve(&spec.raw, response).unwrap();
                let content = response.get("content").is_some();
                for arm in arms_for(status, has_success) {
                    let what =
                        format!("{file} {} {path} ({op_id}) {status}", method.to_uppercase());
                    assert_arm(body, &arm, success, content, &what);
                    arms_checked += 1;
                }
            }
        }
        assert!(
            arms_checked >= 2,
            "{file}: only {arms_checked} arms checked"
        );
        println!("{file}: {arms_checked} documented status arm(s) present and typed");
    }
}

#[test]
fn known_statuses_of_each_provider_are_kept() {
    // Spot checks written out by hand, independent of the generic walk above.
    let expected: BTreeMap<&str, (&str, &[&str])> = BTreeMap::from([
        (
            "aitronos.yaml",
            (
                "reactivate_user",
                &[
                    "200u16",
                    "401u16",
                    "403u16",
                    "404u16",
                    "422u16",
                    "429u16",
                    "500u16..=599u16",
                ][..],
            ),
        ),
        (
            "entra-id.yaml",
            (
                "update_user",
                &[
                    "204u16",
                    "400u16",
                    "400u16..=499u16",
                    "401u16",
                    "403u16",
                    "404u16",
                    "429u16",
                    "500u16",
                    "500u16..=599u16",
                    "503u16",
                    "504u16",
                ][..],
            ),
        ),
        (
            "keycloak.yaml",
            (
                "update_user",
                &[
                    "204u16", "400u16", "401u16", "403u16", "404u16", "409u16", "500u16",
                ][..],
            ),
        ),
        (
            "flashback.yaml",
            (
                "activate_organization_user",
                &[
                    "200u16", "400u16", "401u16", "403u16", "404u16", "429u16", "500u16",
                ][..],
            ),
        ),
        (
            "nethesis.yaml",
            (
                "reactivate_user",
                &[
                    "200u16", "400u16", "401u16", "403u16", "404u16", "429u16", "503u16",
                ][..],
            ),
        ),
        (
            "scim.yaml",
            (
                "patch_user",
                &[
                    "200u16", "204u16", "400u16", "401u16", "403u16", "404u16", "405u16", "409u16",
                    "412u16", "413u16", "415u16", "429u16", "500u16", "501u16",
                ][..],
            ),
        ),
        (
            "zitadel-v1.yaml",
            (
                "management_reactivate_user",
                &[
                    "200u16",
                    "400u16",
                    "400u16..=499u16",
                    "401u16",
                    "403u16",
                    "404u16",
                    "500u16..=599u16",
                ][..],
            ),
        ),
        (
            "zitadel-v2.yaml",
            (
                "reactivate_user",
                &[
                    "200u16",
                    "400u16..=499u16",
                    "403u16",
                    "404u16",
                    "500u16..=599u16",
                ][..],
            ),
        ),
    ]);
    for (file, (method, arms)) in expected {
        let generated = generate(&load(file)).unwrap();
        let start = generated
            .text
            .find(&format!("pub async fn {method}<'a>("))
            .unwrap_or_else(|| panic!("{file}: no method {method}"));
        let body = &generated.text[start..];
        let found: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter_map(|l| l.split_once(" => ").map(|(arm, _)| arm))
            .filter(|arm| arm.ends_with("u16"))
            .collect();
        assert_eq!(found, arms.to_vec(), "{file}: match arms of {method}");
        assert!(
            body.contains("_ => Err(Error::UnexpectedResponse(response)),"),
            "{file}: undocumented statuses stay unexpected responses"
        );
    }
}

#[test]
fn the_pre_pass_rewrites_exactly_what_progenitor_cannot_take() {
    for (file, _) in SPECS {
        let generated = generate(&load(file)).unwrap();
        let expected: Vec<String> = match file {
            "zitadel-v1.yaml" => vec![
                "managementReactivateUser: `default` beside a success response became 4XX and 5XX"
                    .into(),
            ],
            "zitadel-v2.yaml" => {
                vec![
                    "reactivateUser: `default` beside a success response became 4XX and 5XX".into(),
                ]
            }
            // 400/404 use one envelope, 401/403 another: one oneOf error type.
            "nethesis.yaml" => vec![
                "reactivateUser: error responses 400, 401, 403, 404, 429, 503 share \
                 `ReactivateUserErrorBody` (oneOf 2 schemas)"
                    .into(),
            ],
            // 400/409 use ErrorRepresentation, 401/403/404/500 the generic body.
            "keycloak.yaml" => vec!["updateUser: error responses 400, 401, 403, 404, 409, 500 \
                 share `UpdateUserErrorBody` (oneOf 2 schemas)"
                .into()],
            "entra-id.yaml" => vec![
                "getUser: `default` beside a success response became 4XX and 5XX".into(),
                "updateUser: `default` beside a success response became 4XX and 5XX".into(),
            ],
            // application/scim+json everywhere; PATCH answers 200 with the resource or 204.
            "scim.yaml" => vec![
                "getUser: responses 200, 401, 403, 404, 429, 500 read application/scim+json as \
                 application/json (a `+json` type is JSON)"
                    .into(),
                "patchUser: responses 200, 400, 401, 403, 404, 405, 409, 412, 413, 415, 429, \
                 500, 501 read application/scim+json as application/json (a `+json` type is JSON)"
                    .into(),
                "patchUser: success responses 200 (JSON) and 204 (no body) are raw bytes in the \
                 generated client (one success type; the adapter decodes the body)"
                    .into(),
                "patchUser: request body application/scim+json sent as application/json \
                 (progenitor takes one media type and types only application/json)"
                    .into(),
            ],
            // AWS JSON 1.1: the vendor media type is JSON, in and out.
            "cognito.yaml" => vec![
                "cognitoUserCall: responses 200, 400, 403, 500, 503 read \
                 application/x-amz-json-1.1 as application/json (a `+json` type is JSON)"
                    .into(),
                "cognitoUserCall: request body application/x-amz-json-1.1 sent as \
                 application/json (progenitor takes one media type and types only \
                 application/json)"
                    .into(),
            ],
            _ => vec![],
        };
        assert_eq!(generated.notes, expected, "{file}");
    }
}

#[test]
fn generated_text_equals_the_checked_in_files() {
    let root = common::workspace_root();
    for (file, module) in SPECS {
        let generated = generate(&load(file)).unwrap();
        let checked_in_path = root.join(GENERATED_DIR).join(format!("{module}.rs"));
        let checked_in = std::fs::read_to_string(&checked_in_path)
            .unwrap_or_else(|e| panic!("{}: {e}", checked_in_path.display()));
        assert!(
            generated.text == checked_in,
            "{} differs from what {file} generates; run `cargo xtask codegen`",
            checked_in_path.display()
        );
        assert!(checked_in.starts_with(&format!(
            "// @generated by `cargo xtask codegen` from openapi/{file}.\n"
        )));
        assert!(checked_in.contains(&format!(
            "// progenitor {} (library)",
            generate::PROGENITOR_VERSION
        )));
    }
    // And the whole set, including mod.rs, as `codegen` produces it from the specs
    // (on a copy of `openapi/` only, so that nothing but the clients is generated).
    let tmp = common::TempRoot::new("real-specs");
    common::copy_dir(&root.join("openapi"), &tmp.join("openapi"));
    let (outputs, _log) = codegen::generate_all(&tmp.path).unwrap();
    let paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "sdk/src/generated/aitronos.rs",
            "sdk/src/generated/auth0.rs",
            "sdk/src/generated/cognito.rs",
            "sdk/src/generated/entra_id.rs",
            "sdk/src/generated/firebase.rs",
            "sdk/src/generated/flashback.rs",
            "sdk/src/generated/google_workspace.rs",
            "sdk/src/generated/keycloak.rs",
            "sdk/src/generated/nethesis.rs",
            "sdk/src/generated/okta.rs",
            "sdk/src/generated/scim.rs",
            "sdk/src/generated/zitadel_v1.rs",
            "sdk/src/generated/zitadel_v2.rs",
            "sdk/src/generated/mod.rs",
        ]
    );
    for out in outputs {
        let checked_in = std::fs::read_to_string(root.join(&out.path)).unwrap();
        assert!(out.text == checked_in, "{} is stale", out.path);
    }
}

#[test]
fn every_response_body_of_the_real_specs_has_an_example() {
    // Validation requires it; this checks the real specs hold named examples the
    // generated-client tests (tests/tests/generated_examples.rs) can serve.
    for (file, _) in SPECS {
        let spec = load(file);
        let mut examples = 0;
        for (_, _, op) in operations(&spec.raw) {
            for response in op["responses"].as_object().unwrap().values() {
                let Some(content) = response.get("content").and_then(Value::as_object) else {
                    continue;
                };
                for media in content.values() {
                    examples += usize::from(media.get("example").is_some());
                    examples += media
                        .get("examples")
                        .and_then(Value::as_object)
                        .map_or(0, |e| e.len());
                }
            }
        }
        assert!(examples > 0, "{file}: no examples");
    }
}
