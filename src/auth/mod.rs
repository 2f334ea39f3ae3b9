//! Authentication (who the caller is: JWT and claim mapping) and authorization (the policy).

pub mod caller;
pub mod claims;
pub mod jwt;
pub mod policy;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header::{HeaderMap, AUTHORIZATION};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::db::audit::Actor;
use crate::domain::model::Model;
use crate::error::AppError;
use crate::request::{CallerSub, IdempotencyRequest, KeyOwner, RequestId};
use jwt::{Authenticator, Identity};

/// A request with a valid bearer token. Taking it as a handler argument makes the handler
/// authenticated; what the caller may do is asked of the policy with the target in hand.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub identity: Identity,
    /// The governance model the caller is judged by.
    pub model: Arc<Model>,
    pub request_id: String,
    /// A POST's Idempotency-Key and the request's fingerprint.
    pub idempotency: Option<IdempotencyRequest>,
}

impl Authenticated {
    pub fn actor(&self) -> Actor {
        Actor {
            sub: self.identity.sub.clone(),
            request_id: self.request_id.clone(),
            model: self.model.sha256.clone(),
        }
    }
}

/// The bearer token of a request's `Authorization` header (the scheme in any case, spaces
/// around it ignored).
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, AppError> {
    let missing = || AppError::Unauthorized {
        detail: "This endpoint needs a bearer token (Authorization: Bearer …).".into(),
        token_presented: false,
    };
    let value = headers.get(AUTHORIZATION).ok_or_else(missing)?;
    let text = value
        .to_str()
        .map_err(|_| AppError::invalid_token("the Authorization header is not ASCII"))?;
    let (scheme, token) = text.trim().split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(missing());
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

/// A token verified before the handler ran (by the rate limit, which keys on the verified
/// `sub`): the extractor takes its outcome rather than verifying the same token twice.
#[derive(Debug, Clone)]
pub struct Verification(pub Result<Identity, String>);

/// The request's bearer token, verified once: the outcome is kept for [`Authenticated`] (a
/// middleware that must know the caller before the handler asks here first). The error is the
/// one the extractor would answer.
pub async fn verify_once(req: &actix_web::dev::ServiceRequest) -> Result<Identity, AppError> {
    use actix_web::HttpMessage;
    let known = req.extensions().get::<Verification>().cloned();
    let verified = match known {
        Some(Verification(outcome)) => outcome,
        None => {
            let token = bearer_token(req.headers())?;
            let authenticator = req
                .app_data::<web::Data<Authenticator>>()
                .ok_or_else(|| AppError::internal("no authenticator configured"))?;
            let outcome = authenticator.authenticate(token).await;
            req.extensions_mut().insert(Verification(outcome.clone()));
            outcome
        }
    };
    verified.map_err(AppError::invalid_token)
}

impl FromRequest for Authenticated {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let authenticator = req.app_data::<web::Data<Authenticator>>().cloned();
        let token = bearer_token(req.headers()).map(str::to_string);
        let verified = req.extensions().get::<Verification>().cloned();
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let idempotency = req.extensions().get::<IdempotencyRequest>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let token = token?;
            let authenticator =
                authenticator.ok_or_else(|| AppError::internal("no authenticator configured"))?;
            let verified = match verified {
                Some(Verification(outcome)) => outcome,
                None => authenticator.authenticate(&token).await,
            };
            let identity = verified.map_err(AppError::invalid_token)?;
            if idempotency.is_some() {
                req.extensions_mut().insert(KeyOwner(identity.sub.clone()));
            }
            req.extensions_mut().insert(CallerSub(identity.sub.clone()));
            Ok(Authenticated {
                identity,
                model: authenticator.model.clone(),
                request_id,
                idempotency,
            })
        })
    }
}
