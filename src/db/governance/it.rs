//! Findings about the IT environment (guidelines 1, 4.1): the management group's review of the
//! architecture, systems not reviewed, services resting on systems that are going or gone,
//! systems nobody answers for.

use diesel::sql_types::{BigInt, Text};

use super::*;
use crate::db::schema::{audit_events, information_systems, people};
use crate::domain::governance::{months_after, months_before, service_finding};
use crate::domain::it::SystemLifecycle;

/// No review of the FTA and the IT environment for `architecture_review_months`, or none ever
/// (for those who read the whole report: the architecture is the management group's).
pub(super) fn architecture_review_overdue(
    conn: &mut DbConnection,
    reach: &Reach,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    if !reach.everywhere {
        return Ok(Vec::new());
    }
    let months = thresholds.architecture_review_months;
    let last = crate::db::information_systems::last_review(conn)?;
    if last.is_some_and(|at| at > months_before(now, months)) {
        return Ok(Vec::new());
    }
    Ok(vec![Finding {
        rule: Rule::ArchitectureReviewOverdue,
        object_type: ObjectKind::Architecture,
        object_id: 0,
        object_slug: None,
        object_name: "FTA".into(),
        portfolio_id: None,
        since: last.map(|at| months_after(at, months).date()),
        detail: last.map_or(Detail::None, |at| Detail::Date(at.date())),
    }])
}

/// Systems in use not reviewed for `system_review_months`.
pub(super) fn systems_not_reviewed(
    conn: &mut DbConnection,
    reach: &Reach,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    if !reach.everywhere {
        return Ok(Vec::new());
    }
    let months = thresholds.system_review_months;
    let rows: Vec<(i64, String, String, NaiveDateTime)> = information_systems::table
        .filter(information_systems::lifecycle.eq(SystemLifecycle::InUse.as_str()))
        .filter(information_systems::reviewed_at.le(months_before(now, months)))
        .order(information_systems::id)
        .select((
            information_systems::id,
            information_systems::slug,
            information_systems::name,
            information_systems::reviewed_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, reviewed)| Finding {
            rule: Rule::SystemReviewOverdue,
            object_type: ObjectKind::InformationSystem,
            object_id: id,
            object_slug: Some(slug),
            object_name: name,
            portfolio_id: None,
            since: Some(months_after(reviewed, months).date()),
            detail: Detail::Date(reviewed.date()),
        })
        .collect())
}

#[derive(QueryableByName)]
struct Resting {
    #[diesel(sql_type = BigInt)]
    service_id: i64,
    #[diesel(sql_type = Text)]
    lifecycle: String,
    #[diesel(sql_type = Text)]
    slug: String,
}

/// The services in operation (in reach) that depend on a retired or phasing-out system,
/// directly or through other systems: one recursive query from those systems up.
pub(super) fn services_on_retired_systems(
    conn: &mut DbConnection,
    operating: &[ServiceRecord],
) -> AppResult<Vec<Finding>> {
    if operating.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Resting> = diesel::sql_query(
        "WITH RECURSIVE going(id, origin) AS (\
           SELECT id, id FROM information_systems WHERE lifecycle IN ('retired', 'phasing_out') \
           UNION \
           SELECT d.information_system_id, g.origin FROM system_dependencies d JOIN going g ON d.depends_on_id = g.id) \
         SELECT DISTINCT sd.service_id AS service_id, s.lifecycle AS lifecycle, s.slug AS slug \
           FROM service_dependencies sd JOIN going g ON sd.information_system_id = g.id \
           JOIN information_systems s ON s.id = g.origin \
           ORDER BY sd.service_id, s.slug",
    )
    .load(conn)?;
    let mut found: Vec<Finding> = Vec::new();
    for service in operating {
        let rests: Vec<&Resting> = rows.iter().filter(|r| r.service_id == service.id).collect();
        // The worst first: a retired system, else one phasing out.
        let worst = rests
            .iter()
            .find(|r| r.lifecycle == SystemLifecycle::Retired.as_str())
            .or(rests.first());
        if let Some(r) = worst {
            let mut finding = service_finding(service, Rule::ServiceOnRetiredSystem, None);
            let lifecycle = r.lifecycle.parse().unwrap_or(SystemLifecycle::Retired);
            finding.detail = Detail::System(r.slug.clone(), lifecycle);
            found.push(finding);
        }
    }
    Ok(found)
}

/// Systems not retired whose responsible is unset, or holds no role any more: no active
/// assignment, nor a global role of the model seen in the audit trail (token roles).
pub(super) fn systems_without_responsible(
    conn: &mut DbConnection,
    reach: &Reach,
    model: &Model,
) -> AppResult<Vec<Finding>> {
    if !reach.everywhere {
        return Ok(Vec::new());
    }
    let systems: Vec<(i64, String, String, Option<String>)> = information_systems::table
        .filter(information_systems::lifecycle.ne(SystemLifecycle::Retired.as_str()))
        .order(information_systems::id)
        .select((
            information_systems::id,
            information_systems::slug,
            information_systems::name,
            information_systems::responsible,
        ))
        .load(conn)?;
    let mut subs: Vec<String> = systems.iter().filter_map(|s| s.3.clone()).collect();
    subs.sort();
    subs.dedup();
    let mut holding: HashSet<String> = role_assignments::table
        .inner_join(people::table)
        .filter(people::sub.eq_any(&subs))
        .filter(role_assignments::ended_at.is_null())
        .select(people::sub)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    for role in model.roles.iter().filter(|r| r.is_global()) {
        let rest: Vec<&String> = subs.iter().filter(|s| !holding.contains(*s)).collect();
        if rest.is_empty() {
            break;
        }
        // A global role's label in `actor_roles` is its bare code, quoted in the JSON array.
        let label = format!("%\"{}\"%", role.code.as_str().replace('_', "\\_"));
        let seen: Vec<String> = audit_events::table
            .filter(audit_events::actor_sub.eq_any(rest))
            .filter(audit_events::actor_roles.like(label).escape('\\'))
            .select(audit_events::actor_sub)
            .distinct()
            .load(conn)?;
        holding.extend(seen);
    }
    Ok(systems
        .into_iter()
        .filter(|s| s.3.as_ref().is_none_or(|sub| !holding.contains(sub)))
        .map(|(id, slug, name, responsible)| Finding {
            rule: Rule::SystemWithoutResponsible,
            object_type: ObjectKind::InformationSystem,
            object_id: id,
            object_slug: Some(slug),
            object_name: name,
            portfolio_id: None,
            since: None,
            detail: responsible.map_or(Detail::None, Detail::Text),
        })
        .collect())
}
