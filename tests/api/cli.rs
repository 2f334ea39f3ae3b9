//! The binary as an operator uses it: `serve`, `token`, `migrate`, and refusals at startup.

use serde_json::json;

use crate::helpers::{binary, fixture, Backend, Server, TestDatabase};

fn run(db: &TestDatabase, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let out = binary(db, env).args(args).output().expect("run the binary");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Zero configuration: the first start generates the development secret, and `token`, reading
/// the same configuration, signs tokens that `serve` accepts.
pub async fn a_development_token_is_accepted_by_serve(backend: Backend) {
    let db = TestDatabase::new(backend);
    let server = Server::start_with(&db, &[]);
    let (ok, token, stderr) = run(
        &db,
        &[],
        &[
            "token",
            "--sub",
            "lg@sunet.se",
            "--role",
            "management_group",
            "--name",
            "Lena Ledning",
        ],
    );
    assert!(ok, "{stderr}");
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/api/v1/portfolios", server.base))
        .bearer_auth(&token)
        .json(&json!({"slug": "natverk", "name": "Nätverkstjänster"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(db.data_dir.join("jwt-dev-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Scoped roles come from assignments, never from tokens.
    let (ok, _, stderr) = run(
        &db,
        &[],
        &["token", "--sub", "x@sunet.se", "--role", "service_owner"],
    );
    assert!(!ok && stderr.contains("scoped role"), "{stderr}");
}

pub async fn bad_configuration_stops_startup_naming_the_variable(backend: Backend) {
    let db = TestDatabase::new(backend);
    for (env, named) in [
        (vec![("FORVALTNING_BIND", "överallt")], "FORVALTNING_BIND"),
        (vec![("FORVALTNING_ENV", "prod")], "FORVALTNING_ENV"),
        (
            vec![("DATABASE_URL", "mysql://db/forvaltning")],
            "DATABASE_URL",
        ),
        (
            vec![("FORVALTNING_JWT_PUBLIC_KEY_FILE", "/finns/inte.pem")],
            "FORVALTNING_JWT_PUBLIC_KEY_FILE",
        ),
        (vec![("FORVALTNING_ENV", "production")], "production"),
        (
            vec![
                ("FORVALTNING_ENV", "production"),
                ("FORVALTNING_JWT_SECRET", "kort"),
            ],
            "FORVALTNING_JWT_SECRET",
        ),
    ] {
        let (ok, _, stderr) = run(&db, &env, &["serve"]);
        assert!(!ok, "{env:?} started");
        assert!(stderr.contains(named), "{env:?}: {stderr}");
    }
}

pub async fn production_refuses_the_development_secret(backend: Backend) {
    let db = TestDatabase::new(backend);
    let (ok, _, stderr) = run(&db, &[], &["token", "--sub", "x@sunet.se"]);
    assert!(ok, "{stderr}");
    let secret = std::fs::read_to_string(db.data_dir.join("jwt-dev-secret")).unwrap();
    let (ok, _, stderr) = run(&db, &[("FORVALTNING_ENV", "production")], &["serve"]);
    assert!(!ok, "production started on the generated secret");
    assert!(stderr.contains("production"), "{stderr}");
    let (ok, _, stderr) = run(
        &db,
        &[
            ("FORVALTNING_ENV", "production"),
            ("FORVALTNING_JWT_SECRET", &secret),
        ],
        &["serve"],
    );
    assert!(!ok && stderr.contains("development secret"), "{stderr}");
}

pub async fn token_refuses_when_only_public_keys_are_configured(backend: Backend) {
    let db = TestDatabase::new(backend);
    let key = fixture("rsa-public.pem").display().to_string();
    let (ok, _, stderr) = run(
        &db,
        &[("FORVALTNING_JWT_PUBLIC_KEY_FILE", &key)],
        &["token", "--sub", "x@sunet.se"],
    );
    assert!(!ok && stderr.contains("public keys"), "{stderr}");
}

pub async fn migrate_brings_the_database_up_to_date(backend: Backend) {
    let db = TestDatabase::new(backend);
    let (ok, _, stderr) = run(&db, &[], &["migrate"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("applied migration"), "{stderr}");
    let (ok, _, stderr) = run(&db, &[], &["migrate"]);
    assert!(
        ok && !stderr.contains("applied migration"),
        "nothing left to apply: {stderr}"
    );
}

/// A governance model file with a mistake stops the service, naming the file, the line and the
/// key; `model check` says the same without starting anything; `model show` prints the model
/// in force.
pub async fn a_bad_governance_model_stops_startup_naming_file_line_and_key(backend: Backend) {
    let db = TestDatabase::new(backend);
    let manifest = env!("CARGO_MANIFEST_DIR");
    let sunet = format!("{manifest}/models/sunet.toml");
    let (ok, out, stderr) = run(&db, &[], &["model", "check", &sunet]);
    assert!(
        ok && out.contains("'sunet' version 2022.1 is valid"),
        "{out} {stderr}"
    );

    let text = std::fs::read_to_string(&sunet).unwrap().replace(
        "\"exchange_rate.set\" = [\"controller\"]",
        "\"exchange_rate.set\" = [\"kassör\"]",
    );
    let line = text[..text.find("\"exchange_rate.set\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let bad = db.data_dir.join("felaktig-modell.toml");
    std::fs::write(&bad, &text).unwrap();
    let bad = bad.to_str().unwrap();
    let expected = format!("felaktig-modell.toml:{line}: rules.\"exchange_rate.set\": 'kassör': there is no role 'kassör'");
    let (ok, _, stderr) = run(&db, &[], &["model", "check", bad]);
    assert!(!ok && stderr.contains(&expected), "{stderr}");
    let (ok, _, stderr) = run(&db, &[("FORVALTNING_GOVERNANCE_MODEL", bad)], &["serve"]);
    assert!(!ok, "a bad model started");
    assert!(
        stderr.contains("FORVALTNING_GOVERNANCE_MODEL") && stderr.contains(&expected),
        "{stderr}"
    );

    let example = format!("{manifest}/models/examples/nordforsk.toml");
    let (ok, out, stderr) = run(
        &db,
        &[("FORVALTNING_GOVERNANCE_MODEL", &example)],
        &["model", "show", "--format", "json"],
    );
    assert!(ok, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["name"], "nordforsk");
    let (ok, out, _) = run(&db, &[], &["model", "show"]);
    assert!(
        ok && out.starts_with("# Sunets tjänsteförvaltning"),
        "{out}"
    );
}

/// The default build's libpq has no TLS: a PostgreSQL on another host is refused at startup,
/// naming the ways out, rather than reached in plain text (libpq's default would fall back).
pub fn a_remote_database_without_tls_is_refused() {
    let db = TestDatabase::new(Backend::Sqlite);
    let remote = [(
        "DATABASE_URL",
        "postgres://forvaltning:hemligt@db.sunet.se/forvaltning",
    )];
    let (ok, _, stderr) = run(&db, &remote, &["migrate"]);
    if cfg!(feature = "bundled-libpq-tls") || !cfg!(feature = "bundled-libpq") {
        // A libpq with TLS goes on to connect (and fails to reach the host here).
        assert!(!ok && !stderr.contains("no TLS"), "{stderr}");
        return;
    }
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("this build's libpq has no TLS") && stderr.contains("sslmode=disable"),
        "{stderr}"
    );
    assert!(!stderr.contains("hemligt"), "{stderr}");
}
