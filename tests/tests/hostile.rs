//! Issue 3/4: undocumented and hostile responses for every provider, through
//! both clients: 418, 502 with HTML, empty bodies, truncated JSON, non-JSON and
//! wrong-shape 2xx bodies (made from the spec's success example and schema).
//! Each is a classified error (never `Ok`, never a panic) that keeps the raw
//! body. A provider's own hostile answers are in its test file.

use userbridge_tests::hostile::{generic_cases, run};
use userbridge_tests::single_call_providers;
use userbridge_tests::{
    call_with, for_every_provider, runners, sample_user_id, Answer, ErrorKind, ReactivateRequest,
};

#[test]
fn hostile_responses_are_classified_and_keep_the_body() {
    for_every_provider(|p| {
        let cases = generic_cases(p);
        runners()
            .iter()
            .flat_map(|runner| run(runner.as_ref(), p, &cases))
            .collect()
    });
}

#[test]
fn a_large_body_is_kept_bounded() {
    // The raw body is kept, but bounded: a 64 KiB HTML page is not copied whole.
    let page = format!("<html>{}</html>", "x".repeat(64 * 1024));
    for runner in runners() {
        for p in single_call_providers() {
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
