//! Acceptance tests of the codegen tool's validation: every spec it cannot turn into
//! a client gives an error that names the spec file and what is wrong, and no panic
//! escapes, whether the spec is read through `Spec::load`, `Spec::parse`,
//! `generate::generate` or the whole `codegen::run`.

mod common;

use std::path::Path;

use common::{fixture, no_panic, TempRoot};
use xtask::codegen;
use xtask::generate::generate;
use xtask::spec::{Spec, SpecError};

/// Loads a fixture that validation must reject and returns its error text.
fn load_err(file: &str) -> String {
    let outcome = no_panic("Spec::load", || Spec::load(&fixture(file)));
    let err: SpecError = match outcome {
        Ok(_) => panic!("{file} was accepted, but validation must reject it"),
        Err(e) => e,
    };
    assert_eq!(err.spec, file, "the error must name the spec file");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{file}: ")),
        "the message must start with the spec file name: {text}"
    );
    text
}

/// Loads a fixture that validation accepts, and generates it; returns the error.
fn generate_err(file: &str) -> String {
    let spec = Spec::load(&fixture(file))
        .unwrap_or_else(|e| panic!("{file} must pass validation (it fails later): {e}"));
    let outcome = no_panic("generate::generate", || generate(&spec));
    let err = match outcome {
        Ok(_) => panic!("{file} generated a client, but it must be rejected"),
        Err(e) => e,
    };
    assert_eq!(err.spec, file, "the error must name the spec file");
    let text = err.to_string();
    assert!(text.starts_with(&format!("{file}: ")), "{text}");
    text
}

/// Runs `codegen::run` (check and write) on a temporary root holding `specs`;
/// both must fail, write nothing, and return the report.
fn run_err(label: &str, specs: &[&str]) -> String {
    let root = TempRoot::with_specs(label, specs);
    let mut reports = Vec::new();
    for check in [true, false] {
        let outcome = no_panic("codegen::run", || codegen::run(&root.path, check));
        match outcome {
            Ok(report) => panic!("codegen::run(check={check}) succeeded: {report}"),
            Err(report) => reports.push(report),
        }
    }
    assert!(
        !root.join(codegen::GENERATED_DIR).exists(),
        "a failing codegen must not write any generated file"
    );
    assert_eq!(
        reports[0], reports[1],
        "check and write report the same failure"
    );
    reports.remove(0)
}

#[test]
fn the_valid_fixture_is_accepted_and_generates() {
    // The negative fixtures below are each this one with one thing wrong; this
    // shows that what they break is what makes them fail.
    let spec = Spec::load(&fixture("valid.yaml")).unwrap();
    assert_eq!(spec.name, "valid");
    let generated = generate(&spec).unwrap();
    assert_eq!(generated.module, "valid");
    assert_eq!(generated.file, "valid.rs");
    assert!(generated.notes.is_empty(), "{:?}", generated.notes);
    assert!(generated.text.contains("pub async fn reactivate_user<'a>("));
    assert!(generated
        .text
        .contains("200u16 => self.inner().from_response(response),"));
    assert!(generated.text.contains("404u16 => "));
    syn::parse_file(&generated.text).expect("generated text is valid Rust");
}

#[test]
fn openapi_3_1_names_the_supported_version() {
    let text = load_err("openapi-3.1.yaml");
    assert!(text.contains("3.1.0"), "names the version found: {text}");
    assert!(
        text.contains("3.0.x"),
        "names the supported version: {text}"
    );
    assert!(
        text.contains("openapi: 3.0.3"),
        "says what to write: {text}"
    );
}

#[test]
fn a_missing_operation_id_names_the_method_and_path() {
    let text = load_err("missing-operation-id.yaml");
    assert!(text.contains("POST /users/{id}/reactivate"), "{text}");
    assert!(text.contains("`operationId`"), "{text}");
}

#[test]
fn a_response_without_an_example_names_the_operation_and_status() {
    let text = load_err("response-without-example.yaml");
    assert!(
        text.contains("operation `reactivateUser` response 404 (application/json) has no example"),
        "{text}"
    );
    // The 200 response of the same operation has its example; only 404 is named.
    assert!(!text.contains("200"), "{text}");
}

#[test]
fn a_spec_without_servers_is_rejected() {
    let text = load_err("no-servers.yaml");
    assert!(text.contains("has no `servers`"), "{text}");
}

#[test]
fn a_spec_without_security_is_rejected() {
    let text = load_err("no-security.yaml");
    assert!(text.contains("has no top-level `security`"), "{text}");
}

#[test]
fn parse_names_the_file_it_is_given() {
    let yaml = std::fs::read_to_string(fixture("no-servers.yaml")).unwrap();
    let err = no_panic("Spec::parse", || {
        Spec::parse("acme.yaml", Path::new("openapi/acme.yaml"), &yaml)
    })
    .err()
    .expect("a spec without servers is rejected");
    assert_eq!(err.spec, "acme.yaml");
    assert!(
        err.to_string().starts_with("acme.yaml: has no `servers`"),
        "{err}"
    );
}

#[test]
fn invalid_yaml_is_an_error_not_a_panic() {
    let err = no_panic("Spec::parse", || {
        Spec::parse(
            "broken.yaml",
            Path::new("broken.yaml"),
            "openapi: [3.0.3\n  : :",
        )
    })
    .err()
    .expect("broken YAML is rejected");
    assert!(
        err.to_string()
            .starts_with("broken.yaml: is not valid YAML"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let err = no_panic("Spec::load", || Spec::load(&fixture("does-not-exist.yaml")))
        .err()
        .expect("a missing file is an error");
    assert_eq!(err.spec, "does-not-exist.yaml");
    assert!(err.message.contains("cannot read"), "{err}");
}

#[test]
fn two_success_schemas_are_rejected_naming_the_operation() {
    // 200 returns one object, 201 another: progenitor asserts one success type and
    // panics; generate() catches it and names the spec and the operation.
    let text = generate_err("two-success-schemas.yaml");
    assert!(
        text.contains(
            "progenitor cannot generate operation `reactivateUser` (POST /users/{id}/reactivate): "
        ),
        "{text}"
    );
    assert!(
        text.contains("one type for all success responses"),
        "{text}"
    );
    assert!(text.contains("fix the spec"), "{text}");
}

#[test]
fn json_success_beside_bodiless_success_generates_with_raw_success_arms() {
    // 200 with a body beside 204 without one (RFC 7644 PATCH) cannot share a
    // success type; the pre-pass makes both raw, so each stays a success arm and
    // the `health` operation beside it is untouched.
    let spec = Spec::load(&fixture("success-json-and-no-body.yaml")).unwrap();
    let generated = no_panic("generate::generate", || generate(&spec))
        .unwrap_or_else(|e| panic!("the pre-pass must make this spec generate: {e}"));
    assert_eq!(
        generated.notes,
        vec![
            "reactivateUser: success responses 200 (JSON) and 204 (no body) are raw bytes in \
             the generated client (one success type; the adapter decodes the body)"
                .to_string()
        ]
    );
    let text = &generated.text;
    let start = text.find("pub async fn reactivate_user<'a>(").unwrap();
    let body = &text[start..];
    assert!(
        body.contains("-> Result<ResponseValue<ByteStream>, Error<()>>"),
        "{body}"
    );
    for arm in [
        "200u16 => Ok(self.inner().stream(response)),",
        "204u16 => Ok(self.inner().stream(response)),",
    ] {
        assert!(body.contains(arm), "missing arm `{arm}`:\n{body}");
    }
    assert!(
        text.contains("Result<ResponseValue<types::HealthResponse>, Error<()>>"),
        "health stays typed: {text}"
    );
    syn::parse_file(text).expect("generated text is valid Rust");
}

#[test]
fn a_plus_json_request_and_responses_generate_as_json() {
    // application/scim+json only (RFC 7644 §3.1): progenitor knows no `+json`
    // type; the pre-pass reads it as application/json on both sides.
    let spec = Spec::load(&fixture("plus-json.yaml")).unwrap();
    let generated = no_panic("generate::generate", || generate(&spec))
        .unwrap_or_else(|e| panic!("the pre-pass must make this spec generate: {e}"));
    assert_eq!(
        generated.notes,
        vec![
            "patchUser: responses 200, 404 read application/scim+json as application/json (a \
             `+json` type is JSON)"
                .to_string(),
            "patchUser: request body application/json, application/scim+json sent as \
             application/json (progenitor takes one media type and types only application/json)"
                .to_string(),
        ]
    );
    let text = &generated.text;
    assert!(
        text.contains("-> Result<ResponseValue<types::User>, Error<types::ScimError>>"),
        "{text}"
    );
    assert!(text.contains("body: &'a types::PatchOp"), "{text}");
    assert!(text.contains(".json(&body)"), "{text}");
    syn::parse_file(text).expect("generated text is valid Rust");
}

#[test]
fn the_pre_pass_rejects_a_bodiless_error_beside_a_json_error() {
    let text = generate_err("bodiless-error-beside-json-error.yaml");
    assert!(text.contains("operation `reactivateUser`"), "{text}");
    assert!(
        text.contains("error responses 404 have a JSON body but 401 have none"),
        "{text}"
    );
    assert!(text.contains("document the body of 401"), "{text}");
}

#[test]
fn the_pre_pass_lets_differing_error_schemas_and_default_generate() {
    let spec = Spec::load(&fixture("differing-error-schemas.yaml")).unwrap();
    let generated = no_panic("generate::generate", || generate(&spec))
        .unwrap_or_else(|e| panic!("the pre-pass must make this spec generate: {e}"));
    assert_eq!(
        generated.notes,
        vec![
            "reactivateUser: `default` beside a success response became 4XX and 5XX".to_string(),
            "reactivateUser: error responses 404, 422, 4XX, 5XX share `ReactivateUserErrorBody` \
             (oneOf 3 schemas)"
                .to_string(),
        ]
    );
    let text = &generated.text;
    // The notes are in the header, so a reader of the file sees the rewrites.
    for note in &generated.notes {
        assert!(text.contains(&format!("//   - {note}\n")), "{note}");
    }
    // One error type, a oneOf of the three distinct schemas.
    assert!(
        text.contains("pub enum ReactivateUserErrorBody {"),
        "{text}"
    );
    for variant in ["Problem", "Envelope", "RpcStatus"] {
        assert!(
            text.contains(&format!(
                "impl ::std::convert::From<{variant}> for ReactivateUserErrorBody"
            )),
            "{variant} is one of the error body's alternatives"
        );
    }
    assert!(
        text.contains(
            "-> Result<ResponseValue<types::Done>, Error<types::ReactivateUserErrorBody>>"
        ),
        "{text}"
    );
    // Every documented status is a match arm; `default` became the two ranges.
    for arm in [
        "200u16 => self.inner().from_response(response),",
        "404u16 => ",
        "422u16 => ",
        "400u16..=499u16 => ",
        "500u16..=599u16 => ",
    ] {
        assert!(text.contains(arm), "missing arm `{arm}`:\n{text}");
    }
    syn::parse_file(text).expect("generated text is valid Rust");
}

#[test]
fn codegen_run_names_every_failing_spec_and_writes_nothing() {
    let report = run_err(
        "validation-mixed",
        &[
            "valid.yaml",
            "openapi-3.1.yaml",
            "two-success-schemas.yaml",
            "no-security.yaml",
        ],
    );
    assert!(report.starts_with("codegen failed:\n"), "{report}");
    assert!(
        report.contains("openapi-3.1.yaml: is OpenAPI 3.1.0"),
        "{report}"
    );
    assert!(
        report.contains(
            "two-success-schemas.yaml: progenitor cannot generate operation `reactivateUser`"
        ),
        "{report}"
    );
    assert!(
        report.contains("no-security.yaml: has no top-level `security`"),
        "{report}"
    );
    assert!(
        !report.contains("valid.yaml:"),
        "the valid spec is not blamed: {report}"
    );
}

#[test]
fn codegen_run_reports_each_kind_of_invalid_spec() {
    for (file, expected) in [
        (
            "missing-operation-id.yaml",
            "operation POST /users/{id}/reactivate has no `operationId`",
        ),
        (
            "response-without-example.yaml",
            "operation `reactivateUser` response 404",
        ),
        ("no-servers.yaml", "has no `servers`"),
        (
            "bodiless-error-beside-json-error.yaml",
            "error responses 404 have a JSON body",
        ),
    ] {
        let report = run_err("validation-one", &[file]);
        assert!(
            report.contains(&format!("{file}: ")) && report.contains(expected),
            "{file}: {report}"
        );
    }
}

#[test]
fn codegen_run_writes_valid_specs_and_then_checks_clean() {
    let root = TempRoot::with_specs(
        "validation-write",
        &["valid.yaml", "differing-error-schemas.yaml"],
    );
    let report = codegen::run(&root.path, false).unwrap();
    for file in ["valid.rs", "differing_error_schemas.rs", "mod.rs"] {
        assert!(
            report.contains(&format!("wrote sdk/src/generated/{file}")),
            "{report}"
        );
        assert!(
            root.join(&format!("sdk/src/generated/{file}")).is_file(),
            "{file}"
        );
    }
    let index = std::fs::read_to_string(root.join("sdk/src/generated/mod.rs")).unwrap();
    assert!(
        index.contains("pub mod differing_error_schemas;"),
        "{index}"
    );
    assert!(index.contains("pub mod valid;"), "{index}");
    let report = codegen::run(&root.path, true).unwrap();
    assert!(
        report.contains("all 3 generated files are up to date"),
        "{report}"
    );
}
