//! An imported file as records: CSV as spreadsheets write it (UTF-8 with or without BOM, comma
//! or semicolon, CRLF or LF, quoted fields with line breaks) or a JSON array of objects, each
//! record a map from column to value. The columns are checked against the kind's here. What
//! the document cannot say of a file (its columns, its rows) is refused with 422; a body that is
//! no text, or JSON that is no array of objects, with 400.

use std::collections::BTreeMap;

use serde_json::Value;

use super::record::Record;
use crate::api::csv::from_spreadsheet;
use crate::error::{AppError, AppResult, FieldError};

/// The most rows one import takes (413 beyond).
pub const MAX_ROWS: usize = 10_000;

/// The columns a kind's file may have: those its list's CSV export writes (one header for the
/// way out and the way in).
pub struct Columns {
    /// The kind's name, for messages.
    pub kind: &'static str,
    /// The export's header (`CsvRecord::HEADER` of the list's view).
    pub export: &'static [&'static str],
    /// What a file must have.
    pub required: &'static [&'static str],
    /// The export's read-only columns (ids, versions, timestamps, derived values): ignored.
    pub ignored: &'static [&'static str],
}

impl Columns {
    fn knows(&self, column: &str) -> bool {
        self.export.contains(&column)
    }

    /// A column a row may fill: the create operation's fields, by natural key.
    pub fn writable(&self, column: &str) -> bool {
        self.knows(column) && !self.ignored.contains(&column)
    }

    fn writable_list(&self) -> String {
        let columns: Vec<&str> = self
            .export
            .iter()
            .copied()
            .filter(|c| self.writable(c))
            .collect();
        columns.join(", ")
    }

    /// The header's problems: unknown, repeated and missing columns, all named.
    fn check(&self, header: &[String]) -> AppResult<()> {
        let mut errors = Vec::new();
        for (i, column) in header.iter().enumerate() {
            if !self.knows(column) {
                errors.push(FieldError::in_row(
                    1,
                    column.as_str(),
                    format!(
                        "is not a column of {} (columns: {})",
                        self.kind,
                        self.writable_list()
                    ),
                ));
            } else if header[..i].contains(column) {
                errors.push(FieldError::in_row(1, column.as_str(), "is repeated"));
            }
        }
        for required in self.required {
            if !header.iter().any(|c| c == required) {
                errors.push(FieldError::in_row(1, *required, "is a required column"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::unprocessable_fields(errors))
        }
    }
}

/// The file's format, by its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn of(content_type: Option<&str>) -> AppResult<Format> {
        let essence = content_type
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase());
        match essence.as_deref() {
            Some("text/csv") => Ok(Format::Csv),
            Some("application/json") => Ok(Format::Json),
            _ => Err(AppError::invalid_field(
                "Content-Type",
                "an import is text/csv or application/json",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The file's records, its header checked against `columns`.
pub fn read(body: &[u8], format: Format, columns: &Columns) -> AppResult<Vec<Record>> {
    let text = std::str::from_utf8(body)
        .map_err(|e| AppError::invalid_field("file", format!("is not UTF-8 ({e})")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(AppError::unprocessable("file", "is empty"));
    }
    let records = match format {
        Format::Csv => read_csv(text, columns)?,
        Format::Json => read_json(text, columns)?,
    };
    if records.is_empty() {
        return Err(AppError::unprocessable("file", "has no rows"));
    }
    if records.len() > MAX_ROWS {
        return Err(AppError::PayloadTooLarge(format!(
            "The file has {} rows; an import takes at most {MAX_ROWS}.",
            records.len()
        )));
    }
    Ok(records)
}

/// Swedish Excel writes `;` where others write `,`: whichever of the two the header line has
/// more of (outside quotes) separates the fields.
fn delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

fn read_csv(text: &str, columns: &Columns) -> AppResult<Vec<Record>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let header: Vec<String> = match rows.next() {
        Some(Ok(header)) => header.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => return Err(AppError::unprocessable("file", e.to_string())),
        None => return Err(AppError::unprocessable("file", "is empty")),
    };
    columns.check(&header)?;
    let stated = std::sync::Arc::new(header.clone());
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.enumerate() {
        let number = i as u64 + 2;
        let row = row.map_err(|e| {
            AppError::unprocessable_fields(vec![FieldError::in_row(number, "", e.to_string())])
        })?;
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if row.len() > header.len() {
            errors.push(FieldError::in_row(
                number,
                "",
                format!("has {} fields; the header has {}", row.len(), header.len()),
            ));
            continue;
        }
        let values: BTreeMap<String, Value> = header
            .iter()
            .zip(row.iter())
            .filter(|(column, cell)| !cell.trim().is_empty() && columns.writable(column))
            .map(|(column, cell)| {
                (
                    column.clone(),
                    Value::String(from_spreadsheet(cell).to_string()),
                )
            })
            .collect();
        records.push(Record::new(number, values, stated.clone(), true));
        if records.len() > MAX_ROWS {
            break;
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(AppError::unprocessable_fields(errors))
    }
}

fn read_json(text: &str, columns: &Columns) -> AppResult<Vec<Record>> {
    let document: Value = serde_json::from_str(text)
        .map_err(|e| AppError::invalid_field("file", format!("is not JSON: {e}")))?;
    let Value::Array(items) = document else {
        return Err(AppError::invalid_field(
            "file",
            "must be a JSON array of objects",
        ));
    };
    let mut records = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let number = i as u64 + 1;
        let Value::Object(object) = item else {
            return Err(AppError::invalid(vec![FieldError::in_row(
                number,
                "",
                "must be an object",
            )]));
        };
        let mut values = BTreeMap::new();
        flatten("", object, columns, &mut values);
        for column in values.keys().filter(|c| !columns.knows(c)) {
            errors.push(FieldError::in_row(
                number,
                column.as_str(),
                format!("is not a field of {}", columns.kind),
            ));
        }
        let stated = std::sync::Arc::new(values.keys().cloned().collect());
        values.retain(|column, value| !value.is_null() && columns.writable(column));
        records.push(Record::new(number, values, stated, false));
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(AppError::unprocessable_fields(errors))
    }
}

/// A nested object's members as flat columns, as the CSV export names them
/// (`contact.name` → `contact_name`, `annual_value.amount` → `annual_value_amount`).
/// An object that is a column of its own (a classification) is kept whole.
fn flatten(
    prefix: &str,
    object: serde_json::Map<String, Value>,
    columns: &Columns,
    into: &mut BTreeMap<String, Value>,
) {
    for (name, value) in object {
        let column = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}_{name}")
        };
        match value {
            // An empty object names no column: kept whole, it is wrong wherever it stands.
            Value::Object(inner) if !inner.is_empty() && !columns.knows(&column) => {
                flatten(&column, inner, columns, into)
            }
            other => {
                into.insert(column, other);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: Columns = Columns {
        kind: "organizations",
        export: &["id", "slug", "name", "contact_name", "notes"],
        required: &["slug", "name"],
        ignored: &["id"],
    };

    #[test]
    fn swedish_excel_is_read_as_written() {
        let file = "\u{feff}id;slug;name;notes\r\n7;uu;Uppsala universitet;\"rad ett\r\nrad två; med semikolon\"\r\n8;kth;'=KTH;\r\n";
        let records = read(file.as_bytes(), Format::Csv, &COLUMNS).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].row, 2);
        assert_eq!(
            records[0].text("notes").as_deref(),
            Some("rad ett\r\nrad två; med semikolon")
        );
        assert_eq!(records[0].text("id"), None, "a read-only column is ignored");
        assert_eq!(records[1].row, 3);
        assert_eq!(records[1].text("name").as_deref(), Some("=KTH"));
        assert_eq!(records[1].text("notes"), None);
    }

    #[test]
    fn a_header_names_its_problems() {
        let Err(AppError::Unprocessable { errors, .. }) = read(
            b"slug,colour,slug\nuu,bl\xc3\xa5,uu\n",
            Format::Csv,
            &COLUMNS,
        ) else {
            panic!("accepted");
        };
        let named: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(named[0].0, "colour");
        assert_eq!(named[1], ("slug", "is repeated"));
        assert_eq!(named[2], ("name", "is a required column"));
    }

    #[test]
    fn a_row_with_too_many_fields_is_named() {
        let Err(AppError::Unprocessable { errors, .. }) = read(
            b"slug,name\nuu,Uppsala\nkth,KTH,extra\n",
            Format::Csv,
            &COLUMNS,
        ) else {
            panic!("accepted");
        };
        assert_eq!(errors[0].row, Some(3));
    }

    #[test]
    fn json_objects_are_flattened_to_the_columns() {
        let file =
            r#"[{"slug": "uu", "name": "Uppsala universitet", "contact": {"name": "Åsa Öberg"}}]"#;
        let records = read(file.as_bytes(), Format::Json, &COLUMNS).unwrap();
        assert_eq!(records[0].row, 1);
        assert_eq!(
            records[0].text("contact_name").as_deref(),
            Some("Åsa Öberg")
        );
    }

    #[test]
    fn empty_and_foreign_files_are_refused() {
        assert!(read(b"  \n", Format::Csv, &COLUMNS).is_err());
        assert!(read(b"slug,name\n\xff\xfe\n", Format::Csv, &COLUMNS).is_err());
        assert!(read(b"{}", Format::Json, &COLUMNS).is_err());
    }
}
