//! `avails validate --remote`: connects (a profile or `--sandbox`) and asks
//! the API's own validate endpoints about the payloads with no local error
//! ([`avails_submit::remote`]).

use anyhow::Result;
pub use avails_submit::remote::{Outcome, Question};

use crate::connect::{runtime, ConnectArgs};

/// Asks the server about every payload of `question` without local errors.
pub fn validate(connect: &ConnectArgs, question: &Question<'_>) -> Result<Outcome> {
    let rt = runtime()?;
    rt.block_on(async {
        let connection = match connect.connect().await {
            Ok(c) => c,
            // The local findings still count: report them, then exit 2.
            Err(e) => {
                let profile = connect.profile.clone().unwrap_or_else(|| "?".into());
                let why = crate::output::chain(&e);
                return Ok(Outcome::unreachable(question, profile, why));
            }
        };
        let mut outcome = avails_submit::remote::ask(&connection.client, question).await;
        outcome.profile = connection.profile.clone();
        connection.close().await;
        Ok(outcome)
    })
}
