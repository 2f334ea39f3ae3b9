//! A database of the foundation, with data, upgraded by the later migrations: nothing is lost,
//! references hold, and the new rules apply (SQLite rebuilds the services table to change its
//! CHECK constraint, with foreign keys off for the while).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::MigrationHarness;

use forvaltning::db::{self, DatabaseUrl, DbConnection};

use crate::helpers::{Backend, TestDatabase};

#[derive(QueryableByName, Debug, PartialEq)]
struct ServiceRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    lifecycle: String,
    #[diesel(sql_type = Text)]
    catalog_search_text: String,
}

pub async fn a_foundation_database_is_upgraded_without_loss(backend: Backend) {
    let db = TestDatabase::new(backend);
    let url = DatabaseUrl::parse(&db.url, &db.data_dir).unwrap();
    db::prepare(&url).unwrap();
    let mut managed =
        r2d2::ManageConnection::connect(&db::ConnectionManager::new(url)).expect("connect");
    let conn: &mut DbConnection = &mut managed;
    // The foundation's migration only, as a database of the first release has it.
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA journal_mode = WAL").unwrap();
            c.run_next_migration(db::SQLITE_MIGRATIONS).unwrap();
        }
        DbConnection::Postgresql(c) => {
            c.run_next_migration(db::POSTGRES_MIGRATIONS).unwrap();
        }
    }
    conn.batch_execute(
        "INSERT INTO portfolios (id, slug, name, created_at, updated_at) \
           VALUES (1, 'natverk', 'Nätverkstjänster', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO services (id, slug, name, portfolio_id, lifecycle, description, published, catalog_text, lifecycle_changed_at, created_at, updated_at) \
           VALUES (1, 'eduroam', 'eduroam', 1, 'in_operation', 'Intern RADIUS-notering', TRUE, 'Öppet trådlöst nät', '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at) \
           VALUES (2, 'sunet-fax', 'Sunet Fax', 1, 'proposed', '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO people (id, sub, created_at, updated_at) VALUES (1, 'frida@sunet.se', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO role_assignments (id, person_id, role, service_id, delegations, created_by, created_at, updated_at) \
           VALUES (1, 1, 'service_manager', 1, '', 'tove@sunet.se', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO audit_events (id, occurred_at, actor_sub, actor_roles, action, object_type, object_id, portfolio_id) VALUES \
           (1, '2026-01-01 00:00:00', 'lg@sunet.se', '[]', 'portfolio.create', 'portfolio', 1, 1), \
           (2, '2026-01-01 00:00:00', 'lg@sunet.se', '[]', 'service.propose', 'service', 2, NULL), \
           (3, '2026-01-01 00:00:00', 'tove@sunet.se', '[]', 'role_assignment.create', 'role_assignment', 1, NULL), \
           (4, '2026-01-01 00:00:00', 'frida@sunet.se', '[]', 'person.create', 'person', 1, NULL);",
    )
    .expect("foundation data");

    let applied = db::run_migrations(conn).expect("the later migrations apply");
    assert!(applied.len() >= 4, "{applied:?}");

    let rows: Vec<ServiceRow> = diesel::sql_query(
        "SELECT id, name, lifecycle, catalog_search_text FROM services ORDER BY id",
    )
    .load(conn)
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ServiceRow {
                id: 1,
                name: "eduroam".into(),
                lifecycle: "in_operation".into(),
                catalog_search_text: "eduroam öppet trådlöst nät ".into(),
            },
            ServiceRow {
                id: 2,
                name: "Sunet Fax".into(),
                lifecycle: "proposed".into(),
                catalog_search_text: "sunet fax  ".into(),
            },
        ]
    );
    // References hold: the TJF's assignment still points at eduroam, and the database agrees.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let joined: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM role_assignments JOIN services ON services.id = role_assignments.service_id WHERE services.slug = 'eduroam'",
    )
    .get_result(conn)
    .unwrap();
    assert_eq!(joined.n, 1);
    // The kept row counts start from the rows there are, and the search index holds them.
    for (table, rows) in [("services", 2), ("people", 1), ("role_assignments", 1)] {
        let kept: Count = diesel::sql_query(format!(
            "SELECT CAST(SUM(n) AS BIGINT) AS n FROM row_counts WHERE table_name = '{table}'"
        ))
        .get_result(conn)
        .unwrap();
        assert_eq!(kept.n, rows, "{table}");
    }
    // The trail recorded before is filed under the portfolio of what it is about now: the
    // portfolio's own event, a service proposed there, the appointment of eduroam's TJF; not
    // the person's.
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Filed {
        #[diesel(sql_type = BigInt)]
        portfolio_id: i64,
        #[diesel(sql_type = BigInt)]
        event_id: i64,
    }
    let filed: Vec<Filed> = diesel::sql_query(
        "SELECT portfolio_id, event_id FROM audit_trails ORDER BY portfolio_id, event_id",
    )
    .load(conn)
    .unwrap();
    let expected = [(1, 1), (1, 2), (1, 3)].map(|(portfolio_id, event_id)| Filed {
        portfolio_id,
        event_id,
    });
    assert_eq!(filed, expected);
    if backend == Backend::Sqlite {
        for index in ["services_search", "people_search"] {
            conn.batch_execute(&format!(
                "INSERT INTO {index} ({index}) VALUES ('integrity-check')"
            ))
            .expect("the search index was built from the rows there were");
        }
    }
    if backend == Backend::Sqlite {
        let problems: Count =
            diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check")
                .get_result(conn)
                .unwrap();
        assert_eq!(problems.n, 0, "foreign keys intact after the rebuild");
        assert!(
            conn.batch_execute("INSERT INTO role_assignments (person_id, role, service_id, delegations, created_by, created_at, updated_at) VALUES (1, 'service_specialist', 99, '', 'x', '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
                .is_err(),
            "foreign keys are enforced again"
        );
    }
    // The new rules: a proposal may be rejected; no other state is accepted.
    conn.batch_execute(
        "UPDATE services SET lifecycle = 'rejected', rejection_reason = 'LG' WHERE id = 2",
    )
    .expect("rejected is a state now");
    assert!(conn
        .batch_execute("UPDATE services SET lifecycle = 'nedlagd' WHERE id = 2")
        .is_err());
}
