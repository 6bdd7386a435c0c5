//! The client of the command line's settings: credentials from the
//! environment or files, every other setting from its flag or variable.
//! Nothing here prints a secret: messages name the variable or the file, never
//! what it holds.

use std::path::Path;

use userbridge::{Client, Error, Provider, RetryPolicy, ScimPatchForm};

use crate::args::{ClientArgs, PatchForm, CLIENT_SECRET_VAR, TOKEN_VAR};
use crate::translate::translate;
use crate::Usage;

/// What to do with a secret's environment variable.
enum FromEnv {
    Unset,
    Empty,
    Set(String),
}

fn from_env(var: &str) -> FromEnv {
    match std::env::var(var) {
        Ok(value) if value.trim().is_empty() => FromEnv::Empty,
        Ok(value) => FromEnv::Set(value.trim().to_string()),
        // Not set, or not Unicode (said as unset: its value is never shown).
        Err(_) => FromEnv::Unset,
    }
}

/// A secret read from `path` (`flag` names it in messages), trimmed.
fn from_file(path: &Path, flag: &str) -> Result<String, Usage> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Usage(format!("{flag} {}: cannot read it: {e}", path.display())))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Usage(format!(
            "{flag} {}: the file is empty",
            path.display()
        )));
    }
    Ok(text.to_string())
}

/// The bearer or API token: `USERBRIDGE_TOKEN` or `--token-file`, not both.
fn token(args: &ClientArgs) -> Result<Option<String>, Usage> {
    match (from_env(TOKEN_VAR), &args.token_file) {
        (FromEnv::Set(_), Some(_)) => Err(Usage(format!(
            "both {TOKEN_VAR} and --token-file are set: use one"
        ))),
        (_, Some(path)) => from_file(path, "--token-file").map(Some),
        (FromEnv::Set(token), None) => Ok(Some(token)),
        (FromEnv::Empty, None) if args.client_id.is_none() => Err(Usage(format!(
            "{TOKEN_VAR} is set but empty (was it exported from a variable or a command that \
             gave nothing?)"
        ))),
        (FromEnv::Empty | FromEnv::Unset, None) => Ok(None),
    }
}

/// The client of `provider`, configured from `args`, checked by the SDK (its
/// refusals in the command line's words).
pub fn build(provider: Provider, args: &ClientArgs) -> Result<Client, Usage> {
    let mut builder = Client::builder(provider);
    let token = token(args)?;
    builder = match (&args.client_id, token) {
        (None, None) if args.google_service_account.is_some() => {
            let path = args
                .google_service_account
                .as_deref()
                .unwrap_or(Path::new(""));
            // Read whole, not trimmed: the SDK reads the JSON. Its refusals
            // name a field of the key, never a value; said with the flag.
            let key = std::fs::read_to_string(path).map_err(|e| {
                Usage(format!(
                    "--google-service-account {}: cannot read it: {e}",
                    path.display()
                ))
            })?;
            let mut builder = builder.google_service_account(key);
            if let Some(subject) = &args.subject {
                builder = builder.subject(subject);
            }
            builder
        }
        (_, Some(_)) if args.google_service_account.is_some() => {
            return Err(Usage(format!(
                "two credentials given: a token ({TOKEN_VAR} or --token-file) and \
                 --google-service-account; use one"
            )))
        }
        (Some(_), Some(_)) => {
            return Err(Usage(format!(
                "two credentials given: a token ({TOKEN_VAR} or --token-file) and client \
                 credentials (--client-id); use one"
            )))
        }
        (None, Some(token)) if args.api_token => builder.api_token(token),
        (None, Some(token)) => builder.bearer_token(token),
        (Some(client_id), None) => {
            let secret = match (from_env(CLIENT_SECRET_VAR), &args.client_secret_file) {
                (FromEnv::Set(_), Some(_)) => {
                    return Err(Usage(format!(
                        "both {CLIENT_SECRET_VAR} and --client-secret-file are set: use one"
                    )))
                }
                (_, Some(path)) => Some(from_file(path, "--client-secret-file")?),
                (FromEnv::Set(secret), None) => Some(secret),
                (FromEnv::Empty | FromEnv::Unset, None) => None,
            };
            match (secret, &args.private_key) {
                (Some(_), Some(_)) => {
                    return Err(Usage(format!(
                        "--client-id takes a secret ({CLIENT_SECRET_VAR} or \
                         --client-secret-file) or --private-key, not both"
                    )))
                }
                (Some(secret), None) => builder.client_credentials(client_id, secret),
                (None, Some(path)) => {
                    let pem = std::fs::read_to_string(path).map_err(|e| {
                        Usage(format!(
                            "--private-key {}: cannot read it: {e}",
                            path.display()
                        ))
                    })?;
                    builder.private_key_jwt(client_id, pem, args.key_id.clone())
                }
                (None, None) => {
                    return Err(Usage(format!(
                        "--client-id needs the client's secret in {CLIENT_SECRET_VAR} (or \
                         --client-secret-file FILE), or its key in --private-key FILE"
                    )))
                }
            }
        }
        // AWS credentials: from the standard environment variables, read by
        // the SDK (which names any that is missing).
        (None, None) if provider.takes_aws_credentials() => builder,
        (None, None) => {
            return Err(Usage(format!(
                "no credentials: export the token in {TOKEN_VAR} (or pass --token-file FILE), \
                 or use --client-id ID with {CLIENT_SECRET_VAR}, --client-secret-file FILE or \
                 --private-key FILE, or --google-service-account FILE"
            )))
        }
    };
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    if let Some(org) = &args.organization {
        builder = builder.organization(org);
    }
    if let Some(realm) = &args.realm {
        builder = builder.realm(realm);
    }
    if let Some(tenant) = &args.tenant {
        builder = builder.tenant(tenant);
    }
    if let Some(region) = &args.region {
        builder = builder.region(region);
    }
    if let Some(url) = &args.token_url {
        builder = builder.token_url(url);
    }
    let scopes: Vec<&str> = args
        .scope
        .iter()
        .flat_map(|s| s.split_whitespace())
        .collect();
    if !scopes.is_empty() {
        builder = builder.scopes(scopes);
    }
    if let Some(timeout) = args.timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(deadline) = args.deadline {
        builder = builder.deadline(deadline);
    }
    if let Some(n) = args.max_attempts {
        builder = builder.retry_policy(RetryPolicy::default().max_attempts(n));
    }
    if let Some(max) = args.max_response_bytes {
        builder = builder.max_response_bytes(max);
    }
    if let Some(form) = args.scim_patch_form {
        builder = builder.scim_patch_form(match form {
            PatchForm::Rfc => ScimPatchForm::Rfc,
            PatchForm::PathLess => ScimPatchForm::PathLess,
        });
    }
    builder = builder.danger_accept_plain_http_on_private_network(
        args.danger_accept_plain_http_on_private_network,
    );
    builder.build().map_err(|e| Usage(said(&e)))
}

/// An error of the SDK as the command line says it: in its words, and for a
/// refused configuration without the "invalid request" preamble.
pub fn said(e: &Error) -> String {
    match e {
        Error::InvalidRequest {
            provider: Some(p),
            reason,
        } if !reason.starts_with(&p.to_string()) => translate(&format!("{p}: {reason}")),
        Error::InvalidRequest { reason, .. } => translate(reason),
        other => translate(&other.to_string()),
    }
}
