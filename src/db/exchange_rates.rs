//! Växelkurser: SEK per unit of a currency and year, recorded by the controller for the
//! economics report (amounts in other currencies are converted with them, never guessed).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::exchange_rates;
use super::DbConnection;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exchange_rates)]
pub struct ExchangeRate {
    pub id: i64,
    pub currency: String,
    pub year: i32,
    pub sek_per_unit_micro: i64,
    pub note: String,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, currency: &str, year: i32) -> AppResult<Option<ExchangeRate>> {
    Ok(exchange_rates::table
        .filter(exchange_rates::currency.eq(currency))
        .filter(exchange_rates::year.eq(year))
        .select(ExchangeRate::as_select())
        .first(conn)
        .optional()?)
}

/// Every rate, or those of one year or currency; newest year first, then by currency.
pub fn list(
    conn: &mut DbConnection,
    year: Option<i32>,
    currency: Option<&str>,
) -> AppResult<Vec<ExchangeRate>> {
    let mut query = exchange_rates::table
        .select(ExchangeRate::as_select())
        .order((exchange_rates::year.desc(), exchange_rates::currency.asc()))
        .into_boxed();
    if let Some(year) = year {
        query = query.filter(exchange_rates::year.eq(year));
    }
    if let Some(currency) = currency {
        query = query.filter(exchange_rates::currency.eq(currency.to_string()));
    }
    Ok(query.load(conn)?)
}

/// Sets a rate: inserted, or changed if it still has the version of `current`.
pub fn set(
    conn: &mut DbConnection,
    currency: &str,
    year: i32,
    sek_per_unit_micro: i64,
    note: &str,
    current: Option<&ExchangeRate>,
) -> AppResult<ExchangeRate> {
    let now = super::now();
    match current {
        None => Ok(diesel::insert_into(exchange_rates::table)
            .values((
                exchange_rates::currency.eq(currency),
                exchange_rates::year.eq(year),
                exchange_rates::sek_per_unit_micro.eq(sek_per_unit_micro),
                exchange_rates::note.eq(note),
                exchange_rates::version.eq(1),
                exchange_rates::created_at.eq(now),
                exchange_rates::updated_at.eq(now),
            ))
            .returning(exchange_rates::all_columns)
            .get_result(conn)?),
        Some(rate) => crate::db::update_versioned!(
            conn,
            exchange_rates,
            rate,
            at = now,
            (
                exchange_rates::sek_per_unit_micro.eq(sek_per_unit_micro),
                exchange_rates::note.eq(note),
            )
        ),
    }
}
