//! CSV exports: a view's row ([`CsvRecord`], made by [`csv_record!`](crate::csv_record)) and
//! the RFC 4180 document of a list's rows.

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// A row of a CSV export.
pub trait CsvRecord {
    const HEADER: &'static [&'static str];
    fn record(&self) -> Vec<String>;
}

/// One CSV cell of any field of a view, as its JSON says it: text as it is, numbers and
/// booleans as written, null empty, and anything nested (money, lists) as its JSON text.
pub fn csv_cell<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// A view's [`CsvRecord`]: the named fields in order, each by [`csv_cell`]; a field whose JSON
/// name differs gives it with `as`.
#[macro_export]
macro_rules! csv_record {
    ($view:ty { $($field:ident $(as $name:literal)?),+ $(,)? }) => {
        impl $crate::api::csv::CsvRecord for $view {
            const HEADER: &'static [&'static str] = &[$($crate::csv_record!(@name $field $($name)?)),+];
            fn record(&self) -> Vec<String> {
                vec![$($crate::api::csv::csv_cell(&self.$field)),+]
            }
        }
    };
    (@name $field:ident $name:literal) => { $name };
    (@name $field:ident) => { stringify!($field) };
}

/// An RFC 4180 CSV document (UTF-8, CRLF line ends, quoted where needed) of `rows` under their
/// header; `X-Total-Count` says how many rows matched in all.
pub fn csv_response<R: CsvRecord>(
    filename: &str,
    total: i64,
    rows: &[R],
) -> AppResult<HttpResponse> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(R::HEADER).map_err(AppError::internal)?;
    for row in rows {
        writer
            .write_record(row.record())
            .map_err(AppError::internal)?;
    }
    let body = writer.into_inner().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header(("X-Total-Count", total.to_string()))
        .body(body))
}

/// Blank for none, in CSV cells.
pub fn cell<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(T::to_string).unwrap_or_default()
}
