//! Auth0's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// What an Auth0 reactivation lifted.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Auth0Unblock {
    /// An administrator's block (`blocked: true`) was lifted with
    /// `PATCH /users/{id}` `{"blocked": false}`.
    pub admin_block_lifted: bool,
    /// How many brute-force protection blocks (`GET /user-blocks/{id}`
    /// `blocked_for` entries) were lifted with `DELETE /user-blocks/{id}`.
    pub brute_force_blocks_lifted: usize,
}
