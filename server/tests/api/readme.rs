//! The README's API examples, run as a developer would run them: the curl one with bash, the
//! Python one with python3, each against a real server, with a picture of a digit beside them.

use crate::helpers::{SEVEN, TestApp, digit_png, settings, spawn_app_with};

/// The code block after `<!-- readme-example: {name} -->` in the README.
fn example(name: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let marker = format!("<!-- readme-example: {name} -->");
    let after = readme
        .split_once(&marker)
        .unwrap_or_else(|| panic!("{marker} is not in the README"))
        .1;
    let block = after
        .split_once("```")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .expect("a code block after the marker")
        .1;
    block
        .split_once("```")
        .expect("the code block ends")
        .0
        .to_owned()
}

/// Runs `program args… code` in a folder holding `digit.png` (a drawn 7), with `TRAZO`
/// pointing at `app`; returns what it printed.
async fn run(app: &TestApp, program: &str, args: &[&str], code: &str) -> String {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("digit.png"), digit_png(SEVEN, 224, 0.0)).expect("digit");
    let output = tokio::process::Command::new(program)
        .args(args)
        .arg(code)
        .current_dir(dir.path())
        .env("TRAZO", app.url(""))
        .output()
        .await
        .unwrap_or_else(|error| panic!("{program} cannot run: {error}"));
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the README's {program} example failed:\n{code}\n--- stdout\n{printed}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    printed
}

#[tokio::test]
async fn the_curl_example_signs_up_logs_in_and_recognises_a_digit() {
    let app = spawn_app_with(settings()).await;
    let printed = run(&app, "bash", &["-euo", "pipefail", "-c"], &example("curl")).await;
    let answer: serde_json::Value =
        serde_json::from_str(printed.lines().last().expect("the answer is printed last"))
            .unwrap_or_else(|error| panic!("{error}: {printed}"));
    assert_eq!(answer["prediccion"], 7, "{printed}");
    assert_eq!(answer["quota"]["hour"]["remaining"], 49, "{printed}");
}

#[tokio::test]
async fn the_python_example_signs_up_logs_in_and_recognises_a_digit() {
    let app = spawn_app_with(settings()).await;
    let printed = run(&app, "python3", &["-c"], &example("python")).await;
    let mut words = printed.split_whitespace();
    assert_eq!(words.next(), Some("7"), "{printed}");
    let probability: f64 = words
        .next()
        .expect("a probability")
        .parse()
        .expect("a number");
    assert!(probability > 0.5, "{printed}");
}
