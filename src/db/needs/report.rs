//! What the needs report reads: every need as a light row, and every endorsement as a pair.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::{need_endorsements, needs, services};
use super::super::DbConnection;
use crate::error::AppResult;

/// A need as the report counts it.
#[derive(Debug, Clone, Queryable)]
pub struct NeedLine {
    pub id: i64,
    pub title: String,
    pub service_id: Option<i64>,
    pub portfolio_id: Option<i64>,
    pub service_portfolio_id: Option<i64>,
    pub status: String,
    pub outcome: Option<String>,
    pub source_organization_id: Option<i64>,
    pub endorsement_count: i64,
    #[diesel(deserialize_as = super::super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::super::timestamps::StoredOption)]
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
}

impl NeedLine {
    /// The portfolio it belongs to now (as `Need::placed_in`).
    pub fn placed_in(&self) -> Option<i64> {
        match self.service_id {
            Some(_) => self.service_portfolio_id,
            None => self.portfolio_id,
        }
    }
}

/// Every need, in one query.
pub fn lines(conn: &mut DbConnection) -> AppResult<Vec<NeedLine>> {
    Ok(needs::table
        .left_join(services::table.on(services::id.nullable().eq(needs::service_id)))
        .order(needs::id.asc())
        .select((
            needs::id,
            needs::title,
            needs::service_id,
            needs::portfolio_id,
            services::portfolio_id.nullable(),
            needs::status,
            needs::outcome,
            needs::source_organization_id,
            needs::endorsement_count,
            needs::created_at,
            needs::decided_at,
            needs::decided_by,
            needs::decision_reason,
        ))
        .load(conn)?)
}

/// Every endorsement as (need, organization), in one query.
pub fn endorsement_pairs(conn: &mut DbConnection) -> AppResult<Vec<(i64, i64)>> {
    Ok(need_endorsements::table
        .select((
            need_endorsements::need_id,
            need_endorsements::organization_id,
        ))
        .load(conn)?)
}
