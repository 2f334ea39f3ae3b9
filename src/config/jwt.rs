//! Token validation settings: keys, issuer, audience, algorithms and leeway, from the file and the environment.

use super::*;
use jsonwebtoken::Algorithm;
use std::path::PathBuf;

pub(super) fn jwt_settings(
    env: &dyn Fn(&str) -> Option<String>,
    file: FileJwt,
) -> Result<JwtSettings, ConfigError> {
    let secret = env("FORVALTNING_JWT_SECRET")
        .or(file.secret)
        .map(Secret::new);
    let mut public_key_files: Vec<PathBuf> = match env("FORVALTNING_JWT_PUBLIC_KEY_FILE") {
        // Several files may be given, separated like PATH, for key rollover.
        Some(value) => std::env::split_paths(&value).collect(),
        None => file.public_key_file.into_iter().collect(),
    };
    public_key_files.extend(file.public_key_files);
    for path in &public_key_files {
        if !path.is_file() {
            return Err(ConfigError::new(
                "FORVALTNING_JWT_PUBLIC_KEY_FILE",
                format!("{} is not a readable file", path.display()),
            ));
        }
    }
    let jwks_url = env("FORVALTNING_JWT_JWKS_URL").or(file.jwks_url);
    if let Some(url) = &jwks_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ConfigError::new(
                "FORVALTNING_JWT_JWKS_URL",
                format!("'{url}' is not an http(s) URL"),
            ));
        }
    }
    let algorithm_names: Vec<String> = match env("FORVALTNING_JWT_ALGORITHMS") {
        Some(list) => list.split(',').map(|s| s.trim().to_string()).collect(),
        None => file.algorithms,
    };
    let algorithms = algorithm_names
        .iter()
        .map(|name| parse_algorithm(name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| ConfigError::new("FORVALTNING_JWT_ALGORITHMS", message))?;
    let leeway_seconds = file.leeway_seconds.unwrap_or(30);
    if leeway_seconds > MAX_LEEWAY_SECONDS {
        return Err(ConfigError::new(
            "jwt.leeway_seconds",
            format!("{leeway_seconds} is more than the allowed {MAX_LEEWAY_SECONDS} seconds"),
        ));
    }
    Ok(JwtSettings {
        secret,
        public_key_files,
        jwks_url,
        issuer: env("FORVALTNING_JWT_ISSUER").or(file.issuer),
        audience: env("FORVALTNING_JWT_AUDIENCE").or(file.audience),
        algorithms,
        leeway_seconds,
        jwks_refetch_cooldown_seconds: file.jwks_refetch_cooldown_seconds.unwrap_or(30),
        jwks_max_age_seconds: file.jwks_max_age_seconds.unwrap_or(600),
    })
}

/// The algorithms this service accepts at all; `none` never.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    match name {
        "HS256" => Ok(Algorithm::HS256),
        "HS384" => Ok(Algorithm::HS384),
        "HS512" => Ok(Algorithm::HS512),
        "RS256" => Ok(Algorithm::RS256),
        "RS384" => Ok(Algorithm::RS384),
        "RS512" => Ok(Algorithm::RS512),
        "PS256" => Ok(Algorithm::PS256),
        "PS384" => Ok(Algorithm::PS384),
        "PS512" => Ok(Algorithm::PS512),
        "ES256" => Ok(Algorithm::ES256),
        "ES384" => Ok(Algorithm::ES384),
        "EdDSA" => Ok(Algorithm::EdDSA),
        other => Err(format!("'{other}' is not a supported JWT algorithm")),
    }
}
