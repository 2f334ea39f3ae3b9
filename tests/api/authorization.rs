//! DESIGN.md §3 over HTTP: every action of the foundation × every kind of caller, with the
//! expected status written out literally. Each attempt gets a fresh target, so no row depends
//! on another.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use crate::helpers::{spawn_app, token, Backend, TestApp};

/// The callers, in the column order of the table.
const CALLERS: [&str; 14] = [
    "lg",         // Sunets ledningsgrupp (token claim)
    "ta_in",      // TÄ of portfolio A (the target's)
    "ta_out",     // TÄ of portfolio B
    "ts_with",    // TS on A holding every delegation
    "ts_without", // TS on A holding no delegation
    "tjf_in",     // TJF of service a1 in A
    "tjf_out",    // TJF of service b1 in B
    "specialist", // tjänstespecialist of a1
    "controller", // kontrakt- och avtalsansvarig
    "ka",         // kundansvarig
    "vu",         // verksamhetsutvecklare
    "kom",        // kommunikatör
    "plain",      // signed in, no role
    "anonymous",  // no token
];

/// action → expected status per caller (order of CALLERS).
#[rustfmt::skip]
const TABLE: &[(&str, [u16; 14])] = &[
    //                                   lg   ta_in ta_out ts_w ts_wo tjf_i tjf_o spec ctrl  ka   vu  kom  plain anon
    ("portfolio.create",               [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("portfolio.update",               [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("portfolio.retire",               [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.propose in A",           [201, 201, 403, 201, 201, 201, 403, 403, 403, 201, 201, 403, 403, 401]),
    ("service.propose unplaced",       [201, 403, 403, 403, 403, 403, 403, 403, 403, 201, 201, 403, 403, 401]),
    ("service.establish",              [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.move",                   [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.in_operation",           [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.decommissioning",        [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.decommissioned",         [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.update",                 [403, 200, 403, 200, 403, 200, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.update catalogue",       [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 401]),
    ("assign TÄ",                      [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke TÄ",                      [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign global role",             [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign TS",                      [403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke TS",                      [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign TJF",                     [403, 201, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke TJF",                     [403, 200, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign specialist",              [403, 201, 403, 201, 403, 201, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke specialist",              [403, 200, 403, 200, 403, 200, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("audit events read",              [200, 200, 200, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 401]),
    ("services read",                  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("architecture read",              [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("role assignments read",          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
];

struct World {
    app: TestApp,
    lg: String,
    ta_in: String,
    ta_out: String,
    a: i64,
    b: i64,
    a1: i64,
    tokens: Vec<Option<String>>,
    counter: AtomicUsize,
}

impl World {
    async fn build(backend: Backend) -> World {
        let app = spawn_app(backend).await;
        let lg = token("lena.ledning@sunet.se", &["management_group"]);
        let ta_in = token("tove.agare@sunet.se", &[]);
        let ta_out = token("orjan.agare@sunet.se", &[]);
        let a = app
            .create_portfolio(&lg, "natverk", "Nätverkstjänster")
            .await;
        let b = app
            .create_portfolio(&lg, "samarbete", "Samarbetstjänster")
            .await;
        for (sub, portfolio) in [("tove.agare@sunet.se", a), ("orjan.agare@sunet.se", b)] {
            app.assign(
                &lg,
                json!({"subject": sub, "role": "service_owner", "portfolio_id": portfolio}),
            )
            .await
            .expect(201);
        }
        let a1 = app.service_in_operation(&lg, &ta_in, "eduroam", a).await;
        let b1 = app.service_in_operation(&lg, &ta_out, "sunet-box", b).await;
        let all = [
            "contracts",
            "economy",
            "staffing",
            "plan",
            "support",
            "documentation",
            "prioritization",
        ];
        let scoped = [
            json!({"subject": "sara.samordnare@sunet.se", "role": "service_coordinator", "portfolio_id": a, "delegations": all}),
            json!({"subject": "sven.samordnare@sunet.se", "role": "service_coordinator", "portfolio_id": a}),
            json!({"subject": "frida.forvaltare@sunet.se", "role": "service_manager", "service_id": a1}),
            json!({"subject": "spec.ialist@sunet.se", "role": "service_specialist", "service_id": a1}),
        ];
        for body in scoped {
            app.assign(&ta_in, body).await.expect(201);
        }
        app.assign(&ta_out, json!({"subject": "bjorn.forvaltare@sunet.se", "role": "service_manager", "service_id": b1}))
            .await
            .expect(201);
        let tokens = vec![
            Some(lg.clone()),
            Some(ta_in.clone()),
            Some(ta_out.clone()),
            Some(token("sara.samordnare@sunet.se", &[])),
            Some(token("sven.samordnare@sunet.se", &[])),
            Some(token("frida.forvaltare@sunet.se", &[])),
            Some(token("bjorn.forvaltare@sunet.se", &[])),
            Some(token("spec.ialist@sunet.se", &[])),
            Some(token("karin.controller@sunet.se", &["controller"])),
            Some(token("kalle.kund@sunet.se", &["account_manager"])),
            Some(token("vera.utveckling@sunet.se", &["business_developer"])),
            Some(token("kim.kommunikation@sunet.se", &["communicator"])),
            Some(token("per.plain@sunet.se", &[])),
            None,
        ];
        World {
            app,
            lg,
            ta_in,
            ta_out,
            a,
            b,
            a1,
            tokens,
            counter: AtomicUsize::new(0),
        }
    }

    fn fresh(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    /// Prepares a fresh target for `action` (as LG or TÄ) and attempts it as `caller`.
    async fn attempt(&self, action: &str, caller: Option<&str>) -> u16 {
        let app = &self.app;
        let (lg, ta) = (self.lg.as_str(), self.ta_in.as_str());
        let reply = match action {
            "portfolio.create" => {
                app.post("/api/v1/portfolios", caller, json!({"slug": self.fresh("ny"), "name": "Ny portfölj"}))
                    .await
            }
            "portfolio.update" => {
                app.patch(&format!("/api/v1/portfolios/{}", self.a), caller, json!({"description": "Ändrad beskrivning"}))
                    .await
            }
            "portfolio.retire" => {
                let id = app.create_portfolio(lg, &self.fresh("tom"), "Tom portfölj").await;
                app.delete(&format!("/api/v1/portfolios/{id}"), caller).await
            }
            "service.propose in A" => {
                app.post("/api/v1/services", caller, json!({"slug": self.fresh("forslag"), "name": "Förslag", "portfolio_id": self.a}))
                    .await
            }
            "service.propose unplaced" => {
                app.post("/api/v1/services", caller, json!({"slug": self.fresh("ide"), "name": "Idé"}))
                    .await
            }
            "service.establish" => {
                let id = app.propose_service(lg, &self.fresh("etablera"), Some(self.a)).await;
                app.transition(caller.unwrap_or(""), id, "established").await
            }
            "service.move" => {
                let id = app.established_service(lg, &self.fresh("flytta"), self.a).await;
                app.patch(&format!("/api/v1/services/{id}"), caller, json!({"portfolio_id": self.b}))
                    .await
            }
            "service.in_operation" => {
                let id = app.established_service(lg, &self.fresh("drift"), self.a).await;
                app.assign(ta, json!({"subject": "frida.forvaltare@sunet.se", "role": "service_manager", "service_id": id}))
                    .await
                    .expect(201);
                app.transition(caller.unwrap_or(""), id, "in_operation").await
            }
            "service.decommissioning" => {
                let id = app.service_in_operation(lg, ta, &self.fresh("avveckla"), self.a).await;
                app.transition(caller.unwrap_or(""), id, "decommissioning").await
            }
            "service.decommissioned" => {
                let id = app.service_in_operation(lg, ta, &self.fresh("avvecklad"), self.a).await;
                app.transition(ta, id, "decommissioning").await.expect(200);
                app.transition(caller.unwrap_or(""), id, "decommissioned").await
            }
            "service.update" => {
                app.patch(&format!("/api/v1/services/{}", self.a1), caller, json!({"description": "Trådlöst nät för forskning och utbildning"}))
                    .await
            }
            "service.update catalogue" => {
                app.patch(&format!("/api/v1/services/{}", self.a1), caller, json!({"published": true, "catalog_text": "Trådlöst nätverk"}))
                    .await
            }
            "assign TÄ" => {
                let id = app.create_portfolio(lg, &self.fresh("agarlos"), "Ägarlös").await;
                app.assign(caller.unwrap_or(""), json!({"subject": self.fresh("ny-ta"), "role": "service_owner", "portfolio_id": id}))
                    .await
            }
            "revoke TÄ" => {
                let id = app.create_portfolio(lg, &self.fresh("byte"), "Ägarbyte").await;
                let assignment = app
                    .assign(lg, json!({"subject": self.fresh("gammal-ta"), "role": "service_owner", "portfolio_id": id}))
                    .await
                    .expect(201)
                    .id();
                app.delete(&format!("/api/v1/role-assignments/{assignment}"), caller).await
            }
            "assign global role" => {
                app.assign(caller.unwrap_or(""), json!({"subject": self.fresh("ny-controller"), "role": "controller"}))
                    .await
            }
            "assign TS" | "assign TJF" | "assign specialist" => {
                let body = self.scoped_assignment(action);
                app.assign(caller.unwrap_or(""), body).await
            }
            "revoke TS" | "revoke TJF" | "revoke specialist" => {
                let body = self.scoped_assignment(&action.replace("revoke", "assign"));
                let assignment = app.assign(ta, body).await.expect(201).id();
                app.delete(&format!("/api/v1/role-assignments/{assignment}"), caller).await
            }
            "audit events read" => app.get("/api/v1/audit-events", caller).await,
            "services read" => app.get("/api/v1/services", caller).await,
            "architecture read" => app.get("/api/v1/architecture", caller).await,
            "role assignments read" => app.get("/api/v1/role-assignments", caller).await,
            other => panic!("no attempt for {other}"),
        };
        if reply.status == 403 {
            assert!(
                reply.body["action"].is_string(),
                "403 names the action: {}",
                reply.body
            );
        }
        reply.status
    }

    fn scoped_assignment(&self, action: &str) -> serde_json::Value {
        let subject = self.fresh("utsedd");
        match action {
            "assign TS" => {
                json!({"subject": subject, "role": "service_coordinator", "portfolio_id": self.a, "delegations": ["staffing"]})
            }
            "assign TJF" => {
                json!({"subject": subject, "role": "service_manager", "service_id": self.a1})
            }
            _ => json!({"subject": subject, "role": "support_specialist", "service_id": self.a1}),
        }
    }
}

/// `transition` and `assign` take a token; an anonymous attempt sends an empty one, which the
/// service must treat as no token at all.
pub async fn every_action_by_every_caller(backend: Backend) {
    let world = World::build(backend).await;
    let mut failures = Vec::new();
    for (action, expected) in TABLE {
        for (column, caller) in CALLERS.iter().enumerate() {
            let token = world.tokens[column].as_deref();
            let status = world.attempt(action, token).await;
            if status != expected[column] {
                failures.push(format!(
                    "{action} by {caller}: expected {}, got {status}",
                    expected[column]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let _ = (&world.ta_out, world.b);
}

/// A TÄ reads the audit trail of their own portfolio only.
pub async fn a_service_owner_reads_only_their_portfolios_audit_trail(backend: Backend) {
    let world = World::build(backend).await;
    let app = &world.app;
    let own = app
        .get(
            &format!(
                "/api/v1/audit-events?object_type=service&object_id={}",
                world.a1
            ),
            Some(&world.ta_in),
        )
        .await
        .expect(200);
    assert!(own.body["count"].as_i64().unwrap() >= 3, "{}", own.body);
    let other = app
        .get(
            &format!(
                "/api/v1/audit-events?object_type=service&object_id={}",
                world.a1
            ),
            Some(&world.ta_out),
        )
        .await
        .expect(200);
    assert_eq!(other.body["count"], 0);
    let all = app
        .get("/api/v1/audit-events?limit=500", Some(&world.lg))
        .await
        .expect(200);
    let mine = app
        .get("/api/v1/audit-events?limit=500", Some(&world.ta_in))
        .await
        .expect(200);
    assert!(all.body["count"].as_i64() > mine.body["count"].as_i64());
}

/// Guidelines §2: the appointee accepts; nobody else can accept for them.
pub async fn only_the_appointee_accepts_an_appointment(backend: Backend) {
    let world = World::build(backend).await;
    let app = &world.app;
    let id = app
        .assign(&world.ta_in, json!({"subject": "nils.ny@sunet.se", "role": "service_manager", "service_id": world.a1}))
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/role-assignments/{id}/accept");
    app.post(&path, Some(&world.ta_in), json!({}))
        .await
        .expect(403);
    app.post(&path, Some(&world.lg), json!({}))
        .await
        .expect(403);
    let nils = token("nils.ny@sunet.se", &[]);
    let accepted = app.post(&path, Some(&nils), json!({})).await.expect(200);
    assert!(accepted.body["accepted_at"].is_string());
    app.post(&path, Some(&nils), json!({})).await.expect(409);
}
