//! Stored timestamps, read without chrono's format interpreter.
//!
//! SQLite keeps a timestamp as text (`2026-11-28 14:27:04.123456`, as diesel writes it), and
//! diesel reads it back by trying up to eighteen `strftime` patterns with chrono's general
//! parser. perf of a list of 50 services on SQLite: a fifth of the process in that parser. The
//! shape this service writes is read here by hand; anything else (an operator's edit, another
//! writer's format) falls back to diesel's own reading, so nothing it accepts is refused.
//! PostgreSQL's binary timestamps are read by diesel as they are.
//!
//! Fields use them with `#[diesel(deserialize_as = Stored)]` (or [`StoredOption`]) and stay
//! `NaiveDateTime`: every `Queryable` row type of `db` but the webhooks' (also read by name).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::multi_connection_impl::{MultiBackend, MultiRawValue};

/// A timestamp column's value.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct Stored(pub NaiveDateTime);

impl From<Stored> for NaiveDateTime {
    fn from(stored: Stored) -> Self {
        stored.0
    }
}

/// A nullable timestamp column's value.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct StoredOption(pub Option<NaiveDateTime>);

impl From<StoredOption> for Option<NaiveDateTime> {
    fn from(stored: StoredOption) -> Self {
        stored.0
    }
}

impl FromSql<Timestamp, Sqlite> for Stored {
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        match parse_sqlite_text(value.read_text()) {
            Some(t) => Ok(Stored(t)),
            None => <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Stored),
        }
    }
}

impl FromSql<Timestamp, Pg> for Stored {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Stored)
    }
}

impl FromSql<Timestamp, MultiBackend> for Stored {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Stored, Timestamp>()
    }
}

impl<DB: diesel::backend::Backend> FromSql<Nullable<Timestamp>, DB> for StoredOption
where
    Stored: FromSql<Timestamp, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Stored::from_sql(value).map(|s| StoredOption(Some(s.0)))
    }

    fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        match value {
            Some(value) => Self::from_sql(value),
            None => Ok(StoredOption(None)),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1–9 digits: the shape diesel writes.
/// `None` for any other shape (then the general parser decides).
fn parse_sqlite_text(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)?).ok()?,
        number(5..7)?,
        number(8..10)?,
    )?;
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let n = number(20..b.len())?;
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    // A leap second (60) is left to the general parser.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    (second < 60).then_some(NaiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_reads(text: &str) -> Option<NaiveDateTime> {
        ["%F %T%.f", "%F %T"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    }

    #[test]
    fn the_shapes_diesel_writes_are_read_as_chrono_reads_them() {
        for text in [
            "2026-11-28 14:27:04",
            "2026-11-28 14:27:04.1",
            "2026-11-28 14:27:04.123456",
            "2026-11-28 14:27:04.123456789",
            "1999-12-31 23:59:59.000001",
            "2024-02-29 00:00:00.5",
        ] {
            assert_eq!(parse_sqlite_text(text), chrono_reads(text), "{text}");
            assert!(parse_sqlite_text(text).is_some(), "{text}");
        }
    }

    #[test]
    fn other_shapes_are_left_to_the_general_parser() {
        for text in [
            "2026-11-28T14:27:04",
            "2026-11-28 14:27:04Z",
            "2026-11-28 14:27:04+01:00",
            "2026-11-28 14:27",
            "2026-11-28 14:27:04.",
            "2026-11-28 14:27:04.1234567890",
            "2025-02-29 10:00:00",
            "2026-13-01 10:00:00",
            "2026-11-28 24:00:00",
            "2016-12-31 23:59:60",
            "2460642.5",
            "åäö-11-28 14:27:04",
        ] {
            assert_eq!(parse_sqlite_text(text), None, "{text}");
        }
    }
}
