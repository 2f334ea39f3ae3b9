//! The attempts of the needs and follow-up rows of the authorization table (docs/roles.md):
//! each on a need or follow-up of service a1 in portfolio A, unless the row says otherwise.

use serde_json::{json, Value};

use super::{row_key, Attempt, World};

/// Who records the needs the rows act on: none of the table's callers, so that no column is
/// their submitter.
const RECORDER: &str = "behov.inlamnare@uu.se";

impl World {
    /// A need in `status` (identified, assessed, presented, decided), on a1 or, `unplaced`,
    /// on nothing yet.
    async fn need_in(&self, status: &str, unplaced: bool) -> i64 {
        let app = &self.app;
        let recorder = crate::helpers::token(RECORDER, &[]);
        let place = if unplaced {
            json!({})
        } else {
            json!({"service_id": self.a1})
        };
        let mut body = json!({"title": "Eduroam på pendeltåg", "source": {"channel": "forum", "date": crate::helpers::day(-1)}});
        body.as_object_mut()
            .unwrap()
            .extend(place.as_object().unwrap().clone());
        let id = app
            .post("/api/v1/needs", Some(&recorder), body)
            .await
            .expect(201)
            .id();
        let path = format!("/api/v1/needs/{id}");
        let ka = crate::helpers::token("karin.kund@sunet.se", &["account_manager"]);
        let steps: [(&str, &str, Value, String); 3] = [
            (
                "assessed",
                "assessment",
                json!({"value": 3, "urgency": 2, "recommendation": "pursue"}),
                ka.clone(),
            ),
            (
                "presented",
                "presentation",
                json!({"date": crate::helpers::day(-1)}),
                ka,
            ),
            (
                "decided",
                "decision",
                json!({"outcome": "change", "reason": "Ryms i förvaltningen"}),
                self.lg.clone(),
            ),
        ];
        let tjf = self.tokens[8].clone().unwrap_or_default();
        if status == "identified" {
            return id;
        }
        for (reached, step, body, who) in steps {
            let who = if step == "assessment" && !unplaced {
                tjf.clone()
            } else {
                who
            };
            app.post(&format!("{path}/{step}"), Some(&who), body)
                .await
                .expect(200);
            if reached == status {
                break;
            }
        }
        id
    }

    /// A follow-up with the customer naming a1.
    async fn follow_up(&self) -> i64 {
        let ka = crate::helpers::token("karin.kund@sunet.se", &["account_manager"]);
        self.app
            .post(&format!("/api/v1/organizations/{}/follow-ups", self.customer), Some(&ka),
                json!({"date": crate::helpers::day(-1), "kind": "meeting", "service_ids": [self.a1], "summary": "Kundmöte"}))
            .await
            .expect(201)
            .id()
    }

    /// The attempt of a needs or follow-up row, if `action` is one.
    pub(super) async fn need_attempt(&self, action: &str) -> Option<Attempt> {
        let need = |id: i64| format!("/api/v1/needs/{id}");
        Some(match action {
            "need.create" => Attempt::new("POST", "/api/v1/needs", Some(json!({"title": "Behov", "service_id": self.a1, "source": {"channel": "survey", "date": crate::helpers::day(0)}})))
                .watching("/api/v1/needs?limit=500"),
            "needs list" => Attempt::new("GET", "/api/v1/needs", None),
            "needs report read" => Attempt::new("GET", "/api/v1/reports/needs", None),
            "need read" | "need endorsements read" => {
                let id = self.kept(row_key(action), self.need_in("identified", false)).await;
                let path = need(id);
                match action {
                    "need read" => Attempt::new("GET", path, None),
                    _ => Attempt::new("GET", format!("{path}/endorsements"), None),
                }
            }
            "need.update" => {
                let id = self.kept(row_key(action), self.need_in("identified", false)).await;
                Attempt::new("PATCH", need(id), Some(json!({"title": self.fresh("Eduroam på tåg")}))).watching(need(id))
            }
            "need.assess" | "need.assess unplaced" => {
                let unplaced = action == "need.assess unplaced";
                let id = self.kept(row_key(action), self.need_in("identified", unplaced)).await;
                Attempt::new("POST", format!("{}/assessment", need(id)), Some(json!({"value": 4, "urgency": 4, "recommendation": "pursue"})))
                    .watching(need(id))
            }
            "need.present" => {
                let id = self.kept(row_key(action), self.need_in("assessed", false)).await;
                Attempt::new("POST", format!("{}/presentation", need(id)), Some(json!({"date": crate::helpers::day(0)}))).watching(need(id))
            }
            "need.decide" | "need.decide new service" => {
                let id = self.kept(row_key(action), self.need_in("presented", false)).await;
                let outcome = if action == "need.decide" { "deferred" } else { "new_service" };
                Attempt::new("POST", format!("{}/decision", need(id)), Some(json!({"outcome": outcome, "reason": "LG-beslut"}))).watching(need(id))
            }
            "need.link" => {
                let id = self.kept(row_key(action), self.need_in("decided", false)).await;
                Attempt::new("POST", format!("{}/links", need(id)), Some(json!({"service_id": self.a1}))).watching(need(id))
            }
            "need unlink" => {
                let id = self.kept(row_key(action), self.need_in("decided", false)).await;
                let linked = self.app.post(&format!("{}/links", need(id)), Some(&self.lg), json!({"service_id": self.a1})).await;
                // Linked now, or still linked from a refused attempt.
                assert!([201, 409].contains(&linked.status), "{}", linked.body);
                let current = self.app.get(&need(id), Some(&self.lg)).await.expect(200);
                let link = current.body["links"][0]["id"].as_i64().expect("a link");
                Attempt::new("DELETE", format!("{}/links/{link}", need(id)), None).watching(need(id))
            }
            "need.endorse" => {
                let id = self.kept(row_key(action), self.need_in("identified", false)).await;
                Attempt::new("POST", format!("{}/endorsements", need(id)), Some(json!({"organization_id": self.customer}))).watching(need(id))
            }
            "follow_up.create" => {
                let path = format!("/api/v1/organizations/{}/follow-ups", self.customer);
                Attempt::new("POST", &path, Some(json!({"date": crate::helpers::day(0), "kind": "meeting", "service_ids": [self.a1], "summary": "Möte"})))
                    .watching("/api/v1/follow-ups?limit=500")
            }
            "follow-ups list" => Attempt::new("GET", "/api/v1/follow-ups", None),
            "organization follow-ups list" => Attempt::new("GET", format!("/api/v1/organizations/{}/follow-ups", self.customer), None),
            "follow-up read" => {
                let id = self.kept(row_key(action), self.follow_up()).await;
                Attempt::new("GET", format!("/api/v1/follow-ups/{id}"), None)
            }
            "organization key account" => {
                let path = format!("/api/v1/organizations/{}", self.customer);
                Attempt::new("PATCH", &path, Some(json!({"key_account": null}))).watching(path)
            }
            _ => return None,
        })
    }
}
