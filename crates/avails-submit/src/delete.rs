//! Deleting on the server, and telling the journal: a deleted title is no
//! longer "landed", so the next submit sends it without `--force`.
//!
//! Before deleting, the target is read once (GET) to learn what the journal
//! knows it by: a full extract's transactions (their partial-extract keys),
//! or a transaction's title, territory and business line (its full-extract
//! key). After a successful delete every such key goes back to `pending`,
//! noted `deleted` ([`Journal::mark_deleted`]).

use avails_client::{AvailsClient, ClientError};
use avails_journal::{full_key, partial_key, Journal, JournalError};
use avails_model::{Avail, BusinessLine, StatusResponse};

/// What to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteTarget<'a> {
    /// Every window of one scope (of one contract, if given).
    Full {
        /// The title.
        alid: &'a str,
        /// Its territory.
        territory: &'a str,
        /// Its business line.
        business_line: BusinessLine,
        /// Only the windows of this contract.
        contract_id: Option<&'a str>,
    },
    /// One partial-extract transaction.
    Transaction(&'a str),
}

/// What a delete did.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The server's answer (a 200 whose `success` may be false).
    pub response: StatusResponse,
    /// Journal entries that now say the content is no longer on the server.
    pub journal_entries: usize,
}

/// Why a delete could not be done or recorded.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    /// The server refused or could not be reached.
    #[error("{0}")]
    Client(#[from] ClientError),
    /// The server deleted, but the journal could not record it: the next
    /// submit would skip what is no longer there (use `--force`).
    #[error("deleted on the server, but the journal could not record it (the next submit needs --force): {0}")]
    Journal(#[from] JournalError),
}

/// The scope of a stored window: its title, first territory and business line.
fn scope_of(avail: &Avail) -> Option<(String, String, BusinessLine)> {
    let t = avail.transaction.first()?;
    let territory = t.territory.first()?.country.clone();
    let channel = t.term("ChannelIdentity").and_then(|c| c.text.as_deref());
    let line = BusinessLine::infer(t.license_type.as_deref()?, channel)?;
    Some((avail.alid.clone(), territory, line))
}

/// The journal keys the target's content was sent under.
async fn journal_keys(client: &AvailsClient, target: DeleteTarget<'_>) -> Vec<String> {
    let licensor = client.licensor();
    match target {
        DeleteTarget::Full {
            alid,
            territory,
            business_line,
            contract_id,
        } => {
            let mut keys = vec![full_key(licensor, alid, territory, business_line)];
            if let Ok(found) = client
                .get_full_extract(alid, territory, business_line)
                .await
            {
                let trans = found.avail.map(|a| a.transaction).unwrap_or_default();
                keys.extend(
                    trans
                        .iter()
                        .filter(|t| {
                            contract_id.is_none() || t.contract_id.as_deref() == contract_id
                        })
                        .filter_map(|t| t.transaction_id.as_deref())
                        .map(|id| partial_key(licensor, id)),
                );
            }
            keys
        }
        DeleteTarget::Transaction(id) => {
            let mut keys = vec![partial_key(licensor, id)];
            if let Ok(found) = client.get_partial_extract(id).await {
                if let Some((alid, territory, line)) = found.avail.as_ref().and_then(scope_of) {
                    keys.push(full_key(licensor, &alid, &territory, line));
                }
            }
            keys
        }
    }
}

/// Deletes `target` on the server and, when it succeeded, marks what the
/// journal sent of it as no longer landed.
pub async fn delete(
    client: &AvailsClient,
    journal: &Journal,
    target: DeleteTarget<'_>,
) -> Result<Deleted, DeleteError> {
    let mut keys = journal_keys(client, target).await;
    let response = match target {
        DeleteTarget::Full {
            alid,
            territory,
            business_line,
            contract_id,
        } => {
            client
                .delete_full_extract(alid, territory, business_line, contract_id)
                .await?
        }
        DeleteTarget::Transaction(id) => client.delete_partial_extract(id).await?,
    };
    if !response.success {
        return Ok(Deleted {
            response,
            journal_entries: 0,
        });
    }
    // A FullDelete payload of the scope was journaled under `{full key}:FullDelete`.
    if let DeleteTarget::Full { .. } = target {
        let prefix = format!("{}:", keys[0]);
        keys.extend(journal.keys_with_prefix(&prefix)?);
    }
    let journal_entries = journal.mark_deleted(keys.iter().map(String::as_str), Some(200))?;
    Ok(Deleted {
        response,
        journal_entries,
    })
}
