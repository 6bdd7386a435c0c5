//! The hand-written baselines: what a competent engineer writes for Flashback's
//! reactivation without the SDK, with the SDK's client settings (no redirects,
//! `Authorization: Bearer`, a user agent, `Accept: application/json`, 15 s
//! request and connect timeouts) and the same request on the wire (the id
//! percent-encoded as one path segment, as the SDK's generated client does).

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use serde::Deserialize;

/// The URL path-segment set (what the SDK's generated code encodes).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

const TIMEOUT: Duration = Duration::from_secs(15);
const USER_AGENT: &str = "bench-raw/0.1";

/// Flashback's answer, success and error alike.
#[derive(Deserialize)]
struct Answer {
    success: Option<bool>,
    message: Option<String>,
}

/// A failed raw call, in words.
pub type RawError = String;

fn headers(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut auth = HeaderValue::from_str(&format!("Bearer {token}")).expect("ASCII token");
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers
}

fn url(base: &str, id: &str) -> String {
    format!(
        "{base}/organization/users/{}/activate",
        utf8_percent_encode(id, SEGMENT)
    )
}

fn check(body: &[u8]) -> Result<(), RawError> {
    let answer: Answer =
        serde_json::from_slice(body).map_err(|e| format!("undecodable answer: {e}"))?;
    if answer.success == Some(false) {
        return Err(format!(
            "success: false: {}",
            answer.message.unwrap_or_default()
        ));
    }
    Ok(())
}

/// The async baseline.
pub struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    pub fn new(base: &str, token: &str) -> reqwest::Result<Raw> {
        let http = reqwest::Client::builder()
            .default_headers(headers(token))
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .build()?;
        Ok(Raw {
            http,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    pub async fn reactivate(&self, id: &str) -> Result<(), RawError> {
        let response = self
            .http
            .post(url(&self.base, id))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        check(&body)
    }
}

/// The `reqwest::blocking` baseline. Build it outside any async runtime.
pub struct RawBlocking {
    http: reqwest::blocking::Client,
    base: String,
}

impl RawBlocking {
    pub fn new(base: &str, token: &str) -> reqwest::Result<RawBlocking> {
        let http = reqwest::blocking::Client::builder()
            .default_headers(headers(token))
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .build()?;
        Ok(RawBlocking {
            http,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    pub fn reactivate(&self, id: &str) -> Result<(), RawError> {
        let response = self
            .http
            .post(url(&self.base, id))
            .send()
            .and_then(reqwest::blocking::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        let body = response.bytes().map_err(|e| e.to_string())?;
        check(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_one_segment() {
        assert_eq!(
            url("http://h", "a/b c%"),
            "http://h/organization/users/a%2Fb%20c%25/activate"
        );
    }

    #[test]
    fn answers() {
        assert!(check(br#"{"success":true,"message":"ok"}"#).is_ok());
        assert!(check(br#"{}"#).is_ok());
        assert!(check(br#"{"success":false,"message":"no"}"#).is_err());
        assert!(check(b"<html>").is_err());
    }
}
