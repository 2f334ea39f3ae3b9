//! The project's own documentation (`docs/`) cannot drift from the code: the page of who may
//! do what is generated from the built-in governance model (`forvaltning model show`), and the
//! repository's text cites its own files, never a design document outside it.

use crate::helpers::Backend;

pub async fn the_model_page_is_the_built_in_model(_backend: Backend) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/governance-model.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == forvaltning::domain::model::Model::builtin().markdown(),
        "docs/governance-model.md is out of date: run `cargo run -- model show > docs/governance-model.md` and commit it"
    );
}

pub async fn the_repository_cites_only_itself(_backend: Backend) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut citing = Vec::new();
    let mut pending = vec![
        root.join("README.md"),
        root.join("src"),
        root.join("tests"),
        root.join("docs"),
    ];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read a directory") {
                pending.push(entry.expect("a directory entry").path());
            }
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // The needles are split so that this file does not find itself.
        let outside = [concat!("DESIGN", ".md"), concat!("../", "shared")];
        if outside.iter().any(|needle| text.contains(needle)) {
            citing.push(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            );
        }
    }
    citing.sort();
    assert!(
        citing.is_empty(),
        "these cite a file outside the repository: {citing:?}"
    );
}
