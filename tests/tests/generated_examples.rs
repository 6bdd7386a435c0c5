//! The generic parts of the generated-client check (`userbridge_tests::generated`):
//! every spec in `openapi/` is a provider's, and the helpers the check relies on.
//! Each provider's test file (`tests/tests/<provider>.rs`) runs the check itself,
//! with the one call of its generated client that only it can write.

use serde_json::{json, Value};
use userbridge_tests::generated::{compare, path_matches};
use userbridge_tests::single_call_providers;
use userbridge_tests::spec::{spec_file, spec_files, status_in_key};
use userbridge_tests::{spec, Example};

/// Every spec in `openapi/` is the spec of a provider (`{as_str}.yaml`), and
/// every provider has one with at least one example.
#[test]
fn every_spec_is_a_providers_and_every_provider_has_one() {
    let files = spec_files();
    let mut expected: Vec<_> = userbridge::Provider::ALL
        .into_iter()
        .map(spec_file)
        .collect();
    expected.sort();
    assert_eq!(
        files
            .iter()
            .map(|f| f.canonicalize().unwrap())
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|f| f.canonicalize().unwrap())
            .collect::<Vec<_>>(),
        "openapi/ holds one spec per provider, named after Provider::as_str"
    );
    for p in single_call_providers() {
        assert!(
            spec(p).documented_examples().count() > 0,
            "{p}: no examples"
        );
    }
}

#[test]
fn path_templates_match_one_segment_per_parameter() {
    assert!(path_matches(
        "/v2/users/{userId}/reactivate",
        "/v2/users/42/reactivate"
    ));
    assert!(!path_matches(
        "/v2/users/{userId}/reactivate",
        "/v2/users//reactivate"
    ));
    assert!(!path_matches(
        "/v2/users/{userId}/reactivate",
        "/v2/users/4/2/reactivate"
    ));
    assert!(!path_matches(
        "/v2/users/{userId}/reactivate",
        "/v1/users/42/reactivate"
    ));
}

#[test]
fn comparison_is_on_the_examples_keys() {
    let mut dropped = Vec::new();
    let mut wrong = Vec::new();
    let example = json!({
        "a": 1, "b": null, "c": [{"id": "x"}], "d": "kept", "e": {}, "f": [], "g": [1]
    });
    let decoded = json!({"a": 1.0, "c": [{}], "d": "other", "extra": true, "g": []});
    compare("$", &example, Some(&decoded), &mut dropped, &mut wrong);
    assert_eq!(dropped, ["$.c[0].id"]);
    assert_eq!(
        wrong,
        [
            r#"$.d: example "kept", decoded "other""#,
            "$.g: example [1], decoded []"
        ]
    );
}

fn example(key: &str, outcome: Value) -> Example {
    Example {
        provider: single_call_providers()[0],
        status_key: key.to_string(),
        name: "x".to_string(),
        body: json!({}),
        outcome,
        documented: true,
    }
}

/// An example is served with the status of its key, or of its outcome where the
/// key is a range or `default`; the two never disagree.
#[test]
fn examples_are_served_with_the_status_of_their_key_or_outcome() {
    assert_eq!(
        example("422", json!({"kind": "not_deactivated"})).status(),
        422
    );
    assert_eq!(
        example("200", json!({"kind": "ok", "status": 200})).status(),
        200
    );
    assert_eq!(
        example("5XX", json!({"kind": "server", "status": 503})).status(),
        503
    );
    assert_eq!(
        example("4XX", json!({"kind": "x", "status": 409})).status(),
        409
    );
    assert_eq!(
        example("default", json!({"kind": "not_found", "status": 404})).status(),
        404
    );
    for (key, outcome) in [
        ("5XX", json!({"kind": "server"})),
        ("default", json!({"kind": "server"})),
        ("5XX", json!({"kind": "server", "status": 404})),
        ("404", json!({"kind": "not_found", "status": 410})),
    ] {
        let ex = example(key, outcome.clone());
        let panicked = std::panic::catch_unwind(move || ex.status()).is_err();
        assert!(panicked, "{key} {outcome}: must be refused");
    }
    assert!(status_in_key(503, "5XX") && status_in_key(418, "default"));
    assert!(!status_in_key(404, "5XX") && !status_in_key(404, "403"));
}
