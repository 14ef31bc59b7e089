//! The server's state and routes: sheet sets, their checks, comparisons,
//! plans and sends.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use avails_client::AvailsClient;
use avails_convert::ConvertOptions;
use avails_journal::{HistoryFilter, Journal, WriterLock};
use avails_submit::{Event, SubmitError, SubmitOptions};
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::engine::{self, CheckView, Plan};
use crate::error::{RequestError, ServeError};
use crate::names::FileNames;
use crate::pages;
use crate::uploads::Uploads;
use crate::ServeConfig;

/// The whole server's state.
pub struct App {
    /// The secret token of the run.
    pub token: String,
    /// The address listened on.
    pub addr: SocketAddr,
    /// Listening beyond loopback (with TLS, or plain HTTP acknowledged):
    /// requests may name the server by any host.
    pub beyond_loopback: bool,
    /// Served over TLS (the token's cookie is then `Secure`).
    pub https: bool,
    /// The profile's name.
    pub profile: String,
    /// Its API client.
    pub client: AvailsClient,
    /// Its journal.
    pub journal_path: PathBuf,
    /// The CLI's state directory (its writer lock).
    pub state_dir: PathBuf,
    /// Mapping table and time zone.
    pub options: Arc<ConvertOptions>,
    /// The run's uploads.
    pub uploads: Uploads,
    /// The threads that convert, `jobs` of them: conversions beyond wait
    /// in their queue, so memory holds what `jobs` conversions need.
    pub workers: Workers,
    /// Sheet sets by id.
    pub batches: Mutex<BTreeMap<u64, Arc<Batch>>>,
    next_batch: AtomicUsize,
    /// The send running, if any (one at a time).
    pub sending: Mutex<Option<Arc<SendRun>>>,
    /// Sends started in this run (numbers their status workbooks).
    sends: AtomicUsize,
    /// Titles' names seen this run, by ALID (for History).
    pub names: Mutex<BTreeMap<String, String>>,
}

/// One set of sheets dropped together.
pub struct Batch {
    /// Its id.
    pub id: u64,
    /// Its folder under the run's uploads.
    pub dir: PathBuf,
    /// Its files: the user's name, stored path, size.
    pub files: Mutex<Vec<(String, PathBuf, u64)>>,
    /// Folders handed out to uploads (each file gets its own, even when
    /// two arrive at once).
    pub slots: AtomicUsize,
    /// The check, once run (the set is then closed to new files).
    pub check: tokio::sync::OnceCell<Arc<CheckView>>,
    /// The annotated workbook, once written.
    pub annotated: tokio::sync::Mutex<Option<PathBuf>>,
    /// The last plan shown, to send on confirmation.
    pub plan: Mutex<Option<Arc<Plan>>>,
    /// The last send of this set.
    pub send: Mutex<Option<Arc<SendRun>>>,
}

impl Batch {
    /// The files' stored paths and the user's names, in upload order.
    pub fn names(&self) -> FileNames {
        FileNames::new(
            lock(&self.files)
                .iter()
                .map(|(n, p, _)| (p.clone(), n.clone()))
                .collect(),
        )
    }
}

/// A send in progress or done: what the progress stream and the receipt read.
pub struct SendRun {
    /// The sheet set.
    pub batch: u64,
    /// Units to decide.
    pub total: usize,
    /// Units the journal says are unchanged (not sent).
    pub unchanged: usize,
    /// Units decided so far.
    pub done: AtomicUsize,
    /// When it started.
    pub started: Instant,
    /// Started, RFC 3339.
    pub started_at: String,
    /// The client's counters before.
    pub before: avails_client::CounterSnapshot,
    /// The receipt, once finished.
    pub receipt: Mutex<Option<Arc<serde_json::Value>>>,
    /// The per-row status workbook, once written (before the receipt),
    /// and the name it is downloaded as.
    pub workbook: Mutex<Option<(PathBuf, String)>>,
}

/// Locks a std mutex, even one poisoned by a panic elsewhere.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    /// The state of a run.
    pub fn new(config: ServeConfig, addr: SocketAddr) -> Result<Self, ServeError> {
        let uploads = Uploads::create(&config.state_dir, config.upload_limit)?;
        Ok(Self {
            token: config.token.unwrap_or_else(crate::auth::new_token),
            addr,
            beyond_loopback: !addr.ip().is_loopback(),
            https: config.tls.is_some(),
            profile: config.profile,
            client: config.client,
            journal_path: config.journal_path,
            state_dir: config.state_dir,
            options: Arc::new(config.options),
            uploads,
            workers: Workers::start(config.jobs.max(1)),
            batches: Mutex::new(BTreeMap::new()),
            next_batch: AtomicUsize::new(1),
            sending: Mutex::new(None),
            sends: AtomicUsize::new(0),
            names: Mutex::new(BTreeMap::new()),
        })
    }

    fn batch(&self, id: u64) -> Result<Arc<Batch>, RequestError> {
        lock(&self.batches)
            .get(&id)
            .cloned()
            .ok_or_else(|| RequestError::NotFound(format!("no sheet set {id} in this run")))
    }

    /// Runs blocking engine work on one of the conversion threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, RequestError> {
        self.workers.run(work).await
    }

    /// The batch's check, run once.
    async fn checked(&self, batch: &Arc<Batch>) -> Result<Arc<CheckView>, RequestError> {
        let view = batch
            .check
            .get_or_try_init(|| async {
                let files = batch.names();
                if files.paths().is_empty() {
                    return Err(RequestError::Bad("this sheet set has no file".into()));
                }
                let options = self.options.clone();
                let view = self
                    .blocking(move || engine::check_set(&files, &options))
                    .await?;
                Ok(Arc::new(view))
            })
            .await?
            .clone();
        let mut names = lock(&self.names);
        for (alid, name) in &view.names {
            names.entry(alid.clone()).or_insert_with(|| name.clone());
        }
        Ok(view)
    }

    async fn prepared(&self, batch: &Arc<Batch>) -> Result<engine::Prepared, RequestError> {
        let files = batch.names();
        let options = self.options.clone();
        self.blocking(move || engine::prepare(&files, &options))
            .await
    }

    /// Where the page says requests go.
    pub fn target(&self) -> String {
        let url = self.client.base_url();
        match self.profile.as_str() {
            avails_journal::SANDBOX_PROFILE => "the local sandbox".to_string(),
            _ => format!("{} ({})", self.profile, url.host_str().unwrap_or_default()),
        }
    }
}

impl IntoResponse for RequestError {
    fn into_response(self) -> Response {
        let status = self.status();
        (status, Html(pages::error_page(status, &self.to_string()))).into_response()
    }
}

/// Every route, behind the token.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/api/sets", post(new_set))
        .route("/api/sets/{id}/files", post(upload))
        .route("/sets/{id}", get(|UrlPath(id): UrlPath<u64>| async move {
            Redirect::to(&format!("/sets/{id}/check"))
        }))
        .route("/sets/{id}/check", get(check_page))
        .route("/sets/{id}/annotated.xlsx", get(annotated))
        .route("/sets/{id}/compare", get(compare_page))
        .route("/sets/{id}/send", get(plan_page).post(confirm_send))
        .route("/sets/{id}/send/progress", get(progress_page))
        .route("/sets/{id}/send/events", get(progress_events))
        .route("/sets/{id}/send/receipt", get(receipt_page))
        .route("/sets/{id}/send/receipt.json", get(receipt_json))
        .route("/sets/{id}/send/status.xlsx", get(status_workbook))
        .route("/history", get(history_page))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::auth::require_token,
        ))
        .with_state(app)
}

async fn home(State(app): State<Arc<App>>) -> Html<String> {
    let sets: Vec<pages::SetLine> = lock(&app.batches)
        .values()
        .rev()
        .map(|b| {
            let names = lock(&b.files).iter().map(|(n, _, _)| n.clone()).collect();
            let counts = b.check.get().map(|c| (c.errors, c.warnings));
            (b.id, names, counts)
        })
        .collect();
    Html(pages::home(&app, &sets))
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/app.js"),
    )
}

async fn new_set(State(app): State<Arc<App>>) -> Result<Json<serde_json::Value>, RequestError> {
    let id = app.next_batch.fetch_add(1, Ordering::Relaxed) as u64;
    let dir = app.uploads.batch_dir(&id.to_string())?;
    let batch = Arc::new(Batch {
        id,
        dir,
        files: Mutex::new(Vec::new()),
        slots: AtomicUsize::new(0),
        check: tokio::sync::OnceCell::new(),
        annotated: tokio::sync::Mutex::new(None),
        plan: Mutex::new(None),
        send: Mutex::new(None),
    });
    lock(&app.batches).insert(id, batch);
    Ok(Json(
        serde_json::json!({ "id": id, "check": format!("/sets/{id}/check") }),
    ))
}

#[derive(Deserialize)]
struct UploadQuery {
    name: String,
}

async fn upload(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Result<Json<serde_json::Value>, (StatusCode, String)> {
    let fail = |e: RequestError| (e.status(), e.to_string());
    let batch = app.batch(id).map_err(fail)?;
    if batch.check.initialized() {
        return Err(fail(RequestError::Bad(
            "this sheet set was checked already: drop the files again to check a new set".into(),
        )));
    }
    let index = batch.slots.fetch_add(1, Ordering::Relaxed);
    let (path, size) = app
        .uploads
        .store(&batch.dir, index, &q.name, body)
        .await
        .map_err(fail)?;
    let name = crate::uploads::shown_name(&q.name);
    lock(&batch.files).push((name.clone(), path, size));
    Ok(Json(serde_json::json!({ "name": name, "size": size })))
}

#[derive(Deserialize, Default)]
pub struct CheckFilter {
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub column: String,
    #[serde(default)]
    pub title: String,
}

async fn check_page(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
    Query(filter): Query<CheckFilter>,
) -> Result<Html<String>, RequestError> {
    let batch = app.batch(id)?;
    let view = app.checked(&batch).await?;
    let files = lock(&batch.files).clone();
    Ok(Html(pages::check(&app, &batch, &files, &view, &filter)))
}

async fn annotated(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Response, RequestError> {
    let batch = app.batch(id)?;
    let view = app.checked(&batch).await?;
    let Some(input) = view.annotatable.clone() else {
        return Err(RequestError::NotFound(
            "no workbook or CSV in this set to annotate (MDDF XML and payload JSON have no cells)"
                .into(),
        ));
    };
    let mut cached = batch.annotated.lock().await;
    let path = match cached.as_ref() {
        Some(p) => p.clone(),
        None => {
            let out = batch.dir.join("annotated.xlsx");
            let (i, o, v, files) = (input.clone(), out.clone(), view.clone(), batch.names());
            app.blocking(move || engine::annotate(&i, &o, &v.diagnostics, &files))
                .await??;
            *cached = Some(out.clone());
            out
        }
    };
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| RequestError::failed("cannot read the annotated workbook", &e))?;
    let download = format!(
        "{} (checked).xlsx",
        stem(&batch.names().name_of_path(&input))
    );
    Ok(xlsx_download(bytes, &download))
}

/// A file name without its extension (`sheet` for none).
fn stem(name: &str) -> String {
    std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "sheet".into())
}

/// A workbook to download as `name`.
fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    ascii(&name.replace('"', "'"))
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A header-safe file name.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct CompareFilter {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub territory: String,
    #[serde(default)]
    pub line: String,
}

async fn compare_page(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
    Query(filter): Query<CompareFilter>,
) -> Result<Html<String>, RequestError> {
    let batch = app.batch(id)?;
    app.checked(&batch).await?;
    let prepared = app.prepared(&batch).await?;
    let view = engine::compare(&app.client, &prepared, &app.options).await?;
    Ok(Html(pages::compare(&app, &batch, &view, &filter)))
}

async fn plan_page(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Html<String>, RequestError> {
    let batch = app.batch(id)?;
    let check = app.checked(&batch).await?;
    let prepared = app.prepared(&batch).await?;
    let plan = engine::plan(&app.client, &app.journal_path, &prepared, &app.options).await?;
    let plan = Arc::new(plan);
    *lock(&batch.plan) = Some(plan.clone());
    let running = lock(&app.sending).clone();
    Ok(Html(pages::plan(
        &app,
        &batch,
        &check,
        &plan,
        running.as_deref(),
    )))
}

#[derive(Deserialize)]
struct Confirm {
    fingerprint: String,
    #[serde(default)]
    confirm: String,
}

async fn confirm_send(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
    Form(form): Form<Confirm>,
) -> Result<Response, RequestError> {
    let batch = app.batch(id)?;
    if form.confirm != "yes" {
        return Err(RequestError::Bad(
            "nothing sent: tick the confirmation box under the plan first".into(),
        ));
    }
    // A plan is sent once: a second confirmation needs the plan shown again.
    let plan = lock(&batch.plan).take();
    let Some(plan) = plan.filter(|p| p.fingerprint == form.fingerprint) else {
        return Err(RequestError::Conflict(
            "nothing sent: the plan changed since it was shown (another send, or the server); \
             open Send again to see the current plan"
                .into(),
        ));
    };
    let run = match start_send(&app, &batch, &plan) {
        Ok(run) => run,
        Err(e) => {
            // Refused (busy, or changed since): the plan stays to be
            // confirmed again, and is checked again then.
            *lock(&batch.plan) = Some(plan);
            return Err(e);
        }
    };
    *lock(&batch.send) = Some(run);
    Ok(Redirect::to(&format!("/sets/{id}/send/progress")).into_response())
}

/// Starts a send: one at a time in this server, and never beside an
/// `avails submit` on the same state directory (its writer lock).
fn start_send(
    app: &Arc<App>,
    batch: &Arc<Batch>,
    plan: &Arc<Plan>,
) -> Result<Arc<SendRun>, RequestError> {
    let mut sending = lock(&app.sending);
    if let Some(run) = sending.as_ref() {
        if lock(&run.receipt).is_none() {
            return Err(RequestError::Conflict(format!(
                "nothing sent: another send is running (sheet set {}, started {}); \
                 wait for its receipt, then open Send again",
                run.batch,
                crate::format::when(&run.started_at)
            )));
        }
    }
    let writer = WriterLock::acquire(&app.state_dir, "serve (send)")
        .map_err(|e| RequestError::Conflict(format!("nothing sent: {e}")))?;
    let journal = Journal::open(&app.journal_path)
        .map_err(|e| RequestError::failed("cannot open the journal", &e))?;
    // What the journal decides now must be what the plan showed (a send
    // since, here or by `avails submit`, changes it).
    for (u, shown) in plan.units.iter().zip(&plan.actions) {
        let now = journal
            .should_send(&u.key, &u.hash)
            .map_err(|e| RequestError::failed("cannot read the journal", &e))?;
        if engine::Action::of(now) != *shown {
            return Err(RequestError::Conflict(
                "nothing sent: the plan changed since it was shown (a send since); \
                 open Send again to see the current plan"
                    .into(),
            ));
        }
    }
    let run = Arc::new(SendRun {
        batch: batch.id,
        total: plan.units.len(),
        unchanged: plan.actions.iter().filter(|a| !a.sends()).count(),
        done: AtomicUsize::new(0),
        started: Instant::now(),
        started_at: chrono::Utc::now().to_rfc3339(),
        before: app.client.counters(),
        receipt: Mutex::new(None),
        workbook: Mutex::new(None),
    });
    *sending = Some(run.clone());
    drop(sending);
    let (app, batch, plan, task_run) = (app.clone(), batch.clone(), plan.clone(), run.clone());
    tokio::spawn(async move {
        let journal = Arc::new(Mutex::new(journal));
        let options = SubmitOptions::for_client(&app.client);
        let on_event = |e: Event| {
            let Event::Done(n) = e;
            task_run.done.fetch_add(n, Ordering::Relaxed);
        };
        let result = avails_submit::submit(
            &app.client,
            journal,
            plan.units.clone(),
            &options,
            &on_event,
        )
        .await;
        drop(writer);
        let status = match &result {
            Ok(report) => Some(row_status(&app, &batch, &plan, report).await),
            Err(_) => None,
        };
        let mut receipt = receipt(&app, &batch, &plan, &task_run, result);
        if let Some((rows, workbook)) = status {
            receipt["rows"] = rows;
            receipt["statusWorkbook"] = match workbook {
                Ok(Some((path, download, rows))) => {
                    *lock(&task_run.workbook) = Some((path, download.clone()));
                    serde_json::json!({ "name": download, "rows": rows })
                }
                Ok(None) => serde_json::json!({
                    "note": "no workbook (XLSX) among the files: each row's status is in this JSON"
                }),
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            };
        }
        *lock(&task_run.receipt) = Some(Arc::new(receipt));
    });
    Ok(run)
}

/// A workbook written: its path, its download name, the rows given a status.
type Written = Option<(PathBuf, String, usize)>;

/// Each row's outcome (for the receipt's JSON) and the per-row status
/// workbook, as `avails submit --report` writes it.
async fn row_status(
    app: &App,
    batch: &Batch,
    plan: &Arc<Plan>,
    report: &avails_submit::Report,
) -> (serde_json::Value, Result<Written, RequestError>) {
    let rows = plan.rows.outcomes(report);
    let json = plan.rows.json(&rows);
    let n = app.sends.fetch_add(1, Ordering::Relaxed) + 1;
    let output = batch.dir.join(format!("status-{n}.xlsx"));
    let Some(input) = plan.rows.workbook(&output) else {
        return (json, Ok(None));
    };
    let summary = format!(
        "Profile {}: sent {}, unchanged {}, refused by the server {}, refused locally {}, held back {}, failed {}.",
        app.profile,
        report.sent,
        report.unchanged,
        report.rejected.len(),
        plan.compare.counts.get(&engine::Status::Refused).copied().unwrap_or(0) + plan.problems.len(),
        plan.rows.held_back.len(),
        report.failed.len()
    );
    let download = format!(
        "{} (sent).xlsx",
        stem(&plan.rows.files.name_of_path(&input))
    );
    let plan = plan.clone();
    let out = output.clone();
    let written = app
        .blocking(move || plan.rows.write(&input, &out, &rows, summary))
        .await
        .and_then(|r| r);
    (json, written.map(|rows| Some((output, download, rows))))
}

/// The receipt: totals, and per title what happened.
fn receipt(
    app: &App,
    batch: &Batch,
    plan: &Plan,
    run: &SendRun,
    result: Result<avails_submit::Report, SubmitError>,
) -> serde_json::Value {
    let files: Vec<String> = lock(&batch.files)
        .iter()
        .map(|(n, _, _)| n.clone())
        .collect();
    let finished_at = chrono::Utc::now().to_rfc3339();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            return serde_json::json!({
                "profile": app.profile,
                "files": files,
                "startedAt": run.started_at,
                "finishedAt": finished_at,
                "stopped": e.to_string(),
            })
        }
    };
    let rejected: HashMap<&str, &avails_submit::Rejection> = report
        .rejected
        .iter()
        .map(|r| (r.key.as_str(), r))
        .collect();
    let failed: HashMap<&str, &avails_submit::Failure> =
        report.failed.iter().map(|f| (f.key.as_str(), f)).collect();
    let rows: Vec<&engine::TitleRow> = plan.compare.titles.iter().collect();
    let mut titles = Vec::new();
    for (u, action) in plan.units.iter().zip(&plan.actions) {
        let row = rows.iter().find(|t| t.payload == Some(u.payload));
        let (outcome, detail) = if let Some(r) = rejected.get(u.key.as_str()) {
            let errors: Vec<String> = r
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.code, e.message))
                .collect();
            ("rejected", errors.join("; "))
        } else if let Some(f) = failed.get(u.key.as_str()) {
            ("failed", f.message.clone())
        } else if !action.sends() {
            ("unchanged", String::new())
        } else {
            ("sent", String::new())
        };
        titles.push(serde_json::json!({
            "name": row.and_then(|t| t.name.clone()),
            "alid": row.map(|t| t.alid.clone()),
            "territory": row.map(|t| t.territory.clone()),
            "businessLine": row.map(|t| t.business_line.as_str()),
            "key": u.key,
            "outcome": outcome,
            "detail": detail,
        }));
    }
    let not_sent: Vec<serde_json::Value> = plan
        .compare
        .titles
        .iter()
        .filter(|t| matches!(t.status, engine::Status::Refused | engine::Status::HeldBack))
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "alid": t.alid,
                "territory": t.territory,
                "businessLine": t.business_line.as_str(),
                "outcome": t.status.label(),
                "reasons": t.reasons,
            })
        })
        .collect();
    serde_json::json!({
        "profile": app.profile,
        "files": files,
        "startedAt": run.started_at,
        "finishedAt": finished_at,
        "seconds": report.seconds,
        "sent": report.sent,
        "unchanged": report.unchanged,
        "rejected": report.rejected.len(),
        "failed": report.failed.len(),
        "requests": report.requests,
        "retries": report.retries,
        "throttled": report.throttled,
        "titles": titles,
        "notSent": not_sent,
    })
}

async fn progress_page(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Response, RequestError> {
    let batch = app.batch(id)?;
    let run = lock(&batch.send).clone();
    let Some(run) = run else {
        return Ok(Redirect::to(&format!("/sets/{id}/send")).into_response());
    };
    if lock(&run.receipt).is_some() {
        return Ok(Redirect::to(&format!("/sets/{id}/send/receipt")).into_response());
    }
    Ok(Html(pages::progress(&app, &batch, &run)).into_response())
}

/// What the progress stream says, every quarter second until the receipt.
fn progress_json(app: &App, run: &SendRun) -> serde_json::Value {
    let now = app.client.counters();
    let done = run.done.load(Ordering::Relaxed);
    let seconds = run.started.elapsed().as_secs_f64();
    let requests = now.requests_sent.saturating_sub(run.before.requests_sent);
    serde_json::json!({
        "total": run.total,
        "done": done,
        "unchanged": run.unchanged.min(done),
        "requests": requests,
        "retried": now.retries.saturating_sub(run.before.retries),
        "throttled": now.throttled.saturating_sub(run.before.throttled),
        "failed": now.failed.saturating_sub(run.before.failed),
        "rate": if seconds > 0.0 { requests as f64 / seconds } else { 0.0 },
        "seconds": seconds,
    })
}

async fn progress_events(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<impl IntoResponse, RequestError> {
    let batch = app.batch(id)?;
    let Some(run) = lock(&batch.send).clone() else {
        return Err(RequestError::NotFound("no send of this sheet set".into()));
    };
    let stream = futures::stream::unfold((app, run, false), move |(app, run, ended)| async move {
        if ended {
            return None;
        }
        let finished = lock(&run.receipt).is_some();
        if !finished {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let finished = lock(&run.receipt).is_some();
        let data = progress_json(&app, &run).to_string();
        let event = SseEvent::default()
            .event(if finished { "done" } else { "progress" })
            .data(data);
        Some((
            Ok::<_, std::convert::Infallible>(event),
            (app, run, finished),
        ))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

async fn receipt_page(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Response, RequestError> {
    let batch = app.batch(id)?;
    let run = lock(&batch.send).clone();
    let receipt = run.as_ref().and_then(|r| lock(&r.receipt).clone());
    match receipt {
        Some(r) => Ok(Html(pages::receipt(&app, &batch, &r)).into_response()),
        None => Ok(Redirect::to(&format!("/sets/{id}/send/progress")).into_response()),
    }
}

async fn receipt_json(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Response, RequestError> {
    let batch = app.batch(id)?;
    let run = lock(&batch.send).clone();
    let Some(receipt) = run.as_ref().and_then(|r| lock(&r.receipt).clone()) else {
        return Err(RequestError::NotFound(
            "no receipt yet: the send has not finished".into(),
        ));
    };
    let body = serde_json::to_string_pretty(&*receipt).unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"avails-receipt-set-{id}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

async fn status_workbook(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Response, RequestError> {
    let batch = app.batch(id)?;
    let run = lock(&batch.send).clone();
    let Some((path, download)) = run.as_ref().and_then(|r| lock(&r.workbook).clone()) else {
        return Err(RequestError::NotFound(
            "no status workbook: the send has not finished, or its files hold no workbook".into(),
        ));
    };
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| RequestError::failed("cannot read the status workbook", &e))?;
    Ok(xlsx_download(bytes, &download))
}

#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    #[serde(default)]
    pub q: String,
}

async fn history_page(
    State(app): State<Arc<App>>,
    Query(q): Query<HistoryQuery>,
) -> Result<Html<String>, RequestError> {
    let path = app.journal_path.clone();
    let events = if path.exists() {
        tokio::task::spawn_blocking(move || {
            let journal = Journal::open(&path)?;
            journal.history(&HistoryFilter {
                limit: Some(5000),
                ..HistoryFilter::default()
            })
        })
        .await
        .map_err(|e| RequestError::Failed(format!("reading the journal stopped: {e}")))?
        .map_err(|e| RequestError::failed("cannot read the journal", &e))?
    } else {
        Vec::new()
    };
    let names = lock(&app.names).clone();
    Ok(Html(pages::history(&app, events, &names, &q)))
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads for conversions. Not tokio's blocking pool: its
/// threads come and go, and each new one may take its own allocator arena,
/// so twenty checks in turn would hold the memory of twenty.
pub struct Workers {
    queue: Mutex<std::sync::mpsc::Sender<Job>>,
}

impl Workers {
    /// Starts `n` threads; they end when the queue is dropped.
    pub fn start(n: usize) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("avails-serve-job-{i}"))
                .spawn(move || loop {
                    let job = lock(&rx).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!("cannot start conversion thread {i}: {e}");
            }
        }
        Self {
            queue: Mutex::new(tx),
        }
    }

    /// Runs `work` on a worker thread when one is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, RequestError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(result);
        });
        lock(&self.queue)
            .send(job)
            .map_err(|_| RequestError::Failed("the server is stopping".into()))?;
        match rx.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(RequestError::Failed(
                "the check stopped on an internal error (see the server's log)".into(),
            )),
            Err(_) => Err(RequestError::Failed("the server is stopping".into())),
        }
    }
}
