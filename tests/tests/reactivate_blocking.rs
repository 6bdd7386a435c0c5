//! Issue 4: the case table of `reactivate_async` (the same cases, from the same
//! specs and rules in `userbridge_tests`), run through the blocking client.

use userbridge_tests::{runner_case_tests, BlockingRunner};

runner_case_tests!(BlockingRunner);
