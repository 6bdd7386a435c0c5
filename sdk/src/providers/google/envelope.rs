//! Google's JSON error envelope, read the same way for every Google API this
//! SDK calls (the Admin SDK Directory API, Identity Toolkit): `{"error":
//! {"code": <HTTP status>, "message", "status": <canonical name>, "errors":
//! [{"domain", "reason", "message"}]}}` (Google API design guide, "Errors";
//! the v1 APIs keep the legacy `errors[]` list). Below the adapters, so that
//! both use it without naming each other.
//!
//! The kind of an answer: a quota reason (`userRateLimitExceeded`,
//! `rateLimitExceeded`, `quotaExceeded`, as the Directory API's "Limits and
//! Quotas" page lists them, sent with 403) or the canonical status
//! `RESOURCE_EXHAUSTED` is a rate limit, retried with backoff like a 429 (the
//! page asks for exponential backoff); `backendError` is a server failure
//! whatever its status; anything else is decided by the HTTP status.

use serde_json::Value;

use crate::adapter::OwnError;
use crate::error::{kind_for_status, ErrorKind};

/// The `errors[].reason` values Google sends for a spent quota.
pub(crate) const RATE_LIMIT_REASONS: [&str; 3] = [
    "userRateLimitExceeded",
    "rateLimitExceeded",
    "quotaExceeded",
];

/// What one Google error answer says, read leniently.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Envelope {
    /// `error.message`.
    pub message: Option<String>,
    /// `error.status`: the canonical status name (`NOT_FOUND`), where sent.
    pub status: Option<String>,
    /// `error.errors[0].reason`: the legacy machine code, where sent.
    pub reason: Option<String>,
}

impl Envelope {
    /// The envelope of `body`, or `None` when `body` is not one: an object
    /// `error` with a numeric `code` and a text `message`.
    pub(crate) fn read(body: &Value) -> Option<Envelope> {
        let error = body.get("error")?;
        error.get("code")?.as_u64()?;
        let message = error.get("message")?.as_str()?;
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(Envelope {
            message: Some(message.trim().to_string()).filter(|m| !m.is_empty()),
            status: text(error.get("status")),
            reason: text(
                error
                    .get("errors")
                    .and_then(Value::as_array)
                    .and_then(|e| e.first())
                    .and_then(|e| e.get("reason")),
            ),
        })
    }

    /// As the transport's [`OwnError`], with `code` as the machine code.
    pub(crate) fn own(self, code: Option<String>) -> OwnError {
        OwnError {
            code,
            message: self.message,
        }
    }

    /// Whether the answer says a quota was spent, whatever its status.
    pub(crate) fn is_rate_limit(&self) -> bool {
        self.reason
            .as_deref()
            .is_some_and(|r| RATE_LIMIT_REASONS.contains(&r))
            || self.status.as_deref() == Some("RESOURCE_EXHAUSTED")
    }

    /// The kind of an answer with HTTP `status`: a quota reason or
    /// `RESOURCE_EXHAUSTED` is a rate limit, `backendError` a server failure,
    /// anything else is decided by the status.
    pub(crate) fn kind(&self, status: u16) -> ErrorKind {
        if self.is_rate_limit() {
            ErrorKind::RateLimited
        } else if self.reason.as_deref() == Some("backendError") {
            ErrorKind::Server
        } else {
            kind_for_status(status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_envelope_and_its_kind() {
        let limited = Envelope::read(&json!({"error": {
            "code": 403,
            "message": "User Rate Limit Exceeded",
            "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded"}],
        }}))
        .expect("an envelope");
        assert_eq!(limited.reason.as_deref(), Some("userRateLimitExceeded"));
        assert_eq!(limited.kind(403), ErrorKind::RateLimited);
        for reason in RATE_LIMIT_REASONS {
            let e = Envelope {
                reason: Some(reason.into()),
                ..Envelope::default()
            };
            assert_eq!(e.kind(403), ErrorKind::RateLimited, "{reason}");
        }
        let forbidden = Envelope {
            reason: Some("forbidden".into()),
            ..Envelope::default()
        };
        assert_eq!(forbidden.kind(403), ErrorKind::PermissionDenied);
        let backend = Envelope {
            reason: Some("backendError".into()),
            ..Envelope::default()
        };
        assert_eq!(backend.kind(503), ErrorKind::Server);
        let exhausted = Envelope {
            status: Some("RESOURCE_EXHAUSTED".into()),
            ..Envelope::default()
        };
        assert_eq!(exhausted.kind(429), ErrorKind::RateLimited);
        assert!(Envelope::read(&json!({"error": "x"})).is_none());
        assert!(Envelope::read(&json!({"error": {"message": "no code"}})).is_none());
        assert!(Envelope::read(&json!({"message": "x"})).is_none());
    }
}
