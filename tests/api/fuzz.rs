//! Schemathesis against the live service (issue: hardening §1): every operation of the
//! document, positive and negative data, every check, stateful links — once as the management
//! group and once as a signed-in user without roles. Zero failures. `SCHEMATHESIS` names its
//! `st` command (`.ci/run` installs the pinned version of tests/schemathesis/requirements.txt);
//! without it these tests are built as ignored (build.rs), never counted as passed.

use std::process::Command;

use crate::helpers::{spawn_app, token, Backend};

/// Examples per operation and phase, and the seed: fixed, so that CI answers the same way for
/// the same code (`SCHEMATHESIS_SEED` / `SCHEMATHESIS_EXAMPLES` explore further by hand).
const EXAMPLES: &str = "15";
const SEED: &str = "306406897104264232474621477521924029054";

pub async fn as_the_management_group(backend: Backend) {
    // The management group, here also the controller: contracts and deliveries are reached
    // with authority, not only refused.
    run(
        backend,
        "lg",
        &token("lena.ledning@sunet.se", &["management_group", "controller"]),
    )
    .await;
}

pub async fn as_a_user_without_roles(backend: Backend) {
    run(backend, "plain", &token("per.person@sunet.se", &[])).await;
}

async fn run(backend: Backend, who: &str, bearer: &str) {
    let app = spawn_app(backend).await;
    let st = std::env::var("SCHEMATHESIS").expect("SCHEMATHESIS names schemathesis' st");
    let examples = std::env::var("SCHEMATHESIS_EXAMPLES").unwrap_or(EXAMPLES.into());
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or(SEED.into());
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemathesis/schemathesis.toml"
    );
    let report = std::env::temp_dir().join(format!(
        "forvaltning-schemathesis-{who}-{backend:?}-{}",
        std::process::id()
    ));
    let document = app.url("/api/v1/openapi.json");
    let authorization = format!("Authorization: Bearer {bearer}");
    let args = [
        "--config-file",
        config,
        "run",
        &document,
        "--header",
        &authorization,
        "--checks",
        "all",
        "--mode",
        "all",
        "--max-examples",
        &examples,
        "--seed",
        &seed,
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        report.to_str().expect("a UTF-8 temp dir"),
    ];
    // Its working directory gets its cache (`.schemathesis/`): the report's, not the checkout.
    std::fs::create_dir_all(&report).expect("a report directory");
    let mut command = Command::new(st);
    command.args(args).current_dir(&report);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("st ran")
        .expect("st starts");
    let text = String::from_utf8_lossy(&output.stdout);
    let summary: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .filter(|l| !l.trim().is_empty())
        .collect();
    eprintln!(
        "schemathesis as {who} on {backend:?}:\n{}",
        summary.join("\n")
    );
    assert!(
        output.status.success(),
        "schemathesis as {who} on {backend:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
