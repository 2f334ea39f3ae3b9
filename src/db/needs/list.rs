//! The list of needs: its filters, its orderings and the needs in a caller's reach.

use diesel::dsl::{exists, not, sql};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::super::schema::{need_endorsements, need_links, needs, services};
use super::super::scope::services_in_reach;
use super::super::{like_pattern, DbConnection, Page};
use super::Need;
use crate::domain::access::Reach;
use crate::domain::action::ObjectClass;
use crate::domain::need::{Channel, NeedStatus, Outcome};
use crate::error::AppResult;

type Backend = <DbConnection as diesel::Connection>::Backend;
type Condition = Box<dyn BoxableExpression<needs::table, Backend, SqlType = Bool>>;

/// A need with the current portfolio of its service (a service may move; the need follows).
pub type NeedRow = (Need, Option<i64>);

impl Need {
    /// The portfolio the need belongs to now: its service's, or its own when it names none.
    pub fn placed_in(&self, service_portfolio: Option<i64>) -> Option<i64> {
        match self.service_id {
            Some(_) => service_portfolio,
            None => self.portfolio_id,
        }
    }
}

#[derive(Debug, Default)]
pub struct NeedFilter {
    pub status: Option<NeedStatus>,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    /// Needs that point at this service to be realised.
    pub linked_service_id: Option<i64>,
    /// The source or an endorser.
    pub organization_id: Option<i64>,
    pub channel: Option<Channel>,
    pub outcome: Option<Outcome>,
    pub realised: Option<bool>,
    pub q: Option<String>,
}

pub const SORT_FIELDS: &[&str] = &["created_at", "endorsement_count", "value"];

/// Decided, pointing at something, and everything it points at done. The same rule as
/// `domain::need::realised`, in SQL for the filter; fixed text, no input.
fn realised() -> Condition {
    Box::new(sql::<Bool>(
        "(needs.status = 'decided' \
         AND EXISTS (SELECT 1 FROM need_links l WHERE l.need_id = needs.id) \
         AND NOT EXISTS (SELECT 1 FROM need_links l WHERE l.need_id = needs.id AND (\
           l.service_id IN (SELECT id FROM services WHERE lifecycle NOT IN ('in_operation', 'decommissioning')) \
           OR l.change_request_id IN (SELECT id FROM change_requests WHERE status <> 'released') \
           OR l.plan_item_id IN (SELECT id FROM plan_items WHERE progress <> 'done'))))",
    ))
}

/// Needs whose service is in `portfolio` now, or that name only that portfolio.
fn in_portfolio(portfolio: i64) -> Condition {
    Box::new(
        needs::service_id
            .is_null()
            .and(needs::portfolio_id.eq(portfolio))
            .or(needs::service_id.eq_any(
                services::table
                    .filter(services::portfolio_id.eq(portfolio))
                    .select(services::id.nullable()),
            ))
            .assume_not_null(),
    )
}

/// The needs the caller may read: everywhere; of a service in reach; placed only in a
/// portfolio in reach; unplaced, for a role on unplaced needs; or their own.
pub fn in_reach(reach: &Reach) -> Condition {
    if reach.everywhere {
        return Box::new(true.into_sql::<Bool>());
    }
    let mut condition: Condition = Box::new(
        needs::service_id
            .assume_not_null()
            .eq_any(services_in_reach(reach))
            .or(needs::service_id
                .is_null()
                .and(needs::portfolio_id.eq_any(reach.portfolio_wide.clone())))
            .assume_not_null(),
    );
    if reach.classes.contains(&ObjectClass::UnplacedNeed) {
        let unplaced = needs::service_id
            .is_null()
            .and(needs::portfolio_id.is_null())
            .or(needs::service_id.eq_any(
                services::table
                    .filter(services::portfolio_id.is_null())
                    .select(services::id.nullable()),
            ))
            .assume_not_null();
        condition = Box::new(condition.or(unplaced));
    }
    if let Some(sub) = &reach.submitter {
        condition = Box::new(condition.or(needs::created_by.eq(sub.clone())));
    }
    condition
}

fn filtered(filter: &NeedFilter, reach: &Reach) -> needs::BoxedQuery<'static, Backend> {
    let mut q = needs::table.into_boxed().filter(in_reach(reach));
    if let Some(s) = filter.status {
        q = q.filter(needs::status.eq(s.as_str()));
    }
    if let Some(p) = filter.portfolio_id {
        q = q.filter(in_portfolio(p));
    }
    if let Some(s) = filter.service_id {
        q = q.filter(needs::service_id.eq(s));
    }
    if let Some(s) = filter.linked_service_id {
        q = q.filter(
            needs::id.eq_any(
                need_links::table
                    .filter(need_links::service_id.eq(s))
                    .select(need_links::need_id),
            ),
        );
    }
    if let Some(o) = filter.organization_id {
        q = q.filter(
            needs::source_organization_id.eq(o).or(exists(
                need_endorsements::table
                    .filter(need_endorsements::need_id.eq(needs::id))
                    .filter(need_endorsements::organization_id.eq(o)),
            )
            .nullable()),
        );
    }
    if let Some(c) = filter.channel {
        q = q.filter(needs::channel.eq(c.as_str()));
    }
    if let Some(o) = filter.outcome {
        q = q.filter(needs::outcome.eq(o.as_str()));
    }
    match filter.realised {
        Some(true) => q = q.filter(realised()),
        Some(false) => q = q.filter(not(realised())),
        None => {}
    }
    if let Some(text) = &filter.q {
        q = q.filter(needs::search_text.like(like_pattern(text)).escape('\\'));
    }
    q
}

pub fn list(
    conn: &mut DbConnection,
    filter: &NeedFilter,
    reach: &Reach,
    page: &Page,
) -> AppResult<(i64, Vec<NeedRow>)> {
    let count = filtered(filter, reach).count().get_result(conn)?;
    let q = filtered(filter, reach);
    // Needs without a value sort last either way, on both databases.
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("endorsement_count", false) => q.order(needs::endorsement_count.asc()),
        ("endorsement_count", true) => q.order(needs::endorsement_count.desc()),
        ("value", false) => q.order((needs::value.is_null(), needs::value.asc())),
        ("value", true) => q.order((needs::value.is_null(), needs::value.desc())),
        (_, true) => q.order(needs::created_at.desc()),
        (_, false) => q.order(needs::created_at.asc()),
    };
    let ids: Vec<i64> = q
        .then_order_by(needs::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(needs::id)
        .load(conn)?;
    let mut rows = with_service_portfolio(conn, &ids)?;
    let place: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|(need, _)| place.get(&need.id).copied());
    Ok((count, rows))
}

/// These needs, each with its service's current portfolio.
pub fn with_service_portfolio(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<NeedRow>> {
    super::super::in_pieces(ids, |ids| {
        Ok(needs::table
            .left_join(services::table.on(services::id.nullable().eq(needs::service_id)))
            .filter(needs::id.eq_any(ids))
            .select((Need::as_select(), services::portfolio_id.nullable()))
            .load(conn)?)
    })
}

/// The needs with these references, each with the portfolio of its service (an import's
/// natural keys).
pub fn with_references(conn: &mut DbConnection, references: &[String]) -> AppResult<Vec<NeedRow>> {
    super::super::in_pieces(references, |chunk| {
        Ok(needs::table
            .left_join(services::table.on(services::id.nullable().eq(needs::service_id)))
            .filter(needs::reference.eq_any(chunk))
            .select((Need::as_select(), services::portfolio_id.nullable()))
            .load(conn)?)
    })
}

/// Needs pointing at this plan activity (it cannot be deleted under them).
pub fn count_links_to_item(conn: &mut DbConnection, item_id: i64) -> AppResult<i64> {
    Ok(need_links::table
        .filter(need_links::plan_item_id.eq(item_id))
        .count()
        .get_result(conn)?)
}
