//! What the document says of requests: headers and free text carry their rules, a PATCH names a field, a POST takes an Idempotency-Key, currencies are listed.

use super::*;

/// A header is text or absent, never JSON null (the derived schema of an optional header
/// says `["string", "null"]`, and a client would send the word `null`).
pub(super) fn headers_are_text(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};
    for operation in operations_mut(document) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter {
                if parameter.parameter_in != ParameterIn::Header {
                    continue;
                }
                if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
                    object.schema_type = SchemaType::Type(Type::String);
                }
            }
        }
    }
}

/// Money's currency is one of the active ISO 4217 codes the service knows: the document lists
/// them (a pattern of three capitals would promise codes such as `XYZ`).
pub(super) fn enumerate_currencies(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(money))) = components.schemas.get_mut("MoneyJson") else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(currency))) = money.properties.get_mut("currency") {
        currency.pattern = None;
        currency.enum_values = Some(
            crate::domain::money::ISO_4217
                .split_whitespace()
                .map(serde_json::Value::from)
                .collect(),
        );
    }
}

/// Role and delegation codes are the governance model's (`RoleCode`, `Delegation`): the
/// document lists those of the model in force, so that clients and fuzzers know them, and an
/// unknown code is a 400 like any value outside a field's vocabulary.
pub(super) fn enumerate_model_codes(
    document: &mut utoipa::openapi::OpenApi,
    model: &crate::domain::model::Model,
) {
    use utoipa::openapi::{RefOr, Schema};
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let roles = model.roles.iter().map(|r| r.code.to_string());
    let delegations = model.delegations.iter().map(|d| d.code.to_string());
    for (name, codes) in [
        ("RoleCode", roles.collect::<Vec<_>>()),
        ("Delegation", delegations.collect()),
    ] {
        if let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut(name) {
            schema.pattern = None;
            schema.enum_values = Some(codes.into_iter().map(serde_json::Value::from).collect());
        }
    }
}

/// Every PATCH refuses a body that changes nothing (`{}`: 400): the document says so with
/// `minProperties: 1` on each PATCH body's schema.
pub(super) fn require_a_field_in_patches(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    let mut patched = Vec::new();
    for item in document.paths.paths.values() {
        let Some(RefOr::T(body)) = item.patch.as_ref().and_then(|p| p.request_body.as_ref()) else {
            continue;
        };
        for content in body.content.values() {
            if let RefOr::T(content) = content {
                if let Some(RefOr::Ref(reference)) = &content.schema {
                    let name = reference
                        .ref_location
                        .trim_start_matches("#/components/schemas/");
                    patched.push(name.to_string());
                }
            }
        }
    }
    let Some(components) = document.components.as_mut() else {
        return;
    };
    for name in patched {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            object.min_properties = Some(1);
        }
    }
}

/// What the service refuses in text (`screen_request` in startup, DESIGN §5), as the
/// document's own patterns: no control character in a path segment or query parameter; in a
/// body only tab, newline and carriage return. Stated once here for every free-text string the
/// derived schemas leave open (those with a pattern, an enum or a format say more already).
pub(super) const URL_TEXT: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
pub(super) const BODY_TEXT: &str =
    "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

pub(super) fn state_text_rules(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{RefOr, Schema};
    for operation in operations_mut(document) {
        for parameter in operation.parameters.iter_mut().flatten() {
            let RefOr::T(parameter) = parameter else {
                continue;
            };
            if !matches!(
                parameter.parameter_in,
                ParameterIn::Query | ParameterIn::Path
            ) {
                continue;
            }
            if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
                mark_free_text(object, URL_TEXT);
            }
        }
        if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else {
                    continue;
                };
                if let Some(schema) = content.schema.as_mut() {
                    mark_body_text(schema);
                }
            }
        }
    }
    if let Some(components) = document.components.as_mut() {
        for schema in components.schemas.values_mut() {
            mark_body_text(schema);
        }
    }
}

pub(super) fn mark_free_text(object: &mut utoipa::openapi::schema::Object, pattern: &str) {
    use utoipa::openapi::schema::{SchemaType, Type};
    let text = match &object.schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    if text && object.pattern.is_none() && object.enum_values.is_none() && object.format.is_none() {
        object.pattern = Some(pattern.to_string());
    }
}

/// Every free-text string of a schema, however deeply nested (references are marked where
/// they are defined, among the components).
pub(super) fn mark_body_text(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::Schema>) {
    use utoipa::openapi::schema::ArrayItems;
    use utoipa::openapi::{RefOr, Schema};
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            mark_free_text(object, BODY_TEXT);
            object.properties.values_mut().for_each(mark_body_text);
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                mark_body_text(items);
            }
        }
        Schema::AllOf(all) => all.items.iter_mut().for_each(mark_body_text),
        Schema::OneOf(one) => one.items.iter_mut().for_each(mark_body_text),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(mark_body_text),
        _ => {}
    }
}

pub(super) fn add_idempotency_key(document: &mut utoipa::openapi::OpenApi) {
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
