//! Tests that need PostgreSQL are compiled as ignored unless `TEST_DATABASE_URL` names one, so
//! that a run without it reports them as ignored, never as passed; likewise the schemathesis
//! runs without `SCHEMATHESIS` (the path of its `st` command), and the generated client's
//! scenario without `PYTHON_CLIENT`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    let configured = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty());
    if configured {
        println!("cargo::rustc-cfg=postgres_tests");
    }
    println!("cargo::rustc-check-cfg=cfg(schemathesis_tests)");
    println!("cargo::rerun-if-env-changed=SCHEMATHESIS");
    if std::env::var("SCHEMATHESIS").is_ok_and(|st| !st.trim().is_empty()) {
        println!("cargo::rustc-cfg=schemathesis_tests");
    }
    println!("cargo::rustc-check-cfg=cfg(client_tests)");
    println!("cargo::rerun-if-env-changed=PYTHON_CLIENT");
    if std::env::var("PYTHON_CLIENT").is_ok_and(|p| !p.trim().is_empty()) {
        println!("cargo::rustc-cfg=client_tests");
    }
}
