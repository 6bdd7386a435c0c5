//! The registry: which adapter (and, with feature `mock`, which simulator)
//! serves each [`Provider`], one line per provider.
//!
//! Everything particular to a provider lives in its own directory,
//! `providers/<provider>/`: `mod.rs` (its adapter: request rules, the call on
//! its generated client, the mapping of every answer), `types.rs` (its public
//! result types, data only) and `mock.rs` (its simulator, feature `mock`). The
//! rest of the SDK reaches a provider's code only through this file.

use crate::adapter::Adapter;
use crate::provider::Provider;

pub(crate) mod aitronos;
pub(crate) mod auth0;
#[cfg(feature = "cognito")]
pub(crate) mod cognito;
pub(crate) mod entra_id;
pub(crate) mod flashback;
pub(crate) mod keycloak;
pub(crate) mod nethesis;
pub(crate) mod okta;
pub(crate) mod scim;
pub(crate) mod zitadel;

pub use aitronos::types::AitronosUser;
pub use auth0::types::Auth0Unblock;
#[cfg(feature = "cognito")]
pub use cognito::types::CognitoUser;
pub use entra_id::types::EntraUser;
pub use keycloak::types::KeycloakUser;
pub use okta::types::{ActivationLink, OktaLifecycle, OktaTransition};
pub use scim::types::{ScimPatchForm, ScimUser};
pub use zitadel::types::ChangeDetails;

/// Declares [`Provider::adapter`] and [`Provider::simulator`] from one line
/// per provider: `Variant => adapter, simulator`. The matches are exhaustive:
/// a provider without a line does not compile.
macro_rules! registry {
    ($($(#[$cfg:meta])* $variant:ident => $adapter:expr, $simulator:expr;)*) => {
        impl Provider {
            /// The provider's adapter: its descriptor, request rules and mapping.
            pub(crate) fn adapter(self) -> &'static dyn Adapter {
                match self {
                    $($(#[$cfg])* Provider::$variant => &$adapter,)*
                }
            }

            /// The provider's simulator (`providers/<provider>/mock.rs`).
            #[cfg(feature = "mock")]
            pub(crate) fn simulator(self) -> &'static dyn crate::mock::state::Simulate {
                match self {
                    $($(#[$cfg])* Provider::$variant => &$simulator,)*
                }
            }
        }
    };
}

impl Provider {
    /// Whether userbridge reads a user of this provider before changing it
    /// (SCIM, Keycloak, Microsoft Entra ID, Okta, Auth0): then an already
    /// active user is reported as such, and a
    /// [dry run](crate::ReactivateRequest::dry_run) says what a reactivation
    /// would do without doing it.
    ///
    /// ```
    /// use userbridge::Provider;
    ///
    /// assert!(Provider::Okta.reads_users());
    /// assert!(!Provider::Flashback.reads_users());
    /// ```
    pub fn reads_users(self) -> bool {
        self.adapter().reads_users()
    }

    /// Whether the provider's requests are signed with AWS credentials (AWS
    /// Signature Version 4) instead of carrying a token (Amazon Cognito): its
    /// clients take [`aws_credentials`](crate::ClientBuilder::aws_credentials)
    /// (or the standard AWS environment variables) and a
    /// [`region`](crate::ClientBuilder::region), and no bearer token.
    ///
    /// ```
    /// use userbridge::Provider;
    ///
    /// assert!(!Provider::Okta.takes_aws_credentials());
    /// ```
    pub fn takes_aws_credentials(self) -> bool {
        self.adapter().aws_signing().is_some()
    }
}

// One line per provider.
registry! {
    Aitronos => aitronos::Aitronos, aitronos::mock::Sim;
    Flashback => flashback::Flashback, flashback::mock::Sim;
    ZitadelV1 => zitadel::V1, zitadel::mock::V1;
    ZitadelV2 => zitadel::V2, zitadel::mock::V2;
    Nethesis => nethesis::Nethesis, nethesis::mock::Sim;
    Scim => scim::Scim, scim::mock::Sim;
    Keycloak => keycloak::Keycloak, keycloak::mock::Sim;
    EntraId => entra_id::EntraId, entra_id::mock::Sim;
    Okta => okta::Okta, okta::mock::Sim;
    Auth0 => auth0::Auth0, auth0::mock::Sim;
    #[cfg(feature = "cognito")]
    Cognito => cognito::Cognito, cognito::mock::Sim;
}
