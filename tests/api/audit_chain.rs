//! The audit trail is append-only and hash-chained: the service seals committed events a
//! moment after they commit, and `forvaltning audit verify` names the first event that was
//! altered or deleted behind the service's back.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use serde_json::json;

use forvaltning::startup::{open_database, Application};

use crate::helpers::{binary, test_settings, token, Backend, TestDatabase};

/// `forvaltning audit verify` on the test database: (success, what it printed).
pub fn verify(db: &TestDatabase) -> (bool, String) {
    let output = binary(db, &[])
        .args(["audit", "verify"])
        .output()
        .expect("run the binary");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

pub async fn the_audit_trail_is_sealed_and_tampering_is_found(backend: Backend) {
    let db = TestDatabase::new(backend);
    let settings = test_settings(&db, &[], None);
    let app = Application::build(settings.clone())
        .await
        .expect("the app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    for (slug, name) in [
        ("natverk", "Nätverkstjänster"),
        ("lagring", "Lagring"),
        ("moln", "Molntjänster"),
    ] {
        let reply = client
            .post(format!("{base}/api/v1/portfolios"))
            .bearer_auth(&lg)
            .json(&json!({"slug": slug, "name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 201);
    }
    // Four events: LG's first sight and three portfolios. The service seals them once settled.
    let mut report = String::new();
    for _ in 0..40 {
        let (ok, out) = verify(&db);
        assert!(ok, "{out}");
        report = out;
        if report.contains(": 4 events sealed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(report.contains(": 4 events sealed"), "{report}");

    // The database itself refuses to change or remove an event.
    let (_, pool) = open_database(&settings).expect("database");
    let mut conn = pool.get().expect("connection");
    for statement in [
        "UPDATE audit_events SET actor_sub = 'mallory' WHERE id = 3",
        "DELETE FROM audit_events WHERE id = 2",
        "DELETE FROM audit_seals WHERE event_id = 2",
    ] {
        assert!(
            conn.batch_execute(statement).is_err(),
            "{statement} was allowed"
        );
    }
    // Someone with the database's own powers goes around the triggers.
    let (allow_update, allow_delete) = match backend {
        Backend::Sqlite => (
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
        ),
        Backend::Postgres => (
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "SELECT 1",
        ),
    };
    conn.batch_execute(allow_update).unwrap();
    conn.batch_execute("UPDATE audit_events SET actor_sub = 'mallory@example.org' WHERE id = 3")
        .unwrap();
    let (ok, out) = verify(&db);
    assert!(!ok);
    assert_eq!(
        out.trim(),
        "the audit trail is broken at event 3: the event was altered after it was sealed"
    );
    conn.batch_execute(allow_delete).unwrap();
    conn.batch_execute("DELETE FROM audit_events WHERE id = 2")
        .unwrap();
    let (ok, out) = verify(&db);
    assert!(!ok);
    assert_eq!(
        out.trim(),
        "the audit trail is broken at event 2: the event was deleted"
    );
}
