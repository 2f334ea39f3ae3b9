//! Bearer token validation (docs/conventions.md): HS256 secret, PEM public keys, or a JWKS URL.
//! Algorithms are pinned; `exp` and `sub` are required; `iss`/`aud` are required and matched
//! when configured; `nbf` is checked; the leeway is at most 60 seconds.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::auth::claims::map_roles;
use crate::config::ClaimRule;
use crate::config::{JwtSettings, Settings};
pub use crate::domain::access::Identity;
use crate::domain::model::Model;

mod cache;
mod dev;
mod jwks;
mod keys;

use cache::*;
pub use dev::*;
pub use keys::*;

/// The development secret's file in the data directory.
pub const DEV_SECRET_FILE: &str = "jwt-dev-secret";

#[derive(Debug, thiserror::Error)]
pub enum KeySetupError {
    #[error("{0}")]
    Config(String),
    #[error("cannot use {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

struct StaticKey {
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
}

struct JwksKey {
    kid: Option<String>,
    key: DecodingKey,
    algorithm: Option<Algorithm>,
    family: jsonwebtoken::AlgorithmFamily,
}

#[derive(Default)]
struct JwksState {
    keys: Vec<Arc<JwksKey>>,
    fetched_at: Option<Instant>,
    /// Counts the fetches: a token verified under one set of keys is remembered only while
    /// that set is the one in use.
    generation: u64,
    /// The last fetch caused by an unknown `kid` (rate-limited by the cooldown).
    last_unknown_kid_fetch: Option<Instant>,
}

/// The JWKS cache is read on every request and written rarely; std's RwLock is enough because
/// no lock is held across an await.
struct Jwks {
    url: String,
    client: reqwest::Client,
    state: RwLock<JwksState>,
    cooldown: Duration,
    max_age: Duration,
}

/// Validates bearer tokens. Shared by all workers.
pub struct Authenticator {
    static_keys: Vec<StaticKey>,
    jwks: Option<Jwks>,
    allowed: Vec<Algorithm>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: u64,
    claim_rules: Vec<ClaimRule>,
    verified: VerifiedTokens,
    /// The governance model in force: which roles claims may carry, and who decides.
    pub model: Arc<Model>,
}

impl Authenticator {
    pub fn from_settings(settings: &Settings) -> Result<Self, KeySetupError> {
        let jwt: &JwtSettings = &settings.jwt;
        let mut static_keys = Vec::new();
        if let Some(signing) = signing_secret(settings)? {
            static_keys.push(StaticKey {
                key: DecodingKey::from_secret(signing.secret.expose().as_bytes()),
                algorithms: vec![Algorithm::HS256],
            });
        }
        for path in &jwt.public_key_files {
            static_keys.push(load_pem_key(path)?);
        }
        let jwks = jwt.jwks_url.as_ref().map(|url| Jwks {
            url: url.clone(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            state: RwLock::new(JwksState::default()),
            cooldown: Duration::from_secs(jwt.jwks_refetch_cooldown_seconds),
            max_age: Duration::from_secs(jwt.jwks_max_age_seconds),
        });
        let allowed = if jwt.algorithms.is_empty() {
            let mut derived: Vec<Algorithm> = static_keys
                .iter()
                .flat_map(|k| k.algorithms.clone())
                .collect();
            if jwks.is_some() {
                derived.extend([Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA]);
            }
            derived.dedup();
            derived
        } else {
            jwt.algorithms.clone()
        };
        Ok(Authenticator {
            static_keys,
            jwks,
            allowed,
            issuer: jwt.issuer.clone(),
            audience: jwt.audience.clone(),
            leeway: jwt.leeway_seconds,
            claim_rules: settings.claim_rules.clone(),
            model: settings.governance_model.clone(),
            verified: VerifiedTokens::default(),
        })
    }

    pub fn allowed_algorithms(&self) -> &[Algorithm] {
        &self.allowed
    }

    /// Validates a token and maps its claims. The error text is safe to show to the client.
    pub async fn authenticate(&self, token: &str) -> Result<Identity, String> {
        let now = jsonwebtoken::get_current_timestamp();
        let keys = self.keys_generation();
        if let Some(keys) = keys {
            if let Some(identity) = self.verified.recall(token, keys, now, self.leeway) {
                return Ok(identity);
            }
        }
        let header = decode_header(token).map_err(|e| format!("malformed token: {e}"))?;
        if !self.allowed.contains(&header.alg) {
            return Err(format!("algorithm {:?} is not accepted", header.alg));
        }
        let validation = self.validation(header.alg);
        let mut last_error = "no key matches the token".to_string();
        for key in self
            .candidate_keys(header.alg, header.kid.as_deref())
            .await?
        {
            match decode::<Value>(token, &key, &validation) {
                Ok(data) => {
                    let identity = self.identity(&data.claims)?;
                    if let Some(keys) = keys {
                        self.verified.remember(token, &data.claims, &identity, keys);
                    }
                    return Ok(identity);
                }
                Err(e) => {
                    last_error = describe(&e);
                    // A signature that does not match may match the next key; any other
                    // failure is about the token itself.
                    if !matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) {
                        return Err(last_error);
                    }
                }
            }
        }
        Err(last_error)
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.leeway = self.leeway;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match &self.issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    async fn candidate_keys(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<Vec<DecodingKey>, String> {
        let mut keys: Vec<DecodingKey> = self
            .static_keys
            .iter()
            .filter(|k| k.algorithms.iter().any(|a| a.family() == alg.family()))
            .map(|k| k.key.clone())
            .collect();
        if let Some(jwks) = &self.jwks {
            keys.extend(jwks.keys_for(alg, kid).await?);
        }
        Ok(keys)
    }

    /// The generation of the keys in use: 0 without JWKS; `None` while the JWKS is due for a
    /// fetch (then tokens are verified in full, which fetches it).
    fn keys_generation(&self) -> Option<u64> {
        match &self.jwks {
            None => Some(0),
            Some(jwks) => jwks.read_state(|s| {
                let fresh = s.fetched_at.is_some_and(|t| t.elapsed() <= jwks.max_age);
                fresh.then_some(s.generation)
            }),
        }
    }

    fn identity(&self, claims: &Value) -> Result<Identity, String> {
        // An OpenID Connect ID token says who signed in, to the client; it is not a credential
        // for an API (Keycloak marks it "typ": "ID", its access tokens "Bearer").
        if claims
            .get("typ")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("ID"))
        {
            return Err("an ID token is not an access token; send the access token".into());
        }
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 255 && !s.chars().any(char::is_control))
            .ok_or(
                "the 'sub' claim must be a non-empty string of at most 255 characters without control characters",
            )?
            .to_string();
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        Ok(Identity {
            sub,
            name: text("name"),
            email: text("email"),
            claimed_roles: map_roles(&self.claim_rules, claims, &self.model),
        })
    }

    /// Fetches the JWKS once at startup so the first request does not wait; failure is only
    /// logged (the identity provider may come up later).
    pub async fn prefetch(&self) {
        if let Some(jwks) = &self.jwks {
            if let Err(e) = jwks.refresh().await {
                log::warn!("could not fetch the JWKS at startup: {e}");
            }
        }
    }
}

fn describe(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".into(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
        ErrorKind::InvalidIssuer => "the token's issuer is not accepted".into(),
        ErrorKind::InvalidAudience => "the token's audience is not accepted".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token lacks the '{claim}' claim"),
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted".into(),
        other => format!("invalid token: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_from(None, &move |name| map.get(name).cloned()).unwrap()
    }

    fn claims(sub: &str, ttl: i64) -> DevClaims {
        let now = jsonwebtoken::get_current_timestamp();
        DevClaims {
            sub: sub.into(),
            roles: vec!["management_group".into()],
            name: Some("Åsa Öberg".into()),
            email: None,
            iat: now,
            nbf: now,
            exp: (now as i64 + ttl) as u64,
            iss: None,
            aud: None,
        }
    }

    /// Guards the crypto backend feature: with none or two, jsonwebtoken panics here.
    #[actix_web::test]
    async fn a_signed_token_verifies_and_maps_roles() {
        let s = settings(&[(
            "FORVALTNING_JWT_SECRET",
            "ett-hemligt-testlösenord-som-är-långt",
        )]);
        let token = sign_token(&s, claims("asa@sunet.se", 300)).unwrap();
        let auth = Authenticator::from_settings(&s).unwrap();
        let identity = auth.authenticate(&token).await.unwrap();
        assert_eq!(identity.sub, "asa@sunet.se");
        assert_eq!(identity.name.as_deref(), Some("Åsa Öberg"));
        assert_eq!(identity.claimed_roles.len(), 1);
    }

    #[test]
    fn a_remembered_token_holds_only_within_its_time_and_under_its_keys() {
        let tokens = VerifiedTokens::default();
        let identity = Identity {
            sub: "åsa.öberg@sunet.se".into(),
            name: None,
            email: None,
            claimed_roles: Vec::new(),
        };
        let claims = serde_json::json!({"sub": "åsa.öberg@sunet.se", "exp": 1000, "nbf": 900});
        let remember = || tokens.remember("t", &claims, &identity, 1);
        remember();
        assert!(tokens.recall("t", 1, 950, 0).is_some());
        assert!(
            tokens.recall("t", 1, 1000, 0).is_some(),
            "exp itself still holds"
        );
        assert!(tokens.recall("t", 2, 950, 0).is_none(), "other keys");
        assert!(
            tokens.recall("t", 1, 950, 0).is_none(),
            "forgotten with them"
        );
        remember();
        assert!(tokens.recall("t", 1, 1001, 0).is_none(), "expired");
        remember();
        assert!(
            tokens.recall("t", 1, 1020, 30).is_some(),
            "within the leeway"
        );
        assert!(tokens.recall("t", 1, 1031, 30).is_none(), "past the leeway");
        remember();
        assert!(tokens.recall("t", 1, 850, 0).is_none(), "not valid yet");
        assert!(tokens.recall("other", 1, 950, 0).is_none());
        // Without a readable exp nothing is remembered.
        tokens.remember("u", &serde_json::json!({"exp": "soon"}), &identity, 1);
        assert!(tokens.recall("u", 1, 0, 0).is_none());
    }

    #[actix_web::test]
    async fn a_token_verified_once_is_refused_when_it_expires() {
        let s = settings(&[(
            "FORVALTNING_JWT_SECRET",
            "ett-hemligt-testlösenord-som-är-långt",
        )]);
        let token = sign_token(&s, claims("asa@sunet.se", 300)).unwrap();
        let auth = Authenticator::from_settings(&s).unwrap();
        auth.authenticate(&token).await.unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        assert!(auth.verified.recall(&token, 0, now, auth.leeway).is_some());
        let later = now + 300 + auth.leeway + 1;
        assert!(auth
            .verified
            .recall(&token, 0, later, auth.leeway)
            .is_none());
    }

    #[actix_web::test]
    async fn an_expired_token_is_refused() {
        let s = settings(&[(
            "FORVALTNING_JWT_SECRET",
            "ett-hemligt-testlösenord-som-är-långt",
        )]);
        let token = sign_token(&s, claims("asa@sunet.se", -3600)).unwrap();
        let auth = Authenticator::from_settings(&s).unwrap();
        assert!(auth
            .authenticate(&token)
            .await
            .unwrap_err()
            .contains("expired"));
    }

    #[test]
    fn production_refuses_to_run_without_a_key() {
        let dir = std::env::temp_dir().join(format!("forvaltning-jwt-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.display().to_string();
        let s = settings(&[
            ("FORVALTNING_ENV", "production"),
            ("FORVALTNING_DATA_DIR", &dir_text),
        ]);
        assert!(Authenticator::from_settings(&s).is_err());
        // The development secret, once generated, is refused in production too.
        let dev = settings(&[("FORVALTNING_DATA_DIR", &dir_text)]);
        let generated = signing_secret(&dev).unwrap().unwrap();
        assert!(generated.generated);
        let prod = settings(&[
            ("FORVALTNING_ENV", "production"),
            ("FORVALTNING_DATA_DIR", &dir_text),
            ("FORVALTNING_JWT_SECRET", generated.secret.expose()),
        ]);
        assert!(Authenticator::from_settings(&prod).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(DEV_SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).ok();
    }
}
