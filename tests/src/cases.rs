//! Case tables: an answer to serve, the call to make, the outcome it must have.

use std::fmt::Write as _;

use serde_json::{json, Value};
use userbridge::{Provider, ReactivateRequest};

use crate::outcome::{check_outcome, observed};
use crate::spec::{self, Example};
use crate::{call_with, expected_path, for_every_provider, organization, Answer, Runner};

/// One answer to serve, the request to make, and what must come of it.
#[derive(Clone, Debug)]
pub struct Case {
    /// The provider.
    pub provider: Provider,
    /// What the case is: `422 userNotDeactivated`, `429 with Retry-After: 7`.
    pub label: String,
    /// The answer the mock server gives.
    pub answer: Answer,
    /// The user id requested (needs no encoding).
    pub user_id: String,
    /// The expected outcome ([`crate::outcome`]).
    pub want: Value,
}

impl Case {
    /// A case for the sample user of `p`.
    pub fn new(p: Provider, label: impl Into<String>, answer: Answer, want: Value) -> Case {
        Case {
            provider: p,
            label: label.into(),
            answer,
            user_id: spec::spec(p).sample_user_id().to_string(),
            want,
        }
    }

    /// An example served as documented, expecting its outcome.
    pub fn from_example(ex: &Example) -> Case {
        Case::new(
            ex.provider,
            ex.case_label(),
            ex.answer(),
            ex.expectation(&[]),
        )
    }

    /// `ok` or the expected kind, for tables.
    pub fn summary(&self) -> &str {
        self.want["kind"].as_str().unwrap_or("?")
    }
}

/// Every example of `p`'s spec (documented and undocumented answers), served as
/// given.
pub fn example_cases(p: Provider) -> Vec<Case> {
    spec::spec(p)
        .examples()
        .iter()
        .map(Case::from_example)
        .collect()
}

/// Cases every provider has beyond its examples: its rate-limited answer with a
/// `Retry-After: 7` (the wait is read), and its error answers with an
/// `x-request-id` (the trace id where the body gives none).
pub fn generic_extra_cases(p: Provider) -> Vec<Case> {
    let spec = spec::spec(p);
    let mut out = Vec::new();
    let limited = spec.example_of("rate_limited");
    let answer = limited.answer().header("retry-after", "7");
    let want = limited.expectation(&answer.headers);
    assert_eq!(want["retry_after_ms"], json!(7000));
    out.push(Case::new(
        p,
        format!("{} with Retry-After: 7", limited.case_label()),
        answer,
        want,
    ));
    for ex in spec.examples().iter().filter(|e| !e.is_ok()) {
        let answer = ex.answer().header("x-request-id", "req-42");
        let want = ex.expectation(&answer.headers);
        out.push(Case::new(
            p,
            format!("{} with x-request-id: req-42", ex.case_label()),
            answer,
            want,
        ));
    }
    out
}

/// The example cases and the generic extra cases of `p`.
pub fn all_cases(p: Provider) -> Vec<Case> {
    let mut v = example_cases(p);
    v.extend(generic_extra_cases(p));
    v
}

/// The result of one case.
#[derive(Debug)]
pub struct CaseRun {
    /// The observed outcome, summarized.
    pub observed: String,
    /// Mismatches with the expectation (empty: the case passed).
    pub problems: Vec<String>,
}

/// Serves `case` on a fresh mock server, makes the call through `runner`,
/// checks the one request the server saw (method, path) and the outcome.
pub fn run_case(runner: &dyn Runner, case: &Case) -> CaseRun {
    let p = case.provider;
    let (result, reqs) = call_with(
        runner,
        p,
        &case.answer,
        ReactivateRequest::new(case.user_id.as_str()),
    );
    let mut problems = Vec::new();
    if reqs.len() != 1 {
        problems.push(format!("server saw {} requests, expected 1", reqs.len()));
    }
    if let Some(r) = reqs.first() {
        let want_path = expected_path(p, organization(p).unwrap_or_default(), &case.user_id);
        let want_method = crate::method(p);
        if r.method.as_str() != want_method || r.url.path() != want_path {
            problems.push(format!(
                "request {} {}, expected {want_method} {want_path}",
                r.method,
                r.url.path(),
            ));
        }
    }
    problems.extend(check_outcome(
        p,
        &case.user_id,
        &case.want,
        &result,
        Some(&case.answer.body_text()),
    ));
    CaseRun {
        observed: observed(&result),
        problems,
    }
}

/// Runs every case through `runner`, prints the observed table, and returns
/// every mismatch, naming runner, provider and case (all cases run first).
pub fn table_problems(runner: &dyn Runner, cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    let mut table = String::new();
    for case in cases {
        let run = run_case(runner, case);
        let _ = writeln!(
            table,
            "| {} | {} | HTTP {} | expected {} | observed {} | {}",
            case.provider,
            case.label,
            case.answer.status,
            case.summary(),
            run.observed,
            if run.problems.is_empty() {
                "pass"
            } else {
                "FAIL"
            }
        );
        if !run.problems.is_empty() {
            failures.push(format!(
                "[{}] {} {} (HTTP {}): {}",
                runner.name(),
                case.provider,
                case.label,
                case.answer.status,
                run.problems.join("; ")
            ));
        }
    }
    println!("{table}");
    failures
}

/// [`table_problems`], panicking with every mismatch.
pub fn run_table(runner: &dyn Runner, cases: &[Case]) {
    assert!(!cases.is_empty(), "no cases");
    let failures = table_problems(runner, cases);
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Runs the cases of every provider through `runner` (the providers in
/// parallel), reporting every mismatch of every provider together.
pub fn run_providers(runner: &dyn Runner, cases_of: fn(Provider) -> Vec<Case>) {
    for_every_provider(|p| {
        let cases = cases_of(p);
        if cases.is_empty() {
            return vec![format!("{p}: no cases")];
        }
        table_problems(runner, &cases)
    });
}
