//! The document says exactly what the service sends, so that a client generated from it sees
//! no more possibilities than there are: every member a response always carries is `required`
//! (nullable where it may be null, never absent); `Problem.action` is an `Action`; every
//! response declares `X-Request-Id`, and those that say "retry later" `Retry-After`; 412 is
//! documented only where an operation takes `If-Match`; an `ordering` is one of its values.
//! Applied after the derived document is complete.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, ObjectBuilder, Ref, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// Schemas with members that are sent only when they say something (`skip_serializing_if`).
const SOMETIMES_ABSENT: [&str; 3] = ["Problem", "FieldError", "ImportRefusal"];

pub fn apply(document: &mut OpenApi) {
    require_what_is_always_sent(document);
    type_refused_actions(document);
    for operation in super::operations_mut(document) {
        declare_response_headers(operation);
        preconditions_only_with_if_match(operation);
        enumerate_ordering(operation);
    }
}

/// The names of the component schemas `value` (a part of the document, as JSON) refers to.
fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| refs_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

/// The component schemas a request can carry (bodies and parameters, and what they refer to):
/// their optional members are the client's to leave out, so they stay optional.
fn request_schemas(document: &OpenApi) -> BTreeSet<String> {
    let mut pending: Vec<String> = Vec::new();
    for item in document.paths.paths.values() {
        let operations = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
        for operation in operations.into_iter().flatten() {
            let parts = json!([operation.request_body, operation.parameters]);
            refs_in(&parts, &mut pending);
        }
    }
    let schemas = document.components.as_ref().map(|c| &c.schemas);
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
                refs_in(&json!(schema), &mut pending);
            }
        }
    }
    seen
}

/// Every schema only ever sent: each member of each object in it is required.
fn require_what_is_always_sent(document: &mut OpenApi) {
    let requests = request_schemas(document);
    let Some(components) = document.components.as_mut() else {
        return;
    };
    for (name, schema) in components.schemas.iter_mut() {
        if !requests.contains(name) && !SOMETIMES_ABSENT.contains(&name.as_str()) {
            require_every_member(schema);
        }
    }
}

fn require_every_member(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            object.required = object.properties.keys().cloned().collect();
            object
                .properties
                .values_mut()
                .for_each(require_every_member);
            if let Some(AdditionalProperties::RefOr(inner)) =
                object.additional_properties.as_deref_mut()
            {
                require_every_member(inner);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                require_every_member(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(require_every_member),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(require_every_member),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(require_every_member),
        _ => {}
    }
}

/// A 403's `action` names one of the API's actions.
fn type_refused_actions(document: &mut OpenApi) {
    let problem = document
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("Problem"));
    if let Some(RefOr::T(Schema::Object(problem))) = problem {
        if let Some(action) = problem.properties.get_mut("action") {
            let mut action_ref = Ref::from_schema_name("Action");
            action_ref.description =
                "For authorization problems: the action that was refused.".to_string();
            *action = RefOr::Ref(action_ref);
        }
    }
}

/// `X-Request-Id` on every response; `Retry-After` on 429 and 503.
fn declare_response_headers(operation: &mut Operation) {
    let request_id = HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(128))
                .pattern(Some("^[\\x21-\\x7E]+$")),
        ))
        .description(Some(
            "The request's id: the client's own when it sent a sane one, else a new UUID; also in the log line and every problem body.",
        ))
        .build();
    let retry_after = HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        ))
        .description(Some(
            "Seconds until a request is likely to be accepted again",
        ))
        .build();
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        response
            .headers
            .insert("X-Request-Id".to_string(), RefOr::T(request_id.clone()));
        if status == "429" || status == "503" {
            response
                .headers
                .entry("Retry-After".to_string())
                .or_insert_with(|| RefOr::T(retry_after.clone()));
        }
    }
}

/// 412 comes only from `If-Match`: an operation that takes none cannot answer it.
fn preconditions_only_with_if_match(operation: &mut Operation) {
    let takes_if_match = operation.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => {
            p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("If-Match")
        }
        RefOr::Ref(_) => false,
    });
    if !takes_if_match {
        operation.responses.responses.remove("412");
    }
}

/// `ordering`'s pattern `^-?(a|b)$` as the closed set it is: `a`, `-a`, `b`, `-b`.
fn enumerate_ordering(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if parameter.name != "ordering" {
            continue;
        }
        let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
            continue;
        };
        let Some(values) = schema.pattern.as_deref().and_then(ordering_values) else {
            continue;
        };
        schema.pattern = None;
        schema.enum_values = Some(values);
    }
}

fn ordering_values(pattern: &str) -> Option<Vec<Value>> {
    let fields = pattern.strip_prefix("^-?(")?.strip_suffix(")$")?;
    Some(
        fields
            .split('|')
            .flat_map(|f| [json!(f), json!(format!("-{f}"))])
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordering_pattern_becomes_its_values() {
        assert_eq!(
            ordering_values("^-?(id|name)$"),
            Some(vec![
                json!("id"),
                json!("-id"),
                json!("name"),
                json!("-name")
            ])
        );
        assert_eq!(ordering_values("^[a-z]+$"), None);
    }

    #[test]
    fn every_member_of_what_is_only_sent_is_required() {
        let mut schema: RefOr<Schema> = serde_json::from_value(json!({
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "string"},
                "b": {"type": ["string", "null"]},
                "c": {"type": "object", "properties": {"d": {"type": "integer"}}}
            }
        }))
        .unwrap();
        require_every_member(&mut schema);
        let value = serde_json::to_value(&schema).unwrap();
        assert_eq!(value["required"], json!(["a", "b", "c"]));
        assert_eq!(value["properties"]["c"]["required"], json!(["d"]));
    }
}
