//! Paths and helpers shared by the conversion tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use avails_convert::{convert_inputs, Conversion, ConvertOptions};
use avails_model::canonical::canonical;
use serde_json::Value;

/// The MovieLabs corpus, copied into the repository (`tests/data/movielabs`).
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/movielabs")
}

/// The project's samples folder.
pub fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

/// Converts files with the default options.
pub fn convert(paths: &[PathBuf]) -> Conversion {
    convert_inputs(paths, &ConvertOptions::default(), &mut |_| {})
}

/// Each payload as canonical JSON, keyed and sorted for set comparison.
pub fn payload_set(c: &Conversion) -> Vec<(String, Value)> {
    let mut v: Vec<(String, Value)> = c
        .payloads
        .iter()
        .map(|p| {
            (
                p.key(),
                canonical(&serde_json::to_value(&p.request).unwrap()),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Files of the corpus with one of these extensions.
pub fn corpus_files(ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("tests/data/movielabs")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        .collect();
    files.sort();
    files
}

/// A short name for messages.
pub fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().to_string()
}

pub mod ema;
