//! Keys from a JWKS URL: fetched, refreshed, matched by `kid`.

use super::*;
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::sync::Arc;
use std::time::Instant;

impl Jwks {
    pub(super) async fn keys_for(
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

    pub(super) async fn refresh(&self) -> Result<(), String> {
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

    pub(super) fn read_state<T>(&self, f: impl FnOnce(&JwksState) -> T) -> T {
        match self.state.read() {
            Ok(guard) => f(&guard),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    pub(super) fn write_state<T>(&self, f: impl FnOnce(&mut JwksState) -> T) -> T {
        match self.state.write() {
            Ok(mut guard) => f(&mut guard),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}
