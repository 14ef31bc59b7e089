//! `avails export -o FILE.xml` as a user runs it: payloads MDDF cannot take
//! are named and the command exits 1, the others written; the payloads of
//! one ALID are one `<Avail>`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn avails(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avails"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs avails")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sample(name: &str) -> String {
    root().join("samples").join(name).display().to_string()
}

#[test]
fn a_payload_mddf_cannot_take_is_named_and_the_export_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    // The reference's movie bundle says FormatProfile `Max`, which MDDF's
    // vocabulary does not have; the TVOD movie is fine.
    let bundle = sample("movie-bundle.expected.json");
    let movie = sample("tvod-movie.expected.json");
    let out = avails(
        dir.path(),
        &[
            "export",
            "--offline",
            "--from",
            &bundle,
            &movie,
            "-o",
            "out.xml",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: not written: payload 1 (ALID TEST_COLLECTION, territory US) /Transaction/0/FormatProfile/value: FormatProfile `Max` is none of MDDF's"),
        "{err}"
    );
    assert!(err.contains("1 payloads not written"), "{err}");
    // The TVOD movie is written, each non-SVOD window once per language (a warning).
    assert!(
        err.contains("warning: demoALID /Transaction/0/AssetLanguage"),
        "{err}"
    );
    let xml = std::fs::read_to_string(dir.path().join("out.xml")).unwrap();
    assert!(xml.contains("<avails:ALID>demoALID</avails:ALID>"));
    assert!(!xml.contains("TEST_COLLECTION"));

    // Nothing MDDF can take: exit 1, no file.
    let out = avails(
        dir.path(),
        &["export", "--offline", "--from", &bundle, "-o", "none.xml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!dir.path().join("none.xml").exists());
}

#[test]
fn one_title_in_two_territories_is_one_avail() {
    let dir = tempfile::tempdir().unwrap();
    let payload = std::fs::read_to_string(sample("season-prime.expected.json")).unwrap();
    std::fs::write(dir.path().join("us.json"), &payload).unwrap();
    let ca = payload.replace("\"country\": \"US\"", "\"country\": \"CA\"");
    assert_ne!(ca, payload);
    std::fs::write(dir.path().join("ca.json"), ca).unwrap();
    let out = avails(
        dir.path(),
        &[
            "export",
            "--offline",
            "--from",
            "us.json",
            "ca.json",
            "-o",
            "season.xml",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("2 avails, 2 transactions written"), "{err}");
    assert!(err.contains("in 1 <Avail> elements, one per ALID"), "{err}");
    let xml = std::fs::read_to_string(dir.path().join("season.xml")).unwrap();
    assert_eq!(xml.matches("<avails:ALID>").count(), 1, "{xml}");
    // Converted back: the two payloads again.
    let out = avails(dir.path(), &["convert", "season.xml", "-o", "back"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let files = std::fs::read_dir(dir.path().join("back")).unwrap().count();
    assert!(files >= 2, "{files}");
}
