//! The OpenAPI document: paths come from the handlers (utoipa-actix-web collects them while
//! the routes are registered); this module adds the document's frame and the bearer scheme.

mod requests;
mod strict;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::Problem;

use requests::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Förvaltning",
        description = "Sunet's service management model (riktlinjer för Sunets tjänsteförvaltning) as an API: portfolios, services and their lifecycle, the management organisation (TÄ, TS, TJF …), and the audit trail. Errors are RFC 9457 problem details.",
        license(name = "BSD-2-Clause", identifier = "BSD-2-Clause"),
    ),
    servers((url = "/", description = "This service (paths are absolute: /api/v1/…, /health/…)")),
    modifiers(&BearerScheme),
    // Every operation needs a bearer token unless it says otherwise (`security(())`: public).
    security(("bearer" = [])),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "portfolios", description = "Tjänsteportföljer"),
        (name = "services", description = "Tjänster and their lifecycle"),
        (name = "people", description = "People, known by their token's sub"),
        (name = "role-assignments", description = "Förvaltningsorganisationen: who holds which role where"),
        (name = "roles", description = "The roles of the governance model in force"),
        (name = "governance-model", description = "The governance model in force (who may decide what), and every model that has been"),
        (name = "me", description = "The caller"),
        (name = "architecture", description = "Förvaltningstjänstearkitekturen (FTA)"),
        (name = "catalog", description = "The public service catalogue"),
        (name = "audit", description = "The audit trail"),
        (name = "events", description = "The event stream: every audited change, for systems that follow changes"),
        (name = "webhooks", description = "Signed deliveries of the event stream to other systems"),
        (name = "reports", description = "What the guidelines ask to be known: contract coverage, the annual report, governance findings, economics"),
        (name = "economics", description = "Exchange rates for the economics report"),
        (name = "imports", description = "Files of organizations or contracts brought in (as their CSV exports write them), all or nothing"),
        (name = "meta", description = "This document"),
    ),
    components(schemas(Problem, crate::api::ListFormat))
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
/// The OpenAPI document the registered routes make (the app itself is thrown away).
pub fn routes_document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_app, document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::configure)
        .split_for_parts();
    document
}

/// The document for Sunet's built-in governance model (the committed snapshot).
pub fn document() -> utoipa::openapi::OpenApi {
    document_for(&crate::domain::model::Model::builtin())
}

/// The document an instance serves: its role and delegation codes are those of the governance
/// model in force.
pub fn document_for(model: &crate::domain::model::Model) -> utoipa::openapi::OpenApi {
    let mut document = routes_document();
    add_idempotency_key(&mut document);
    state_text_rules(&mut document);
    require_a_field_in_patches(&mut document);
    headers_are_text(&mut document);
    enumerate_currencies(&mut document);
    link_created_objects(&mut document);
    list_items_refer_to_their_schema(&mut document);
    rate_limited_operations(&mut document);
    lists_answer_csv(&mut document);
    strict::apply(&mut document);
    requests::enumerate_model_codes(&mut document, model);
    document
}

/// Every list answers `Accept: text/csv` with the same rows (api::answer_list): the document
/// says so beside the JSON of each list's 200.
fn lists_answer_csv(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::content::ContentBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::RefOr;
    let csv = ContentBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).description(Some(
            "RFC 4180, UTF-8, a header row; every matching row from `offset` (up to 100 000) unless `limit` is given; X-Total-Count says how many matched",
        ))))
        .build();
    for item in document.paths.paths.values_mut() {
        let Some(get) = item.get.as_mut() else {
            continue;
        };
        let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else {
            continue;
        };
        let is_list = ok
            .content
            .get("application/json")
            .and_then(|c| match c {
                RefOr::T(content) => content.schema.as_ref(),
                RefOr::Ref(_) => None,
            })
            .is_some_and(|schema| match schema {
                RefOr::Ref(r) => {
                    let name = r.ref_location.trim_start_matches("#/components/schemas/");
                    name.starts_with("Paginated_")
                        || ["AuditPage", "EventPage", "DeliveryPage"].contains(&name)
                }
                RefOr::T(schema) => matches!(schema, utoipa::openapi::Schema::Array(_)),
            });
        if is_list {
            ok.content
                .entry("text/csv".to_string())
                .or_insert_with(|| RefOr::T(csv.clone()));
        }
    }
}

/// Every `/api/` operation may answer 429 when its caller is over the rate limit
/// (`FORVALTNING_RATE_LIMIT`, per bearer token or address), with `Retry-After`.
fn rate_limited_operations(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::content::ContentBuilder;
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
    let too_many = ResponseBuilder::new()
        .description("Over the rate limit; retry after Retry-After seconds")
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1)),
                ))
                .description(Some("Seconds until a request is accepted again"))
                .build(),
        )
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    for (path, item) in document.paths.paths.iter_mut() {
        if !path.starts_with("/api/") {
            continue;
        }
        for operation in methods_mut(item) {
            operation
                .responses
                .responses
                .entry("429".to_string())
                .or_insert_with(|| too_many.clone().into());
        }
    }
}

/// A list's items are the single object's schema by reference, so that a generated client has
/// one type per resource (utoipa inlines a generic's argument: `Paginated_ServiceView` held a
/// copy of `ServiceView`, and a client got `PaginatedServiceViewResultsItem` from a list and
/// `ServiceView` from a get). Only a copy equal to the named schema is replaced.
fn list_items_refer_to_their_schema(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, Ref};
    use utoipa::openapi::{RefOr, Schema};
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let singles = components.schemas.clone();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item_name) = name.strip_prefix("Paginated_") else {
            continue;
        };
        let (RefOr::T(Schema::Object(page)), Some(single)) = (schema, singles.get(item_name))
        else {
            continue;
        };
        let Some(RefOr::T(Schema::Array(results))) = page.properties.get_mut("results") else {
            continue;
        };
        let ArrayItems::RefOrSchema(items) = &mut results.items else {
            continue;
        };
        let same = serde_json::to_value(&**items).ok() == serde_json::to_value(single).ok();
        if same {
            **items = RefOr::Ref(Ref::from_schema_name(item_name));
        }
    }
}

/// OpenAPI links from each creating POST (and the budget frame's PUT) to the operations on the
/// object it made: `POST /plans` → every `/plans/{id}…` operation, with `{id}` taken from the
/// answer's `id` and the parameters before it from the request's own path. Generated clients
/// and stateful testers (schemathesis) follow them.
fn link_created_objects(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::RefOr;
    let operations: Vec<(String, String, Vec<String>)> = document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
                .filter_map(|op| {
                    let id = op.operation_id.clone()?;
                    Some((path.clone(), id, path_parameters(path)))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (path, item) in document.paths.paths.iter_mut() {
        let known = path_parameters(path);
        // A POST makes an object below its path; a PUT makes the object at its path.
        let makers = [(item.post.as_mut(), false), (item.put.as_mut(), true)];
        for (operation, at_own_path) in makers {
            let Some(operation) = operation else {
                continue;
            };
            let own_id = operation.operation_id.clone();
            let Some(RefOr::T(created)) = operation.responses.responses.get_mut("201") else {
                continue;
            };
            for (target, operation_id, parameters) in &operations {
                let Some(rest) = target.strip_prefix(path.as_str()) else {
                    continue;
                };
                let unknown = parameters.iter().filter(|p| !known.contains(p)).count();
                let linked = if at_own_path {
                    rest.is_empty() && Some(operation_id) != own_id.as_ref()
                } else {
                    // Only the new object's own id is missing (not an id below it).
                    rest.starts_with("/{") && unknown == 1
                };
                if !linked {
                    continue;
                }
                let mut link = LinkBuilder::new().operation_id(operation_id);
                for name in parameters {
                    let value = if known.contains(name) {
                        format!("$request.path.{name}")
                    } else {
                        "$response.body#/id".to_string()
                    };
                    link = link.parameter(name, value);
                }
                created
                    .links
                    .insert(operation_id.clone(), RefOr::T(link.build()));
            }
        }
    }
}

/// `/plans/{id}/items/{item}` → `["id", "item"]`.
fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect()
}

/// The operations of one path, to edit.
fn methods_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// Every operation of the document, to edit.
fn operations_mut(
    document: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    document.paths.paths.values_mut().flat_map(methods_mut)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text a client can put in a path or a query, and every free-text field of a body,
    /// carries what the service enforces: a pattern, or an enum or format that says more.
    #[test]
    fn every_free_text_states_the_control_character_rule() {
        let json = serde_json::to_value(document()).unwrap();
        let mut open = Vec::new();
        fn walk(at: &str, value: &serde_json::Value, open: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    let is_text = map.get("type").is_some_and(|t| {
                        t == "string"
                            || t.as_array().is_some_and(|ts| ts.contains(&"string".into()))
                    });
                    let constrained = ["pattern", "enum", "format"]
                        .iter()
                        .any(|k| map.contains_key(*k));
                    if is_text && !constrained {
                        open.push(at.to_string());
                    }
                    for (key, inner) in map {
                        walk(&format!("{at}/{key}"), inner, open);
                    }
                }
                serde_json::Value::Array(items) => {
                    for (i, inner) in items.iter().enumerate() {
                        walk(&format!("{at}/{i}"), inner, open);
                    }
                }
                _ => {}
            }
        }
        walk("", &json["paths"], &mut open);
        walk("", &json["components"]["schemas"], &mut open);
        // Headers (If-Match, Idempotency-Key) state their own forms.
        open.retain(|at| !at.contains("/responses/"));
        assert!(
            open.is_empty(),
            "free text without a stated rule: {open:#?}"
        );
    }

    /// Every `$ref` names a schema the document has (a client generator, or schemathesis,
    /// otherwise skips the parameter or fails).
    #[test]
    fn every_reference_resolves() {
        let json = serde_json::to_value(document()).unwrap();
        let names = json["components"]["schemas"].as_object().unwrap();
        let mut dangling = Vec::new();
        fn walk(
            value: &serde_json::Value,
            names: &serde_json::Map<String, serde_json::Value>,
            dangling: &mut Vec<String>,
        ) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(target) = map.get("$ref").and_then(|r| r.as_str()) {
                        let name = target.trim_start_matches("#/components/schemas/");
                        if !names.contains_key(name) {
                            dangling.push(target.to_string());
                        }
                    }
                    map.values().for_each(|inner| walk(inner, names, dangling));
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|inner| walk(inner, names, dangling))
                }
                _ => {}
            }
        }
        walk(&json, names, &mut dangling);
        assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
    }

    /// Every list's items are its resource's schema by reference (one type per resource in a
    /// generated client).
    #[test]
    fn list_items_are_the_single_schema() {
        let json = serde_json::to_value(document()).unwrap();
        let schemas = json["components"]["schemas"].as_object().unwrap();
        let lists: Vec<_> = schemas
            .iter()
            .filter(|(name, _)| name.starts_with("Paginated_"))
            .collect();
        assert!(lists.len() >= 11, "{} lists", lists.len());
        for (name, list) in lists {
            let item = name.trim_start_matches("Paginated_");
            assert_eq!(
                list["properties"]["results"]["items"],
                serde_json::json!({"$ref": format!("#/components/schemas/{item}")}),
                "{name}"
            );
        }
    }

    /// The service refuses `{}` on every PATCH; the document says so.
    #[test]
    fn every_patch_body_needs_a_field() {
        let json = serde_json::to_value(document()).unwrap();
        let paths = json["paths"].as_object().unwrap();
        let patches: Vec<&str> = paths
            .values()
            .filter_map(|item| {
                item["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
            })
            .collect();
        assert_eq!(patches.len(), 11, "{patches:?}");
        for reference in patches {
            let name = reference.trim_start_matches("#/components/schemas/");
            assert_eq!(
                json["components"]["schemas"][name]["minProperties"], 1,
                "{name}"
            );
        }
    }
}
