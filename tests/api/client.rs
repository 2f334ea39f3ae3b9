//! A client generated from the committed document, used for real (integrators §2):
//! tests/client/scenario.py drives a whole year — portfolio, service, role assignments,
//! contract and delivery, plan through approval, a change request decided — through the Python
//! client openapi-python-client generates from openapi/openapi.json, and through nothing else.
//! `PYTHON_CLIENT` names the Python that has the generator's run-time libraries and
//! `PYTHON_CLIENT_PACKAGES` the directory the client was generated into (`.ci/run` does both);
//! without them this test is built as ignored (build.rs), never counted as passed.

use std::process::Command;

use crate::helpers::{spawn_app, token, Backend};

pub async fn a_generated_client_runs_the_year(backend: Backend) {
    let app = spawn_app(backend).await;
    let python = std::env::var("PYTHON_CLIENT").expect("PYTHON_CLIENT names a Python");
    let packages =
        std::env::var("PYTHON_CLIENT_PACKAGES").expect("PYTHON_CLIENT_PACKAGES names the client");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/client/scenario.py");
    let mut command = Command::new(python);
    command
        .arg(scenario)
        .env("PYTHONPATH", packages)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("FORVALTNING_URL", &app.base)
        .env(
            "LG_TOKEN",
            token("lena.ledning@sunet.se", &["management_group"]),
        )
        .env(
            "CONTROLLER_TOKEN",
            token("karin.kontroll@sunet.se", &["controller"]),
        )
        .env("OWNER_TOKEN", token("tove@sunet.se", &[]))
        .env("MANAGER_TOKEN", token("frida@sunet.se", &[]))
        .env("REQUESTER_TOKEN", token("per.person@sunet.se", &[]));
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the scenario ran")
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the scenario failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("scenario done"), "{stdout}\n{stderr}");
}
