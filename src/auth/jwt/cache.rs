//! The verified-token cache: a token verified once is not verified again while it is valid and its keys are in use.

use super::*;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// Tokens verified before, by their exact text: a client sends the same token with every
/// request until it expires, and checking its signature and reading its claims again was a
/// tenth of a single read (perf). A remembered token is used only within its `exp`/`nbf`
/// (with the leeway) and while the keys it was verified with are the ones in use (static keys
/// never change; a JWKS fetch, or a JWKS due for one, forgets everything). A token is only
/// ever remembered after a full verification, so nothing is accepted that would not be.
#[derive(Default)]
pub(super) struct VerifiedTokens {
    state: Mutex<HashMap<String, Verified>>,
}

pub(super) struct Verified {
    identity: Identity,
    exp: u64,
    nbf: Option<u64>,
    /// The JWKS generation it was verified under (0 without JWKS).
    keys: u64,
}

/// At most this many tokens are remembered; a full map starts over.
pub(super) const VERIFIED_TOKENS: usize = 4096;

impl VerifiedTokens {
    pub(super) fn recall(&self, token: &str, keys: u64, now: u64, leeway: u64) -> Option<Identity> {
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

    pub(super) fn remember(&self, token: &str, claims: &Value, identity: &Identity, keys: u64) {
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

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Verified>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A NumericDate claim as whole seconds, as jsonwebtoken reads it.
pub(super) fn seconds(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}
