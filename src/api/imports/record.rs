//! One record of an imported file, and the reading of its values into the create operation's
//! fields: CSV cells are text, a JSON file's values may be numbers, booleans or lists.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::domain::governance::SecurityClassification;
use crate::error::{AppError, FieldError};

/// A record: its number in the file (the header is 1), its non-empty values by column, and
/// the columns its file states (a column the file leaves out leaves an object's value as it is).
#[derive(Debug, Clone)]
pub struct Record {
    pub row: u64,
    values: BTreeMap<String, Value>,
    stated: Arc<Vec<String>>,
    /// A CSV record (its values are text) rather than a JSON file's object.
    pub csv: bool,
}

impl Record {
    pub fn new(
        row: u64,
        values: BTreeMap<String, Value>,
        stated: Arc<Vec<String>>,
        csv: bool,
    ) -> Self {
        Record {
            row,
            values,
            stated,
            csv,
        }
    }

    /// Does the file state this column (even empty, which clears an optional value)?
    pub fn states(&self, column: &str) -> bool {
        self.stated.iter().any(|c| c == column)
    }

    /// The value of `column` as text (a number or boolean as written); `None` when absent (an
    /// empty CSV cell is absent; a JSON file's `""` is a value, judged as the operation would).
    pub fn text(&self, column: &str) -> Option<String> {
        match self.values.get(column)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// The value as the file gave it (a JSON file's list of objects).
    pub fn json(&self, column: &str) -> Option<&Value> {
        self.values.get(column)
    }
}

/// The distinct texts of `column` in `records`, trimmed: what a file names, to be looked up at
/// once.
pub fn named(records: &[Record], column: &str) -> Vec<String> {
    let mut found: Vec<String> = records
        .iter()
        .filter_map(|r| r.text(column).map(|t| t.trim().to_string()))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Reads one record's fields and collects what is wrong with them, each named by its column.
pub struct RowReader<'a> {
    record: &'a Record,
    errors: Vec<FieldError>,
}

impl<'a> RowReader<'a> {
    pub fn new(record: &'a Record) -> Self {
        RowReader {
            record,
            errors: Vec::new(),
        }
    }

    pub fn record(&self) -> &'a Record {
        self.record
    }

    pub fn error(&mut self, column: &str, message: impl Into<String>) {
        self.errors
            .push(FieldError::in_row(self.record.row, column, message));
    }

    /// The text of `column`: a CSV cell, or a JSON file's string (another JSON value is wrong).
    fn string(&mut self, column: &str) -> Option<String> {
        match self.record.json(column) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(column, "must be text");
                None
            }
        }
    }

    /// Text the create operation requires; empty counts as missing.
    pub fn required(&mut self, column: &str) -> String {
        self.string(column).unwrap_or_else(|| {
            self.error(column, "is required");
            String::new()
        })
    }

    /// Optional text (`None` when empty).
    pub fn optional(&mut self, column: &str) -> Option<String> {
        self.string(column)
    }

    /// An optional value where the file states the column; otherwise `current` stays.
    pub fn optional_or(&mut self, column: &str, current: &Option<String>) -> Option<String> {
        if self.record.states(column) {
            self.string(column)
        } else {
            current.clone()
        }
    }

    /// A value of a vocabulary or another parsed type (`None` when empty or wrong).
    pub fn parsed<T: FromStr>(&mut self, column: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.string(column)?;
        match text.trim().parse::<T>() {
            Ok(value) => Some(value),
            Err(e) => {
                self.error(column, e.to_string());
                None
            }
        }
    }

    /// A required value of a parsed type.
    pub fn required_parsed<T: FromStr>(&mut self, column: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        if self.record.text(column).is_none() {
            self.error(column, "is required");
            return None;
        }
        self.parsed(column)
    }

    /// A whole number: a CSV cell, or a JSON file's integer.
    pub fn integer(&mut self, column: &str) -> Option<i64> {
        if let Some(Value::Number(n)) = self.record.json(column) {
            let whole = n.as_i64();
            if whole.is_none() {
                self.error(column, format!("{n} is not a whole number"));
            }
            return whole;
        }
        let text = self.string(column)?;
        match text.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(column, format!("'{text}' is not a whole number"));
                None
            }
        }
    }

    pub fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let text = self.string(column)?;
        match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(column, format!("'{text}' is not a date (YYYY-MM-DD)"));
                None
            }
        }
    }

    /// `true` or `false`: a CSV cell as the export writes it, or a JSON file's boolean.
    pub fn boolean(&mut self, column: &str) -> Option<bool> {
        if let Some(Value::Bool(b)) = self.record.json(column) {
            return Some(*b);
        }
        let text = self.string(column)?;
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                self.error(column, format!("'{text}' is not true or false"));
                None
            }
        }
    }

    /// An information classification: a CSV cell `K/R/T` as the export writes it, or a JSON
    /// file's object as the create operation takes it.
    pub fn classification(&mut self, column: &str) -> Option<SecurityClassification> {
        if let Some(Value::Object(object)) = self.record.json(column) {
            let object = Value::Object(object.clone());
            return match serde_json::from_value(object) {
                Ok(c) => Some(c),
                Err(e) => {
                    self.error(column, e.to_string());
                    None
                }
            };
        }
        self.parsed(column)
    }

    /// A point in time as the export writes it (RFC 3339).
    pub fn timestamp(&mut self, column: &str) -> Option<DateTime<Utc>> {
        let text = self.string(column)?;
        match DateTime::parse_from_rfc3339(text.trim()) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                self.error(column, format!("'{text}' is not a time (RFC 3339)"));
                None
            }
        }
    }

    /// A value where the file states the column (`Some(None)`: stated empty, which clears an
    /// optional value); `None` where it leaves the column out.
    pub fn stated<T>(
        &mut self,
        column: &str,
        read: impl FnOnce(&mut Self, &str) -> Option<T>,
    ) -> Option<Option<T>> {
        self.record.states(column).then(|| read(self, column))
    }

    /// A list: a JSON array of texts, or a CSV cell of items separated by `;`.
    pub fn list(&mut self, column: &str) -> Vec<String> {
        match self.record.json(column) {
            None | Some(Value::Null) => Vec::new(),
            Some(_) if !self.record.csv => {
                if !matches!(self.record.json(column), Some(Value::Array(_))) {
                    self.error(column, "must be a list of texts");
                    return Vec::new();
                }
                self.list_items(column)
            }
            Some(_) => self
                .record
                .text(column)
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(String::from)
                .collect(),
        }
    }

    fn list_items(&mut self, column: &str) -> Vec<String> {
        let items: Vec<Value> = match self.record.json(column) {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.trim().to_string()),
                _ => {
                    self.error(column, "must be a list of texts");
                    None
                }
            })
            .collect()
    }

    /// The errors of a parse by the create operation's own code, named by this file's columns
    /// (`rename` maps the operation's field names to them); a column already found wrong here
    /// is named once.
    pub fn failed(&mut self, error: AppError, rename: impl Fn(&str) -> String) {
        let row = self.record.row;
        for e in row_errors(row, error, rename) {
            if e.field.is_empty() || !self.errors.iter().any(|known| known.field == e.field) {
                self.errors.push(e);
            }
        }
    }

    /// The row refused, with its errors.
    pub fn refused<T>(self) -> Result<T, Vec<FieldError>> {
        Err(self.errors)
    }

    /// The row's step as decided by the operation's rules and the policy, unless the reading
    /// found something wrong already.
    pub fn decided<T>(
        mut self,
        decided: Result<T, AppError>,
        rename: impl Fn(&str) -> String,
    ) -> Result<T, Vec<FieldError>> {
        match decided {
            Ok(step) if self.errors.is_empty() => Ok(step),
            Ok(_) => Err(self.errors),
            Err(error) => {
                self.failed(error, rename);
                Err(self.errors)
            }
        }
    }
}

/// A single operation's refusal as the errors of one row: each invalid field by its column,
/// anything else (a refusal by the policy, a conflict) as the row's own message.
pub fn row_errors(row: u64, error: AppError, rename: impl Fn(&str) -> String) -> Vec<FieldError> {
    match error {
        AppError::BadRequest { errors, detail } | AppError::Unprocessable { errors, detail }
            if !errors.is_empty() || !detail.is_empty() =>
        {
            if errors.is_empty() {
                return vec![FieldError::in_row(row, "", detail)];
            }
            errors
                .into_iter()
                .map(|e| FieldError::in_row(row, rename(&e.field), e.message))
                .collect()
        }
        AppError::Taken { field, .. } => {
            vec![FieldError::in_row(row, rename(&field), "is already taken")]
        }
        other => vec![FieldError::in_row(row, "", other.to_string())],
    }
}

/// The usual renaming: a nested member's path as its flat column (`contact.name` →
/// `contact_name`).
pub fn flat(field: &str) -> String {
    field.replace('.', "_")
}
