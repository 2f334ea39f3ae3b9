//! Which rows of the audit trail and of the event stream belong to a scope (portfolios and
//! further services): SQL built from index lookups, shared by both.

use crate::domain::object_type::ObjectType;

/// The rows of `table` (the audit trail, or the event stream: both have `object_type`,
/// `object_id` and `portfolio_id`) of a scope: the whole history of every object now in these portfolios (what
/// happened to a service before it moved here included), of these further services, and what
/// was recorded in the portfolios.
///
/// One union of index lookups, one per kind of object (by `object_type, object_id, id`), so
/// the database collects the scope's events from the indexes and pages through those — rather
/// than walking the whole trail and testing each event against the scope, whose cost grows
/// with the trail. The ids are the caller's own scope, read from the database, never client
/// text; they are written into the statement as integers. (The event stream's; the audit
/// trail keeps its portfolios' part filed as it is written: [`trail_scope_sql`].)
pub fn in_scope_sql(table: &str, portfolios: &[i64], services: &[i64]) -> String {
    let mut parts = collected_parts(table, portfolios);
    parts.extend(service_parts(table, services));
    union_sql(table, &parts, None)
}

/// The first rows of a scope in one direction of `id`: the `take` nearest past `after` (or
/// from the end). A page of a scope with no further filter needs no more of each part than
/// that, so each part stops at it (its index delivers it in order) instead of collecting the
/// scope's whole history first — which halved a 200-service portfolio's first page of a
/// million-event trail (bench/scale.sh).
#[derive(Debug, Clone, Copy)]
pub struct Nearest {
    pub descending: bool,
    pub after: Option<i64>,
    pub take: i64,
}

/// One lookup of a scope: `SELECT {key} FROM {from}`, where `from` ends in a `WHERE`.
struct Part {
    key: &'static str,
    from: String,
}

fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".to_string()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

fn of(table: &str, object_type: ObjectType, ids: &str) -> Part {
    Part {
        key: "id",
        from: format!(
            "{table} WHERE object_type = '{}' AND object_id IN ({ids})",
            object_type.as_str()
        ),
    }
}

/// The portfolios' part of a scope collected from the objects now in them (the event stream).
fn collected_parts(table: &str, portfolios: &[i64]) -> Vec<Part> {
    let p = id_list(portfolios);
    let services_now = format!("SELECT id FROM services WHERE portfolio_id IN ({p})");
    vec![
        Part {
            key: "id",
            from: format!("{table} WHERE portfolio_id IN ({p})"),
        },
        of(table, ObjectType::Portfolio, &p),
        of(table, ObjectType::Service, &services_now),
        // Role assignments by portfolio and by service apart: with OR, PostgreSQL scans.
        of(
            table,
            ObjectType::RoleAssignment,
            &format!("SELECT id FROM role_assignments WHERE portfolio_id IN ({p})"),
        ),
        of(
            table,
            ObjectType::RoleAssignment,
            &format!("SELECT id FROM role_assignments WHERE service_id IN ({services_now})"),
        ),
        of(
            table,
            ObjectType::Contract,
            &format!(
                "SELECT contract_id FROM contract_services WHERE service_id IN ({services_now})"
            ),
        ),
        of(
            table,
            ObjectType::Delivery,
            &format!("SELECT id FROM deliveries WHERE service_id IN ({services_now})"),
        ),
        of(
            table,
            ObjectType::ChangeRequest,
            &format!("SELECT id FROM change_requests WHERE service_id IN ({services_now})"),
        ),
    ]
}

/// The portfolios' part of the audit trail as filed when written (the table `audit_trails`,
/// kept by triggers to the same definition as [`collected_parts`]): one range of its key per
/// portfolio, so a page of one portfolio's trail reads a page of index entries, whatever the
/// portfolio holds.
fn filed_parts(portfolios: &[i64], nearest: Option<Nearest>) -> Vec<Part> {
    let filed = |p: String| Part {
        key: "event_id",
        from: format!("audit_trails WHERE portfolio_id IN ({p})"),
    };
    match nearest {
        Some(_) if !portfolios.is_empty() => {
            portfolios.iter().map(|p| filed(p.to_string())).collect()
        }
        _ => vec![filed(id_list(portfolios))],
    }
}

/// The further services' part of a scope: each service's own events and its role assignments'.
fn service_parts(table: &str, services: &[i64]) -> Vec<Part> {
    let s = id_list(services);
    vec![
        of(table, ObjectType::Service, &s),
        of(
            table,
            ObjectType::RoleAssignment,
            &format!("SELECT id FROM role_assignments WHERE service_id IN ({s})"),
        ),
    ]
}

fn union_sql(table: &str, parts: &[Part], nearest: Option<Nearest>) -> String {
    let parts: Vec<String> = match nearest {
        None => parts
            .iter()
            .map(|Part { key, from }| format!("SELECT {key} FROM {from}"))
            .collect(),
        Some(Nearest {
            descending,
            after,
            take,
        }) => {
            let (order, beyond) = if descending {
                ("DESC", "<")
            } else {
                ("ASC", ">")
            };
            parts
                .iter()
                .enumerate()
                .map(|(n, Part { key, from })| {
                    let bound = after.map_or(String::new(), |after| {
                        format!(" AND {key} {beyond} {after}")
                    });
                    format!(
                        "SELECT {key} FROM (SELECT {key} FROM {from}{bound} \
                         ORDER BY {key} {order} LIMIT {take}) AS part{n}"
                    )
                })
                .collect()
        }
    };
    format!("{table}.id IN ({})", parts.join(" UNION ALL "))
}

/// The audit trail of a scope: the portfolios' part as filed, the further services' part
/// collected.
pub fn trail_scope_sql(portfolios: &[i64], services: &[i64], nearest: Option<Nearest>) -> String {
    let mut parts = filed_parts(portfolios, nearest);
    if !services.is_empty() {
        parts.extend(service_parts("audit_events", services));
    }
    union_sql("audit_events", &parts, nearest)
}
