//! Firebase Authentication's public result types: data only (a leaf module,
//! so that `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// The Firebase Authentication account a reactivation enabled.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirebaseUser {
    /// The uid (`localId`).
    pub local_id: String,
    /// The account's email address, where it has one.
    pub email: Option<String>,
}
