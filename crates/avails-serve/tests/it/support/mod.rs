//! Shared by the serve tests: a server on a local sandbox, the MovieLabs
//! workbook with one bad cell, and a small WebDriver client (plain HTTP
//! through reqwest) for headless Chromium driven by chromedriver.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use avails_client::{ApiKey, AvailsClient};
use avails_sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{json, Value};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `avails serve` on an in-process sandbox.
pub struct Served {
    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub base: String,
    /// The URL printed at start (with the token).
    pub url: String,
    /// The token.
    pub token: String,
    /// The run's uploads folder.
    pub uploads: PathBuf,
    /// The state directory.
    pub state: PathBuf,
    /// The certificate authority the HTTPS server's certificate is from.
    pub ca: Option<reqwest::Certificate>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), avails_serve::ServeError>>>,
    sandbox: Option<RunningSandbox>,
}

impl Served {
    /// Stops the server (and its sandbox); the uploads are removed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        if let Some(s) = self.sandbox.take() {
            s.shutdown().await;
        }
    }

    /// An HTTP client without cookies (trusting the server's certificate
    /// authority over HTTPS); requests add the token as a header.
    pub fn http(&self) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120));
        if let Some(ca) = &self.ca {
            builder = builder
                .tls_built_in_root_certs(false)
                .add_root_certificate(ca.clone());
        }
        builder.build().unwrap()
    }

    /// GET with the token.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http()
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// Uploads files as one sheet set; its id.
    pub async fn upload(&self, files: &[&Path]) -> u64 {
        let http = self.http();
        let set: Value = http
            .post(format!("{}/api/sets", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = set["id"].as_u64().unwrap();
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let r = http
                .post(format!("{}/api/sets/{id}/files", self.base))
                .query(&[("name", name.as_str())])
                .bearer_auth(&self.token)
                .body(std::fs::read(f).unwrap())
                .send()
                .await
                .unwrap();
            assert!(
                r.status().is_success(),
                "upload {name}: {}",
                r.text().await.unwrap()
            );
        }
        id
    }

    /// Opens the plan of a set; the fingerprint its confirmation carries.
    pub async fn plan(&self, id: u64) -> String {
        let page = self
            .get(&format!("/sets/{id}/send"))
            .await
            .text()
            .await
            .unwrap();
        page.split("name=\"fingerprint\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("no confirmation form on the plan: {page}"))
            .to_string()
    }

    /// Confirms a plan shown.
    pub async fn confirm(&self, id: u64, fingerprint: &str) -> reqwest::Response {
        self.http()
            .post(format!("{}/sets/{id}/send", self.base))
            .bearer_auth(&self.token)
            .form(&[("fingerprint", fingerprint), ("confirm", "yes")])
            .send()
            .await
            .unwrap()
    }

    /// Opens the plan of a set and confirms it; the answer.
    pub async fn confirm_send(&self, id: u64) -> reqwest::Response {
        let fingerprint = self.plan(id).await;
        self.confirm(id, &fingerprint).await
    }

    /// Waits (bounded) for the receipt of a set's send.
    pub async fn receipt(&self, id: u64) -> Value {
        for _ in 0..600 {
            let r = self.get(&format!("/sets/{id}/send/receipt.json")).await;
            if r.status().is_success() {
                return r.json().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no receipt for set {id} after a minute");
    }
}

/// Starts a sandbox (with `latency_ms` per request) and a server on it,
/// with its state in `state`.
pub async fn serve(state: &Path, latency_ms: u64) -> Served {
    serve_tls(state, latency_ms, None).await
}

/// As [`serve`], over HTTPS when given the certificate and key files and
/// the authority (PEM) whose certificate the clients trust.
pub async fn serve_tls(
    state: &Path,
    latency_ms: u64,
    https: Option<(avails_serve::TlsFiles, String)>,
) -> Served {
    let scheme = if https.is_some() { "https" } else { "http" };
    let (tls, ca) = match https {
        Some((files, ca)) => (
            Some(files),
            Some(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()),
        ),
        None => (None, None),
    };
    std::fs::create_dir_all(state).unwrap();
    let key = "k".repeat(32);
    let sandbox = avails_sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        db_path: Some(avails_journal::sandbox_db_path(state)),
        licensors: vec![("sandbox".into(), key.clone())],
        latency_ms,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = AvailsClient::builder(sandbox.base_url(), "sandbox", ApiKey::new(key))
        .build()
        .unwrap();
    let bound = avails_serve::bind(avails_serve::ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        state_dir: state.to_path_buf(),
        profile: "sandbox".into(),
        client,
        journal_path: avails_journal::journal_path(state, "sandbox"),
        options: avails_convert::ConvertOptions {
            mapping: avails_mapping::Mapping::default_table(),
            timezone: None,
        },
        upload_limit: 5 * 1024 * 1024,
        jobs: 2,
        token: None,
        allow_remote: false,
        tls,
    })
    .await
    .unwrap();
    let url = bound.url().to_string();
    let token = bound.token().to_string();
    let base = format!("{scheme}://{}", bound.local_addr());
    let uploads = bound.uploads_dir().to_path_buf();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(bound.run(async move {
        let _ = rx.await;
    }));
    Served {
        base,
        url,
        token,
        uploads,
        state: state.to_path_buf(),
        ca,
        stop: Some(tx),
        task: Some(task),
        sandbox: Some(sandbox),
    }
}

/// MovieLabs' `Movies_v1.7.2.xlsx` with one bad cell: Movies!C5, a
/// Territory, says `UK` (GB is the ISO 3166-1 code). Written into `dir`.
pub fn bad_workbook(dir: &Path) -> PathBuf {
    edited_workbook(dir, "Movies Q3 (UK typo).xlsx", &[("C5", Edit::Text("UK"))])
}

/// A change to one cell of the Movies sheet.
pub enum Edit<'a> {
    /// The cell becomes this text.
    Text(&'a str),
    /// The cell keeps its style (a date stays a date) and takes this number.
    Number(&'a str),
}

/// MovieLabs' `Movies_v1.7.2.xlsx` with cells of its Movies sheet changed,
/// written into `dir` as `name`.
pub fn edited_workbook(dir: &Path, name: &str, edits: &[(&str, Edit<'_>)]) -> PathBuf {
    use std::io::{Read, Write};
    let src = root().join("tests/data/movielabs/Movies_v1.7.2.xlsx");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&src).unwrap()).unwrap();
    let out = dir.join(name);
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let entry_name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if entry_name == "xl/worksheets/sheet1.xml" {
            let mut s = String::from_utf8(data).unwrap();
            for (cell, edit) in edits {
                let start = s.find(&format!("<c r=\"{cell}\" ")).expect(cell);
                let end = start + s[start..].find("</c>").unwrap() + 4;
                let new = match edit {
                    Edit::Text(t) => {
                        format!("<c r=\"{cell}\" t=\"inlineStr\"><is><t>{t}</t></is></c>")
                    }
                    Edit::Number(n) => {
                        let old = &s[start..end];
                        let open = &old[..old.find('>').unwrap() + 1];
                        format!("{open}<v>{n}</v></c>")
                    }
                };
                s.replace_range(start..end, &new);
            }
            data = s.into_bytes();
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer.start_file(entry_name, options).unwrap();
        writer.write_all(&data).unwrap();
    }
    writer.finish().unwrap();
    out
}

/// Asserts that `text` (a page, a message, a cell) names no file by where
/// the server stored it: only by the name the user gave it.
pub fn assert_no_stored_path(text: &str, served: &Served, what: &str) {
    let uploads = served.uploads.display().to_string();
    assert!(
        !text.contains(&uploads) && !text.contains("serve-uploads"),
        "{what} shows where an upload is stored: {text}"
    );
}

/// A program on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// Chromium and chromedriver (Debian's `chromium` and `chromium-driver`).
/// Without them the browser test is skipped with a notice, unless
/// `AVAILS_REQUIRE_BROWSER=1` (set by `.ci/run` after installing them).
pub fn browser(test: &str) -> Option<(PathBuf, PathBuf)> {
    let found = on_path("chromium").zip(on_path("chromedriver"));
    if found.is_none() {
        let how = "this test drives headless Chromium through chromedriver; install them with \
                   `apt-get install -y chromium chromium-driver` (as .ci/run does)";
        if std::env::var("AVAILS_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromium or chromedriver is not on PATH and AVAILS_REQUIRE_BROWSER=1: {how}");
        }
        eprintln!("SKIPPED {test}: chromium or chromedriver is not on PATH; {how}");
    }
    found
}

/// Where the screenshots go: under the target folder.
pub fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// chromedriver and one headless Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Starts chromedriver on a free port and a headless session.
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let mut ready = false;
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await {
                if r.status().is_success() {
                    ready = true;
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not answer on port {port}");
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1000",
            "--hide-scrollbars",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({
            "capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args}
            }}
        });
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        Self {
            driver,
            base,
            session,
            http,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(e) = r["value"].get("error") {
            panic!("webdriver {path}: {e}: {}", r["value"]["message"]);
        }
        r["value"].clone()
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.js_with(script, json!([])).await
    }

    /// Runs a script with `args` (its `arguments`) and returns its value.
    pub async fn js_with(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.js("return document.body ? document.body.innerText : ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (bounded) until `script` returns true.
    pub async fn wait_for(&self, what: &str, script: &str) {
        for _ in 0..600 {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.url().await;
        let text = self
            .js("return document.body ? document.body.innerText : ''")
            .await;
        panic!("waited a minute for {what} on {url}: {text}");
    }

    /// The element a CSS selector finds first.
    pub async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    /// Clicks an element, as a user does.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Types into an element (a file input takes a path).
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Saves a screenshot of the whole page (1280 px wide) as `NAME.png`
    /// under target/ (Chromium's own capture beyond the viewport).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let height = self
            .js("return Math.ceil(Math.min(8000, document.documentElement.scrollHeight))")
            .await
            .as_f64()
            .unwrap_or(1000.0);
        let shot = self
            .call(
                reqwest::Method::POST,
                "/goog/cdp/execute",
                Some(json!({
                    "cmd": "Page.captureScreenshot",
                    "params": {
                        "format": "png",
                        "captureBeyondViewport": true,
                        "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}
                    }
                })),
            )
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let path = screenshots().join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Ends the session and chromedriver.
    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
