//! State shared by every request.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::api::Failure;
use crate::auth::Auth;
use crate::counters::Counters;
use crate::limits::{Faults, Limits};
use crate::store::Store;

/// Everything a request handler can reach.
pub struct Shared {
    /// The database.
    pub store: Store,
    /// Counters exposed by [`crate::RunningSandbox::counters`].
    pub counters: Arc<Counters>,
    /// API keys.
    pub auth: Auth,
    /// Rate and concurrency limits.
    pub limits: Limits,
    /// Fault injection.
    pub faults: Faults,
    /// Delay before every API answer.
    pub latency: Duration,
    /// ALIDs of each licensor's metadata contributions (server-only rule).
    pub known_alids: crate::KnownAlids,
}

/// Cheap handle on [`Shared`] given to axum.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Runs `f` on a blocking thread (SQLite and validation work).
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&Shared) -> T + Send + 'static,
    {
        let shared = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || f(&shared))
            .await
            .map_err(|e| Failure::internal(format!("worker failed: {e}")))
    }
}
