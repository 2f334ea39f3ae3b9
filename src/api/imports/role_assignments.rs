//! Importing role assignments, matched by holder (`subject`), role and place (portfolio or
//! service by slug): a new one appointed as `POST /role-assignments` appoints, under the same
//! policy (who may appoint to the role, at most N holders per place, a place that takes
//! appointments). A row with `active` false is history: brought in as an appointment and its
//! revocation, both the importer's, unless an ended one is there already.

use std::collections::HashMap;

use super::file::Columns;
use super::record::{self, Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::role_assignments::{
    staffing, takes_appointments, validate, view_of, AssignmentView, NewAssignmentRequest, Place,
};
use crate::auth::policy::{Caller, Grant, Target};
use crate::db::audit::{Change, ObjectType};
use crate::db::portfolios::{self, Portfolio};
use crate::db::role_assignments::{self as assignments, Held, NewAssignment};
use crate::db::services::Service;
use crate::db::{self, people, DbConnection};
use crate::domain::role::{Delegation, Delegations, RoleCode};
use crate::error::{AppError, AppResult};

pub struct RoleAssignments;

/// A place: (portfolio, service).
type PlaceIds = (Option<i64>, Option<i64>);

/// What the rows name, looked up once for the whole file.
pub struct Known {
    /// Person id by sub.
    people: HashMap<String, i64>,
    /// Their assignments, active and ended.
    held: Vec<Held>,
    portfolios: HashMap<String, Portfolio>,
    services: HashMap<String, Service>,
    /// Active holders by role and place.
    holders: HashMap<(String, PlaceIds), i64>,
}

/// A planned appointment (and, for history, its revocation).
pub struct Write {
    subject: String,
    role: RoleCode,
    place: PlaceIds,
    delegations: Delegations,
    ended: bool,
    grant: Grant,
    /// The portfolio the audit files it under.
    portfolio_id: Option<i64>,
}

impl Kind for RoleAssignments {
    const COLUMNS: Columns = Columns {
        kind: "role_assignments",
        export: <AssignmentView as crate::api::CsvRecord>::HEADER,
        required: &["subject", "role"],
        ignored: &[
            "id",
            "subject_name",
            "person_id",
            "portfolio_id",
            "service_id",
            "accepted_at",
            "created_by",
            "ended_at",
            "ended_by",
            "version",
            "created_at",
            "updated_at",
        ],
    };
    const KEY: &'static str = "subject";
    const GROWS: &'static [&'static str] = &["role_assignments", "people"];
    type Write = Write;
    type Known = Known;

    fn key(record: &Record) -> Option<String> {
        let part = |c: &str| record.text(c).map(|t| t.trim().to_string());
        Some(format!(
            "{}|{}|{}|{}|{}",
            part("subject")?,
            part("role")?,
            part("portfolio_slug").unwrap_or_default(),
            part("service_slug").unwrap_or_default(),
            part("active").unwrap_or_default() != "false"
        ))
    }

    fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
        look_up(conn, records)
    }

    fn plan_row(
        _conn: &mut DbConnection,
        caller: &Caller,
        record: &Record,
        known: &mut Known,
    ) -> AppResult<Planned<Write>> {
        Ok(plan_row(caller, record, known))
    }
    fn apply(
        conn: &mut DbConnection,
        caller: &Caller,
        write: &Write,
    ) -> AppResult<(i64, Vec<Change>)> {
        let mut changes = Vec::new();
        let (person, appointed) = people::appointee(conn, &write.subject)?;
        changes.extend(appointed);
        let place = match write.place {
            (Some(p), _) => Place::Portfolio(p),
            (None, Some(s)) => Place::Service(s),
            (None, None) => Place::Global,
        };
        if !write.ended {
            let role = staffing::requested_role(&caller.model, &write.role)?;
            staffing::room_for_one_more(conn, role, &place)?;
        }
        let created = assignments::insert(
            conn,
            &NewAssignment {
                person_id: person.id,
                role: write.role.clone(),
                portfolio_id: write.place.0,
                service_id: write.place.1,
                delegations: &write.delegations,
                created_by: &caller.sub,
            },
        )?;
        let held = assignments::find(conn, created.id)?;
        let view = view_of(conn, &held)?;
        changes.push(
            Change::by(&write.grant, ObjectType::RoleAssignment, created.id)
                .in_portfolio(write.portfolio_id)
                .after(&view),
        );
        if write.ended {
            assignments::end(conn, &held.assignment, &caller.sub)?;
            let revoked = assignments::find(conn, created.id)?;
            let ended = view_of(conn, &revoked)?;
            changes.push(
                Change::by(&write.grant, ObjectType::RoleAssignment, created.id)
                    .in_portfolio(write.portfolio_id)
                    .before(&view)
                    .after(&ended),
            );
        }
        Ok((created.id, changes))
    }
}

/// Every person, assignment and place the file names, in a few queries.
fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
    let named = |column: &str| record::named(records, column);
    let people: HashMap<String, i64> = db::imports::people_named(conn, &named("subject"))?
        .into_iter()
        .map(|(id, sub)| (sub, id))
        .collect();
    let person_ids: Vec<i64> = people.values().copied().collect();
    let held = db::imports::assignments_of(conn, &person_ids)?;
    let portfolios: HashMap<String, Portfolio> = portfolios::some_or_all(conn, None)?
        .into_iter()
        .map(|p| (p.slug.clone(), p))
        .collect();
    let services: HashMap<String, Service> =
        db::imports::services_named(conn, &named("service_slug"))?
            .into_iter()
            .map(|s| (s.slug.clone(), s))
            .collect();
    let portfolio_ids: Vec<i64> = named("portfolio_slug")
        .iter()
        .filter_map(|slug| portfolios.get(slug).map(|p| p.id))
        .collect();
    let service_ids: Vec<i64> = services.values().map(|s| s.id).collect();
    let holders = db::imports::active_holders(conn, &portfolio_ids, &service_ids)?
        .into_iter()
        .map(|(role, p, s, n)| ((role, (p, s)), n))
        .collect();
    Ok(Known {
        people,
        held,
        portfolios,
        services,
        holders,
    })
}

/// A row read into the create operation's request.
struct Read {
    request: NewAssignmentRequest,
    ended: bool,
    target: Target,
}

fn read(row: &mut RowReader, known: &Known) -> Option<Read> {
    let subject = row.required("subject");
    let role = row.required_parsed::<RoleCode>("role");
    let mut target = Target::global();
    let portfolio_id = row.optional("portfolio_slug").and_then(|slug| {
        let found = known.portfolios.get(slug.trim()).map(|p| p.id);
        if found.is_none() {
            row.error(
                "portfolio_slug",
                format!("there is no portfolio {}", slug.trim()),
            );
        }
        found
    });
    if let Some(p) = portfolio_id {
        target = Target::portfolio(p);
    }
    let service_id = row.optional("service_slug").and_then(|slug| {
        let found = known.services.get(slug.trim());
        if found.is_none() {
            row.error(
                "service_slug",
                format!("there is no service {}", slug.trim()),
            );
        }
        found.map(|s| (s.id, s.portfolio_id))
    });
    if let Some((s, p)) = service_id {
        target = Target::service(s, p);
    }
    let delegations: Vec<Delegation> = row
        .list("delegations")
        .iter()
        .filter_map(|d| match d.parse() {
            Ok(d) => Some(d),
            Err(message) => {
                row.error("delegations", message);
                None
            }
        })
        .collect();
    let ended = row.boolean("active") == Some(false);
    let failed = (row.record().text("portfolio_slug").is_some() && portfolio_id.is_none())
        || (row.record().text("service_slug").is_some() && service_id.is_none());
    if failed {
        return None;
    }
    Some(Read {
        request: NewAssignmentRequest {
            subject,
            role: role?,
            portfolio_id,
            service_id: service_id.map(|(s, _)| s),
            delegations,
        },
        ended,
        target,
    })
}

/// The file's column of an operation's field.
fn column(field: &str) -> String {
    match field {
        "portfolio_id" => "portfolio_slug".into(),
        "service_id" => "service_slug".into(),
        other => other.into(),
    }
}

fn plan_row(caller: &Caller, record: &Record, known: &mut Known) -> Planned<Write> {
    let mut reader = RowReader::new(record);
    let Some(read) = read(&mut reader, known) else {
        return reader.refused();
    };
    let decided = plan(caller, read, known);
    reader.decided(decided, column)
}

fn plan(caller: &Caller, read: Read, known: &mut Known) -> AppResult<Step<Write>> {
    let role = staffing::requested_role(&caller.model, &read.request.role)?;
    let (place, subject) = validate(&read.request, &caller.model, role)?;
    let place: PlaceIds = match place {
        Place::Global => (None, None),
        Place::Portfolio(p) => (Some(p), None),
        Place::Service(s) => (None, Some(s)),
    };
    let delegations = Delegations::new(read.request.delegations.clone());
    let same = |h: &&Held| {
        Some(h.assignment.person_id) == known.people.get(&subject).copied()
            && h.assignment.role == role.code.as_str()
            && (h.assignment.portfolio_id, h.assignment.service_id) == place
    };
    let active = known
        .held
        .iter()
        .filter(same)
        .find(|h| h.assignment.ended_at.is_none());
    let ended = known
        .held
        .iter()
        .filter(same)
        .filter(|h| h.assignment.ended_at.is_some())
        .max_by_key(|h| h.assignment.id);
    match (read.ended, active, ended) {
        (false, Some(held), _) => {
            if Delegations::from_stored(&held.assignment.delegations) != delegations {
                return Err(AppError::unprocessable(
                    "delegations",
                    "an assignment's delegations do not change: revoke it and appoint anew",
                ));
            }
            return Ok(Step::Unchanged(held.assignment.id));
        }
        (true, Some(held), _) => {
            return Err(AppError::unprocessable(
                "active",
                format!(
                    "the assignment is active; an import does not revoke it (POST /api/v1/role-assignments/{}/revoke)",
                    held.assignment.id
                ),
            ))
        }
        (true, None, Some(held)) => return Ok(Step::Unchanged(held.assignment.id)),
        _ => {}
    }
    let grant = caller.authorize(role.assigned_through, &read.target)?;
    if !read.ended {
        let portfolio = place
            .0
            .and_then(|p| known.portfolios.values().find(|x| x.id == p));
        let service = place
            .1
            .and_then(|s| known.services.values().find(|x| x.id == s));
        takes_appointments(portfolio, service)?;
        let holders = known
            .holders
            .entry((role.code.as_str().to_string(), place))
            .or_insert(0);
        if let Some(max) = role.max_per_place {
            if *holders >= i64::from(max) {
                return Err(AppError::conflict(format!(
                    "The {} already has {holders} active {} ({}), the most the governance model allows.",
                    if place.0.is_some() { "portfolio" } else { "service" },
                    role.name_en.to_lowercase(),
                    role.short()
                )));
            }
        }
        *holders += 1;
    }
    Ok(Step::Create(Write {
        subject,
        role: role.code.clone(),
        place,
        delegations,
        ended: read.ended,
        grant,
        portfolio_id: read.target.portfolio_id,
    }))
}
