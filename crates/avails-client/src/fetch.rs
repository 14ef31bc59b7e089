//! Fetching the full extracts of many scopes at once, within the client's
//! rate and concurrency limits (diff and export both need it).

use avails_model::Avail;
use futures::stream::{self, StreamExt};

use crate::client::AvailsClient;
use crate::errors::ClientError;

/// One full extract's scope (defined in avails-model, shared with the converter).
pub use avails_model::Scope;

/// What the server holds for one scope.
#[derive(Debug)]
pub struct Fetched {
    /// The scope asked for.
    pub scope: Scope,
    /// The stored avail, `None` when the server holds nothing there (404),
    /// or the error of the call.
    pub result: Result<Option<Avail>, ClientError>,
}

impl AvailsClient {
    /// GETs the full extract of every scope, as many at once as the client
    /// allows in flight, and returns them in the order given.
    pub async fn get_full_extracts(&self, scopes: impl IntoIterator<Item = Scope>) -> Vec<Fetched> {
        let in_flight = self.max_concurrency().max(1) as usize;
        stream::iter(scopes)
            .map(|scope| async move {
                let result = match self
                    .get_full_extract(&scope.alid, &scope.territory, scope.business_line)
                    .await
                {
                    Ok(r) => Ok(r.avail),
                    Err(e) if e.status() == Some(404) => Ok(None),
                    Err(e) => Err(e),
                };
                Fetched { scope, result }
            })
            .buffered(in_flight)
            .collect()
            .await
    }

    /// What the server holds for every scope, fetched as
    /// [`get_full_extracts`](Self::get_full_extracts) does: the avails it
    /// holds in the order given, `absent` told of each scope it holds
    /// nothing for, and the first call that failed (in that order) as the
    /// error. The one fetch loop of `diff` and `export`.
    pub async fn fetch_full_extracts(
        &self,
        scopes: impl IntoIterator<Item = Scope>,
        mut absent: impl FnMut(&Scope),
    ) -> Result<Vec<Avail>, FetchFailed> {
        let mut held = Vec::new();
        for fetched in self.get_full_extracts(scopes).await {
            match fetched.result {
                Ok(Some(avail)) => held.push(avail),
                Ok(None) => absent(&fetched.scope),
                Err(source) => {
                    return Err(FetchFailed {
                        scope: fetched.scope,
                        source,
                    })
                }
            }
        }
        Ok(held)
    }
}

/// A full extract the server could not be asked for.
#[derive(Debug, thiserror::Error)]
#[error("{scope}: {source}")]
pub struct FetchFailed {
    /// The scope of the call that failed.
    pub scope: Scope,
    /// Why it failed.
    #[source]
    pub source: ClientError,
}
