//! Events that dates make, not writes: `contract.notice_window_opened` (a contract's notice
//! deadline is now within the window), `contract.expired` (its term ended without renewal) and
//! `delivery.uncovered` (an active delivery lost valid cover, guidelines 4.7). A periodic scan
//! of every instance fires each once: its mark and its event are written together, and a mark
//! already written fires nothing.

use std::collections::HashSet;

use chrono::{NaiveDate, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;

use crate::api::contracts::view_of;
use crate::api::deliveries::DeliveryView;
use crate::auth::policy::Reach;
use crate::db::events::{append, NewEvent};
use crate::db::schema::{contracts, event_marks};
use crate::db::{self, contracts as contract_rows, deliveries, DbConnection};
use crate::error::AppResult;

/// A notice deadline this close opens the window (as the contracts list's `expiring`).
pub const NOTICE_WINDOW_DAYS: i64 = crate::domain::contract::EXPIRING_DAYS;

/// One event to fire, unless its mark exists.
struct Due {
    mark: String,
    event_type: &'static str,
    object_type: &'static str,
    object_id: i64,
    portfolio_id: Option<i64>,
    data: String,
}

fn json(view: &impl Serialize) -> String {
    serde_json::to_string(view).unwrap_or_else(|_| "null".into())
}

/// Fires what `today` makes due; the number of events fired.
pub fn scan(conn: &mut DbConnection, today: NaiveDate) -> AppResult<usize> {
    contract_rows::refresh_terms(conn, today)?;
    let fired: HashSet<String> = event_marks::table
        .select(event_marks::mark)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut due = Vec::new();
    let window_end = today + TimeDelta::days(NOTICE_WINDOW_DAYS);
    let live = contracts::table
        .filter(contracts::terminated_on.is_null())
        .select(contract_rows::Contract::as_select());
    let noticed: Vec<contract_rows::Contract> = live
        .filter(contracts::notice_deadline.ge(today))
        .filter(contracts::notice_deadline.le(window_end))
        .load(conn)?;
    for contract in &noticed {
        let deadline = contract.notice_deadline.unwrap_or(today);
        let mark = format!("contract.notice_window_opened:{}:{deadline}", contract.id);
        if !fired.contains(&mark) {
            due.push(contract_event(
                conn,
                contract,
                mark,
                "contract.notice_window_opened",
                today,
            )?);
        }
    }
    let expired: Vec<contract_rows::Contract> = live
        .filter(contracts::current_term_end.lt(today))
        .load(conn)?;
    for contract in &expired {
        let end = contract.current_term_end.unwrap_or(today);
        let mark = format!("contract.expired:{}:{end}", contract.id);
        if !fired.contains(&mark) {
            due.push(contract_event(
                conn,
                contract,
                mark,
                "contract.expired",
                today,
            )?);
        }
    }
    for row in deliveries::all_uncovered(conn, &Reach::everywhere(), today)? {
        let d = &row.delivery;
        let reason = row.uncovered.map(|r| r.as_str()).unwrap_or("uncovered");
        let contract = d.contract_id.map(|c| c.to_string()).unwrap_or_default();
        let mark = format!("delivery.uncovered:{}:{contract}:{reason}", d.id);
        if !fired.contains(&mark) {
            due.push(Due {
                mark,
                event_type: "delivery.uncovered",
                object_type: "delivery",
                object_id: d.id,
                portfolio_id: row.portfolio_id,
                data: json(&DeliveryView::of(&row, today)),
            });
        }
    }
    // A batch per transaction: the first scan of a large database fires thousands, and one
    // transaction would hold SQLite's single writer (and every request's write) that long.
    // The marks make a batch that is retried, or raced by another instance, fire nothing twice.
    let mut fired = 0;
    for batch in due.chunks(FIRE_BATCH) {
        fired += db::write_transaction(conn, |conn| fire(conn, batch))?;
    }
    Ok(fired)
}

/// How many date events one transaction fires at most.
const FIRE_BATCH: usize = 200;

fn contract_event(
    conn: &mut DbConnection,
    contract: &contract_rows::Contract,
    mark: String,
    event_type: &'static str,
    today: NaiveDate,
) -> AppResult<Due> {
    Ok(Due {
        mark,
        event_type,
        object_type: "contract",
        object_id: contract.id,
        portfolio_id: None,
        data: json(&view_of(conn, contract, today)?),
    })
}

/// Writes each mark not written meanwhile, and its event.
fn fire(conn: &mut DbConnection, due: &[Due]) -> AppResult<usize> {
    let occurred_at = db::now();
    let mut fired = 0;
    for d in due {
        let taken: i64 = event_marks::table
            .filter(event_marks::mark.eq(&d.mark))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            continue;
        }
        let event_id = append(
            conn,
            &NewEvent {
                event_type: d.event_type,
                occurred_at,
                object_type: d.object_type,
                object_id: d.object_id,
                portfolio_id: d.portfolio_id,
                data: Some(&d.data),
                import_id: None,
            },
        )?;
        diesel::insert_into(event_marks::table)
            .values((
                event_marks::mark.eq(&d.mark),
                event_marks::event_id.eq(event_id),
                event_marks::created_at.eq(occurred_at),
            ))
            .execute(conn)?;
        fired += 1;
    }
    Ok(fired)
}
