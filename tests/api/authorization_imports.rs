//! The attempts of the imports' rows of the authorization table (docs/imports.md): a file of
//! one customer contract covering a1, each row authorised as `POST /contracts` would be (a
//! refused row refuses the file with 422); what an import did, read by its importer (A's TÄ),
//! LG and VU.

use serde_json::json;

use super::{Attempt, World};
use crate::helpers::day;

impl World {
    /// A file of one customer contract covering a1, by natural keys.
    fn contract_file(&self) -> serde_json::Value {
        json!([{
            "kind": "customer", "organization_slug": "uppsala-universitet", "title": "Avtal om eduroam",
            "reference": self.fresh("IMPORT-2026"), "start_date": day(-30), "end_date": day(4 * 365),
            "annual_value": {"amount": "48000.00", "currency": "SEK"},
            "services": [{"service_slug": "eduroam", "share_percent": 100}]
        }])
    }

    pub(super) async fn import_attempt(&self, action: &str) -> Option<Attempt> {
        let imports = "/api/v1/imports?kind=contracts";
        Some(match action {
            "contracts import" => Attempt::new("POST", imports, Some(self.contract_file()))
                .watching("/api/v1/contracts?limit=500"),
            "import read" => {
                let id = self
                    .kept("import read", async {
                        self.app
                            .post(imports, Some(&self.ta_in), self.contract_file())
                            .await
                            .expect(200)
                            .id()
                    })
                    .await;
                Attempt::new("GET", format!("/api/v1/imports/{id}"), None)
            }
            _ => return None,
        })
    }
}
