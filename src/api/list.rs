//! The one list path. Every list reads what it says about itself — page, ordering, format, and
//! for the lists that grow without bound the key to page by — into one [`ListRequest`], with one
//! extractor ([`ListQuery`]) beside the list's own filters, documented once; and answers through
//! `api::page`, as a page of the JSON envelope or as a CSV export.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, Ref, Required};
use utoipa::{IntoParams, ToSchema};

use super::unit::ReadCost;
use crate::db::Page;
use crate::error::{AppError, AppResult, FieldError};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;
/// At most this many rows in one CSV export; a larger one pages with `offset`.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// What a list's filters say about the list itself.
pub trait Listing {
    /// The fields `ordering` takes (each also with `-` for descending); the first is the
    /// default. Empty: the list has one order and takes no `ordering`.
    const ORDERING: &'static [&'static str];
    /// The list pages by key (`after`, and `count` only when asked for) as well as by offset.
    const KEYSET: bool = false;
    /// The list takes `offset` (a keyset list may page by key alone).
    const OFFSET: bool = true;
    /// The list is answered whole (no `limit`, `offset`): only `format` is taken.
    const WHOLE: bool = false;
}

/// How a list answers: the JSON envelope, or CSV for a spreadsheet (`Accept: text/csv` or
/// `?format=csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    Json,
    Csv,
}

/// What a list request says besides its filters.
#[derive(Debug, Clone)]
pub struct ListRequest {
    /// Limit, offset and order; an export without `limit` takes every row from `offset`, up to
    /// [`MAX_EXPORT_ROWS`].
    pub page: Page,
    pub format: ListFormat,
    /// Keyset lists: the rows after this key in the list's order.
    pub after: Option<i64>,
    /// Keyset lists: count every matching row (it costs a pass over them all).
    pub with_count: bool,
}

impl ListRequest {
    pub fn csv(&self) -> bool {
        self.format == ListFormat::Csv
    }

    /// An export visits every row it answers: a long read.
    pub fn cost(&self) -> ReadCost {
        match self.format {
            ListFormat::Csv => ReadCost::Long,
            ListFormat::Json => ReadCost::Page,
        }
    }
}

/// A list's filters (`F`, the list's own query type) and its [`ListRequest`], from the query
/// string: the list's parameters are taken out, and the rest must be `F`'s (400 otherwise).
#[derive(Debug)]
pub struct ListQuery<F> {
    pub filter: F,
    pub list: ListRequest,
}

impl<F> ListQuery<F> {
    pub fn into_parts(self) -> (F, ListRequest) {
        (self.filter, self.list)
    }
}

impl<F: DeserializeOwned + Listing> FromRequest for ListQuery<F> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req).map_err(Into::into))
    }
}

/// The list's own parameters as given, before they are checked.
#[derive(Default)]
struct Given {
    limit: Option<String>,
    offset: Option<String>,
    ordering: Option<String>,
    format: Option<String>,
    after: Option<String>,
    count: Option<String>,
}

impl Given {
    fn slot<F: Listing>(&mut self, key: &str) -> Option<&mut Option<String>> {
        let paged = !F::WHOLE;
        match key {
            "limit" if paged => Some(&mut self.limit),
            "offset" if paged && F::OFFSET => Some(&mut self.offset),
            "ordering" if paged && !F::ORDERING.is_empty() => Some(&mut self.ordering),
            "format" => Some(&mut self.format),
            "after" if F::KEYSET => Some(&mut self.after),
            "count" if F::KEYSET => Some(&mut self.count),
            _ => None,
        }
    }
}

impl<F: DeserializeOwned + Listing> ListQuery<F> {
    fn parse(req: &HttpRequest) -> AppResult<Self> {
        let mut given = Given::default();
        let mut filters = Vec::new();
        for part in req.query_string().split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match given.slot::<F>(key) {
                Some(slot) if slot.is_some() => {
                    return Err(AppError::invalid_field(key, "is given more than once"))
                }
                Some(slot) => *slot = Some(decoded(key, value)?),
                None => filters.push(part),
            }
        }
        let filter = web::Query::<F>::from_query(&filters.join("&"))
            .map_err(super::extract::query_error)?
            .into_inner();
        Ok(ListQuery {
            filter,
            list: list_request::<F>(req, given)?,
        })
    }
}

/// A query value, percent-decoded.
fn decoded(key: &str, value: &str) -> AppResult<String> {
    let pair = web::Query::<Vec<(String, String)>>::from_query(&format!("k={value}"))
        .map_err(|e| AppError::invalid_field(key, e.to_string()))?;
    Ok(pair.into_inner().pop().map(|(_, v)| v).unwrap_or_default())
}

fn number(errors: &mut Vec<FieldError>, key: &str, text: Option<&str>) -> Option<i64> {
    let parsed = text?.parse::<i64>();
    if parsed.is_err() {
        errors.push(FieldError::new(key, "must be an integer"));
    }
    parsed.ok()
}

fn list_request<F: Listing>(req: &HttpRequest, given: Given) -> AppResult<ListRequest> {
    let mut errors = Vec::new();
    let format = match given.format.as_deref() {
        None => accepted_format(req),
        Some("json") => ListFormat::Json,
        Some("csv") => ListFormat::Csv,
        Some(_) => {
            errors.push(FieldError::new("format", "must be json or csv"));
            ListFormat::Json
        }
    };
    let limit = number(&mut errors, "limit", given.limit.as_deref());
    let offset = number(&mut errors, "offset", given.offset.as_deref());
    let after = number(&mut errors, "after", given.after.as_deref());
    if after.is_some_and(|a| a < 0) {
        errors.push(FieldError::new("after", "must not be negative"));
    }
    let with_count = match given.count.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.push(FieldError::new("count", "must be true or false"));
            false
        }
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let sort_fields = match F::ORDERING {
        [] => &["id"][..],
        fields => fields,
    };
    let mut page = Page::parse(limit, offset, given.ordering.as_deref(), sort_fields)?;
    if format == ListFormat::Csv && limit.is_none() {
        page.limit = MAX_EXPORT_ROWS;
    }
    Ok(ListRequest {
        page,
        format,
        after,
        with_count,
    })
}

/// The format `Accept` asks for: CSV when it names `text/csv`.
fn accepted_format(req: &HttpRequest) -> ListFormat {
    let csv = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|part| part.trim().starts_with("text/csv"))
        });
    if csv {
        ListFormat::Csv
    } else {
        ListFormat::Json
    }
}

/// Does the request ask for Markdown (`Accept: text/markdown`; the reports)?
pub fn wants_markdown(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/markdown"))
}

/// The list's parameters in the document, after the filters: written once for every list.
impl<F: IntoParams + Listing> IntoParams for ListQuery<F> {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = F::into_params(parameter_in);
        if F::KEYSET {
            params.push(param(
                "after",
                Some("Page by key: the rows after this id in the list's order (the `next` links use it)."),
                integer().minimum(Some(0)),
            ));
            params.push(param(
                "count",
                Some("Count all matching rows (`count` is null otherwise: counting millions costs more than a page)."),
                ObjectBuilder::new().schema_type(Type::Boolean),
            ));
        }
        if !F::WHOLE {
            params.push(param(
                "limit",
                None,
                integer().minimum(Some(1)).maximum(Some(MAX_LIMIT)),
            ));
            if F::OFFSET {
                params.push(param("offset", None, integer().minimum(Some(0))));
            }
        }
        if !F::WHOLE && !F::ORDERING.is_empty() {
            params.push(ordering_param(F::ORDERING));
        }
        params.push(
            ParameterBuilder::new()
                .name("format")
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(
                    "`csv` for a spreadsheet (like `Accept: text/csv`): every matching row unless `limit`.",
                ))
                .schema(Some(Ref::from_schema_name("ListFormat")))
                .build(),
        );
        params
    }
}

fn integer() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
}

fn param(name: &str, description: Option<&str>, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(description)
        .schema(Some(schema))
        .build()
}

fn ordering_param(fields: &[&str]) -> Parameter {
    let named: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    let values = fields.iter().flat_map(|f| [f.to_string(), format!("-{f}")]);
    param(
        "ordering",
        Some(&format!(
            "{} (the default: `{}`); prefix `-` for descending.",
            named.join(", "),
            fields[0]
        )),
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values)),
    )
}

/// The filters of a list that has none of its own.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoFilters {}

/// A short list answered whole: it takes only `format`.
impl Listing for NoFilters {
    const ORDERING: &'static [&'static str] = &[];
    const WHOLE: bool = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filters {
        portfolio: Option<String>,
    }

    impl Listing for Filters {
        const ORDERING: &'static [&'static str] = &["id", "name"];
    }

    fn parsed(uri: &str) -> AppResult<ListQuery<Filters>> {
        ListQuery::<Filters>::parse(&TestRequest::with_uri(uri).to_http_request())
    }

    #[test]
    fn the_list_takes_its_own_parameters_and_leaves_the_filters() {
        let q = parsed("/x?portfolio=n%C3%A4t&limit=10&offset=20&ordering=-name&format=csv")
            .expect("parses");
        assert_eq!(q.filter.portfolio.as_deref(), Some("nät"));
        assert_eq!((q.list.page.limit, q.list.page.offset), (10, 20));
        assert_eq!(q.list.page.sort.field, "name");
        assert!(q.list.page.sort.descending);
        assert!(q.list.csv());
        // An export without a limit takes every row.
        let all = parsed("/x?format=csv").expect("parses");
        assert_eq!(all.list.page.limit, MAX_EXPORT_ROWS);
    }

    #[test]
    fn what_the_list_does_not_take_is_refused() {
        for uri in [
            "/x?after=3",
            "/x?limit=0",
            "/x?limit=ten",
            "/x?ordering=slug",
            "/x?format=xml",
            "/x?limit=1&limit=2",
            "/x?colour=blue",
        ] {
            assert!(parsed(uri).is_err(), "{uri}");
        }
    }
}
