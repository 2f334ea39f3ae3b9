//! Importing needs (docs/imports.md): a needs register kept in a spreadsheet comes in by its
//! references, each need at the step the register records (assessed, presented, decided) as
//! the importer's own recorded steps under the policy of each; and goes back out equal.

use serde_json::json;

use crate::helpers::{day, spawn_app, token, Backend, TestApp};
use crate::imports::{
    comparable, export, import, import_json, rows_and_fields, sunet, ORGANIZATIONS,
};

/// The register's keeper: eduroam's TJF, who is also in the management group and a key
/// account manager, so that every step of the register is theirs to record.
fn keeper() -> String {
    token(
        "tjf-eduroam@sunet.se",
        &["management_group", "account_manager", "controller"],
    )
}

async fn with_customers(app: &TestApp, lg: &str) {
    sunet(app, lg).await;
    import(app, lg, "organizations", "", "text/csv", ORGANIZATIONS)
        .await
        .expect(200);
}

const HEADER: &str = "reference;title;description;portfolio_slug;service_slug;source_channel;source_organization_slug;source_date;status;value;urgency;estimated_cost;recommendation;assessment_note;presented_on;presentation_reference;outcome;decision_reason";

/// The register as Swedish Excel saves it: BOM, semicolons, CRLF, a cell with a line break.
fn register() -> String {
    let rows = [
        format!("BEH-2026-001;eduroam på pendeltåg;\"Resenärer vill nå eduroam ombord.\r\nFramfört av Uppsala.\";;eduroam;customer_meeting;uppsala-universitet;{};decided;4;3;250000.00;pursue;Stort värde för lärosätena.;{};LG {} § 7;change;Ryms i nästa ändring av eduroam.", day(-60), day(-20), day(-20)),
        format!("BEH-2026-002;Gemensam e-signering;;;;forum;lunds-universitet;{};presented;3;2;;pursue;;{};;;", day(-40), day(-10)),
        format!("BEH-2026-003;Större lagring i Sunet Drive;Forskargrupper vill dela stora datamängder.;samarbete;;survey;;{};identified;;;;;;;;;", day(-30)),
        format!("BEH-2026-004;Nationell videomötestjänst;;;;strategy;;{};decided;2;2;1500000.00;defer;Väntar på upphandling.;{};LG {} § 3;deferred;Tas upp igen efter upphandlingen.", day(-90), day(-50), day(-50)),
    ];
    format!("\u{feff}{HEADER}\r\n{}\r\n", rows.join("\r\n"))
}

pub async fn a_needs_register_comes_in_and_goes_back_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = keeper();
    with_customers(&app, &lg).await;

    let dry = import(&app, &lg, "needs", "&dry_run=true", "text/csv", &register())
        .await
        .expect(200);
    assert_eq!(dry.body["created"], 4, "{}", dry.body);
    assert_eq!(dry.body["id"], json!(null));
    let none = app.get("/api/v1/needs", Some(&lg)).await.expect(200);
    assert_eq!(none.body["results"], json!([]), "a dry run writes nothing");

    let done = import(&app, &lg, "needs", "", "text/csv", &register())
        .await
        .expect(200);
    assert_eq!(done.body["created"], 4, "{}", done.body);
    let decided = app
        .get("/api/v1/needs?q=pendeltåg", Some(&lg))
        .await
        .expect(200);
    let need = &decided.body["results"][0];
    assert_eq!(need["reference"], "BEH-2026-001");
    assert_eq!(need["status"], "decided");
    assert_eq!(need["outcome"], "change");
    assert_eq!(need["service_slug"], "eduroam");
    assert_eq!(need["portfolio_slug"], "natverk");
    assert_eq!(need["source_organization_slug"], "uppsala-universitet");
    assert_eq!(need["estimated_cost"]["amount"], "250000.00");
    assert_eq!(
        need["presentation_reference"],
        format!("LG {} § 7", day(-20))
    );
    assert_eq!(need["decided_by"], "tjf-eduroam@sunet.se");
    assert_eq!(
        need["description"],
        "Resenärer vill nå eduroam ombord.\r\nFramfört av Uppsala."
    );
    let by_reference = app
        .get("/api/v1/needs?q=BEH-2026-002", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        by_reference.body["results"][0]["title"],
        "Gemensam e-signering"
    );
    // Each need's creation and each of its steps is its own audited change: 4 + 3 + 1 + 4.
    assert_eq!(app.audit_count(&lg, "need").await, 12);

    let same = import(&app, &lg, "needs", "", "text/csv", &register())
        .await
        .expect(200);
    assert_eq!(same.body["unchanged"], 4, "{}", same.body);
    assert_eq!(
        app.audit_count(&lg, "need").await,
        12,
        "nothing new to audit"
    );

    let exported = export(&app, "/api/v1/needs", &lg).await;
    let other = spawn_app(backend).await;
    with_customers(&other, &lg).await;
    import(&other, &lg, "needs", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(
        comparable(&export(&other, "/api/v1/needs", &lg).await),
        comparable(&exported)
    );

    // The register moves on: the e-signing need decided, the deferred one assessed again, the
    // storage need's title corrected.
    let moved = register()
        .replace(
            &format!(
                "forum;lunds-universitet;{};presented;3;2;;pursue;;{};;;",
                day(-40),
                day(-10)
            ),
            &format!(
                "forum;lunds-universitet;{};decided;3;2;;pursue;;{};;plan;I årets verksamhetsplan.",
                day(-40),
                day(-10)
            ),
        )
        .replace(
            &format!(
                "{};LG {} § 3;deferred;Tas upp igen efter upphandlingen.",
                day(-50),
                day(-50)
            ),
            ";;;",
        )
        .replace(
            ";decided;2;2;1500000.00;defer;",
            ";assessed;3;2;1500000.00;pursue;",
        )
        .replace(
            "Större lagring i Sunet Drive",
            "Större lagring i Sunet Drive för forskare",
        );
    let changed = import(&app, &lg, "needs", "", "text/csv", &moved)
        .await
        .expect(200);
    assert_eq!(
        (&changed.body["updated"], &changed.body["unchanged"]),
        (&json!(3), &json!(1)),
        "{}",
        changed.body
    );
    let video = app
        .get("/api/v1/needs?q=videomöte", Some(&lg))
        .await
        .expect(200);
    assert_eq!(video.body["results"][0]["status"], "assessed");
    assert_eq!(video.body["results"][0]["outcome"], json!(null));

    // eduroam moves to another portfolio, and its decided need with it: the export says so,
    // and reads back in unchanged.
    let samarbete = app
        .get("/api/v1/portfolios/samarbete", Some(&lg))
        .await
        .expect(200)
        .id();
    app.patch(
        "/api/v1/services/eduroam",
        Some(&lg),
        json!({"portfolio_id": samarbete}),
    )
    .await
    .expect(200);
    let exported = export(&app, "/api/v1/needs", &lg).await;
    assert!(
        exported
            .lines()
            .any(|l| l.contains(",samarbete,") && l.contains(",eduroam,")),
        "{exported}"
    );
    let same = import(&app, &lg, "needs", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(same.body["unchanged"], 4, "{}", same.body);
}

pub async fn need_rows_keep_the_single_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = keeper();
    with_customers(&app, &lg).await;
    import(&app, &lg, "needs", "", "text/csv", &register())
        .await
        .expect(200);
    let bad = [
        // An unknown service, a status the steps do not make, a decision with no
        // presentation, a score out of range, a need from the future.
        format!("BEH-2026-010;Okänd tjänst;;;okand;forum;;{};;;;;;;;;;", day(-1)),
        format!("BEH-2026-011;Fel status;;;;forum;;{};decided;;;;;;;;;", day(-1)),
        format!("BEH-2026-012;Beslut utan föredragning;;;;forum;;{};;3;3;;pursue;;;;change;Därför.", day(-1)),
        format!("BEH-2026-013;För högt värde;;;;forum;;{};;7;3;;pursue;;;;;", day(-1)),
        format!("BEH-2026-014;Framtida behov;;;;forum;;{};;;;;;;;;;", day(3)),
        // A decided need's title is on record; a presented need is not taken back.
        format!("BEH-2026-001;Nytt namn;\"Resenärer vill nå eduroam ombord.\r\nFramfört av Uppsala.\";;eduroam;customer_meeting;uppsala-universitet;{};decided;4;3;250000.00;pursue;Stort värde för lärosätena.;{};LG {} § 7;change;Ryms i nästa ändring av eduroam.", day(-60), day(-20), day(-20)),
        format!("BEH-2026-002;Gemensam e-signering;;;;forum;lunds-universitet;{};assessed;3;2;;pursue;;;;;", day(-40)),
        format!("BEH-2026-010;Samma referens igen;;;;forum;;{};;;;;;;;;;", day(-1)),
        format!(";Utan referens;;;;forum;;{};;;;;;;;;;", day(-1)),
    ];
    let file = format!("{HEADER}\n{}\n", bad.join("\n"));
    let refused = import(&app, &lg, "needs", "", "text/csv", &file)
        .await
        .expect(422);
    assert_eq!(
        rows_and_fields(&refused),
        vec![
            (2, "service_slug".to_string()),
            (3, "status".to_string()),
            (4, "outcome".to_string()),
            (5, "value".to_string()),
            (6, "source_date".to_string()),
            (7, "".to_string()),
            (8, "status".to_string()),
            (9, "reference".to_string()),
            (10, "reference".to_string()),
        ],
        "{}",
        refused.body
    );
    assert_eq!(app.audit_count(&lg, "need").await, 12, "nothing written");

    // Tove, natverk's TÄ, decides what lies in her portfolio, but a new service is the
    // management group's to decide; the e-signing need is unplaced and not hers at all.
    let tove = token("tove@sunet.se", &[]);
    let placed = app
        .post(
            "/api/v1/needs",
            Some(&lg),
            json!({"reference": "BEH-2026-020", "title": "SWAMID för gymnasieskolor",
                   "service_id": app.get("/api/v1/services/swamid", Some(&lg)).await.expect(200).id(),
                   "source": {"channel": "forum", "date": day(-5)}}),
        )
        .await
        .expect(201);
    assert_eq!(placed.body["reference"], "BEH-2026-020");
    let taken = app
        .post(
            "/api/v1/needs",
            Some(&lg),
            json!({"reference": "BEH-2026-020", "title": "Samma igen", "source": {"channel": "forum", "date": day(-5)}}),
        )
        .await
        .expect(409);
    assert_eq!(
        taken.body["errors"][0]["field"], "reference",
        "{}",
        taken.body
    );
    let assessed = format!(
        "BEH-2026-020;SWAMID för gymnasieskolor;;;swamid;forum;;{};assessed;4;4;;pursue;;;;;",
        day(-5)
    );
    import(
        &app,
        &lg,
        "needs",
        "",
        "text/csv",
        &format!("{HEADER}\n{assessed}\n"),
    )
    .await
    .expect(422);
    let tjf_swamid = token("tjf-swamid@sunet.se", &[]);
    import(
        &app,
        &tjf_swamid,
        "needs",
        "",
        "text/csv",
        &format!("{HEADER}\n{assessed}\n"),
    )
    .await
    .expect(200);
    let presented = format!(
        "BEH-2026-020;SWAMID för gymnasieskolor;;;swamid;forum;;{};presented;4;4;;pursue;;{};;;",
        day(-5),
        day(-1)
    );
    import(
        &app,
        &tove,
        "needs",
        "",
        "text/csv",
        &format!("{HEADER}\n{presented}\n"),
    )
    .await
    .expect(200);
    let decision = |outcome: &str, reason: &str| {
        let row = format!("BEH-2026-020;SWAMID för gymnasieskolor;;;swamid;forum;;{};decided;4;4;;pursue;;{};;{outcome};{reason}", day(-5), day(-1));
        format!("{HEADER}\n{row}\n")
    };
    let refused = import(
        &app,
        &tove,
        "needs",
        "",
        "text/csv",
        &decision("new_service", "En egen tjänst."),
    )
    .await
    .expect(422);
    assert_eq!(
        rows_and_fields(&refused),
        vec![(2, "".to_string())],
        "{}",
        refused.body
    );
    let decided = import(
        &app,
        &tove,
        "needs",
        "",
        "text/csv",
        &decision("change", "Ändring av SWAMID."),
    )
    .await
    .expect(200);
    assert_eq!(decided.body["updated"], 1, "{}", decided.body);
}

pub async fn a_json_file_of_needs_takes_the_create_operations_objects(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = keeper();
    with_customers(&app, &lg).await;
    let file = json!([{
        "reference": "BEH-2026-030",
        "title": "Eduroam i kollektivtrafiken",
        "service_slug": "eduroam",
        "source": {"channel": "customer_meeting", "date": day(-7)},
        "source_organization_slug": "uppsala-universitet",
        "value": 5,
        "urgency": 4,
        "estimated_cost": {"amount": "90000", "currency": "SEK"},
        "recommendation": "pursue"
    }]);
    let done = import_json(&app, &lg, "needs", &file).await.expect(200);
    assert_eq!(done.body["created"], 1, "{}", done.body);
    let needs = app
        .get("/api/v1/needs?service=eduroam", Some(&lg))
        .await
        .expect(200);
    let need = &needs.body["results"][0];
    assert_eq!(need["status"], "assessed");
    assert_eq!(need["estimated_cost"]["amount"], "90000.00");
    assert_eq!(need["source"]["channel"], "customer_meeting");

    // A file that leaves out the place and the source organization leaves them as they are.
    let retitled = format!(
        "reference,title,source_channel,source_date\nBEH-2026-030,Eduroam i bussar och tåg,customer_meeting,{}\n",
        day(-7)
    );
    let changed = import(&app, &lg, "needs", "", "text/csv", &retitled)
        .await
        .expect(200);
    assert_eq!(changed.body["updated"], 1, "{}", changed.body);
    let need = app
        .get(&format!("/api/v1/needs/{}", need["id"]), Some(&lg))
        .await
        .expect(200);
    assert_eq!(need.body["title"], "Eduroam i bussar och tåg");
    assert_eq!(need.body["service_slug"], "eduroam");
    assert_eq!(need.body["source_organization_slug"], "uppsala-universitet");
    assert_eq!(
        need.body["status"], "assessed",
        "its steps stay as recorded"
    );

    // Its service moves to another portfolio; a correction of the title alone still fits.
    let samarbete = app
        .get("/api/v1/portfolios/samarbete", Some(&lg))
        .await
        .expect(200)
        .id();
    app.patch(
        "/api/v1/services/eduroam",
        Some(&lg),
        json!({"portfolio_id": samarbete}),
    )
    .await
    .expect(200);
    let corrected = app
        .patch(
            &format!("/api/v1/needs/{}", need.body["id"]),
            Some(&lg),
            json!({"title": "Eduroam i kollektivtrafiken"}),
        )
        .await
        .expect(200);
    assert_eq!(corrected.body["portfolio_slug"], "samarbete");

    let euros = json!([{
        "reference": "BEH-2026-031",
        "title": "Kostnad i euro",
        "source": {"channel": "forum", "date": day(-7)},
        "value": 5, "urgency": 4, "recommendation": "pursue",
        "estimated_cost": {"amount": "90000", "currency": "EUR"}
    }]);
    let refused = import_json(&app, &lg, "needs", &euros).await.expect(422);
    assert_eq!(
        rows_and_fields(&refused),
        vec![(1, "estimated_cost".to_string())],
        "{}",
        refused.body
    );
}
