//! How a list answers: a page of the JSON envelope (paged by offset or by key), a short list
//! whole, or a CSV export — each after one read of the list path.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::csv::{csv_response, CsvRecord};
use super::list::{ListRequest, DEFAULT_LIMIT, MAX_LIMIT};
use super::unit::read_costing;
use crate::auth::policy::Caller;
use crate::auth::Authenticated;
use crate::db::{DbConnection, DbPool, Page, Sort};
use crate::error::{AppError, AppResult, FieldError};

/// The path of every authenticated list: the caller loaded, the matching rows and their count
/// from `query` (which applies the filters, and the caller's scope where lists are scoped),
/// each row as its wire view, in the pagination envelope — or all of them as CSV.
pub async fn list_page<View, Row, F>(
    req: &HttpRequest,
    pool: &DbPool,
    who: Authenticated,
    list: ListRequest,
    query: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Caller, &Page) -> AppResult<(i64, Vec<Row>)> + Send + 'static,
    Row: Send + 'static,
    View: for<'a> From<&'a Row> + Serialize + CsvRecord + Send + 'static,
{
    let views = move |conn: &mut DbConnection, caller: &Caller, page: &Page| {
        let (count, rows) = query(conn, caller, page)?;
        Ok((count, rows.iter().map(View::from).collect()))
    };
    list_views(req, pool, who, list, views).await
}

/// [`list_page`] for a list whose `query` makes the views itself (they need more than one row
/// each).
pub async fn list_views<View, F>(
    req: &HttpRequest,
    pool: &DbPool,
    who: Authenticated,
    list: ListRequest,
    query: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Caller, &Page) -> AppResult<(i64, Vec<View>)> + Send + 'static,
    View: Serialize + CsvRecord + Send + 'static,
{
    let page = list.page.clone();
    let (count, views) = read_costing(list.cost(), pool, who, move |conn, caller| {
        query(conn, caller, &page)
    })
    .await?;
    answer_list(req, &list, count, views)
}

/// An export's file name, after the list's path: `services.csv`, `items.csv`.
fn export_name(req: &HttpRequest) -> String {
    let name = req.path().rsplit('/').next().unwrap_or("export");
    format!("{name}.csv")
}

/// A list's answer: CSV when the request asks for it (named after the path: `services.csv`),
/// the JSON envelope otherwise.
pub fn answer_list<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    list: &ListRequest,
    count: i64,
    results: Vec<V>,
) -> AppResult<HttpResponse> {
    if list.csv() {
        return csv_response(&export_name(req), count, &results);
    }
    Ok(HttpResponse::Ok().json(list.page.respond(req, count, results)))
}

/// A short list answered whole in the list envelope (a portfolio's budget frames, the exchange
/// rates): CSV when asked for.
pub fn answer_whole<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    list: &ListRequest,
    results: Vec<V>,
) -> AppResult<HttpResponse> {
    let count = results.len() as i64;
    if list.csv() {
        return csv_response(&export_name(req), count, &results);
    }
    Ok(HttpResponse::Ok().json(Paginated {
        count,
        next: None,
        previous: None,
        results,
    }))
}

/// A short list answered as a JSON array (a plan's activities, the roles): CSV when asked for.
pub fn answer_array<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    list: &ListRequest,
    results: Vec<V>,
) -> AppResult<HttpResponse> {
    if list.csv() {
        return csv_response(&export_name(req), results.len() as i64, &results);
    }
    Ok(HttpResponse::Ok().json(results))
}

/// A page of a list paged by key: `next` continues after the last row when the page is full,
/// `previous` goes back by offset (a page not reached by key). `count` is null unless it was
/// asked for.
pub fn answer_keyset<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    list: &ListRequest,
    count: Option<i64>,
    results: Vec<V>,
    key: impl Fn(&V) -> i64,
) -> AppResult<HttpResponse> {
    if list.csv() {
        let total = count.unwrap_or(results.len() as i64);
        return csv_response(&export_name(req), total, &results);
    }
    let next = (results.len() as i64 == list.page.limit)
        .then(|| results.last().map(|last| keyset_link(req, key(last))))
        .flatten();
    let previous = match list.after {
        None => list.page.respond(req, i64::MAX, Vec::<()>::new()).previous,
        Some(_) => None,
    };
    Ok(HttpResponse::Ok().json(KeysetPage {
        count,
        next,
        previous,
        results,
    }))
}

/// The request's own link with `after` set to `key` (and `offset` dropped): the next page of a
/// list paged by key.
fn keyset_link(req: &HttpRequest, key: i64) -> String {
    let mut query: Vec<String> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("offset=") && !p.starts_with("after="))
        .map(str::to_string)
        .collect();
    query.push(format!("after={key}"));
    format!("{}?{}", req.path(), query.join("&"))
}

/// A list page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// All matching objects, not only this page.
    pub count: i64,
    /// The next page, or null.
    pub next: Option<String>,
    /// The previous page, or null.
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// A page of a list paged by key (`count` only when asked for).
#[derive(Debug, Serialize)]
struct KeysetPage<T> {
    count: Option<i64>,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

/// The HTTP side of a list page: parsing `limit`, `offset` and `ordering`, and the envelope.
impl Page {
    pub fn parse(
        limit: Option<i64>,
        offset: Option<i64>,
        ordering: Option<&str>,
        sort_fields: &[&str],
    ) -> AppResult<Self> {
        let mut errors = Vec::new();
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                format!("must be 1 to {MAX_LIMIT}"),
            ));
        }
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            errors.push(FieldError::new("offset", "must not be negative"));
        }
        let ordering = ordering.unwrap_or(sort_fields[0]);
        let (field, descending) = match ordering.strip_prefix('-') {
            Some(field) => (field, true),
            None => (ordering, false),
        };
        if !sort_fields.contains(&field) {
            errors.push(FieldError::new(
                "ordering",
                format!(
                    "must be one of {} (prefix '-' for descending)",
                    sort_fields.join(", ")
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(errors));
        }
        Ok(Page {
            limit,
            offset,
            sort: Sort {
                field: field.to_string(),
                descending,
            },
        })
    }

    pub fn respond<T>(&self, req: &HttpRequest, count: i64, results: Vec<T>) -> Paginated<T> {
        let link = |offset: i64| {
            let mut query: Vec<String> = req
                .query_string()
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("offset=") && !p.starts_with("limit="))
                .map(str::to_string)
                .collect();
            query.push(format!("limit={}", self.limit));
            query.push(format!("offset={offset}"));
            format!("{}?{}", req.path(), query.join("&"))
        };
        // Saturating: `offset` comes from the client and may be near i64::MAX.
        let end = self.offset.saturating_add(self.limit);
        let next = (end < count).then(|| link(end));
        let previous = (self.offset > 0).then(|| link((self.offset - self.limit).max(0)));
        Paginated {
            count,
            next,
            previous,
            results,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn pages_link_onwards_and_back() {
        let req = TestRequest::with_uri("/api/v1/services?lifecycle=proposed&offset=50&limit=50")
            .to_http_request();
        let page = Page::parse(Some(50), Some(50), None, &["id"]).unwrap();
        let out = page.respond(&req, 120, vec![1]);
        assert_eq!(
            out.next.as_deref(),
            Some("/api/v1/services?lifecycle=proposed&limit=50&offset=100")
        );
        assert_eq!(
            out.previous.as_deref(),
            Some("/api/v1/services?lifecycle=proposed&limit=50&offset=0")
        );
        assert!(Page::parse(Some(501), None, None, &["id"]).is_err());
        let far = Page::parse(Some(500), Some(i64::MAX), None, &["id"]).unwrap();
        assert_eq!(far.respond(&req, 3, vec![1]).next, None);
        assert!(Page::parse(None, None, Some("-secret"), &["id"]).is_err());
    }
}
