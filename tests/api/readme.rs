//! The README is tested (integrators §6): every shell example of its walkthrough runs, as
//! written, against the real binary, so the README and the service cannot drift apart.
//!
//! The examples are read from README.md itself: the ```sh blocks under "## A walkthrough with
//! curl". They run in one bash, line by line, with three stand-ins and nothing else changed:
//! `cargo run [-q] [--release] [--] ARGS` runs the binary under test with ARGS (without ARGS,
//! which would serve, it does nothing: this test started that server already, as the README's
//! `cargo run --release &` would), `127.0.0.1:8080` is the address the server got, and `curl`
//! is the real curl that also notes each answer's status. The server starts as a newcomer's
//! would: development mode, no secret given (so `forvaltning token` signs with the secret the
//! first start wrote to the data directory).
//!
//! Every request must answer 2xx, unless the line after it in the README is a comment holding
//! the JSON the call answers (`# {"status":403, …}`): then the answer must hold every field
//! shown, with those values. A line that calls `curl` or `api` must make at least one request.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::helpers::{Backend, Server, TestDatabase};

const SECTION: &str = "## A walkthrough with curl";

/// One line of an example and, when the README shows it, the answer it expects.
struct Step {
    readme_line: usize,
    command: String,
    expected: Option<Value>,
}

pub async fn every_readme_example_runs(backend: Backend) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("read README.md");
    let steps = walkthrough_steps(&readme);
    assert!(
        steps.iter().filter(|s| makes_requests(&s.command)).count() >= 20,
        "the walkthrough was not found in README.md (under {SECTION:?})"
    );

    let db = TestDatabase::new(backend);
    let server = Server::start_with(&db, &[("FORVALTNING_ENV", "development")]);
    let address = server.base.trim_start_matches("http://").to_string();
    let work = db.data_dir.join("readme");
    std::fs::create_dir_all(&work).expect("work dir");
    let script = bash_script(&steps, &address);

    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(&work)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("W", &work)
        .env("FORVALTNING_BIN", env!("CARGO_BIN_EXE_forvaltning"))
        .env("FORVALTNING_DATA_DIR", &db.data_dir)
        .env("DATABASE_URL", &db.url)
        .env("FORVALTNING_ENV", "development");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the examples ran")
        .expect("bash starts");
    let transcript = String::from_utf8_lossy(&output.stdout).to_string();
    let errors = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.success(),
        "the README's examples stopped ({}):\n{transcript}\n{errors}",
        output.status
    );

    let answers = read_answers(&work);
    for step in &steps {
        let Some(statuses) = answers.get(&step.readme_line) else {
            assert!(
                !makes_requests(&step.command),
                "README.md:{} made no request: {}\n{errors}",
                step.readme_line,
                step.command
            );
            continue;
        };
        let body = std::fs::read_to_string(work.join(format!("body.{}", step.readme_line)))
            .unwrap_or_default();
        let context = format!(
            "README.md:{}: {}\nanswered {statuses:?}: {body}",
            step.readme_line, step.command
        );
        match &step.expected {
            None => assert!(statuses.iter().all(|s| (200..300).contains(s)), "{context}"),
            Some(expected) => {
                let answer: Value = serde_json::from_str(body.trim()).expect(&context);
                assert_holds(expected, &answer, &context);
                if let Some(status) = expected.get("status").and_then(Value::as_u64) {
                    assert_eq!(statuses, &[status as u16], "{context}");
                }
            }
        }
    }
    // The CSV example wrote a spreadsheet file with a header row and the contract.
    let csv = std::fs::read_to_string(work.join("avtal.csv")).expect("avtal.csv was written");
    assert!(
        csv.starts_with("id,") && csv.contains("Anslutning eduroam"),
        "{csv}"
    );
    drop(server);
}

/// The command lines of the walkthrough's ```sh blocks, with the expected answers shown.
fn walkthrough_steps(readme: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_section = false;
    let mut in_block = false;
    for (index, line) in readme.lines().enumerate() {
        if line.starts_with("## ") {
            in_section = line.trim() == SECTION;
        }
        if !in_section {
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_block = !in_block && trimmed == "```sh";
            continue;
        }
        if !in_block || trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            let comment = comment.trim();
            if comment.starts_with('{') {
                let expected: Value = serde_json::from_str(comment).unwrap_or_else(|e| {
                    panic!(
                        "README.md:{}: the expected answer is not JSON: {e}",
                        index + 1
                    )
                });
                let step = steps
                    .last_mut()
                    .expect("an expected answer follows a command");
                step.expected = Some(expected);
            }
            continue;
        }
        steps.push(Step {
            readme_line: index + 1,
            command: line.to_string(),
            expected: None,
        });
    }
    steps
}

/// A call of `curl` or `api` (not the line that defines `api`).
fn makes_requests(command: &str) -> bool {
    let command = command.trim_start();
    let defines_a_function = command
        .split_once("()")
        .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    !defines_a_function && (command.contains("curl ") || command.starts_with("api "))
}

/// One bash script: the stand-ins, then each line followed by a note of what it answered.
fn bash_script(steps: &[Step], address: &str) -> String {
    let mut script = String::from(
        r#"set -eu -o pipefail
cargo() {
  [ "$1" = run ] || { echo "the README runs cargo $*" >&2; return 97; }
  shift
  while [ $# -gt 0 ]; do
    case "$1" in -q|--release) shift ;; --) shift; break ;; *) break ;; esac
  done
  [ $# -eq 0 ] && return 0
  "$FORVALTNING_BIN" "$@"
}
curl() {
  command curl -w '%{stderr}@@%{http_code}\n' "$@" 2>>"$W/statuses" | tee "$W/body"
}
__answered() {
  if [ -s "$W/statuses" ]; then
    echo "$1 $(grep '^@@' "$W/statuses" | tr -d '@' | tr '\n' ' ')" >>"$W/answers"
    : >"$W/statuses"
    mv "$W/body" "$W/body.$1"
  fi
}
"#,
    );
    for step in steps {
        let command = step.command.replace("127.0.0.1:8080", address);
        script.push_str(&format!(
            "echo '$ README.md:{}'\n{command}\n__answered {}\n",
            step.readme_line, step.readme_line
        ));
    }
    script
}

/// README line → the statuses its requests answered.
fn read_answers(work: &Path) -> BTreeMap<usize, Vec<u16>> {
    let text = std::fs::read_to_string(work.join("answers")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let readme_line = fields.next()?.parse().ok()?;
            let statuses = fields.filter_map(|s| s.parse().ok()).collect();
            Some((readme_line, statuses))
        })
        .collect()
}

/// Every field of `expected` is in `actual` with the same value (objects recursively).
fn assert_holds(expected: &Value, actual: &Value, context: &str) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let got = have
                    .get(key)
                    .unwrap_or_else(|| panic!("{context}\nthe answer has no {key:?}"));
                assert_holds(value, got, context);
            }
        }
        _ => assert_eq!(expected, actual, "{context}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_read_from_sh_blocks_of_the_section_only() {
        let readme = "## A walkthrough with curl\n\n```sh\napi $LG $U/me\n# {\"status\":403}\n# prose\n```\n\n```toml\nx = 1\n```\n## Other\n```sh\ncurl nowhere\n```\n";
        let steps = walkthrough_steps(readme);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].readme_line, 4);
        assert_eq!(steps[0].expected, Some(serde_json::json!({"status": 403})));
    }
}
