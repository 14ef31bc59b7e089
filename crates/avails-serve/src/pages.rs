//! The pages, written with maud (see the crate doc for why): every value
//! escaped, no template read at run time.

use std::collections::{BTreeMap, BTreeSet};

use avails_journal::Event;
use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use crate::app::{App, Batch, CheckFilter, CompareFilter, HistoryQuery, SendRun};
use crate::engine::{Action, Bar, CheckView, CompareView, Finding, Plan, Status, TitleRow};
use crate::format::{bytes, day, thousands, when};

/// Findings listed per cause before "N more".
const ROWS_PER_GROUP: usize = 200;
/// Titles listed on Compare before "N more".
const TITLES_SHOWN: usize = 300;
/// Journal events listed on History.
const EVENTS_SHOWN: usize = 1000;

/// Which screen is current, for the navigation.
#[derive(PartialEq, Clone, Copy)]
enum Screen {
    Check,
    Compare,
    Send,
    History,
}

fn layout(app: &App, title: &str, set: Option<u64>, screen: Screen, body: Markup) -> String {
    let link = |s: Screen, label: &str, href: Option<String>| -> Markup {
        html! {
            @match href {
                Some(h) => {
                    a href=(h) aria-current=[(s == screen).then_some("page")] { (label) }
                }
                None => { span.disabled title="Drop sheets first" { (label) } }
            }
        }
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · avails" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "avails" }
                    nav aria-label="Screens" {
                        (link(Screen::Check, "Check", Some(set.map(|s| format!("/sets/{s}/check")).unwrap_or_else(|| "/".into()))))
                        (link(Screen::Compare, "Compare", set.map(|s| format!("/sets/{s}/compare"))))
                        (link(Screen::Send, "Send", set.map(|s| format!("/sets/{s}/send"))))
                        (link(Screen::History, "History", Some("/history".into())))
                    }
                    div.target title="Where Compare and Send go" {
                        span.label { "API" }
                        " "
                        strong { (app.target()) }
                    }
                }
                main #main {
                    (body)
                }
            }
        }
    };
    page.into_string()
}

/// A page for a failed request.
pub fn error_page(status: StatusCode, message: &str) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "avails · " (status.as_u16()) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header.top { a.brand href="/" { "avails" } }
                main #main {
                    div.alert.error role="alert" {
                        h1 { (status.canonical_reason().unwrap_or("Error")) }
                        p { (message) }
                    }
                    p { a href="/" { "Back to Check" } }
                }
            }
        }
    }
    .into_string()
}

fn card(label: &str, value: usize, class: &str) -> Markup {
    html! {
        div class={"card " (class)} {
            div.value { (thousands(value)) }
            div.label { (label) }
        }
    }
}

/// A sheet set on the start page: id, file names, errors and warnings once checked.
pub type SetLine = (u64, Vec<String>, Option<(usize, usize)>);

/// The start page: drop sheets.
pub fn home(app: &App, sets: &[SetLine]) -> String {
    let limit = app.uploads.limit();
    let body = html! {
        h1 { "Check your avails sheets" }
        p.lead { "Drop one or more sheets: EMA workbooks or CSV, MDDF XML, or payload JSON. They are checked against every rule of Prime Video's reference, on this computer." }
        form #upload.dropzone data-limit=(limit) {
            input #files type="file" name="files" multiple accept=".xlsx,.xlsm,.xls,.csv,.xml,.json";
            label for="files" {
                span.big { "Drop sheets here" }
                span { " or " u { "choose files" } }
            }
            p.hint { "Up to " (bytes(limit)) " per file. Files stay in this computer's state folder and are removed when avails serve stops." }
        }
        div #upload-status role="status" aria-live="polite" {}
        @if !sets.is_empty() {
            h2 { "Sheet sets of this run" }
            table {
                thead { tr { th scope="col" { "Set" } th scope="col" { "Files" } th scope="col" class="num" { "Errors" } th scope="col" class="num" { "Warnings" } } }
                tbody {
                    @for (id, names, counts) in sets {
                        tr {
                            td { a href={"/sets/" (id) "/check"} { "Set " (id) } }
                            td { (names.join(", ")) }
                            @match counts {
                                Some((e, w)) => { td.num { (thousands(*e)) } td.num { (thousands(*w)) } }
                                None => { td.num { "–" } td.num { "–" } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(app, "Check", None, Screen::Check, body)
}

/// A finding's cause: its code's catalogue line, else its most common message.
fn cause(code: &str, findings: &[&Finding]) -> String {
    if let Some(c) = avails_convert::codes::code(code) {
        return c.title().to_string();
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(f.message.as_str()).or_default() += 1;
    }
    let (message, n) = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(m, n)| (*m, *n))
        .unwrap_or(("", 0));
    match n == findings.len() {
        true => message.to_string(),
        false => format!("for example: {message}"),
    }
}

fn title_label(names: &BTreeMap<String, String>, alid: &str) -> String {
    match names.get(alid) {
        Some(n) => format!("{n} ({alid})"),
        None => alid.to_string(),
    }
}

/// The Check screen.
pub fn check(
    app: &App,
    batch: &Batch,
    files: &[(String, std::path::PathBuf, u64)],
    view: &CheckView,
    filter: &CheckFilter,
) -> String {
    let columns: BTreeSet<&str> = view
        .findings
        .iter()
        .filter_map(|f| f.column.as_deref())
        .collect();
    let titles: BTreeSet<&str> = view
        .findings
        .iter()
        .filter_map(|f| f.alid.as_deref())
        .collect();
    let shown: Vec<&Finding> = view
        .findings
        .iter()
        .filter(|f| match filter.severity.as_str() {
            "error" => f.error,
            "warning" => !f.error,
            _ => true,
        })
        .filter(|f| filter.column.is_empty() || f.column.as_deref() == Some(filter.column.as_str()))
        .filter(|f| filter.title.is_empty() || f.alid.as_deref() == Some(filter.title.as_str()))
        .collect();
    // Grouped by cause: errors first, then the most frequent.
    let mut groups: BTreeMap<(bool, String), Vec<&Finding>> = BTreeMap::new();
    for f in &shown {
        groups
            .entry((!f.error, f.code.clone()))
            .or_default()
            .push(f);
    }
    let mut groups: Vec<((bool, String), Vec<&Finding>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| {
        a.0 .0
            .cmp(&b.0 .0)
            .then(b.1.len().cmp(&a.1.len()))
            .then(a.0 .1.cmp(&b.0 .1))
    });
    let many_files = view.files.len() > 1;
    let filtered =
        !filter.severity.is_empty() || !filter.column.is_empty() || !filter.title.is_empty();
    let body = html! {
        div.heading {
            div {
                h1 { "Check" }
                p.sub { @for (i, (name, _, size)) in files.iter().enumerate() { @if i > 0 { ", " } strong { (name) } " (" (bytes(*size)) ")" } }
            }
            div.actions {
                @if view.annotatable.is_some() {
                    a.button.primary href={"/sets/" (batch.id) "/annotated.xlsx"} download { "Download annotated workbook" }
                }
                a.button href={"/sets/" (batch.id) "/compare"} { "Compare with the server" }
            }
        }
        @if !view.unreadable.is_empty() {
            div.alert.error role="alert" {
                h2 { "Files that could not be read" }
                ul { @for u in &view.unreadable { li { (u) } } }
            }
        }
        section.cards aria-label="Summary" {
            (card("Titles", view.titles, ""))
            (card("Payloads", view.payloads, ""))
            (card("Rows read", view.rows.read, ""))
            (card("Converted", view.rows.converted, "ok"))
            (card("Rejected", view.rows.rejected, if view.rows.rejected > 0 { "bad" } else { "" }))
            (card("Held back", view.rows.held_back, if view.rows.held_back > 0 { "warn" } else { "" }))
        }
        p.note {
            (thousands(view.payloads)) " payloads: " (thousands(view.payloads - view.refused)) " pass every rule, "
            (thousands(view.refused)) " refused by validation; " (thousands(view.held_back)) " held back because one of their rows is rejected. "
            strong { (thousands(view.errors)) " errors" } ", " (thousands(view.warnings)) " warnings."
        }
        details.files {
            summary { "What was read" }
            table {
                thead { tr { th scope="col" { "File" } th scope="col" { "Kind" } th scope="col" { "Sheet" } th scope="col" { "EMA version" } th scope="col" class="num" { "Rows" } } }
                tbody {
                    @for f in &view.files {
                        @if f.sheets.is_empty() {
                            tr { td { (f.name) } td { (f.kind) } td { "–" } td { "–" } td.num { (thousands(f.items)) } }
                        }
                        @for (sheet, version, rows) in &f.sheets {
                            tr { td { (f.name) } td { (f.kind) } td { (sheet) } td { (version.as_deref().unwrap_or("–")) } td.num { (thousands(*rows)) } }
                        }
                    }
                }
            }
        }
        h2 #findings { "Findings" }
        form.filters method="get" action={"/sets/" (batch.id) "/check#findings"} {
            label { "Severity "
                select name="severity" data-autosubmit {
                    option value="" selected[filter.severity.is_empty()] { "Errors and warnings" }
                    option value="error" selected[filter.severity == "error"] { "Errors" }
                    option value="warning" selected[filter.severity == "warning"] { "Warnings" }
                }
            }
            label { "Column "
                select name="column" data-autosubmit {
                    option value="" selected[filter.column.is_empty()] { "All columns" }
                    @for c in &columns { option value=(c) selected[filter.column == *c] { (c) } }
                }
            }
            label { "Title "
                select name="title" data-autosubmit {
                    option value="" selected[filter.title.is_empty()] { "All titles" }
                    @for t in &titles { option value=(t) selected[filter.title == *t] { (title_label(&view.names, t)) } }
                }
            }
            button type="submit" { "Apply" }
            @if filtered { a href={"/sets/" (batch.id) "/check#findings"} { "Clear filters" } }
            span.count { (thousands(shown.len())) " of " (thousands(view.findings.len())) " findings" }
        }
        @if shown.is_empty() {
            p.empty { @if view.findings.is_empty() { "No findings: every row passes every rule." } @else { "No finding matches these filters." } }
        }
        @for ((warning, code), list) in &groups {
            section.group {
                h3 {
                    @if *warning { span.badge.warn { "Warning" } } @else { span.badge.bad { "Error" } }
                    " " span.code { (code) } " "
                    span.cause { (cause(code, list)) }
                    " " span.count { (thousands(list.len())) }
                }
                table.findings {
                    thead { tr {
                        th scope="col" { "Cell" } th scope="col" { "Column" } th scope="col" { "Title" }
                        @if many_files { th scope="col" { "File" } }
                        th scope="col" { "What is wrong" }
                    } }
                    tbody {
                        @for f in list.iter().take(ROWS_PER_GROUP) {
                            tr {
                                td.cell { (if f.cell.is_empty() { "–" } else { f.cell.as_str() }) }
                                td { (f.column.as_deref().unwrap_or("–")) }
                                td { @match &f.alid { Some(a) => { (title_label(&view.names, a)) } None => { "–" } } }
                                @if many_files { td { (f.file) } }
                                td { @if f.server { span.badge { "server" } " " } (f.message) }
                            }
                        }
                    }
                }
                @if list.len() > ROWS_PER_GROUP {
                    p.more { (thousands(list.len() - ROWS_PER_GROUP)) " more not listed: narrow the filters, or download the annotated workbook, which lists them all." }
                }
            }
        }
    };
    layout(app, "Check", Some(batch.id), Screen::Check, body)
}

/// A title's timeline: its windows per row, sheet above server, with year
/// ticks and a line for today.
fn timeline(bars: &[Bar]) -> Markup {
    let today = chrono::Utc::now().date_naive();
    let day_of = |s: &str| chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok();
    let mut days: Vec<chrono::NaiveDate> = bars
        .iter()
        .flat_map(|b| [b.start.as_deref(), b.end.as_deref()])
        .flatten()
        .filter_map(day_of)
        .collect();
    days.push(today);
    let (Some(&from), Some(&last)) = (days.iter().min(), days.iter().max()) else {
        return html! {};
    };
    let span = (last - from).num_days().max(1);
    // Room for open ends: a tenth past the last date, at least a year.
    let to = last + chrono::Duration::days((span / 10).max(365));
    let span = (to - from).num_days().max(1) as f64;
    let pos =
        |d: chrono::NaiveDate| ((d - from).num_days() as f64 / span * 100.0).clamp(0.0, 100.0);
    use chrono::Datelike;
    let years: Vec<(i32, f64)> = ((from.year() + 1)..=to.year())
        .filter_map(|y| Some((y, pos(chrono::NaiveDate::from_ymd_opt(y, 1, 1)?))))
        .collect();
    let step = (years.len() / 12).max(1);
    let mut rows: Vec<&str> = Vec::new();
    for b in bars {
        if !rows.contains(&b.row.as_str()) {
            rows.push(&b.row);
        }
    }
    html! {
        div.timeline role="img" aria-label="Windows of the sheet and of the server on a time line" {
            div.axis {
                @for (i, (y, x)) in years.iter().enumerate() {
                    @if i % step == 0 { span.tick style={"left:" (format!("{x:.2}")) "%"} { (y) } }
                }
                span.today style={"left:" (format!("{:.2}", pos(today))) "%"} { "today" }
            }
            @for row in &rows {
                div.trow {
                    div.rlabel { (row) }
                    div.lanes {
                        @for sheet in [true, false] {
                            div class={"lane " (if sheet { "sheet" } else { "server" })} {
                                @for b in bars.iter().filter(|b| b.row == *row && b.sheet == sheet) {
                                    @let start = b.start.as_deref().and_then(day_of).unwrap_or(from);
                                    @let end = b.end.as_deref().and_then(day_of).unwrap_or(to);
                                    @let left = pos(start);
                                    @let width = (pos(end) - left).max(0.6);
                                    span class={"bar" (if b.end.is_none() { " open" } else { "" })}
                                        style={"left:" (format!("{left:.2}")) "%;width:" (format!("{width:.2}")) "%"}
                                        title={(if sheet { "Sheet" } else { "Server" }) ": " (day(b.start.as_deref())) " to " (day(b.end.as_deref()))} {}
                                }
                                @for y in &years { span.grid style={"left:" (format!("{:.2}", y.1)) "%"} {} }
                                span.todayline style={"left:" (format!("{:.2}", pos(today))) "%"} {}
                            }
                        }
                    }
                }
            }
            div.legend { span.key.sheet {} " sheet " span.key.server {} " server " span.key.todaykey {} " today" }
        }
    }
}

fn status_badge(s: Status) -> Markup {
    html! { span class={"badge status-" (s.slug())} { (s.label()) } }
}

fn title_head(t: &TitleRow) -> Markup {
    html! {
        div.thead {
            h3 { (t.name.as_deref().unwrap_or(t.alid.as_str())) }
            span.meta { "ALID " span.mono { (t.alid) } " · " (t.territory) " · " (t.business_line.as_str()) }
            (status_badge(t.status))
        }
    }
}

/// The Compare screen.
pub fn compare(app: &App, batch: &Batch, view: &CompareView, filter: &CompareFilter) -> String {
    let territories: BTreeSet<&str> = view.titles.iter().map(|t| t.territory.as_str()).collect();
    let lines: BTreeSet<&str> = view
        .titles
        .iter()
        .map(|t| t.business_line.as_str())
        .collect();
    let shown: Vec<&TitleRow> = view
        .titles
        .iter()
        .filter(|t| filter.status.is_empty() || t.status.slug() == filter.status)
        .filter(|t| filter.territory.is_empty() || t.territory == filter.territory)
        .filter(|t| filter.line.is_empty() || t.business_line.as_str() == filter.line)
        .collect();
    let count = |s: Status| view.counts.get(&s).copied().unwrap_or(0);
    let body = html! {
        div.heading {
            div {
                h1 { "Compare" }
                p.sub { "Each title of the sheet against what " (app.target()) " holds now." }
            }
            div.actions { a.button.primary href={"/sets/" (batch.id) "/send"} { "Plan the send" } }
        }
        section.cards aria-label="Totals" {
            (card("Titles", view.titles.len(), ""))
            (card("New", count(Status::New), "ok"))
            (card("Changed", count(Status::Changed), "warn"))
            (card("Unchanged", count(Status::Same), ""))
            (card("Refused locally", count(Status::Refused), if count(Status::Refused) > 0 { "bad" } else { "" }))
            (card("Held back", count(Status::HeldBack), if count(Status::HeldBack) > 0 { "bad" } else { "" }))
            (card("Differences", view.differences, ""))
        }
        form.filters method="get" action={"/sets/" (batch.id) "/compare"} {
            label { "Status "
                select name="status" data-autosubmit {
                    option value="" selected[filter.status.is_empty()] { "Every status" }
                    @for s in Status::ALL { @if count(s) > 0 { option value=(s.slug()) selected[filter.status == s.slug()] { (s.label()) " (" (thousands(count(s))) ")" } } }
                }
            }
            label { "Territory "
                select name="territory" data-autosubmit {
                    option value="" selected[filter.territory.is_empty()] { "All territories" }
                    @for t in &territories { option value=(t) selected[filter.territory == *t] { (t) } }
                }
            }
            label { "Business line "
                select name="line" data-autosubmit {
                    option value="" selected[filter.line.is_empty()] { "All business lines" }
                    @for l in &lines { option value=(l) selected[filter.line == *l] { (l) } }
                }
            }
            button type="submit" { "Apply" }
            span.count { (thousands(shown.len())) " of " (thousands(view.titles.len())) " titles" }
        }
        @if shown.is_empty() { p.empty { "No title matches these filters." } }
        @for t in shown.iter().take(TITLES_SHOWN) {
            article class={"title status-" (t.status.slug())} data-status=(t.status.slug()) {
                (title_head(t))
                @if !t.reasons.is_empty() {
                    ul class={"reasons" (if t.status == Status::NotCompared { " neutral" } else { "" })} { @for r in &t.reasons { li { (r) } } }
                }
                @if !t.bars.is_empty() { (timeline(&t.bars)) }
                @if !t.changes.is_empty() {
                    table.changes {
                        caption { "Changed fields" }
                        thead { tr { th scope="col" { "Window" } th scope="col" { "Column" } th scope="col" { "Sheet" } th scope="col" { "Server" } th scope="col" { "Cell" } } }
                        tbody {
                            @for c in &t.changes {
                                tr { td { (c.subject) } td.col { (c.column) } td.sheetv { (c.sheet) } td.serverv { (c.server) } td.cell { (c.cell) } }
                            }
                        }
                    }
                }
                @if !t.added.is_empty() {
                    p.diffline { strong { "Only on the sheet: " } (t.added.join("; ")) }
                }
                @if !t.removed.is_empty() {
                    p.diffline { strong { "Only on the server: " } (t.removed.join("; ")) }
                }
            }
        }
        @if shown.len() > TITLES_SHOWN {
            p.more { (thousands(shown.len() - TITLES_SHOWN)) " more titles not shown: narrow the filters." }
        }
    };
    layout(app, "Compare", Some(batch.id), Screen::Compare, body)
}

fn action_label(a: Action, status: Status) -> (&'static str, &'static str) {
    match a {
        Action::Unchanged => ("unchanged", "same"),
        _ => match status {
            Status::New => ("new", "new"),
            Status::Changed => ("changed", "changed"),
            Status::Same => ("sent again (same as server)", "same"),
            _ => match a {
                Action::SendNew => ("new", "new"),
                Action::SendChanged => ("changed", "changed"),
                _ => ("sent again", "changed"),
            },
        },
    }
}

/// The Send screen: the plan and its confirmation.
pub fn plan(
    app: &App,
    batch: &Batch,
    check: &CheckView,
    plan: &Plan,
    running: Option<&SendRun>,
) -> String {
    let sending = plan.actions.iter().filter(|a| a.sends()).count();
    let unchanged = plan.units.len() - sending;
    let status_of = |payload: usize| {
        plan.compare
            .titles
            .iter()
            .find(|t| t.payload == Some(payload))
    };
    let mut new = 0;
    let mut changed = 0;
    let mut deletes = 0;
    for (u, a) in plan.units.iter().zip(&plan.actions) {
        if a.sends() {
            match status_of(u.payload).map(|t| (t.status, &t.entry_type)) {
                Some((_, avails_model::EntryType::FullDelete)) => deletes += 1,
                Some((Status::New, _)) => new += 1,
                _ => changed += 1,
            }
        }
    }
    let refused: Vec<&TitleRow> = plan
        .compare
        .titles
        .iter()
        .filter(|t| t.status == Status::Refused)
        .collect();
    let held: Vec<&TitleRow> = plan
        .compare
        .titles
        .iter()
        .filter(|t| t.status == Status::HeldBack)
        .collect();
    let busy = running.filter(|r| crate::app::lock(&r.receipt).is_none());
    let body = html! {
        div.heading {
            div {
                h1 { "Send" }
                p.sub { "First the plan: what a send to " (app.target()) " would do. Nothing is sent before you confirm." }
            }
        }
        section.cards aria-label="Plan" {
            (card("To send", sending, "ok"))
            (card("New", new, ""))
            (card("Changed", changed, "warn"))
            (card("Deletes", deletes, if deletes > 0 { "bad" } else { "" }))
            (card("Unchanged", unchanged, ""))
            (card("Refused", refused.len(), if refused.is_empty() { "" } else { "bad" }))
            (card("Held back", held.len(), if held.is_empty() { "" } else { "bad" }))
        }
        @if check.errors > 0 {
            p.note { "Titles refused or held back are not sent: the server keeps what it holds for them. Fix their cells (see " a href={"/sets/" (batch.id) "/check"} { "Check" } "), then drop the sheet again." }
        }
        @if !plan.problems.is_empty() {
            div.alert.error role="alert" { h2 { "Not sendable" } ul { @for p in &plan.problems { li { (p) } } } }
        }
        table.plan {
            caption { "Per title" }
            thead { tr { th scope="col" { "Title" } th scope="col" { "ALID" } th scope="col" { "Territory" } th scope="col" { "Business line" } th scope="col" { "Action" } th scope="col" { "What it changes on the server" } } }
            tbody {
                @for (u, a) in plan.units.iter().zip(&plan.actions) {
                    @let t = status_of(u.payload);
                    @let (label, class) = match t.map(|t| &t.entry_type) {
                        Some(avails_model::EntryType::FullDelete) if a.sends() => ("delete", "refused"),
                        _ => action_label(*a, t.map(|t| t.status).unwrap_or(Status::NotCompared)),
                    };
                    tr {
                        td { (t.and_then(|t| t.name.clone()).unwrap_or_default()) }
                        td.mono { (t.map(|t| t.alid.as_str()).unwrap_or("")) }
                        td { (t.map(|t| t.territory.as_str()).unwrap_or("")) }
                        td { (t.map(|t| t.business_line.as_str()).unwrap_or("")) }
                        td { span class={"badge status-" (class)} { (label) } }
                        td {
                            @if let Some(t) = t {
                                @if !a.sends() {
                                    "Not sent: the journal has this exact content as acknowledged."
                                } @else if t.entry_type == avails_model::EntryType::FullDelete {
                                    strong { "Full delete: " } "removes every window the server holds for this title, territory and business line."
                                } @else if t.entry_type == avails_model::EntryType::PartialExtract {
                                    "Partial extract: replaces this window only."
                                } @else {
                                    @let sheet_windows = t.bars.iter().filter(|b| b.sheet).count();
                                    @if t.server_windows == 0 {
                                        "Full extract: the server holds nothing here yet; adds " (thousands(sheet_windows)) " window" (if sheet_windows == 1 { "" } else { "s" }) "."
                                    } @else {
                                        "Full extract: replaces the " (thousands(t.server_windows)) " window" (if t.server_windows == 1 { "" } else { "s" }) " the server holds for this title, territory and business line with the sheet's " (thousands(sheet_windows)) "."
                                    }
                                    @if !t.changes.is_empty() {
                                        br; "Changed: " (t.changes.iter().map(|c| c.column.as_str()).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", ")) "."
                                    }
                                    @if !t.added.is_empty() { br; "Adds: " (t.added.join("; ")) "." }
                                    @if !t.removed.is_empty() { br; strong { "Removes: " } (t.removed.join("; ")) "." }
                                }
                            }
                        }
                    }
                }
                @for t in refused.iter().chain(held.iter()) {
                    tr {
                        td { (t.name.clone().unwrap_or_default()) }
                        td.mono { (t.alid) }
                        td { (t.territory) }
                        td { (t.business_line.as_str()) }
                        td { (status_badge(t.status)) }
                        td { "Not sent; the server keeps what it holds. " (t.reasons.first().cloned().unwrap_or_default()) @if t.reasons.len() > 1 { " (+" (t.reasons.len() - 1) " more)" } }
                    }
                }
            }
        }
        @if let Some(r) = busy {
            div.alert.warn role="status" { "Another send is running (sheet set " (r.batch) "). Wait for its receipt before sending." }
        }
        form.confirm method="post" action={"/sets/" (batch.id) "/send"} {
            input type="hidden" name="fingerprint" value=(plan.fingerprint);
            label.check {
                input type="checkbox" name="confirm" value="yes" required;
                " I have reviewed this plan: send " strong { (thousands(sending)) " payload" (if sending == 1 { "" } else { "s" }) } " to " (app.target()) "."
            }
            button.primary type="submit" #send-button { "Send " (thousands(sending)) " payload" (if sending == 1 { "" } else { "s" }) }
        }
    };
    layout(app, "Send", Some(batch.id), Screen::Send, body)
}

/// The progress screen: filled by server-sent events.
pub fn progress(app: &App, batch: &Batch, run: &SendRun) -> String {
    let body = html! {
        h1 { "Sending" }
        p.sub { "To " (app.target()) ", started " (when(&run.started_at)) ". Keep this page open; the receipt follows." }
        div #progress data-events={"/sets/" (batch.id) "/send/events"} data-receipt={"/sets/" (batch.id) "/send/receipt"} {
            progress #bar max=(run.total.max(1)) value="0" aria-label="Payloads decided" {}
            section.cards aria-live="polite" {
                div.card { div.value #p-done { "0" } div.label { "of " (thousands(run.total)) " decided" } }
                div.card.ok { div.value #p-sent { "0" } div.label { "sent" } }
                div.card { div.value #p-unchanged { "0" } div.label { "unchanged" } }
                div.card.warn { div.value #p-retried { "0" } div.label { "retried" } }
                div.card.bad { div.value #p-failed { "0" } div.label { "failed requests" } }
                div.card { div.value #p-rate { "0" } div.label { "requests per second" } }
            }
        }
        noscript { p { a href={"/sets/" (batch.id) "/send/receipt"} { "Open the receipt" } " once the send has finished." } }
    };
    layout(app, "Sending", Some(batch.id), Screen::Send, body)
}

fn num(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_u64).unwrap_or(0) as usize
}

/// The receipt.
pub fn receipt(app: &App, batch: &Batch, r: &Value) -> String {
    let titles = r
        .get("titles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let not_sent = r
        .get("notSent")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let body = html! {
        div.heading {
            div {
                h1 { "Receipt" }
                p.sub { "Sent to " (app.target()) ": started " (when(&text(r, "startedAt"))) ", finished " (when(&text(r, "finishedAt"))) "." }
            }
            div.actions {
                @if let Some(name) = r.pointer("/statusWorkbook/name").and_then(Value::as_str) {
                    a.button href={"/sets/" (batch.id) "/send/status.xlsx"} download title={"Each row's status: " (name)} { "Download status per row (XLSX)" }
                }
                a.button.primary href={"/sets/" (batch.id) "/send/receipt.json"} download { "Download receipt (JSON)" }
                a.button href="/history" { "History" }
            }
        }
        @if let Some(why) = r.get("stopped").and_then(Value::as_str) {
            div.alert.error role="alert" { h2 { "The send stopped" } p { (why) } }
        }
        @if let Some(why) = r.pointer("/statusWorkbook/error").and_then(Value::as_str) {
            div.alert.error role="alert" { h2 { "No status workbook" } p { (why) } }
        }
        @if let Some(note) = r.pointer("/statusWorkbook/note").and_then(Value::as_str) {
            p.sub { (note) "." }
        }
        section.cards aria-label="Outcome" {
            (card("Sent", num(r, "sent"), "ok"))
            (card("Unchanged", num(r, "unchanged"), ""))
            (card("Rejected", num(r, "rejected"), if num(r, "rejected") > 0 { "bad" } else { "" }))
            (card("Failed", num(r, "failed"), if num(r, "failed") > 0 { "bad" } else { "" }))
            (card("Not sent (refused, held back)", not_sent.len(), if not_sent.is_empty() { "" } else { "warn" }))
            (card("Requests", num(r, "requests"), ""))
            (card("Retries", num(r, "retries"), ""))
        }
        table.receipt {
            caption { "Per title" }
            thead { tr { th scope="col" { "Title" } th scope="col" { "ALID" } th scope="col" { "Territory" } th scope="col" { "Business line" } th scope="col" { "Outcome" } th scope="col" { "Details" } } }
            tbody {
                @for t in titles.iter().chain(not_sent.iter()) {
                    @let outcome = text(t, "outcome");
                    tr {
                        td { (text(t, "name")) }
                        td.mono { (text(t, "alid")) }
                        td { (text(t, "territory")) }
                        td { (text(t, "businessLine")) }
                        td { span class={"badge outcome-" (outcome.replace(' ', "-"))} { (outcome) } }
                        td { (text(t, "detail")) @if let Some(rs) = t.get("reasons").and_then(Value::as_array) { (rs.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")) } }
                    }
                }
            }
        }
    };
    layout(app, "Receipt", Some(batch.id), Screen::Send, body)
}

/// A journal key's parts: ALID, territory, business line (full extracts),
/// or the transaction (partial).
fn key_parts(key: &str) -> (String, String, String) {
    let parts: Vec<&str> = key.split(':').collect();
    match parts.as_slice() {
        ["full", _licensor, rest @ ..] if rest.len() >= 3 => {
            let n = rest.len();
            (
                rest[..n - 2].join(":"),
                rest[n - 2].to_string(),
                rest[n - 1].to_string(),
            )
        }
        ["partial", _licensor, rest @ ..] => (
            format!("transaction {}", rest.join(":")),
            String::new(),
            String::new(),
        ),
        _ => (key.to_string(), String::new(), String::new()),
    }
}

/// The server's answer as a line: its errors' messages, or the failure.
fn answer(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|e| {
                let code = e.get("code").and_then(Value::as_str).unwrap_or("");
                let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                match (code.is_empty(), message.is_empty()) {
                    (false, false) => format!("{code}: {message}"),
                    (true, false) => message.to_string(),
                    _ => e.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

fn state_label(e: &Event) -> &'static str {
    use avails_journal::State;
    match e.state {
        State::Pending => "planned",
        State::Sending => "sending",
        State::Acknowledged => "accepted",
        State::Rejected => "rejected",
        State::Failed => "failed",
    }
}

/// The History screen: the journal, newest first, searchable by title.
pub fn history(
    app: &App,
    mut events: Vec<Event>,
    names: &BTreeMap<String, String>,
    q: &HistoryQuery,
) -> String {
    events.reverse();
    let needle = q.q.trim().to_lowercase();
    let matches = |e: &Event| {
        if needle.is_empty() {
            return true;
        }
        let (alid, _, _) = key_parts(&e.key);
        e.key.to_lowercase().contains(&needle)
            || names
                .get(&alid)
                .is_some_and(|n| n.to_lowercase().contains(&needle))
    };
    let shown: Vec<&Event> = events.iter().filter(|e| matches(e)).collect();
    let body = html! {
        div.heading {
            div {
                h1 { "History" }
                p.sub { "What was sent to " (app.target()) " and when, with the server's answer: the journal that " code { "avails submit" } " keeps too. Newest first." }
            }
        }
        form.filters method="get" action="/history" role="search" {
            label { "Title or ALID " input type="search" name="q" value=(q.q) placeholder="e.g. Rockstar or md:alid:…"; }
            button type="submit" { "Search" }
            @if !needle.is_empty() { a href="/history" { "Show all" } }
            span.count { (thousands(shown.len())) " events" }
        }
        @if shown.is_empty() {
            p.empty { @if events.is_empty() { "Nothing was sent with this profile from this state folder yet." } @else { "No event for this title." } }
        } @else {
            table.history {
                thead { tr { th scope="col" { "When" } th scope="col" { "Title" } th scope="col" { "ALID" } th scope="col" { "Territory" } th scope="col" { "Business line" } th scope="col" { "Event" } th scope="col" class="num" { "HTTP" } th scope="col" { "Server's answer" } } }
                tbody {
                    @for e in shown.iter().take(EVENTS_SHOWN) {
                        @let (alid, territory, line) = key_parts(&e.key);
                        tr {
                            td.nowrap { (when(&e.at)) }
                            td { (names.get(&alid).cloned().unwrap_or_default()) }
                            td.mono { (alid) }
                            td { (territory) }
                            td { (line) }
                            td { span class={"badge state-" (e.state.as_str())} { (state_label(e)) } @if let Some(n) = &e.note { " (" (n) ")" } }
                            td.num { (e.http_status.map(|s| s.to_string()).unwrap_or_else(|| "–".into())) }
                            td { (answer(&e.answer)) }
                        }
                    }
                }
            }
            @if shown.len() > EVENTS_SHOWN { p.more { (thousands(shown.len() - EVENTS_SHOWN)) " older events not listed: search for a title." } }
        }
    };
    layout(app, "History", None, Screen::History, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_keys_name_the_title_territory_and_line() {
        assert_eq!(
            key_parts("full:mgm:md:alid:eidr-s:ABC:US:TVOD"),
            ("md:alid:eidr-s:ABC".into(), "US".into(), "TVOD".into())
        );
        assert_eq!(key_parts("partial:mgm:tx1").0, "transaction tx1");
    }

    #[test]
    fn server_answers_read_as_sentences() {
        let v = serde_json::json!([{"code": "UNKNOWN_ALID", "message": "no metadata"}]);
        assert_eq!(answer(&Some(v)), "UNKNOWN_ALID: no metadata");
        assert_eq!(answer(&None), "");
    }
}
