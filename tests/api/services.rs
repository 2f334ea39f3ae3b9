//! Services over HTTP: renaming, rejecting a proposal, the public catalogue's search, a taken slug.

use serde_json::json;

use crate::helpers::{place, token, Backend};

/// A TJF edits the description; the identity other systems use in paths (slug, name) is
/// renamed only by the management group or the TÄ.
pub async fn only_the_management_group_or_the_owner_renames_a_service(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    let path = format!("/api/v1/services/{}", p.service);
    app.patch(&path, Some(&tjf), json!({"description": "Trådlöst nät"}))
        .await
        .expect(200);
    for body in [json!({"slug": "eduroam-ny"}), json!({"name": "Eduroam 2"})] {
        let refused = app.patch(&path, Some(&tjf), body).await.expect(403);
        assert_eq!(refused.body["action"], "service.rename");
    }
    app.patch(&path, Some(&p.ta), json!({"name": "eduroam (Sunet)"}))
        .await
        .expect(200);
    let renamed = app
        .patch(&path, Some(&p.lg), json!({"slug": "eduroam-sunet"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["slug"], "eduroam-sunet");
    assert_eq!(renamed.body["name"], "eduroam (Sunet)");
}

/// The management group turns a proposal down: final, the reason kept on the service.
pub async fn the_management_group_rejects_a_proposal_for_good(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let ka = token("kalle.kund@sunet.se", &["account_manager"]);
    let s = app
        .propose_service(&ka, "sunet-fax", Some(p.portfolio))
        .await;
    let path = format!("/api/v1/services/{s}/transitions");
    let refused = app
        .post(
            &path,
            Some(&p.ta),
            json!({"to": "rejected", "reason": "Nej"}),
        )
        .await
        .expect(403);
    assert_eq!(refused.body["action"], "service.reject");
    let no_reason = app
        .post(&path, Some(&p.lg), json!({"to": "rejected"}))
        .await
        .expect(422); // a rule across fields: `reason` is required with `to: rejected`
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let rejected = app
        .post(
            &path,
            Some(&p.lg),
            json!({"to": "rejected", "reason": "LG 2026-11-20 § 7: behovet täcks av Sunet Box"}),
        )
        .await
        .expect(200);
    assert_eq!(rejected.body["lifecycle"], "rejected");
    assert_eq!(
        rejected.body["rejection_reason"],
        "LG 2026-11-20 § 7: behovet täcks av Sunet Box"
    );
    for (who, to) in [
        (&p.lg, "established"),
        (&p.lg, "proposed"),
        (&p.ta, "in_operation"),
    ] {
        let reply = app.post(&path, Some(who), json!({"to": to})).await;
        assert_eq!(reply.status, 409, "{to}: {}", reply.body);
    }
    app.assign(
        &p.ta,
        json!({"subject": "ny@sunet.se", "role": "service_manager", "service_id": s}),
    )
    .await
    .expect(409);
    let listed = app
        .get("/api/v1/services?lifecycle=rejected", Some(&ka))
        .await
        .expect(200);
    assert_eq!(listed.body["count"], 1);
}

/// The public catalogue's `q` searches the catalogue's own text and the name, never the
/// internal description.
pub async fn the_catalogue_searches_public_text_only(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    app.patch(
        &format!("/api/v1/services/{}", p.service),
        Some(&p.ta),
        json!({
            "description": "Intern anteckning: RADIUS-proxyerna står i Örebro",
            "published": true,
            "catalog_text": "Öppet trådlöst nät för lärosäten",
            "catalog_text_en": "Wireless roaming for research and education"
        }),
    )
    .await
    .expect(200);
    let count = |q: &str| {
        let path = format!("/api/v1/catalog?q={q}");
        async move { app.get(&path, None).await.expect(200).body["count"].clone() }
    };
    assert_eq!(count("radius").await, 0, "internal text is not searched");
    assert_eq!(count("%C3%B6rebro").await, 0);
    assert_eq!(count("%C3%B6ppet").await, 1, "Ö folds to ö");
    assert_eq!(count("ROAMING").await, 1);
    assert_eq!(count("eduroam").await, 1, "the name is public");
}

/// A duplicate slug is named as a field in the API's words, never the database's message.
pub async fn a_taken_slug_is_named_as_a_field(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let cases = [
        (
            "/api/v1/portfolios",
            json!({"slug": "natverk", "name": "Nät igen"}),
            "portfolio",
        ),
        (
            "/api/v1/services",
            json!({"slug": "eduroam", "name": "eduroam igen"}),
            "service",
        ),
    ];
    for (path, body, object) in cases {
        let taken = app.post(path, Some(&p.lg), body).await.expect(409);
        assert_eq!(taken.body["errors"][0]["field"], "slug", "{}", taken.body);
        let detail = taken.body["detail"].as_str().unwrap();
        assert_eq!(detail, format!("Another {object} already has this slug."));
    }
    let renamed = app
        .patch(
            "/api/v1/portfolios/natverk",
            Some(&p.lg),
            json!({"slug": "natverk"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "its own slug is not taken");
}
