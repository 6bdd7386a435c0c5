//! The provider enum and its names: the bottom of the house. Every floor
//! names providers; this module imports nothing of the crate. The registry
//! (`providers/mod.rs`) maps each variant to its adapter and simulator; a
//! variant without a registry line does not compile.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares [`Provider`] (one variant per line, with its doc, machine name and
/// human name) and [`Provider::ALL`].
macro_rules! providers {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $display:literal;)*) => {
        /// A supported provider.
        ///
        /// Its machine name ([`Provider::as_str`], also its serde form and what
        /// `FromStr` accepts) and its human name (`Display`). It deserializes
        /// from that machine name, so it can come from a configuration file.
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "kebab-case")]
        pub enum Provider {
            $($(#[$doc])* $variant,)*
        }

        const COUNT: usize = [$(stringify!($variant)),*].len();

        impl Provider {
            /// Every provider, in declaration order.
            pub const ALL: [Provider; COUNT] = [$(Provider::$variant),*];

            /// A stable machine name: `aitronos`, `flashback`, `zitadel-v1`,
            /// `zitadel-v2`, `nethesis`, `scim`, `keycloak`, `entra-id`, `okta`,
            /// `auth0`, `google-workspace`, `firebase`, `cognito` (also what `FromStr` accepts, and the serde form); the
            /// provider's spec is `openapi/<name>.yaml`.
            ///
            /// ```
            /// use userbridge::Provider;
            ///
            /// assert_eq!(Provider::ZitadelV2.as_str(), "zitadel-v2");
            /// let p: Provider = serde_json::from_str(r#""zitadel-v2""#).unwrap();
            /// assert_eq!(p, Provider::ZitadelV2);
            /// assert_eq!("Zitadel-V2".parse::<Provider>().unwrap(), p);
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Provider::$variant => $name,)*
                }
            }

            /// The human name, as `Display` writes it.
            fn display(self) -> &'static str {
                match self {
                    $(Provider::$variant => $display,)*
                }
            }
        }
    };
}

// One line per provider: variant = machine name, human name.
providers! {
    /// Aitronos Users v2 (`https://api.aitronos.com`).
    Aitronos = "aitronos", "Aitronos";
    /// Flashback (`https://backend.flashback.tech`).
    Flashback = "flashback", "Flashback";
    /// Zitadel management API v1 (deprecated upstream, still served).
    ZitadelV1 = "zitadel-v1", "Zitadel v1";
    /// Zitadel user service v2.
    ZitadelV2 = "zitadel-v2", "Zitadel v2";
    /// My Nethesis (self-hosted backend, `https://<host>/api`).
    Nethesis = "nethesis", "My Nethesis";
    /// Any SCIM 2.0 service provider (RFC 7643/7644): reads `GET /Users/{id}`,
    /// then replaces `active` with `true` by `PATCH /Users/{id}`. The base URL is
    /// the SCIM root, e.g. `https://example.com/scim/v2`; see
    /// [`ScimPatchForm`](crate::ScimPatchForm) for servers built for Okta.
    Scim = "scim", "SCIM 2.0";
    /// Keycloak Admin REST API (your server; the realm is the organization).
    Keycloak = "keycloak", "Keycloak";
    /// Microsoft Entra ID through Microsoft Graph v1.0 (`https://graph.microsoft.com/v1.0`).
    EntraId = "entra-id", "Microsoft Entra ID";
    /// Okta management API (`https://{your Okta domain}`): the lifecycle
    /// transition the user's status needs.
    Okta = "okta", "Okta";
    /// Auth0 Management API v2 (`https://{tenant domain}/api/v2`): lifts an
    /// administrator's block and brute-force protection blocks.
    Auth0 = "auth0", "Auth0";
    /// Google Workspace through the Admin SDK Directory API v1
    /// (`https://admin.googleapis.com/admin/directory/v1`): lifts an
    /// administrator's suspension.
    GoogleWorkspace = "google-workspace", "Google Workspace";
    /// Firebase Authentication / Identity Platform through Identity Toolkit v1
    /// (`https://identitytoolkit.googleapis.com/v1`); the project id is the
    /// organization.
    Firebase = "firebase", "Firebase Authentication";
    /// Amazon Cognito user pools (`https://cognito-idp.{region}.amazonaws.com`,
    /// AWS JSON 1.1, requests signed with AWS Signature Version 4): the user
    /// pool id is the organization, the user name the user id. Feature
    /// `cognito` (on by default).
    Cognito = "cognito", "Amazon Cognito";
}

impl fmt::Display for Provider {
    /// The human name: `Aitronos`, `Flashback`, `Zitadel v1`, `Zitadel v2`,
    /// `My Nethesis`, `SCIM 2.0`, `Keycloak`, `Microsoft Entra ID`, `Okta`, `Auth0`,
    /// `Google Workspace`, `Firebase Authentication`, `Amazon Cognito`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display())
    }
}

/// The provider whose machine name is `name` (case-insensitive, surrounding
/// whitespace ignored). `FromStr` (in `error.rs`, as its error is an
/// [`Error`](crate::Error)) builds on it.
pub(crate) fn by_name(name: &str) -> Option<Provider> {
    Provider::ALL
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_serde_and_parse_back() {
        for p in Provider::ALL {
            assert_eq!(serde_json::to_value(p).ok(), Some(p.as_str().into()));
            let back: Option<Provider> =
                serde_json::from_value(serde_json::Value::from(p.as_str())).ok();
            assert_eq!(back, Some(p));
            assert_eq!(by_name(p.as_str()), Some(p));
            assert!(!p.to_string().is_empty());
        }
    }
}
