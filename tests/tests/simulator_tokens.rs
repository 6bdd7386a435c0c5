//! The simulators' OAuth 2.0 token endpoints, what holds for every provider
//! without knowing one: each simulator has a client whose secret `Debug` never
//! shows; a simulator serves a token endpoint exactly when the SDK knows one
//! for its provider; only POST reaches it.
//!
//! Each provider's endpoint (its URL, a success, private key JWTs, expiry,
//! revocation, its own refusals) is checked in the provider's test file
//! (`tests/tests/<provider>.rs`) with the engine of
//! [`userbridge_tests::tokens`] and the provider's facts.

use userbridge::mock::Simulator;
use userbridge::{Client, ErrorKind, Provider};
use userbridge_tests::tokens::{key, token_url, JWT_CLIENT};

/// The simulators that serve a token endpoint.
async fn with_tokens() -> Vec<Simulator> {
    let mut sims = Vec::new();
    for p in Provider::ALL {
        let sim = Simulator::start(p).await;
        if sim.token_url().is_some() {
            sims.push(sim);
        }
    }
    sims
}

#[tokio::test]
async fn every_simulator_has_a_client_with_a_secret_of_its_own() {
    for p in Provider::ALL {
        let sim = Simulator::start(p).await;
        assert!(!sim.client_id().is_empty(), "{p}");
        assert_eq!(sim.client_secret().len(), 40, "{p}");
        assert!(
            !format!("{sim:?}").contains(sim.client_secret()),
            "{p}: Debug shows the secret"
        );
        // Each simulator has a secret of its own.
        let other = Simulator::start(p).await;
        assert_ne!(sim.client_secret(), other.client_secret(), "{p}");
    }
}

#[tokio::test]
async fn a_token_endpoint_is_served_exactly_where_the_sdk_knows_one() {
    let mut served = 0;
    for p in Provider::ALL {
        let sim = Simulator::start(p).await;
        let built = Client::builder(p)
            .base_url(sim.base_url())
            .organization(sim.organization())
            .tenant("contoso.onmicrosoft.com")
            .private_key_jwt(JWT_CLIENT, key("test-rsa-pkcs8.pem"), None)
            .build();
        match sim.token_url() {
            Some(url) => {
                served += 1;
                built.unwrap_or_else(|e| panic!("{p}: the SDK knows no token endpoint: {e}"));
                // On the simulator's own server.
                let origin = format!("http://{}/", sim.base_url().split('/').nth(2).unwrap());
                assert!(url.starts_with(&origin), "{p}: {url}");
            }
            // Requests signed with AWS credentials: no OAuth at all.
            None if p.takes_aws_credentials() => {
                let err = built.expect_err("no OAuth credentials");
                assert!(
                    err.to_string()
                        .contains("takes no bearer token or OAuth credentials"),
                    "{p}: {err}"
                );
            }
            None => {
                let err = built.expect_err("no token endpoint");
                assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{p}: {err}");
                assert!(
                    err.to_string()
                        .contains("set the token endpoint with .token_url(..)"),
                    "{p}: {err}"
                );
            }
        }
    }
    assert!(served > 0, "no simulator serves a token endpoint");
}

#[tokio::test]
async fn only_post_reaches_the_token_endpoint() {
    for sim in with_tokens().await {
        let p = sim.provider();
        let response = reqwest::get(token_url(&sim)).await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "{p}");
        assert_eq!(response.headers()["allow"], "POST", "{p}");
    }
}
