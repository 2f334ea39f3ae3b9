//! What every request passes before and after its handler: the access log, CORS, security headers, the screening of a request's form, the answer to an unknown route or method.

use crate::api;
use crate::error::AppError;
use crate::request::{CallerSub, RequestId, REQUEST_ID_HEADER};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use std::time::Duration;

/// One structured line per request (target `forvaltning::access`): request id, method, the
/// matched route and the path, status, duration, the caller's `sub` when a token was verified,
/// the peer, and the client (the peer, or whom a trusted proxy forwarded). Free text (path, sub) is quoted and escaped, so a line cannot be forged.
pub(super) async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let (method, path) = (req.method().clone(), req.path().to_string());
    let peer = req.peer_addr().map(|a| a.ip());
    let client = match (
        peer,
        req.app_data::<web::Data<crate::client_address::TrustedProxies>>(),
    ) {
        (Some(peer), Some(trusted)) => Some(crate::client_address::client_address(
            peer,
            req.headers(),
            trusted,
        )),
        _ => peer,
    };
    let peer = peer.map(|p| p.to_string()).unwrap_or_default();
    let client = client.map(|c| c.to_string()).unwrap_or_default();
    let response = next.call(req).await?;
    if log::log_enabled!(target: "forvaltning::access", log::Level::Info) {
        let request = response.request();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let request_id = request.extensions().get::<RequestId>().map(|r| r.0.clone());
        let sub = request.extensions().get::<CallerSub>().map(|s| s.0.clone());
        log::info!(
            target: "forvaltning::access",
            "request_id={} method={method} route={route} path={path:?} status={} duration_ms={:.1} sub={:?} peer={peer} client={client}",
            request_id.unwrap_or_default(),
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0,
            sub.unwrap_or_default(),
        );
    }
    Ok(response)
}

/// CORS for the configured browser origins only (none by default): the methods and headers
/// the API uses, and the response headers a front-end needs to read.
pub(super) fn cors(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::{header, Method};
    let mut cors = actix_cors::Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            HeaderName::from_static(crate::api::idempotency::HEADER),
            HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            HeaderName::from_static(REQUEST_ID_HEADER),
            HeaderName::from_static("x-total-count"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Headers every response carries: no sniffing, no framing, no referrer, and for the API no
/// caching and a content policy that allows nothing (it serves data, never pages). The
/// documentation UI keeps what it needs to run.
pub(super) async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "no-referrer");
    if !is_docs {
        set(
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        );
        set("cache-control", "no-store");
    }
    Ok(response)
}

/// What every request must be before a handler sees it: the text rule of docs/conventions.md, refused with
/// 400 here on every backend alike (no control characters in the path, the query or a body's
/// strings — PostgreSQL would refuse NUL in text with an error of its own). A body is read here
/// (within the JSON limit) and handed on, with whole numbers written as integers (`-319.0` →
/// `-319`: JSON Schema, and so the document, counts them as integers; serde does not).
pub(super) async fn screen_request(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    use crate::domain::text::{
        integral_numbers_as_integers, is_forbidden_control, json_has_forbidden_control,
        url_part_has_control,
    };
    let refuse = |req: ServiceRequest, error: AppError| {
        Ok(req
            .into_response(error.error_response())
            .map_into_right_body())
    };
    let uri_length = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_length > MAX_URI_BYTES {
        return refuse(
            req,
            AppError::UriTooLong(format!(
                "The URI is {uri_length} bytes long; at most {MAX_URI_BYTES} are accepted."
            )),
        );
    }
    if url_part_has_control(req.path()) {
        return refuse(
            req,
            AppError::bad_request("The path contains a control character."),
        );
    }
    if url_part_has_control(req.query_string()) {
        return refuse(
            req,
            AppError::bad_request("A query parameter contains a control character."),
        );
    }
    if has_body(&req) {
        // A file may be far larger than a JSON body: its sender is known before it is read.
        if api::BodyLimit::is_import(&req) {
            if let Err(error) = crate::auth::verify_once(&req).await {
                return refuse(req, error);
            }
        }
        let body = match api::read_body(&mut req).await {
            Ok(body) => body,
            Err(error) => return refuse(req, error),
        };
        if is_csv(&req) {
            // A CSV file is text, not JSON: its control characters are its own bytes.
            if String::from_utf8_lossy(&body)
                .chars()
                .any(is_forbidden_control)
            {
                return refuse(
                    req,
                    AppError::bad_request(
                        "The file contains a control character (only tab, newline and carriage return are allowed in text).",
                    ),
                );
            }
            req.set_payload(actix_web::dev::Payload::from(body));
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
        if json_has_forbidden_control(&body) {
            return refuse(
                req,
                AppError::bad_request(
                    "The body contains a control character (only tab, newline and carriage return are allowed in text).",
                ),
            );
        }
        let body = match integral_numbers_as_integers(&body) {
            Some(rewritten) => web::Bytes::from(rewritten),
            None => body,
        };
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The longest URI (path and query) answered; longer ones get 414.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// How long a client may take to send a request's head, and how long an idle connection is
/// kept open between requests (a body has `api::BODY_TIMEOUT`).
pub(super) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
pub(super) const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// Does the request say its body is CSV (an import's file)?
fn is_csv(req: &ServiceRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"))
}

pub(super) fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
        || headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v != "0")
}

/// The documented paths and their methods, to tell 405 (path exists, method does not) from 404.
pub struct MethodTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl MethodTable {
    pub(super) fn from_document(document: &utoipa::openapi::OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_string())
                .collect();
                (segments, methods)
            })
            .collect();
        MethodTable { routes }
    }

    pub(super) fn allowed(&self, path: &str) -> Vec<String> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<String> = Vec::new();
        for (pattern, methods) in &self.routes {
            let fits = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with('{') || p == s);
            if fits {
                for m in methods {
                    if !allowed.contains(m) {
                        allowed.push(m.clone());
                    }
                }
            }
        }
        allowed
    }
}

pub(super) async fn fallback(
    req: HttpRequest,
    table: web::Data<MethodTable>,
) -> Result<HttpResponse, AppError> {
    let allowed = table.allowed(req.path());
    if allowed.is_empty() {
        Err(AppError::not_found(format!(
            "There is nothing at {}.",
            req.path()
        )))
    } else {
        Err(AppError::MethodNotAllowed(
            format!("{} is not allowed on {}.", req.method(), req.path()),
            allowed,
        ))
    }
}
