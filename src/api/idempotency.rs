//! `Idempotency-Key` on every POST (hardening; the IETF httpapi idempotency-key draft). A
//! retried request with the same key and the same body gets the first response byte for byte
//! and writes nothing; the same key with another body is 422; a retry while the first is still
//! being answered is 409. Kept 24 hours per caller and key, in the database, so it holds
//! across instances.
//!
//! The middleware fingerprints the request; `api::write` checks the key and records it in the
//! write's own transaction (so the record exists exactly when the write committed); the
//! middleware then keeps the response under it.

use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use crate::db::idempotency::{self, StoredResponse};
use crate::db::DbPool;
use crate::error::AppError;

pub const HEADER: &str = "idempotency-key";

pub use crate::request::{IdempotencyRequest, KeyOwner};

/// A key: 1 to 255 visible ASCII characters (a UUID, typically).
pub fn parse_key(value: &str) -> Result<String, AppError> {
    let ok = !value.is_empty() && value.len() <= 255 && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid_field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ))
    }
}

/// What makes two requests the same: method, path and query, and the body.
pub fn fingerprint(method: &Method, path_and_query: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str().as_bytes());
    hash.update(b"\n");
    hash.update(path_and_query.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware (inside the body check, which has read and handed on the body).
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(value) if req.method() == Method::POST => value.to_str().unwrap_or(""),
        _ => return next.call(req).await,
    };
    let key = match parse_key(key) {
        Ok(key) => key,
        Err(error) => return Ok(req.into_response(error.error_response())),
    };
    let body = match crate::api::read_body(&mut req).await {
        Ok(body) => body,
        Err(error) => return Ok(req.into_response(error.error_response())),
    };
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let request = IdempotencyRequest {
        key: key.clone(),
        fingerprint: fingerprint(req.method(), &path, &body),
    };
    req.set_payload(actix_web::dev::Payload::from(body));
    req.extensions_mut().insert(request);
    let pool = req.app_data::<web::Data<DbPool>>().cloned();
    let response = next.call(req).await?;
    let owner = response.request().extensions().get::<KeyOwner>().cloned();
    match (owner, pool) {
        (Some(owner), Some(pool)) if response.status().is_success() => {
            keep(response, pool, owner.0, key).await
        }
        _ => Ok(response),
    }
}

/// Keeps a successful response under its key, and hands it on unchanged.
async fn keep(
    response: ServiceResponse<BoxBody>,
    pool: web::Data<DbPool>,
    owner: String,
    key: String,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (request, response) = response.into_parts();
    let status = response.status();
    let headers: Vec<(String, String)> = [header::CONTENT_TYPE, header::ETAG, header::LOCATION]
        .iter()
        .filter_map(|name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| (name.as_str().to_string(), v.to_string()))
        })
        .collect();
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in response.headers() {
        rebuilt.insert_header((name.clone(), value.clone()));
    }
    let bytes = to_bytes(response.into_body()).await.unwrap_or_default();
    let stored = StoredResponse {
        status: status.as_u16(),
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    // The write has committed: a failure to keep its response leaves the key "running", and a
    // retry gets 409 rather than a second write.
    if let Err(e) = crate::db::run(&pool, move |conn| {
        idempotency::complete(conn, &owner, &key, &stored)
    })
    .await
    {
        log::warn!(
            "could not keep the response of an idempotent request: {}",
            e.cause()
        );
    }
    Ok(ServiceResponse::new(
        request,
        rebuilt.body(bytes).map_into_boxed_body(),
    ))
}
