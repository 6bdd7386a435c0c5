//! Base URLs are checked per provider at build(): a shape that cannot be right
//! (an API path pasted after the server URL, a missing version prefix) is
//! refused with the corrected value; plain http reaches private networks only
//! when the builder says so.

use userbridge::{Client, ErrorKind, Provider};

fn build(p: Provider, url: &str) -> Result<(), String> {
    // An organization every provider accepts (Aitronos' form; Keycloak's realm).
    let b = Client::builder(p)
        .base_url(url)
        .bearer_token("token-123456")
        .organization("org_xyz789");
    match b.build() {
        Ok(_) => Ok(()),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
            Err(e.to_string())
        }
    }
}

#[test]
fn shapes_that_cannot_be_right_are_refused_with_the_corrected_value() {
    use Provider::*;
    let refused = [
        (
            Okta,
            "https://acme.okta.com/api/v1",
            "`https://acme.okta.com`",
        ),
        (
            Okta,
            "https://acme.okta.com/api/v1/users",
            "`https://acme.okta.com`",
        ),
        (
            Okta,
            "https://acme.okta.com/oauth2/v1/token",
            "`https://acme.okta.com`",
        ),
        (
            Auth0,
            "https://acme.us.auth0.com",
            "`https://acme.us.auth0.com/api/v2`",
        ),
        (
            Auth0,
            "https://acme.us.auth0.com/api/v2/users",
            "`https://acme.us.auth0.com/api/v2`",
        ),
        (
            Keycloak,
            "https://sso.example.com/admin/realms/acme",
            "`https://sso.example.com`",
        ),
        (
            Keycloak,
            "https://sso.example.com/auth/realms/acme",
            "`https://sso.example.com/auth`",
        ),
        (
            EntraId,
            "https://graph.microsoft.com",
            "`https://graph.microsoft.com/v1.0`",
        ),
        (
            EntraId,
            "https://graph.microsoft.com/v1.0/users",
            "`https://graph.microsoft.com/v1.0`",
        ),
        (
            ZitadelV1,
            "https://acme.zitadel.cloud/management/v1",
            "`https://acme.zitadel.cloud`",
        ),
        (
            ZitadelV2,
            "https://acme.zitadel.cloud/v2/users",
            "`https://acme.zitadel.cloud`",
        ),
        (
            Scim,
            "https://example.com/scim/v2/Users",
            "`https://example.com/scim/v2`",
        ),
        (
            Nethesis,
            "https://my.example.com/api/users",
            "`https://my.example.com/api`",
        ),
        (
            Aitronos,
            "https://api.aitronos.com/v1/organizations",
            "`https://api.aitronos.com`",
        ),
        (
            Flashback,
            "https://backend.flashback.tech/organization/users",
            "`https://backend.flashback.tech`",
        ),
    ];
    for (p, url, fixed) in refused {
        let line = build(p, url).expect_err(url);
        assert!(line.contains(fixed), "{p}: {url}: {line}");
        assert!(line.contains(url.trim_end_matches('/')), "{p}: {line}");
    }
    let accepted = [
        (Okta, "https://acme.okta.com"),
        (Okta, "https://login.acme.com"),
        (Auth0, "https://acme.us.auth0.com/api/v2"),
        (Auth0, "https://login.acme.com/api/v2/"),
        (Auth0, "http://127.0.0.1:8080"),
        (EntraId, "http://127.0.0.1:8080"),
        (Keycloak, "https://sso.example.com"),
        (Keycloak, "https://sso.example.com/auth"),
        (EntraId, "https://graph.microsoft.com/v1.0"),
        (EntraId, "https://graph.microsoft.com/beta"),
        (ZitadelV2, "https://acme.zitadel.cloud"),
        (Scim, "https://example.com/scim/v2"),
        (Scim, "https://api.example.com/v2"),
        (Nethesis, "https://my.example.com/api"),
        (Aitronos, "https://api.aitronos.com"),
    ];
    for (p, url) in accepted {
        build(p, url).unwrap_or_else(|e| panic!("{p}: {url}: {e}"));
    }
}

#[test]
fn plain_http_to_a_private_network_only_when_accepted() {
    let refused = build(Provider::Keycloak, "http://keycloak:8080").unwrap_err();
    assert!(
        refused.contains("danger_accept_plain_http_on_private_network"),
        "{refused}"
    );
    let client = Client::builder(Provider::Keycloak)
        .base_url("http://keycloak:8080")
        .realm("acme")
        .bearer_token("token-123456")
        .danger_accept_plain_http_on_private_network(true)
        .build();
    assert!(client.is_ok());
    let public = Client::builder(Provider::Keycloak)
        .base_url("http://sso.example.com")
        .realm("acme")
        .bearer_token("token-123456")
        .danger_accept_plain_http_on_private_network(true)
        .build()
        .unwrap_err();
    assert!(
        public.to_string().contains("outside a private network"),
        "{public}"
    );
    // The same through the blocking builder.
    assert!(userbridge_blocking::Client::builder(Provider::Keycloak)
        .base_url("http://10.0.0.5:8080")
        .realm("acme")
        .bearer_token("token-123456")
        .danger_accept_plain_http_on_private_network(true)
        .build()
        .is_ok());
}

/// A multi-tenant service gives each Aitronos request its organization: the
/// client builds without one, and a request without any is refused before
/// sending, naming both ways to give one.
#[test]
fn aitronos_takes_the_organization_per_request() {
    let client = Client::builder(Provider::Aitronos)
        .bearer_token("token-123456")
        .build()
        .expect("builds without a default organization");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let err = rt
        .block_on(client.users().reactivate("usr_abc123"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.attempts(), 0);
    let line = err.to_string();
    assert!(
        line.contains("ReactivateRequest::new(id).organization("),
        "{line}"
    );
    assert!(line.contains(".organization(\"org_...\")"), "{line}");
}
