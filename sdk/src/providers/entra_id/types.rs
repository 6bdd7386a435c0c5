//! Microsoft Entra ID's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// The Entra ID user a reactivation enabled.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntraUser {
    /// The object id (a GUID) Graph returned, whichever id the request used (the
    /// requested id if the answer had none).
    pub id: String,
    /// The user principal name (`adele.vance@contoso.com`).
    pub user_principal_name: Option<String>,
}
