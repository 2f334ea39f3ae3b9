//! What realises a need (links to a service, a change request, a plan activity) and the
//! customers who share it (endorsements).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::{
    change_requests, need_endorsements, need_links, organizations, plan_items, services,
};
use super::super::DbConnection;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::need::LinkKind;
use crate::domain::plan::{ChangeRequestStatus, Progress};
use crate::error::{AppError, AppResult};

/// A link, with whether what it points at is done.
#[derive(Debug, Clone)]
pub struct Link {
    pub id: i64,
    pub need_id: i64,
    pub kind: LinkKind,
    pub object_id: i64,
    pub done: bool,
    /// When it was done, as near as the object records it: a service's last lifecycle change
    /// (into operation, or on to decommissioning), a request's release, an activity's last
    /// change.
    pub done_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

type LinkRow = (
    (
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        super::super::timestamps::Stored,
    ),
    (Option<String>, Option<NaiveDateTime>),
    (Option<String>, Option<NaiveDateTime>),
    (Option<String>, Option<NaiveDateTime>),
);

fn link_of(row: LinkRow) -> Option<Link> {
    let (
        (id, need_id, service, request, item, created_by, created_at),
        service_at,
        request_at,
        item_at,
    ) = row;
    let (kind, object_id, done, at) = match (service, request, item) {
        (Some(s), _, _) => (
            LinkKind::Service,
            s,
            service_at
                .0
                .and_then(|l| l.parse::<Lifecycle>().ok())
                .is_some_and(Lifecycle::under_management),
            service_at.1,
        ),
        (_, Some(r), _) => (
            LinkKind::ChangeRequest,
            r,
            request_at.0.as_deref() == Some(ChangeRequestStatus::Released.as_str()),
            request_at.1,
        ),
        (_, _, Some(i)) => (
            LinkKind::PlanItem,
            i,
            item_at.0.as_deref() == Some(Progress::Done.as_str()),
            item_at.1,
        ),
        // The CHECK constraint keeps exactly one.
        _ => return None,
    };
    Some(Link {
        id,
        need_id,
        kind,
        object_id,
        done,
        done_at: if done { at } else { None },
        created_by,
        created_at: created_at.0,
    })
}

/// The links of these needs, each with whether its object is done, in one query.
pub fn links_of(conn: &mut DbConnection, need_ids: &[i64]) -> AppResult<Vec<Link>> {
    let rows = super::super::in_pieces(need_ids, |ids| links_rows(conn, ids))?;
    Ok(rows.into_iter().filter_map(link_of).collect())
}

fn links_rows(conn: &mut DbConnection, need_ids: &[i64]) -> AppResult<Vec<LinkRow>> {
    Ok(need_links::table
        .left_join(services::table.on(services::id.nullable().eq(need_links::service_id)))
        .left_join(
            change_requests::table.on(change_requests::id
                .nullable()
                .eq(need_links::change_request_id)),
        )
        .left_join(plan_items::table.on(plan_items::id.nullable().eq(need_links::plan_item_id)))
        .filter(need_links::need_id.eq_any(need_ids))
        .order(need_links::id.asc())
        .select((
            (
                need_links::id,
                need_links::need_id,
                need_links::service_id,
                need_links::change_request_id,
                need_links::plan_item_id,
                need_links::created_by,
                need_links::created_at,
            ),
            (
                services::lifecycle.nullable(),
                services::lifecycle_changed_at.nullable(),
            ),
            (
                change_requests::status.nullable(),
                change_requests::released_at.nullable(),
            ),
            (
                plan_items::progress.nullable(),
                plan_items::updated_at.nullable(),
            ),
        ))
        .load(conn)?)
}

/// Links `need` to one object: 409 when it already points at it.
pub fn insert_link(
    conn: &mut DbConnection,
    need_id: i64,
    kind: LinkKind,
    object_id: i64,
    by: &str,
) -> AppResult<i64> {
    let (service, request, item) = match kind {
        LinkKind::Service => (Some(object_id), None, None),
        LinkKind::ChangeRequest => (None, Some(object_id), None),
        LinkKind::PlanItem => (None, None, Some(object_id)),
    };
    let existing: i64 = need_links::table
        .filter(need_links::need_id.eq(need_id))
        .filter(
            need_links::service_id
                .eq(service)
                .or(need_links::change_request_id.eq(request))
                .or(need_links::plan_item_id.eq(item)),
        )
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Err(AppError::conflict(format!(
            "The need already points at that {}.",
            kind.as_str().replace('_', " ")
        )));
    }
    Ok(diesel::insert_into(need_links::table)
        .values((
            need_links::need_id.eq(need_id),
            need_links::service_id.eq(service),
            need_links::change_request_id.eq(request),
            need_links::plan_item_id.eq(item),
            need_links::created_by.eq(by),
            need_links::created_at.eq(super::super::now()),
        ))
        .returning(need_links::id)
        .get_result(conn)?)
}

/// Removes a link of `need_id`: false when it has no such link.
pub fn delete_link(conn: &mut DbConnection, need_id: i64, link_id: i64) -> AppResult<bool> {
    let deleted = diesel::delete(
        need_links::table
            .filter(need_links::id.eq(link_id))
            .filter(need_links::need_id.eq(need_id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// The needs that point at these services (what a service shows as its needs): (service,
/// need) pairs, by need.
pub fn needs_of_services(
    conn: &mut DbConnection,
    service_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    super::super::in_pieces(service_ids, |ids| {
        Ok(need_links::table
            .filter(need_links::service_id.eq_any(ids))
            .order(need_links::need_id.asc())
            .select((
                need_links::service_id.assume_not_null(),
                need_links::need_id,
            ))
            .load(conn)?)
    })
}

/// Links a new proposal to the needs it answers.
pub fn link_proposal(
    conn: &mut DbConnection,
    service_id: i64,
    need_ids: &[i64],
    by: &str,
) -> AppResult<()> {
    let now = super::super::now();
    for need in need_ids {
        diesel::insert_into(need_links::table)
            .values((
                need_links::need_id.eq(*need),
                need_links::service_id.eq(Some(service_id)),
                need_links::created_by.eq(by),
                need_links::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A customer sharing a need.
#[derive(Debug, Clone, Queryable)]
pub struct Endorsement {
    pub id: i64,
    pub need_id: i64,
    pub organization_id: i64,
    pub organization_slug: String,
    pub organization_name: String,
    pub note: Option<String>,
    pub endorsed_by: String,
    #[diesel(deserialize_as = super::super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
}

/// The endorsements of these needs, oldest first, with each organization's name.
pub fn endorsements_of(conn: &mut DbConnection, need_ids: &[i64]) -> AppResult<Vec<Endorsement>> {
    super::super::in_pieces(need_ids, |ids| endorsements_in(conn, ids))
}

fn endorsements_in(conn: &mut DbConnection, need_ids: &[i64]) -> AppResult<Vec<Endorsement>> {
    Ok(need_endorsements::table
        .inner_join(organizations::table)
        .filter(need_endorsements::need_id.eq_any(need_ids))
        .order((need_endorsements::need_id, need_endorsements::id))
        .select((
            need_endorsements::id,
            need_endorsements::need_id,
            need_endorsements::organization_id,
            organizations::slug,
            organizations::name,
            need_endorsements::note,
            need_endorsements::endorsed_by,
            need_endorsements::created_at,
        ))
        .load(conn)?)
}

/// Records that `organization_id` shares the need: 409 when it already did.
pub fn endorse(
    conn: &mut DbConnection,
    need_id: i64,
    organization_id: i64,
    note: Option<&str>,
    by: &str,
) -> AppResult<i64> {
    let already: i64 = need_endorsements::table
        .filter(need_endorsements::need_id.eq(need_id))
        .filter(need_endorsements::organization_id.eq(organization_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Err(AppError::conflict(
            "That organization already endorses the need.",
        ));
    }
    Ok(diesel::insert_into(need_endorsements::table)
        .values((
            need_endorsements::need_id.eq(need_id),
            need_endorsements::organization_id.eq(organization_id),
            need_endorsements::note.eq(note),
            need_endorsements::endorsed_by.eq(by),
            need_endorsements::created_at.eq(super::super::now()),
        ))
        .returning(need_endorsements::id)
        .get_result(conn)?)
}
