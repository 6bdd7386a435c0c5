//! Issue 4: the case table of `reactivate_async` (the same cases, from the same
//! specs and rules in `userbridge_tests`), run through the blocking client.

use userbridge_tests::{run_provider, spot_checks, BlockingRunner, Provider};

#[test]
fn aitronos_cases() {
    run_provider(&BlockingRunner, Provider::Aitronos);
}

#[test]
fn flashback_cases() {
    run_provider(&BlockingRunner, Provider::Flashback);
}

#[test]
fn zitadel_v1_cases() {
    run_provider(&BlockingRunner, Provider::ZitadelV1);
}

#[test]
fn zitadel_v2_cases() {
    run_provider(&BlockingRunner, Provider::ZitadelV2);
}

#[test]
fn nethesis_cases() {
    run_provider(&BlockingRunner, Provider::Nethesis);
}

#[test]
fn key_rules_with_literal_values() {
    spot_checks(&BlockingRunner);
}
