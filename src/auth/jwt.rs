//! Bearer token validation (docs/conventions.md): HS256 secret, PEM public keys, or a JWKS URL.
//! Algorithms are pinned; `exp` and `sub` are required; `iss`/`aud` are required and matched
//! when configured; `nbf` is checked; the leeway is at most 60 seconds.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::Serialize;
use serde_json::Value;

use crate::auth::claims::map_roles;
use crate::config::ClaimRule;
use crate::config::{Environment, JwtSettings, Secret, Settings};
pub use crate::domain::access::Identity;

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
}

/// Tokens verified before, by their exact text: a client sends the same token with every
/// request until it expires, and checking its signature and reading its claims again was a
/// tenth of a single read (perf). A remembered token is used only within its `exp`/`nbf`
/// (with the leeway) and while the keys it was verified with are the ones in use (static keys
/// never change; a JWKS fetch, or a JWKS due for one, forgets everything). A token is only
/// ever remembered after a full verification, so nothing is accepted that would not be.
#[derive(Default)]
struct VerifiedTokens {
    state: Mutex<HashMap<String, Verified>>,
}

struct Verified {
    identity: Identity,
    exp: u64,
    nbf: Option<u64>,
    /// The JWKS generation it was verified under (0 without JWKS).
    keys: u64,
}

/// At most this many tokens are remembered; a full map starts over.
const VERIFIED_TOKENS: usize = 4096;

impl VerifiedTokens {
    fn recall(&self, token: &str, keys: u64, now: u64, leeway: u64) -> Option<Identity> {
        let mut state = self.lock();
        let verified = state.get(token)?;
        let in_time = verified.exp >= now.saturating_sub(leeway)
            && verified.nbf.is_none_or(|nbf| nbf <= now + leeway);
        if verified.keys == keys && in_time {
            return Some(verified.identity.clone());
        }
        // Expired, or the keys changed: verified afresh (and refused with the reason).
        state.remove(token);
        None
    }

    fn remember(&self, token: &str, claims: &Value, identity: &Identity, keys: u64) {
        let Some(exp) = claims.get("exp").and_then(seconds) else {
            return;
        };
        let nbf = match claims.get("nbf") {
            None => None,
            Some(value) => match seconds(value) {
                Some(nbf) => Some(nbf),
                None => return,
            },
        };
        let mut state = self.lock();
        if state.len() >= VERIFIED_TOKENS {
            state.clear();
        }
        state.insert(
            token.to_string(),
            Verified {
                identity: identity.clone(),
                exp,
                nbf,
                keys,
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Verified>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A NumericDate claim as whole seconds, as jsonwebtoken reads it.
fn seconds(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

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

fn read_dev_secret(data_dir: &Path) -> Result<Option<Secret>, KeySetupError> {
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

fn write_dev_secret(data_dir: &Path) -> Result<Secret, KeySetupError> {
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

fn load_pem_key(path: &Path) -> Result<StaticKey, KeySetupError> {
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
            claimed_roles: map_roles(&self.claim_rules, claims),
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

impl Jwks {
    async fn keys_for(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<Vec<DecodingKey>, String> {
        let stale = self.read_state(|s| s.fetched_at.is_none_or(|t| t.elapsed() > self.max_age));
        if stale {
            if let Err(e) = self.refresh().await {
                log::warn!("JWKS refresh failed: {e}");
            }
        }
        let matching = |state: &JwksState| -> Vec<DecodingKey> {
            state
                .keys
                .iter()
                .filter(|k| match kid {
                    Some(kid) => k.kid.as_deref() == Some(kid),
                    None => true,
                })
                .filter(|k| k.family == alg.family() && k.algorithm.is_none_or(|a| a == alg))
                .map(|k| k.key.clone())
                .collect()
        };
        let found = self.read_state(|s| matching(s));
        if !found.is_empty() || kid.is_none() {
            return Ok(found);
        }
        // An unknown kid: the provider may have rotated its keys. Refetch, at most once per
        // cooldown, so that a stream of forged kids cannot make us hammer the provider.
        let may_refetch = self.write_state(|s| {
            let allowed = s
                .last_unknown_kid_fetch
                .is_none_or(|t| t.elapsed() >= self.cooldown);
            if allowed {
                s.last_unknown_kid_fetch = Some(Instant::now());
            }
            allowed
        });
        if may_refetch {
            self.refresh()
                .await
                .map_err(|e| format!("cannot fetch the signing keys: {e}"))?;
        }
        Ok(self.read_state(|s| matching(s)))
    }

    async fn refresh(&self) -> Result<(), String> {
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let keys: Vec<Arc<JwksKey>> = set
            .keys
            .iter()
            .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)))
            .filter_map(|jwk| {
                let key = DecodingKey::from_jwk(jwk).ok()?;
                let algorithm = jwk
                    .common
                    .key_algorithm
                    .and_then(|a| crate::config::parse_algorithm(&format!("{a:?}")).ok());
                Some(Arc::new(JwksKey {
                    kid: jwk.common.key_id.clone(),
                    family: key.family(),
                    key,
                    algorithm,
                }))
            })
            .collect();
        log::info!(
            "fetched {} signing keys from {}",
            keys.len(),
            crate::redact::redact_url(&self.url)
        );
        self.write_state(|s| {
            s.keys = keys;
            s.fetched_at = Some(Instant::now());
            s.generation += 1;
        });
        Ok(())
    }

    fn read_state<T>(&self, f: impl FnOnce(&JwksState) -> T) -> T {
        match self.state.read() {
            Ok(guard) => f(&guard),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn write_state<T>(&self, f: impl FnOnce(&mut JwksState) -> T) -> T {
        match self.state.write() {
            Ok(mut guard) => f(&mut guard),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

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
