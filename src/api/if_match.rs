//! `If-Match` and `ETag`: the precondition of a write (an extractor, documented once), and the
//! answer that carries the object's version.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};

/// The `If-Match` precondition of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: no precondition.
    Absent,
    /// `*`: any current version (but there must be one).
    Any,
    /// The versions named by strong entity tags (`"3"`); unparseable tags match nothing.
    Versions(Vec<i64>),
}

impl IfMatch {
    /// `If-Match` as the document states it: `*`, or strong entity tags (`"3"`, `"3", "4"`).
    /// A value of any other form names no version of ours, so it matches nothing and the
    /// write is refused with 412 (RFC 9110 §13.1.1: the condition is false), as a weak tag is.
    pub fn from_request(req: &HttpRequest) -> Self {
        if !req.headers().contains_key(header::IF_MATCH) {
            return IfMatch::Absent;
        }
        let mut versions = Vec::new();
        for value in req.headers().get_all(header::IF_MATCH) {
            let Ok(text) = value.to_str() else {
                return IfMatch::Versions(Vec::new());
            };
            if text == "*" {
                return IfMatch::Any;
            }
            match strong_tags(text) {
                Some(tags) => versions.extend(tags),
                None => return IfMatch::Versions(Vec::new()),
            }
        }
        IfMatch::Versions(versions)
    }

    /// 412 unless `current` is a version the client named. The write that follows compares
    /// `version` again in its own statement, so a racing writer cannot slip in between.
    pub fn check(&self, current: i64) -> AppResult<()> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Versions(v) if v.contains(&current) => Ok(()),
            IfMatch::Versions(_) => Err(AppError::PreconditionFailed(format!(
                "If-Match does not match the current version (ETag \"{current}\")."
            ))),
        }
    }

    /// For a PUT that would create the object: any `If-Match` names a version that does not
    /// exist (`*` included), so it is 412 (RFC 9110 §13.1.1).
    pub fn check_none_exists(&self) -> AppResult<()> {
        match self {
            IfMatch::Absent => Ok(()),
            _ => Err(AppError::PreconditionFailed(
                "If-Match names a version, but there is none yet.".into(),
            )),
        }
    }
}

/// The versions of a list of strong entity tags in the document's form (no space before a
/// comma, any after it), or `None` for any other form. A number too large for a version is a
/// well-formed tag that matches nothing.
fn strong_tags(text: &str) -> Option<Vec<i64>> {
    let mut versions = Vec::new();
    for (i, tag) in text.split(',').enumerate() {
        let tag = if i == 0 {
            tag
        } else {
            tag.trim_start_matches(' ')
        };
        let digits = tag
            .strip_prefix('"')?
            .strip_suffix('"')
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))?;
        versions.extend(digits.parse::<i64>().ok());
    }
    Some(versions)
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A JSON response with the object's `ETag`.
pub fn with_etag<T: Serialize>(status: StatusCode, version: i64, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

impl FromRequest for IfMatch {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(IfMatch::from_request(req)))
    }
}

/// The header in the document, the same on every write that takes it.
impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "The ETag last seen (or `*`); 412 if the object changed since",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^(\\*|\"[0-9]+\"(, *\"[0-9]+\")*)$")),
            ))
            .build()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_parses_strong_tags() {
        let req = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"3\", \"4\""))
            .to_http_request();
        let m = IfMatch::from_request(&req);
        assert!(m.check(4).is_ok());
        assert!(m.check(5).is_err());
        let weak = TestRequest::default()
            .insert_header((header::IF_MATCH, "W/\"3\""))
            .to_http_request();
        assert!(IfMatch::from_request(&weak).check(3).is_err());
        for malformed in ["null", "3", "\"a\"", "\"3\" ,\"4\"", "", "\"\"", "[\"3\"]"] {
            let req = TestRequest::default()
                .insert_header((header::IF_MATCH, malformed))
                .to_http_request();
            assert_eq!(
                IfMatch::from_request(&req),
                IfMatch::Versions(vec![]),
                "{malformed}"
            );
        }
        let any = TestRequest::default()
            .insert_header((header::IF_MATCH, "*"))
            .to_http_request();
        assert_eq!(IfMatch::from_request(&any), IfMatch::Any);
        let huge = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"3\",\"99999999999999999999\""))
            .to_http_request();
        assert_eq!(IfMatch::from_request(&huge), IfMatch::Versions(vec![3]));
    }
}
