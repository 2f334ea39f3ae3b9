//! The policy's answer for one object (`Caller::may`) and its list filter (`reach`, applied in
//! SQL by `db::scope`) must agree (docs/governance-model.md). Random portfolios, services (some unplaced),
//! and callers holding random assignments; for every action, every object is asked both ways.

use diesel::connection::SimpleConnection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use forvaltning::auth::jwt::Identity;
use forvaltning::auth::policy::{Action, Caller, ObjectClass, Target};
use forvaltning::db::{self, callers, people, scope, DbConnection};
use forvaltning::domain::model::Model;
use forvaltning::domain::role::{Delegations, ScopeKind};
use forvaltning::startup::open_database;
use std::sync::Arc;

use crate::helpers::{test_settings, Backend, TestDatabase};

const PORTFOLIOS: i64 = 5;
const SERVICES: i64 = 16;
const CALLERS: i64 = 120;
const CONTRACTS: i64 = 24;

/// (service id, its portfolio)
type Services = Vec<(i64, Option<i64>)>;

fn seed_objects(conn: &mut DbConnection, rng: &mut StdRng) -> Services {
    let mut sql = String::new();
    for p in 1..=PORTFOLIOS {
        sql.push_str(&format!(
            "INSERT INTO portfolios (id, slug, name, created_at, updated_at) \
             VALUES ({p}, 'portfolj-{p}', 'Portfölj {p}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);"
        ));
    }
    let mut services = Vec::new();
    for s in 1..=SERVICES {
        // One in five is an unplaced proposal.
        let portfolio = (rng.random_range(0..5) > 0).then(|| rng.random_range(1..=PORTFOLIOS));
        let column = portfolio.map_or("NULL".to_string(), |p| p.to_string());
        sql.push_str(&format!(
            "INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at) \
             VALUES ({s}, 'tjanst-{s}', 'Tjänst {s}', {column}, 'established', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);"
        ));
        services.push((s, portfolio));
    }
    conn.batch_execute(&sql)
        .expect("seed portfolios and services");
    services
}

/// (contract id, customer contract?, its covered services)
type Contracts = Vec<(i64, bool, Vec<i64>)>;

/// Contracts of both kinds, each covering one to three random services.
fn seed_contracts(conn: &mut DbConnection, rng: &mut StdRng) -> Contracts {
    let mut sql = String::from(
        "INSERT INTO organizations (id, slug, name, kind, created_at, updated_at) VALUES \
         (1, 'kund', 'Kund', 'customer', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), \
         (2, 'leverantor', 'Leverantör', 'supplier', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);",
    );
    let mut contracts = Vec::new();
    for c in 1..=CONTRACTS {
        let customer = rng.random_bool(0.5);
        let (kind, organization) = if customer {
            ("customer", 1)
        } else {
            ("supplier", 2)
        };
        sql.push_str(&format!(
            "INSERT INTO contracts (id, kind, organization_id, title, reference, start_date, annual_value_minor, currency, created_at, updated_at) \
             VALUES ({c}, '{kind}', {organization}, 'Avtal {c}', 'REF-{c}', '2026-01-01', 100, 'SEK', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);"
        ));
        let mut covered: Vec<i64> = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let service = rng.random_range(1..=SERVICES);
            if !covered.contains(&service) {
                covered.push(service);
                sql.push_str(&format!(
                    "INSERT INTO contract_services (contract_id, service_id, share_percent) VALUES ({c}, {service}, 1);"
                ));
            }
        }
        contracts.push((c, customer, covered));
    }
    conn.batch_execute(&sql).expect("seed contracts");
    contracts
}

/// A person holding 1–4 random assignments (a global one now and then).
fn seed_caller(conn: &mut DbConnection, rng: &mut StdRng, model: &Model, n: i64) -> String {
    let sub = format!("slump-{n}@sunet.se");
    conn.batch_execute(&format!(
        "INSERT INTO people (id, sub, created_at, updated_at) \
         VALUES ({n}, '{sub}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);"
    ))
    .expect("seed a person");
    for _ in 0..rng.random_range(1..=4) {
        let role = &model.roles[rng.random_range(0..model.roles.len())];
        let portfolio = rng.random_range(1..=PORTFOLIOS);
        let service = rng.random_range(1..=SERVICES);
        let (p, s) = match role.scope {
            ScopeKind::Portfolio => (Some(portfolio), None),
            ScopeKind::PortfolioOrService if rng.random_bool(0.5) => (Some(portfolio), None),
            ScopeKind::PortfolioOrService | ScopeKind::Service => (None, Some(service)),
            ScopeKind::Global => (None, None),
        };
        let delegations = Delegations::new(
            role.delegations
                .iter()
                .filter(|_| rng.random_bool(0.4))
                .cloned()
                .collect(),
        )
        .to_stored();
        let column = |v: Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
        // A draw the schema refuses (a second TÄ of a portfolio, a duplicate) is skipped.
        let _ = conn.batch_execute(&format!(
            "INSERT INTO role_assignments (person_id, role, portfolio_id, service_id, delegations, created_by, created_at, updated_at) \
             VALUES ({n}, '{}', {}, {}, '{delegations}', 'test', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);",
            role.code,
            column(p),
            column(s),
        ));
    }
    sub
}

pub async fn may_and_reach_agree_on_random_assignments(backend: Backend) {
    agree_under(backend, Model::builtin()).await;
    // Another organisation's model (no TS, a deputy, delegations of its own) agrees as well.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/examples/nordforsk.toml"
    );
    let text = std::fs::read_to_string(path).expect("the example model");
    agree_under(
        backend,
        Arc::new(Model::load(path, &text).expect("a valid model")),
    )
    .await;
}

async fn agree_under(backend: Backend, model: Arc<Model>) {
    let db = TestDatabase::new(backend);
    let settings = test_settings(&db, &[], None);
    let (_, pool) = open_database(&settings).expect("database");
    let mut conn = pool.get().expect("connection");
    let conn: &mut DbConnection = &mut conn;
    let mut rng = StdRng::seed_from_u64(20261128);
    let services = seed_objects(conn, &mut rng);
    let contracts = seed_contracts(conn, &mut rng);
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for n in 1..=CALLERS {
        let sub = seed_caller(conn, &mut rng, &model, n);
        let person = people::find(conn, n).expect("person");
        let identity = Identity {
            sub: sub.clone(),
            name: None,
            email: None,
            claimed_roles: Vec::new(),
        };
        let held = callers::held_by_person(conn, person).expect("caller");
        let caller = Caller::of(&held, &identity, &model);
        for action in Action::ALL {
            let reach = caller.reach(action);
            let listed_services = scope::service_ids(conn, &reach).expect("services in reach");
            for &(service, portfolio) in &services {
                let one = caller
                    .may(action, &Target::service(service, portfolio))
                    .is_some();
                let listed = listed_services.contains(&service);
                checked += 1;
                if one != listed {
                    disagreements.push(format!(
                        "{sub} {action:?} service {service} (portfolio {portfolio:?}): may {one}, listed {listed}; {:?}",
                        caller.scoped_roles
                    ));
                }
            }
            // Contracts: readable when in scope of any covered service (or by class).
            let listed_contracts = db::contracts::ids_in_reach(conn, &reach).expect("contracts");
            for (contract, customer, covered) in &contracts {
                let class = customer.then_some(ObjectClass::CustomerContract);
                let targets: Vec<Target> = covered
                    .iter()
                    .map(|s| Target::service(*s, services[(*s - 1) as usize].1).of_class(class))
                    .collect();
                let one = caller.may_any(action, &targets).is_some();
                let listed = listed_contracts.contains(contract);
                checked += 1;
                if one != listed {
                    disagreements.push(format!(
                        "{sub} {action:?} contract {contract} ({covered:?}): may {one}, listed {listed}; {:?}",
                        caller.scoped_roles
                    ));
                }
            }
            let listed_portfolios =
                scope::portfolio_ids(conn, &reach).expect("portfolios in reach");
            for portfolio in 1..=PORTFOLIOS {
                let one = caller.may(action, &Target::portfolio(portfolio)).is_some();
                let listed = listed_portfolios.contains(&portfolio);
                checked += 1;
                if one != listed {
                    disagreements.push(format!(
                        "{sub} {action:?} portfolio {portfolio}: may {one}, listed {listed}; {:?}",
                        caller.scoped_roles
                    ));
                }
            }
        }
    }
    eprintln!(
        "policy agreement ({backend:?}): {checked} object × action × caller answers compared"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements of {checked}:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(20)].join("\n")
    );
}
