//! Where the keys come from: the configured HS256 secret or the development one written on first start, and PEM public keys.

use super::*;
use crate::config::{Environment, Secret, Settings};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::path::Path;

/// The HS256 secret this process signs development tokens with, and whether it is the
/// generated development secret.
pub struct SigningSecret {
    pub secret: Secret,
    pub generated: bool,
}

/// Finds the HS256 secret: the configured one, or (development only) the one generated in the
/// data directory, created on first use with mode 0600.
pub fn signing_secret(settings: &Settings) -> Result<Option<SigningSecret>, KeySetupError> {
    if let Some(secret) = &settings.jwt.secret {
        if settings.environment == Environment::Production {
            if secret.expose().len() < 32 {
                return Err(KeySetupError::Config(
                    "FORVALTNING_JWT_SECRET must be at least 32 characters in production".into(),
                ));
            }
            if read_dev_secret(&settings.data_dir)?.as_ref() == Some(secret) {
                return Err(KeySetupError::Config(
                    "FORVALTNING_JWT_SECRET is the generated development secret; production needs its own key".into(),
                ));
            }
        }
        return Ok(Some(SigningSecret {
            secret: secret.clone(),
            generated: false,
        }));
    }
    let has_public_keys =
        !settings.jwt.public_key_files.is_empty() || settings.jwt.jwks_url.is_some();
    if has_public_keys {
        return Ok(None);
    }
    if settings.environment == Environment::Production {
        return Err(KeySetupError::Config(
            "FORVALTNING_ENV=production needs a key: FORVALTNING_JWT_SECRET, FORVALTNING_JWT_PUBLIC_KEY_FILE or FORVALTNING_JWT_JWKS_URL (the generated development secret is refused)".into(),
        ));
    }
    let secret = match read_dev_secret(&settings.data_dir)? {
        Some(secret) => secret,
        None => write_dev_secret(&settings.data_dir)?,
    };
    Ok(Some(SigningSecret {
        secret,
        generated: true,
    }))
}

pub(super) fn read_dev_secret(data_dir: &Path) -> Result<Option<Secret>, KeySetupError> {
    let path = data_dir.join(DEV_SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(Secret::new(text.trim().to_string()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(KeySetupError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

pub(super) fn write_dev_secret(data_dir: &Path) -> Result<Secret, KeySetupError> {
    use rand::RngCore;
    use std::io::Write;
    let io_err = |source| KeySetupError::Io {
        path: data_dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(io_err)?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let path = data_dir.join(DEV_SECRET_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes()).map_err(io_err)?;
            file.sync_all().map_err(io_err)?;
            log::warn!(
                "generated a development JWT secret in {} (refused with FORVALTNING_ENV=production)",
                path.display()
            );
            Ok(Secret::new(secret))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_dev_secret(data_dir)?
            .ok_or_else(|| KeySetupError::Config("development secret vanished".into())),
        Err(e) => Err(io_err(e)),
    }
}

pub(super) fn load_pem_key(path: &Path) -> Result<StaticKey, KeySetupError> {
    let pem = std::fs::read(path).map_err(|source| KeySetupError::Io {
        path: path.display().to_string(),
        source,
    })?;
    if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
        return Ok(StaticKey {
            key,
            algorithms: vec![Algorithm::RS256],
        });
    }
    if let Ok(key) = DecodingKey::from_ec_pem(&pem) {
        return Ok(StaticKey {
            key,
            algorithms: vec![Algorithm::ES256],
        });
    }
    if let Ok(key) = DecodingKey::from_ed_pem(&pem) {
        return Ok(StaticKey {
            key,
            algorithms: vec![Algorithm::EdDSA],
        });
    }
    Err(KeySetupError::Config(format!(
        "FORVALTNING_JWT_PUBLIC_KEY_FILE: {} is not an RSA, EC or Ed25519 public key in PEM",
        path.display()
    )))
}
