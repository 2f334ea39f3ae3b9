//! Development tokens: the claims `forvaltning token` signs, and the signing.

use super::*;
use crate::config::Settings;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde::Serialize;

/// The claims `forvaltning token` signs.
#[derive(Debug, Serialize)]
pub struct DevClaims {
    pub sub: String,
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// Signs a token with the configured HS256 secret (the `token` command).
pub fn sign_token(settings: &Settings, mut claims: DevClaims) -> Result<String, KeySetupError> {
    let signing = signing_secret(settings)?.ok_or_else(|| {
        KeySetupError::Config(
            "only public keys are configured; tokens must come from the identity provider".into(),
        )
    })?;
    claims.iss = settings.jwt.issuer.clone();
    claims.aud = settings.jwt.audience.clone();
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(signing.secret.expose().as_bytes()),
    )
    .map_err(|e| KeySetupError::Config(format!("cannot sign: {e}")))
}
