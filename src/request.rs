//! What the edge learns of a request before a handler runs, for the layers below to read: its id
//! (and the task-local that error responses built far from the request take it from), the
//! verified caller's `sub` for the access log, and a POST's Idempotency-Key. A leaf: it names
//! no other module of the crate.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request's id: the client's `X-Request-Id` when it is sane, otherwise a new UUID.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The `sub` of a request's verified token, for the access log.
#[derive(Debug, Clone)]
pub struct CallerSub(pub String);

tokio::task_local! {
    /// The id of the request being served, for error responses built far from the request.
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request this task serves, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(|id| id.clone()).ok()
}

/// The key and fingerprint of a POST that carries one (in the request's extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRequest {
    pub key: String,
    pub fingerprint: String,
}

/// Whose key it is, set by authentication (the verified `sub`).
#[derive(Debug, Clone)]
pub struct KeyOwner(pub String);

/// Gives every request its id (the client's `X-Request-Id` when it is sane: 1–128 visible
/// ASCII characters; otherwise a new UUID), for the log, problem bodies and the answer's header.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = CURRENT_REQUEST_ID.scope(id.clone(), next.call(req)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}
