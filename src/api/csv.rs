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
            .write_record(row.record().into_iter().map(spreadsheet_safe))
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

/// What a spreadsheet would run as a formula when it begins a cell (OWASP, "CSV injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a spreadsheet may open it: one that would begin a formula — after any quotes it
/// already begins with, so that the quote an import removes is always ours — gets a leading `'`,
/// which spreadsheets show as text. A plain number (`-1200.00`, `+4687901234`) cannot be a
/// formula and stays as it is (docs/conventions.md).
pub fn spreadsheet_safe(cell: String) -> String {
    let rest = cell.trim_start_matches('\'');
    if rest.starts_with(FORMULA_STARTS) && !is_plain_number(rest) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// `spreadsheet_safe` undone: the one quote it added, if it added one.
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if spreadsheet_safe(rest.to_string()).len() > rest.len() => rest,
        _ => cell,
    }
}

/// An optional sign, digits, and at most one decimal point between digits.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match digits.split_once('.') {
        Some((whole, fraction)) => all_digits(whole) && all_digits(fraction),
        None => all_digits(digits),
    }
}

/// Blank for none, in CSV cells.
pub fn cell<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(T::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_is_opened_as_text_and_comes_back_as_it_was() {
        for (given, exported) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tvärde", "'\tvärde"),
            ("\r=1", "'\r=1"),
            // A quote of the value's own before a formula: ours goes in front of it.
            ("'=1", "''=1"),
            // Text and plain numbers stay.
            ("Lunds universitet", "Lunds universitet"),
            ("'citat'", "'citat'"),
            ("-1200.00", "-1200.00"),
            ("+46701234567", "+46701234567"),
            ("", ""),
        ] {
            let safe = spreadsheet_safe(given.to_string());
            assert_eq!(safe, exported, "{given}");
            assert_eq!(from_spreadsheet(&safe), given, "{given}");
        }
    }
}
