//! Property test of the response classification, for every provider: any
//! status (100..=599 except 101), any body bytes (among them the specs' example
//! bodies, as they are and with random leaves), any retry headers and content
//! type. The call never panics, and the outcome agrees with the status class
//! (see `userbridge_tests::classify`). A provider with its own refinement runs
//! the property again with its rule, in its test file.

use userbridge_tests::classify::classification_holds;
use userbridge_tests::for_every_provider;

/// Every provider, in parallel, all failures reported together.
#[test]
fn classification_holds_for_every_provider() {
    for_every_provider(|p| classification_holds(p, &[], None));
}
