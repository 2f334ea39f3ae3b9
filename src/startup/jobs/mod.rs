//! The background work of every instance: the event sequencer, the date scan, the audit sealer.

pub mod dates;

use crate::db::{self, DbPool};
use crate::error::AppError;
use std::time::Duration;

/// PostgreSQL: gives new events their stream positions (db::events::sequence) every 100 ms, so
/// that a committed change reaches readers and webhooks within about that. Any number of
/// instances; one places at a time.
pub(super) fn spawn_sequencer(pool: DbPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match db::run(&pool, db::events::sequence).await {
                Ok(_) | Err(AppError::TransactionConflict) | Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("placing events in the stream failed: {}", e.cause()),
            }
        }
    });
}

/// Every `seconds` (and soon after start): the events that dates make ([`dates`]).
/// Instances scanning at once fire each event once; a collision waits for the next scan.
pub(super) fn spawn_date_scan(pool: DbPool, seconds: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(seconds));
        loop {
            tick.tick().await;
            let scanned = crate::db::run(&pool, |conn| dates::scan(conn, crate::db::today())).await;
            match scanned {
                Ok(n) if n > 0 => log::info!("fired {n} date-driven events"),
                Ok(_) | Err(AppError::TransactionConflict) | Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("scanning for date-driven events failed: {}", e.cause()),
            }
        }
    });
}

/// Every second: seals the audit trail's settled events (db::seal), and folds the appended
/// row-count changes into their totals (db::row_counts). Two instances on one PostgreSQL both
/// try; the serializable write lets one extend the chain, the other retries on its next tick.
pub(super) fn spawn_sealer(pool: DbPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut folded_since_vacuum = 0;
        loop {
            tick.tick().await;
            match db::run(&pool, db::row_counts::fold_changes).await {
                Ok(folded) => folded_since_vacuum += folded,
                Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("folding the row counts failed: {}", e.cause()),
            }
            if folded_since_vacuum >= db::row_counts::VACUUM_AFTER {
                folded_since_vacuum = 0;
                if let Err(e) = db::run(&pool, db::row_counts::vacuum_changes).await {
                    log::warn!(
                        "vacuuming the folded row-count changes failed: {}",
                        e.cause()
                    );
                }
            }
            // A full batch means more are waiting (a backlog after an import or a burst):
            // go on at once rather than a batch a second.
            loop {
                // In turn with the requests' writes (on SQLite one writer serves both).
                let sealed =
                    db::run_write(&pool, |conn| db::seal::seal_pending(conn, db::now())).await;
                match sealed {
                    Ok(n) if n as i64 == db::seal::BATCH => {
                        log::debug!("sealed {n} audit events");
                        tokio::task::yield_now().await;
                    }
                    Ok(0) | Err(AppError::TransactionConflict) | Err(AppError::Unavailable(_)) => {
                        break
                    }
                    Ok(n) => {
                        log::debug!("sealed {n} audit events");
                        break;
                    }
                    Err(e) => {
                        log::warn!("sealing the audit trail failed: {}", e.cause());
                        break;
                    }
                }
            }
        }
    });
}
