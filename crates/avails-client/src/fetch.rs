//! Fetching the full extracts of many scopes at once, within the client's
//! rate and concurrency limits (diff and export both need it).

use avails_model::{Avail, BusinessLine};
use futures::stream::{self, StreamExt};

use crate::client::AvailsClient;
use crate::errors::ClientError;

/// One full extract's scope: title, territory, business line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    /// The title.
    pub alid: String,
    /// ISO 3166-1 alpha-2 territory.
    pub territory: String,
    /// Business line.
    pub business_line: BusinessLine,
}

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
}
