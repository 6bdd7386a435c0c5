//! The SDK's messages in the command line's words: where an error of the SDK
//! names a builder method (`.base_url(..)`), the user of the command line
//! reads the flag and the environment variable that set the same thing
//! (`--base-url / USERBRIDGE_BASE_URL`). One table; its tests check that it
//! covers every method the SDK's messages name and that every flag it names
//! exists.

/// Whole phrases of the SDK's messages whose sense the command line says
/// otherwise (what has no flag, such as a realm per user, is left out).
/// Replaced first.
pub const PHRASES: &[(&str, &str)] = &[
    (
        "; a request can override it with ReactivateRequest::realm",
        "",
    ),
    (" or the request's ReactivateRequest::organization", ""),
    (": .bearer_token(..) adds it", ": userbridge adds it"),
    (": .api_token(..) adds it", ": userbridge adds it"),
    (
        "API-token scheme: pass its token with .bearer_token(..)",
        "API-token scheme: leave out --api-token (its token is sent as a bearer token)",
    ),
    (
        ".client_credentials(..) and .private_key_jwt(..)",
        "--client-id (with a client secret or --private-key)",
    ),
    (
        "give the request one (ReactivateRequest::new(id).organization(\"org_...\")) or set a \
         default on the client (.organization(\"org_...\"))",
        "set --organization / USERBRIDGE_ORGANIZATION (org_...)",
    ),
    // A service account key's refusals name the key, not the flag.
    (
        "the service account key",
        "the service account key (--google-service-account FILE)",
    ),
    (
        "the key's `type`",
        "the key's `type` (--google-service-account FILE)",
    ),
    // The SDK's checks of a base URL name it in words, not by its method.
    (
        "the base URL `",
        "the base URL (--base-url / USERBRIDGE_BASE_URL) `",
    ),
    (
        "the token URL `",
        "the token URL (--token-url / USERBRIDGE_TOKEN_URL) `",
    ),
];

/// The SDK's builder and request methods, by name, and the command line's
/// words for the same setting. A message's `.name(..)` (whatever its
/// arguments), `ClientBuilder::name` or `ReactivateRequest::name` is
/// replaced by these words.
pub const METHODS: &[(&str, &str)] = &[
    ("base_url", "--base-url / USERBRIDGE_BASE_URL"),
    ("organization", "--organization / USERBRIDGE_ORGANIZATION"),
    ("realm", "--realm / USERBRIDGE_REALM"),
    ("tenant", "--tenant / USERBRIDGE_TENANT"),
    ("region", "--region (or AWS_REGION)"),
    (
        "aws_credentials",
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    ),
    ("aws_session_token", "AWS_SESSION_TOKEN"),
    ("bearer_token", "USERBRIDGE_TOKEN (or --token-file)"),
    (
        "api_token",
        "--api-token with USERBRIDGE_TOKEN (or --token-file)",
    ),
    (
        "client_credentials",
        "--client-id with USERBRIDGE_CLIENT_SECRET (or --client-secret-file)",
    ),
    ("private_key_jwt", "--client-id with --private-key FILE"),
    (
        "google_service_account",
        "--google-service-account FILE / USERBRIDGE_GOOGLE_SERVICE_ACCOUNT",
    ),
    ("subject", "--subject / USERBRIDGE_SUBJECT"),
    ("token_url", "--token-url / USERBRIDGE_TOKEN_URL"),
    ("scopes", "--scope / USERBRIDGE_SCOPE"),
    (
        "danger_accept_plain_http_on_private_network",
        "--danger-accept-plain-http-on-private-network",
    ),
    ("timeout", "--timeout / USERBRIDGE_TIMEOUT"),
    ("deadline", "--deadline / USERBRIDGE_DEADLINE"),
    ("retry_policy", "--max-attempts / USERBRIDGE_MAX_ATTEMPTS"),
    (
        "max_response_bytes",
        "--max-response-bytes / USERBRIDGE_MAX_RESPONSE_BYTES",
    ),
    (
        "scim_patch_form",
        "--scim-patch-form / USERBRIDGE_SCIM_PATCH_FORM",
    ),
    (
        "token_source",
        "USERBRIDGE_TOKEN (or --token-file), or --client-id",
    ),
    (
        "allow_already_active",
        "the default (without --require-deactivated)",
    ),
    ("dry_run", "--dry-run"),
];

/// The SDK's types whose methods messages name as `Type::method`.
const TYPES: &[&str] = &["ReactivateRequest::", "ClientBuilder::", "Client::"];

/// The words for the method `name`, if it is one of [`METHODS`].
fn words(name: &str) -> Option<&'static str> {
    METHODS.iter().find(|(m, _)| *m == name).map(|(_, w)| *w)
}

/// The identifier at the start of `text`.
fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The length of the parenthesized arguments at the start of `text` (`(..)`,
/// `("org_...")`), quotes respected; `None` if they do not close.
fn arguments(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `message` in the command line's words: [`PHRASES`] replaced, then every
/// method of [`METHODS`] the message names.
pub fn translate(message: &str) -> String {
    let mut text = message.to_string();
    for (phrase, words) in PHRASES {
        if text.contains(phrase) {
            text = text.replace(phrase, words);
        }
    }
    for ty in TYPES {
        text = calls(&text, ty, true);
    }
    calls(&text, ".", false)
}

/// `text` with each `{prefix}name(args)` of a method of [`METHODS`] (or,
/// when `typed`, `{prefix}name` without arguments) replaced by its words; a
/// typed constructor before a method (`ReactivateRequest::new(id).realm(..)`)
/// is dropped, leaving the method.
fn calls(text: &str, prefix: &str, typed: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        let here = &rest[at + prefix.len()..];
        let name = identifier(here);
        let after = &here[name.len()..];
        // A `.` inside a word or a number (`v1.0`, `a.b`) is not a call.
        let starts_word = typed || !out.ends_with(|c: char| c.is_ascii_alphanumeric());
        let args = if after.starts_with('(') {
            arguments(after)
        } else if typed {
            Some(0)
        } else {
            None
        };
        match (words(name), args) {
            (Some(words), Some(args)) if starts_word && !name.is_empty() => {
                out.push_str(words);
                rest = &after[args..];
            }
            (None, Some(args)) if typed && args > 0 && after[args..].starts_with('.') => {
                rest = &after[args..];
            }
            _ => {
                out.push_str(prefix);
                rest = here;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, CLIENT_SECRET_VAR, TOKEN_VAR};
    use clap::CommandFactory as _;
    use std::collections::BTreeSet;
    use std::path::Path;
    use userbridge::{Client, Provider};

    /// The flags and variables of `userbridge reactivate`.
    fn known() -> (BTreeSet<String>, BTreeSet<String>) {
        let cli = Cli::command();
        let reactivate = cli
            .get_subcommands()
            .find(|c| c.get_name() == "reactivate")
            .expect("the reactivate subcommand");
        let mut flags = BTreeSet::new();
        let mut vars: BTreeSet<String> = [TOKEN_VAR, CLIENT_SECRET_VAR]
            .into_iter()
            .map(String::from)
            .collect();
        for arg in reactivate.get_arguments() {
            if let Some(long) = arg.get_long() {
                flags.insert(format!("--{long}"));
            }
            if let Some(var) = arg.get_env() {
                vars.insert(var.to_string_lossy().into_owned());
            }
        }
        (flags, vars)
    }

    #[test]
    fn base_and_token_urls_are_named_by_their_flags() {
        let line = translate(
            "the base URL `https://acme.okta.com/api/v1` includes `/api/v1`, a path of the API \
             itself",
        );
        assert!(
            line.starts_with("the base URL (--base-url / USERBRIDGE_BASE_URL) `"),
            "{line}"
        );
        let line = translate("the token URL `ftp://x` scheme");
        assert!(
            line.contains("(--token-url / USERBRIDGE_TOKEN_URL)"),
            "{line}"
        );
    }

    #[test]
    fn every_flag_and_variable_named_exists() {
        let (flags, vars) = known();
        for (method, words) in METHODS.iter().chain(PHRASES) {
            for word in words.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                let word = word.trim_end_matches([',', '.']);
                if word.starts_with("--") {
                    assert!(flags.contains(word), "{method}: no flag {word}");
                }
                if word.starts_with("USERBRIDGE_") {
                    assert!(vars.contains(word), "{method}: no variable {word}");
                }
            }
        }
    }

    /// The text of the string literals of a Rust file, comments left out.
    fn string_literals(text: &str) -> Vec<String> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i..].starts_with(b"//") {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            } else if b[i..].starts_with(b"/*") {
                let end = text[i..].find("*/").map_or(b.len(), |n| i + n + 2);
                i = end;
            } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
                // A char literal such as '"' or '\\'.
                i += 1;
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 2;
            } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) {
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                let open = i + 1 + hashes;
                if b.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let end = text[open + 1..]
                    .find(&close)
                    .map_or(b.len(), |n| open + 1 + n);
                out.push(text[open + 1..end].to_string());
                i = end + close.len();
            } else if b[i] == b'"' {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                out.push(text[start..i.min(b.len())].to_string());
                i += 1;
            } else {
                i += 1;
            }
        }
        out
    }

    /// Every `.method(` or `Type::method` (of the SDK's request and
    /// builder types) in `text`, by its name.
    fn methods_in(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for prefix in TYPES.iter().copied().chain(["."]) {
            for (at, _) in text.match_indices(prefix) {
                if prefix == "." && text[..at].ends_with(|c: char| c.is_ascii_alphanumeric()) {
                    continue;
                }
                let name = identifier(&text[at + prefix.len()..]);
                let after = &text[at + prefix.len() + name.len()..];
                if !name.is_empty() && (prefix != "." || after.starts_with('(')) {
                    found.push(name.to_string());
                }
            }
        }
        found
    }

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "generated") {
                    rust_files(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every builder or request method named in a message of the SDK (a
    /// string literal of `sdk/src`; the generated clients and the simulators
    /// left out) is in [`METHODS`]: a new message naming a method the table
    /// lacks fails here.
    #[test]
    fn the_table_covers_every_method_the_sdk_names() {
        // Named in `#[must_use]` notes, never in an error; `new` is the
        // constructor before a method (`ReactivateRequest::new(id).realm(..)`),
        // which `translate` drops.
        const NOT_SETTINGS: &[&str] = &["build", "run", "stream", "new"];
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(files.len() > 20, "sdk/src not found at {}", src.display());
        let mut missing = BTreeSet::new();
        for file in files {
            let simulator = file.components().any(|c| c.as_os_str() == "mock")
                || file.file_name().is_some_and(|n| n == "mock.rs");
            if simulator {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            for literal in string_literals(&text) {
                for name in methods_in(&literal) {
                    if words(&name).is_none() && !NOT_SETTINGS.contains(&name.as_str()) {
                        missing.insert(format!("{name} ({})", file.display()));
                    }
                }
                let said = translate(&literal);
                assert!(
                    !TYPES.iter().any(|ty| said.contains(ty)),
                    "a type's method left in: {said}"
                );
            }
        }
        assert!(missing.is_empty(), "not in METHODS: {missing:?}");
    }

    #[test]
    fn builder_errors_come_out_in_the_command_line_words() {
        let cases = [
            (
                Client::builder(Provider::Okta).bearer_token("token-123456"),
                "--base-url / USERBRIDGE_BASE_URL",
            ),
            (
                Client::builder(Provider::Keycloak)
                    .base_url("https://sso.example.com")
                    .bearer_token("token-123456"),
                "--realm / USERBRIDGE_REALM",
            ),
            (
                Client::builder(Provider::Keycloak)
                    .base_url("http://keycloak:8080")
                    .realm("acme")
                    .bearer_token("token-123456"),
                "--danger-accept-plain-http-on-private-network",
            ),
            (
                Client::builder(Provider::Flashback)
                    .bearer_token("token-123456")
                    .token_url("https://example.com/token"),
                "--token-url / USERBRIDGE_TOKEN_URL",
            ),
            (
                Client::builder(Provider::Flashback).bearer_token("Bearer token-123456"),
                "without the `Bearer ` scheme: userbridge adds it",
            ),
            (
                Client::builder(Provider::Flashback).bearer_token(""),
                "the bearer token is empty",
            ),
        ];
        for (builder, words) in cases {
            let err = builder.build().expect_err("a refused configuration");
            let said = translate(&err.to_string());
            assert!(said.contains(words), "{said}");
            assert!(!said.contains("(..)") && !said.contains("(true)"), "{said}");
        }
    }

    #[test]
    fn text_without_methods_is_left_alone() {
        for text in [
            "user 00u1 not found",
            "v1.0 of a.b.",
            "Keycloak 17). Then: x",
            "see .unknown(..) and ReactivateRequest::unknown",
        ] {
            assert_eq!(translate(text), text);
        }
    }

    #[test]
    fn methods_with_any_arguments_are_translated() {
        assert_eq!(
            translate("set it with .base_url(..) or `.realm(\"acme\")`"),
            "set it with --base-url / USERBRIDGE_BASE_URL or `--realm / USERBRIDGE_REALM`"
        );
        assert_eq!(
            translate("give it (ReactivateRequest::new(id).organization(\"org_(1)\"))"),
            "give it (--organization / USERBRIDGE_ORGANIZATION)"
        );
        assert_eq!(translate("see ReactivateRequest::dry_run"), "see --dry-run");
    }
}
