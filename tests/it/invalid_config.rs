//! Every bad configuration, theme or keymap file fails with its own message (in the style of
//! bottom's invalid-config tests): the file named, the setting or key named, what is wrong, and
//! exit code 2, before the workbench needs a terminal. The files are in tests/invalid_config/.

use crate::common;

use std::path::Path;

/// Runs `precre --config FILE` (the workbench) without a terminal and returns (code, stderr).
fn workbench_with(config: &str, extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::precre(&dir.path().join("t.db"))
        .current_dir(root)
        .env_remove("NO_COLOR") // NO_COLOR chooses the monochrome theme before any file is read
        .arg("--config")
        .arg(root.join("tests/invalid_config").join(config))
        .args(extra)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn refused(config: &str, extra: &[&str], expect: &[&str]) {
    let (code, err) = workbench_with(config, extra);
    assert_eq!(code, Some(2), "{config}: {err}");
    for e in expect {
        assert!(err.contains(e), "{config}: expected '{e}' in: {err}");
    }
    assert!(
        !err.contains("needs a terminal"),
        "{config}: the configuration is read first: {err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "one message: {err}");
}

#[test]
fn a_syntax_error_names_the_file_and_the_line() {
    refused("syntax_error.toml", &[], &["syntax_error.toml", "line 1"]);
}

#[test]
fn an_unknown_setting_names_it_and_the_known_ones() {
    refused(
        "unknown_setting.toml",
        &[],
        &[
            "unknown_setting.toml",
            "unknown field `colour`",
            "`theme`, `keys`, `promotion`",
        ],
    );
}

#[test]
fn a_theme_table_belongs_in_a_theme_file() {
    refused(
        "theme_table_in_config.toml",
        &[],
        &["theme_table_in_config.toml", "unknown field `colors`"],
    );
}

#[test]
fn an_unknown_command_in_keys_is_named() {
    refused(
        "unknown_command.toml",
        &[],
        &["unknown_command.toml", "keys.fly: no such command"],
    );
}

#[test]
fn a_key_that_is_not_a_key_is_named_with_examples() {
    refused(
        "not_a_key.toml",
        &[],
        &["keys.approve", "'ctrl-' is not a key", "examples"],
    );
}

#[test]
fn a_key_that_is_not_text_is_refused() {
    refused("key_not_text.toml", &[], &["key_not_text.toml", "line 2"]);
}

#[test]
fn an_unknown_theme_in_the_file_is_said_as_the_file_s() {
    refused(
        "unknown_theme.toml",
        &[],
        &[
            "unknown_theme.toml: theme:",
            "no theme 'purple'",
            "dark, light",
        ],
    );
}

#[test]
fn a_theme_file_with_a_bad_colour_names_the_colour() {
    refused(
        "bad_theme_file.toml",
        &[],
        &["bad_colour_theme.txt", "chartreuse-ish"],
    );
}

#[test]
fn a_bad_theme_flag_is_said_as_the_flag_s() {
    refused(
        "theme_ok.toml",
        &["--theme", "purple"],
        &["--theme: no theme 'purple'"],
    );
}

#[test]
fn a_missing_configuration_file_is_said() {
    refused(
        "no_such_file.toml",
        &[],
        &["cannot read the configuration", "no_such_file.toml"],
    );
}
