//! Keycloak's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// What a Keycloak reactivation did, with the user as Keycloak showed it.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeycloakUser {
    /// The user's id, as Keycloak returned it.
    pub id: String,
    /// The user name.
    pub username: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The user was disabled and is enabled now (`PUT {"enabled": true}`).
    pub re_enabled: bool,
    /// The user was enabled but locked out by brute-force detection, and the
    /// lockout was released (`DELETE .../attack-detection/brute-force/users/{id}`).
    pub lockout_cleared: bool,
}
