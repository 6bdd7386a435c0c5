//! Issue 4: the case table of `reactivate_async` (the same cases, from the same
//! specs, in `userbridge_tests::cases`), run through the blocking client.

use userbridge_tests::cases::all_cases;
use userbridge_tests::{run_providers, BlockingRunner};

/// Every answer of every provider's spec, and the generic extra cases.
#[test]
fn every_provider_every_answer() {
    run_providers(&BlockingRunner, all_cases);
}
