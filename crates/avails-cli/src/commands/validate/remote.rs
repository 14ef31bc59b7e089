//! `avails validate --remote`: connects (a profile or `--sandbox`) and asks
//! the API's own validate endpoints about the payloads with no local error
//! ([`avails_submit::remote`]).

use anyhow::Result;
use avails_convert::{Conversion, Diagnostic};
use avails_mapping::Mapping;
pub use avails_submit::remote::Outcome;

use crate::connect::{runtime, ConnectArgs};

/// Asks the server about every payload without local errors (`failing`
/// says which payloads validation refuses).
pub fn validate(
    connect: &ConnectArgs,
    conversion: &Conversion,
    mapping: &Mapping,
    local: &[Diagnostic],
    failing: &[bool],
    partial: bool,
    batch_size: usize,
) -> Result<Outcome> {
    let rt = runtime()?;
    rt.block_on(async {
        let connection = match connect.connect().await {
            Ok(c) => c,
            // The local findings still count: report them, then exit 2.
            Err(e) => {
                let profile = connect.profile.clone().unwrap_or_else(|| "?".into());
                let why = format!("{e:#}");
                return Ok(Outcome::unreachable(
                    conversion, local, failing, profile, why,
                ));
            }
        };
        let client = &connection.client;
        let mut outcome = avails_submit::remote::ask(
            client, conversion, mapping, local, failing, partial, batch_size,
        )
        .await;
        outcome.profile = connection.profile.clone();
        connection.close().await;
        Ok(outcome)
    })
}
