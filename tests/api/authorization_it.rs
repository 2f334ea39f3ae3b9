//! The attempts of the IT environment's rows of the authorization table (docs/roles.md): each
//! on a fresh information system whose responsible is the TJF of a1 (`tjf_in`), and that a1
//! depends on where the row needs a dependant portfolio.

use serde_json::json;

use super::{Attempt, World};

/// The responsible of every system the rows act on: the TJF of a1.
const RESPONSIBLE: &str = "frida.forvaltare@sunet.se";

impl World {
    /// A fresh system in use, its responsible the TJF of a1.
    async fn system(&self) -> i64 {
        let slug = self.fresh("system");
        self.app
            .post(
                "/api/v1/information-systems",
                Some(&self.lg),
                json!({"slug": slug, "name": "Sunets RADIUS-plattform", "kind": "infrastructure",
                       "lifecycle": "in_use", "hosting": "sunet", "responsible": RESPONSIBLE}),
            )
            .await
            .expect(201)
            .id()
    }

    /// A fresh system that a1 depends on (recorded by A's TÄ).
    async fn system_of_a1(&self) -> (i64, i64) {
        let system = self.system().await;
        let dependency = self
            .app
            .post(
                &format!("/api/v1/services/{}/dependencies", self.a1),
                Some(&self.ta_in),
                json!({"information_system_id": system, "criticality": "important"}),
            )
            .await
            .expect(201)
            .id();
        (system, dependency)
    }

    pub(super) async fn it_attempt(&self, action: &str) -> Option<Attempt> {
        let systems = "/api/v1/information-systems";
        let a1_dependencies = format!("/api/v1/services/{}/dependencies", self.a1);
        Some(match action {
            "information_system.create" => Attempt::new("POST", systems, Some(json!({"slug": self.fresh("nytt-system"), "name": "Nytt system", "kind": "application", "lifecycle": "planned", "hosting": "cloud"})))
                .watching(format!("{systems}?limit=500")),
            "information systems list" => Attempt::new("GET", systems, None),
            "information system read" => Attempt::new("GET", format!("{systems}/{}", self.system().await), None),
            "information_system.update" => {
                let (system, _) = self.system_of_a1().await;
                let path = format!("{systems}/{system}");
                Attempt::new("PATCH", &path, Some(json!({"description": self.fresh("Beskrivning")}))).watching(path)
            }
            "information_system.retire" => {
                let path = format!("{systems}/{}", self.system().await);
                Attempt::new("POST", format!("{path}/retire"), None).watching(path)
            }
            "system dependencies read" => Attempt::new("GET", format!("{systems}/{}/dependencies", self.system().await), None),
            "system dependency add" => {
                let (system, on) = (self.system().await, self.system().await);
                let path = format!("{systems}/{system}");
                Attempt::new("POST", format!("{path}/dependencies"), Some(json!({"depends_on_id": on}))).watching(path)
            }
            "system dependency remove" => {
                let (system, on) = (self.system().await, self.system().await);
                let path = format!("{systems}/{system}");
                self.app.post(&format!("{path}/dependencies"), Some(&self.lg), json!({"depends_on_id": on})).await.expect(201);
                let dependency = self.app.get(&format!("{path}/dependencies"), Some(&self.lg)).await.expect(200).body["results"][0]["id"]
                    .as_i64()
                    .expect("the dependency");
                Attempt::new("DELETE", format!("{path}/dependencies/{dependency}"), None).watching(path)
            }
            "information system impact read" => Attempt::new("GET", format!("{systems}/{}/impact", self.system_of_a1().await.0), None),
            "service dependencies read" => Attempt::new("GET", format!("{a1_dependencies}?transitive=true"), None),
            "service dependency add" => {
                let system = self.system().await;
                Attempt::new("POST", &a1_dependencies, Some(json!({"information_system_id": system, "criticality": "critical"})))
                    .watching(a1_dependencies.clone())
            }
            "service dependency remove" => {
                let (_, dependency) = self.system_of_a1().await;
                Attempt::new("DELETE", format!("{a1_dependencies}/{dependency}"), None).watching(a1_dependencies.clone())
            }
            "architecture_review.record" => Attempt::new("POST", "/api/v1/architecture/reviews", Some(json!({"note": "LG-möte"})))
                .watching("/api/v1/architecture/reviews?limit=500"),
            "architecture reviews read" => Attempt::new("GET", "/api/v1/architecture/reviews", None),
            _ => return None,
        })
    }
}
