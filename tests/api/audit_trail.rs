//! Reading the audit trail: a service's whole history for the owner it moved to, and pages by
//! key.

use serde_json::json;

use crate::helpers::{place, token, Backend};

/// A TÄ reads the whole history of what is now in their portfolio, including what happened to
/// a service before it moved there; and keeps what was recorded in their portfolio.
pub async fn a_service_owner_reads_the_history_of_a_service_that_moved_in(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let other = app
        .create_portfolio(&p.lg, "samarbete", "Samarbetstjänster")
        .await;
    app.assign(
        &p.lg,
        json!({"subject": "orjan.agare@sunet.se", "role": "service_owner", "portfolio_id": other}),
    )
    .await
    .expect(201);
    let orjan = token("orjan.agare@sunet.se", &[]);
    let history = |who: String| {
        let path = format!(
            "/api/v1/audit-events?count=true&object_type=service&object_id={}&limit=500",
            p.service
        );
        async move {
            app.get(&path, Some(&who)).await.expect(200).body["count"]
                .as_i64()
                .unwrap()
        }
    };
    let before = history(p.lg.clone()).await;
    assert_eq!(
        history(orjan.clone()).await,
        0,
        "not yet in Örjan's portfolio"
    );
    app.patch(
        &format!("/api/v1/services/{}", p.service),
        Some(&p.lg),
        json!({"portfolio_id": other}),
    )
    .await
    .expect(200);
    assert_eq!(
        history(orjan.clone()).await,
        before + 1,
        "the whole history"
    );
    assert_eq!(
        history(p.ta.clone()).await,
        before,
        "Tove keeps what happened while it was hers"
    );
    let assignments = app
        .get(
            "/api/v1/audit-events?count=true&object_type=role_assignment&limit=500",
            Some(&orjan),
        )
        .await
        .expect(200);
    let service_tjf = assignments.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["after"]["service_id"] == p.service);
    assert!(service_tjf, "the appointment of its TJF moved along");
    app.assert_trails_filed();
}

/// docs/conventions.md: the audit trail pages by key; `count` is null unless asked for. The same for
/// a TÄ, whose trail is their scope's (each part of which stops at the page): by key in both
/// directions and by offset, every event of the scope once, in order.
pub async fn the_audit_trail_pages_by_key(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    for n in 0..5 {
        app.create_portfolio(&p.lg, &format!("extra-{n}"), "Extra")
            .await;
    }
    for caller in [&p.lg, &p.ta] {
        let all = app
            .get("/api/v1/audit-events?count=true&limit=500", Some(caller))
            .await
            .expect(200);
        let total = all.body["count"].as_i64().unwrap();
        let ids = |body: &serde_json::Value| -> Vec<i64> {
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap())
                .collect()
        };
        let everything = ids(&all.body);
        assert_eq!(everything.len() as i64, total);
        assert!(total >= 4, "the TÄ's scope has a history: {total}");
        for ordering in ["id", "-id"] {
            let mut path = format!("/api/v1/audit-events?limit=3&ordering={ordering}");
            let mut seen: Vec<i64> = Vec::new();
            loop {
                let page = app.get(&path, Some(caller)).await.expect(200);
                assert_eq!(
                    page.body["count"],
                    serde_json::Value::Null,
                    "not counted unless asked"
                );
                seen.extend(ids(&page.body));
                match page.body["next"].as_str() {
                    Some(next) => {
                        assert!(next.contains("after="), "{next}");
                        path = next.to_string();
                    }
                    None => break,
                }
            }
            let mut expected = everything.clone();
            expected.sort_unstable();
            if ordering == "-id" {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{ordering}: in order, every event once");
            let second = app
                .get(
                    &format!("/api/v1/audit-events?limit=3&offset=2&ordering={ordering}"),
                    Some(caller),
                )
                .await
                .expect(200);
            assert_eq!(
                ids(&second.body),
                expected[2..5].to_vec(),
                "{ordering}: by offset"
            );
        }
    }
    let bad = app
        .get("/api/v1/audit-events?after=-1", Some(&p.lg))
        .await
        .expect(400);
    assert_eq!(bad.body["errors"][0]["field"], "after");
}
