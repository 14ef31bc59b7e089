//! `avails status`: each title's delivery state from the Asset Status API.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::Value;

use crate::connect::{runtime, ConnectArgs};
use crate::output::{self, Format};

/// Show what each title still needs before it can go live.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Titles to look up.
    #[arg(required = true, value_name = "ALID")]
    pub alids: Vec<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Marketplace: GLOBAL (default), US, DE, JP or GB.
    #[arg(long)]
    pub marketplace: Option<String>,
    /// `text` for a table, `json` for the API's ProductStatus objects.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let c = args.connect.connect().await?;
        let mut all = Vec::new();
        let mut code = output::EXIT_OK;
        for alid in &args.alids {
            match c
                .client
                .asset_status(alid, args.marketplace.as_deref())
                .await
            {
                Ok(status) => all.push((alid.clone(), status)),
                Err(e) if e.status() == Some(404) => {
                    errln!("{alid}: not found: {e}");
                    code = code.max(output::EXIT_PROBLEMS);
                }
                Err(e) => {
                    errln!("error: profile `{}`: {e}", c.profile);
                    code = output::EXIT_FAILURE;
                    break;
                }
            }
        }
        c.close().await;
        match args.format {
            Format::Json => {
                let list: Vec<&Value> = all.iter().map(|(_, s)| s).collect();
                outln!("{}", serde_json::to_string_pretty(&list)?);
            }
            Format::Text => {
                for (alid, status) in &all {
                    out!("{}", render(alid, status));
                }
            }
        }
        Ok(code.into())
    })
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn error_codes(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("ErrorCode", Value::String(s)) if !out.contains(s) => out.push(s.clone()),
                    _ => error_codes(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| error_codes(x, out)),
        _ => {}
    }
}

/// A readable table of one ProductStatus.
pub fn render(alid: &str, status: &Value) -> String {
    let mut out = format!("{alid}: {}\n", text(status, "OverallProgressCode"));
    let parts = status
        .get("TitlePartStatus")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let rows: Vec<[String; 5]> = parts
        .iter()
        .map(|p| {
            let mut what = format!("{} {}", text(p, "PrimaryType"), text(p, "SecondaryType"));
            for k in ["Locale", "FormatProfile"] {
                if !text(p, k).is_empty() {
                    what.push_str(&format!(" {}", text(p, k)));
                }
            }
            let mut codes = Vec::new();
            error_codes(p, &mut codes);
            [
                what.trim().to_string(),
                text(p, "RuleType").to_string(),
                text(p, "Progress").to_string(),
                text(p, "ActionType").to_string(),
                codes.join(","),
            ]
        })
        .collect();
    let header = ["DELIVERY", "RULE", "PROGRESS", "ACTION", "ERRORS"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str("  ");
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
