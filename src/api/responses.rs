//! The problem responses an operation declares in the document, by kind of operation: an
//! authenticated read, an authenticated write, a public read.

use utoipa::IntoResponses;

use crate::error::Problem;

/// Errors of an authenticated read.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    #[response(
        status = 400,
        description = "Invalid parameters",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "Missing or invalid bearer token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The caller may not do this",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such object (or not visible to the caller)",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 503,
        description = "The database is unavailable; retry after Retry-After seconds",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// Errors of an authenticated write.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    #[response(
        status = 400,
        description = "Invalid body: malformed JSON, unknown or invalid fields",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "Missing or invalid bearer token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The caller may not do this on this object",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such object",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 409,
        description = "Conflicts with the object's state or a unique value",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
    #[response(
        status = 412,
        description = "If-Match does not match the object's version",
        content_type = "application/problem+json"
    )]
    PreconditionFailed(Problem),
    #[response(
        status = 422,
        description = "Well-formed, but names an object that does not exist or breaks a rule across fields (`errors` names them); on a POST also: the Idempotency-Key was used with another request",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
    #[response(
        status = 413,
        description = "The body is larger than 1 MiB",
        content_type = "application/problem+json"
    )]
    PayloadTooLarge(Problem),
    #[response(
        status = 503,
        description = "The database is unavailable; retry after Retry-After seconds",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// Errors of a public read.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum PublicErrors {
    #[response(
        status = 400,
        description = "Invalid parameters",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 503,
        description = "The database is unavailable",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}
