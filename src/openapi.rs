//! The OpenAPI document: paths come from the handlers (utoipa-actix-web collects them while
//! the routes are registered); this module adds the document's frame, the bearer scheme, and
//! the problem responses shared by the handlers.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Förvaltning",
        description = "Sunet's service management model (riktlinjer för Sunets tjänsteförvaltning) as an API: portfolios, services and their lifecycle, the management organisation (TÄ, TS, TJF …), and the audit trail. Errors are RFC 9457 problem details.",
        license(name = "BSD-2-Clause"),
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "portfolios", description = "Tjänsteportföljer"),
        (name = "services", description = "Tjänster and their lifecycle"),
        (name = "people", description = "People, known by their token's sub"),
        (name = "role-assignments", description = "Förvaltningsorganisationen: who holds which role where"),
        (name = "roles", description = "The roles of the guidelines"),
        (name = "me", description = "The caller"),
        (name = "architecture", description = "Förvaltningstjänstearkitekturen (FTA)"),
        (name = "catalog", description = "The public service catalogue"),
        (name = "audit", description = "The audit trail"),
        (name = "meta", description = "This document"),
    ),
    components(schemas(Problem))
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document: the frame above merged with every registered handler, and the
/// `Idempotency-Key` header that every authenticated POST accepts.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = crate::startup::routes_document();
    add_idempotency_key(&mut document);
    document
}

fn add_idempotency_key(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::Required;
    for item in document.paths.paths.values_mut() {
        let Some(post) = item.post.as_mut() else {
            continue;
        };
        let parameter = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe: the same key with the same request within 24 hours replays the first response and writes nothing; with another request it is 422; while the first is still being answered, 409.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[\\x21-\\x7E]+$")),
            ))
            .build();
        post.parameters
            .get_or_insert_with(Vec::new)
            .push(utoipa::openapi::RefOr::T(parameter));
        let responses = &mut post.responses.responses;
        responses.entry("422".to_string()).or_insert_with(|| {
            utoipa::openapi::ResponseBuilder::new()
                .description("The Idempotency-Key was used with another request")
                .content(
                    "application/problem+json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
                .into()
        });
    }
}

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
