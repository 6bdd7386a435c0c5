//! The staleness check end to end: `codegen::run(root, check)` on a temporary copy
//! of the workspace's `openapi/` and `sdk/src/generated/`.

mod common;

use common::{copy_dir, TempRoot};
use xtask::codegen::{self, GENERATED_DIR, SPEC_DIR};

/// The generated client of every spec in `openapi/` (`zitadel-v1.yaml` ->
/// `zitadel_v1.rs`), read from the directory so that adding a provider needs no
/// change here.
fn provider_files() -> Vec<String> {
    codegen::spec_paths(&common::workspace_root())
        .unwrap()
        .iter()
        .filter_map(|p| p.file_stem())
        .map(|stem| {
            format!(
                "{}.rs",
                xtask::generate::module_name(&stem.to_string_lossy())
            )
        })
        .collect()
}

/// What a clean check reports: every client, plus `mod.rs`, up to date.
fn all_up_to_date(clients: usize) -> String {
    format!("all {} generated files are up to date", clients + 1)
}

/// A temporary root holding copies of the real specs and generated clients.
fn workspace_copy(label: &str) -> TempRoot {
    let real = common::workspace_root();
    let tmp = TempRoot::new(label);
    copy_dir(&real.join(SPEC_DIR), &tmp.join(SPEC_DIR));
    copy_dir(&real.join(GENERATED_DIR), &tmp.join(GENERATED_DIR));
    tmp
}

fn read(root: &TempRoot, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `stale: ...` lines of a report.
fn stale_lines(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| l.starts_with("stale: "))
        .collect()
}

/// Adds a property to the success schema of flashback.yaml, without regenerating.
fn change_flashback_schema(root: &TempRoot) {
    let rel = format!("{SPEC_DIR}/flashback.yaml");
    let spec = read(root, &rel);
    let anchor = "    ActivateUserResponse:\n      type: object\n      description: Success body of the activate endpoint.\n      properties:\n";
    assert!(
        spec.contains(anchor),
        "flashback.yaml changed shape; update this test"
    );
    let changed = spec.replace(
        anchor,
        &format!(
            "{anchor}        activatedUserId:\n          type: string\n          description: Id of the user that was activated.\n"
        ),
    );
    std::fs::write(root.join(&rel), changed).unwrap();
}

#[test]
fn a_copy_of_the_workspace_is_up_to_date() {
    let tmp = workspace_copy("check-clean");
    let report = codegen::run(&tmp.path, true).unwrap_or_else(|r| panic!("{r}"));
    assert!(stale_lines(&report).is_empty(), "{report}");
    assert!(
        report.contains(&all_up_to_date(provider_files().len())),
        "{report}"
    );
}

#[test]
fn a_schema_change_makes_only_its_client_stale_until_regenerated() {
    let tmp = workspace_copy("check-schema");
    codegen::run(&tmp.path, true).unwrap_or_else(|r| panic!("{r}"));

    change_flashback_schema(&tmp);
    let before = read(&tmp, "sdk/src/generated/flashback.rs");

    let report = codegen::run(&tmp.path, true).expect_err("the check must fail");
    assert_eq!(
        stale_lines(&report),
        ["stale: sdk/src/generated/flashback.rs"],
        "only flashback.rs is stale:\n{report}"
    );
    let files = provider_files();
    assert!(files.len() >= 5 && files.contains(&"flashback.rs".to_string()));
    for file in files.iter().filter(|f| *f != "flashback.rs") {
        assert!(
            !report.contains(&format!("{GENERATED_DIR}/{file}")),
            "{file} is not stale:\n{report}"
        );
    }
    assert!(
        report.contains(
            "1 generated file(s) are stale: sdk/src/generated/flashback.rs\n\
             run `cargo xtask codegen` and commit the result"
        ),
        "{report}"
    );
    // The diff shows what changed: the new field, as the spec now generates it.
    assert!(
        report.contains("+++ sdk/src/generated/flashback.rs (from the spec)"),
        "{report}"
    );
    assert!(report.contains("activatedUserId"), "{report}");
    // The check wrote nothing.
    assert_eq!(read(&tmp, "sdk/src/generated/flashback.rs"), before);

    let report = codegen::run(&tmp.path, false).unwrap_or_else(|r| panic!("{r}"));
    let wrote: Vec<&str> = report.lines().filter(|l| l.starts_with("wrote ")).collect();
    assert_eq!(wrote, ["wrote sdk/src/generated/flashback.rs"], "{report}");
    let after = read(&tmp, "sdk/src/generated/flashback.rs");
    assert!(
        after.contains("rename = \"activatedUserId\"") && after.contains("pub activated_user_id:"),
        "the regenerated client has the new field"
    );

    let report = codegen::run(&tmp.path, true).unwrap_or_else(|r| panic!("{r}"));
    assert!(
        report.contains(&all_up_to_date(provider_files().len())),
        "{report}"
    );
}

#[test]
fn a_stray_file_in_the_generated_dir_is_stale_until_codegen_removes_it() {
    let tmp = workspace_copy("check-stray");
    let stray = tmp.join("sdk/src/generated/old_provider.rs");
    std::fs::write(&stray, "// from a spec that no longer exists\n").unwrap();

    let report = codegen::run(&tmp.path, true).expect_err("a stray file is stale");
    assert_eq!(
        stale_lines(&report),
        ["stale: sdk/src/generated/old_provider.rs (no spec produces it)"],
        "{report}"
    );
    assert!(
        report.contains("1 generated file(s) are stale: sdk/src/generated/old_provider.rs"),
        "{report}"
    );
    assert!(stray.exists(), "the check removes nothing");

    let report = codegen::run(&tmp.path, false).unwrap_or_else(|r| panic!("{r}"));
    assert!(
        report.contains("removed sdk/src/generated/old_provider.rs"),
        "{report}"
    );
    assert!(!stray.exists());
    codegen::run(&tmp.path, true).unwrap_or_else(|r| panic!("{r}"));
}

#[test]
fn a_hand_edit_to_a_generated_file_is_stale() {
    let tmp = workspace_copy("check-edit");
    let rel = "sdk/src/generated/zitadel_v1.rs";
    let edited = read(&tmp, rel).replace("400u16..=499u16", "400u16..=498u16");
    std::fs::write(tmp.join(rel), edited).unwrap();

    let report = codegen::run(&tmp.path, true).expect_err("a hand edit is stale");
    assert_eq!(stale_lines(&report), [format!("stale: {rel}")], "{report}");
    assert!(
        report.contains("-            400u16..=498u16 => {"),
        "{report}"
    );
    assert!(
        report.contains("+            400u16..=499u16 => {"),
        "{report}"
    );
}

#[test]
fn a_missing_generated_file_and_a_removed_spec_are_stale() {
    let tmp = workspace_copy("check-missing");
    std::fs::remove_file(tmp.join("sdk/src/generated/aitronos.rs")).unwrap();
    std::fs::remove_file(tmp.join("openapi/nethesis.yaml")).unwrap();

    let report = codegen::run(&tmp.path, true).expect_err("the check must fail");
    let mut stale = stale_lines(&report);
    stale.sort_unstable();
    assert_eq!(
        stale,
        [
            "stale: sdk/src/generated/aitronos.rs",
            "stale: sdk/src/generated/mod.rs",
            "stale: sdk/src/generated/nethesis.rs (no spec produces it)",
        ],
        "{report}"
    );

    codegen::run(&tmp.path, false).unwrap_or_else(|r| panic!("{r}"));
    assert!(tmp.join("sdk/src/generated/aitronos.rs").is_file());
    assert!(!tmp.join("sdk/src/generated/nethesis.rs").exists());
    assert!(!read(&tmp, "sdk/src/generated/mod.rs").contains("pub mod nethesis;"));
    let report = codegen::run(&tmp.path, true).unwrap_or_else(|r| panic!("{r}"));
    assert!(
        report.contains(&all_up_to_date(provider_files().len() - 1)),
        "{report}"
    );
}
