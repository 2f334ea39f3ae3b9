//! Uppföljning av kundrelationer: meetings, surveys, delivery reviews and complaints with one
//! customer organization, naming the services and needs they concerned.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{deliveries, follow_up_needs, follow_up_services, follow_ups, needs, services};
use super::scope::services_in_reach;
use super::{DbConnection, Page};
use crate::domain::access::Reach;
use crate::domain::need::{FollowUpKind, Score};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_ups)]
pub struct FollowUp {
    pub id: i64,
    pub organization_id: i64,
    pub held_on: NaiveDate,
    pub kind: String,
    pub satisfaction: Option<i32>,
    pub summary: String,
    pub actions: Option<String>,
    pub recorded_by: String,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

impl FollowUp {
    /// The stored kind; the CHECK constraint keeps it one of the four.
    pub fn kind(&self) -> FollowUpKind {
        self.kind.parse().unwrap_or(FollowUpKind::Meeting)
    }

    pub fn satisfaction(&self) -> Option<Score> {
        self.satisfaction.and_then(|s| Score::try_from(s).ok())
    }
}

/// A follow-up as recorded, already checked.
pub struct NewFollowUp<'a> {
    pub organization_id: i64,
    pub held_on: NaiveDate,
    pub kind: FollowUpKind,
    pub satisfaction: Option<Score>,
    pub summary: &'a str,
    pub actions: Option<&'a str>,
    pub service_ids: &'a [i64],
    pub need_ids: &'a [i64],
    pub recorded_by: &'a str,
}

pub fn insert(conn: &mut DbConnection, new: &NewFollowUp<'_>) -> AppResult<FollowUp> {
    let now = super::now();
    let created: FollowUp = diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::organization_id.eq(new.organization_id),
            follow_ups::held_on.eq(new.held_on),
            follow_ups::kind.eq(new.kind.as_str()),
            follow_ups::satisfaction.eq(new.satisfaction.map(Score::get)),
            follow_ups::summary.eq(new.summary),
            follow_ups::actions.eq(new.actions),
            follow_ups::recorded_by.eq(new.recorded_by),
            follow_ups::version.eq(1),
            follow_ups::created_at.eq(now),
            follow_ups::updated_at.eq(now),
        ))
        .returning(follow_ups::all_columns)
        .get_result(conn)?;
    for service in new.service_ids {
        diesel::insert_into(follow_up_services::table)
            .values((
                follow_up_services::follow_up_id.eq(created.id),
                follow_up_services::service_id.eq(*service),
            ))
            .execute(conn)?;
    }
    for need in new.need_ids {
        diesel::insert_into(follow_up_needs::table)
            .values((
                follow_up_needs::follow_up_id.eq(created.id),
                follow_up_needs::need_id.eq(*need),
            ))
            .execute(conn)?;
    }
    Ok(created)
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<FollowUp> {
    follow_ups::table
        .find(id)
        .select(FollowUp::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such follow-up."))
}

/// The services (with their portfolios) and the needs these follow-ups name.
#[derive(Debug, Default)]
pub struct Named {
    /// (follow-up, service, the service's portfolio)
    pub services: Vec<(i64, i64, Option<i64>)>,
    /// (follow-up, need)
    pub needs: Vec<(i64, i64)>,
}

pub fn named_by(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Named> {
    let services = super::in_pieces(ids, |ids| services_named_by(conn, ids))?;
    let needs = super::in_pieces(ids, |ids| {
        Ok(follow_up_needs::table
            .filter(follow_up_needs::follow_up_id.eq_any(ids))
            .order((follow_up_needs::follow_up_id, follow_up_needs::need_id))
            .select((follow_up_needs::follow_up_id, follow_up_needs::need_id))
            .load(conn)?)
    })?;
    Ok(Named { services, needs })
}

fn services_named_by(
    conn: &mut DbConnection,
    ids: &[i64],
) -> AppResult<Vec<(i64, i64, Option<i64>)>> {
    Ok(follow_up_services::table
        .inner_join(services::table.on(services::id.eq(follow_up_services::service_id)))
        .filter(follow_up_services::follow_up_id.eq_any(ids))
        .order((
            follow_up_services::follow_up_id,
            follow_up_services::service_id,
        ))
        .select((
            follow_up_services::follow_up_id,
            follow_up_services::service_id,
            services::portfolio_id,
        ))
        .load(conn)?)
}

/// Of `service_ids`, those `organization_id` has never had a delivery of.
pub fn not_delivered(
    conn: &mut DbConnection,
    organization_id: i64,
    service_ids: &[i64],
) -> AppResult<Vec<i64>> {
    let delivered: Vec<i64> = deliveries::table
        .filter(deliveries::organization_id.eq(organization_id))
        .filter(deliveries::service_id.eq_any(service_ids))
        .select(deliveries::service_id)
        .distinct()
        .load(conn)?;
    Ok(service_ids
        .iter()
        .copied()
        .filter(|s| !delivered.contains(s))
        .collect())
}

/// Of `ids`, those that are no need.
pub fn missing_needs(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<i64>> {
    let found: Vec<i64> = needs::table
        .filter(needs::id.eq_any(ids))
        .select(needs::id)
        .load(conn)?;
    Ok(ids.iter().copied().filter(|i| !found.contains(i)).collect())
}

#[derive(Debug, Default)]
pub struct FollowUpFilter {
    pub organization_id: Option<i64>,
    pub service_id: Option<i64>,
    pub kind: Option<FollowUpKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

pub const SORT_FIELDS: &[&str] = &["date", "created_at"];

type Backend = <DbConnection as diesel::Connection>::Backend;

fn filtered(filter: &FollowUpFilter, reach: &Reach) -> follow_ups::BoxedQuery<'static, Backend> {
    let mut q = follow_ups::table.into_boxed();
    if !reach.everywhere {
        // In reach through a named service in the caller's scope.
        q = q.filter(
            follow_ups::id.eq_any(
                follow_up_services::table
                    .filter(follow_up_services::service_id.eq_any(services_in_reach(reach)))
                    .select(follow_up_services::follow_up_id),
            ),
        );
    }
    if let Some(o) = filter.organization_id {
        q = q.filter(follow_ups::organization_id.eq(o));
    }
    if let Some(s) = filter.service_id {
        q = q.filter(
            follow_ups::id.eq_any(
                follow_up_services::table
                    .filter(follow_up_services::service_id.eq(s))
                    .select(follow_up_services::follow_up_id),
            ),
        );
    }
    if let Some(k) = filter.kind {
        q = q.filter(follow_ups::kind.eq(k.as_str()));
    }
    if let Some(from) = filter.from {
        q = q.filter(follow_ups::held_on.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(follow_ups::held_on.le(to));
    }
    q
}

pub fn list(
    conn: &mut DbConnection,
    filter: &FollowUpFilter,
    reach: &Reach,
    page: &Page,
) -> AppResult<(i64, Vec<FollowUp>)> {
    let count = filtered(filter, reach).count().get_result(conn)?;
    let q = filtered(filter, reach);
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("created_at", false) => q.order(follow_ups::created_at.asc()),
        ("created_at", true) => q.order(follow_ups::created_at.desc()),
        (_, true) => q.order(follow_ups::held_on.desc()),
        (_, false) => q.order(follow_ups::held_on.asc()),
    };
    let rows = q
        .then_order_by(follow_ups::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(FollowUp::as_select())
        .load(conn)?;
    Ok((count, rows))
}
