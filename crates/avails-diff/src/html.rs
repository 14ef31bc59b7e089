//! One self-contained HTML report: summary, differences and a timeline of
//! availability windows per title (inline CSS and JS, no network).

use std::fmt::Write;

use crate::model::{DiffReport, Difference, Side, TitleDiff, TitleStatus};
use crate::text::show;
use crate::timeline::Scale;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin:0 0 .5rem}
table.summary{border-collapse:collapse;margin-bottom:1rem}
table.summary td,table.summary th{border:1px solid #ccc;padding:.25rem .75rem;text-align:right}
section.title{border:1px solid #ddd;border-radius:6px;padding:1rem;margin:1rem 0}
section.title.hidden{display:none}
.badge{font-size:.8rem;padding:.1rem .5rem;border-radius:1rem;margin-left:.5rem;color:#fff}
.status-same .badge{background:#3a7}.status-changed .badge{background:#d80}
.status-missingOnServer .badge{background:#c33}.status-refusedLocally .badge{background:#939}.status-extraOnServer .badge{background:#36c}
ul.differences{font-size:.9rem}ul.differences code{background:#f4f4f4;padding:0 .2rem}
.loc{color:#666}
.timeline{margin-top:.75rem;font-size:.8rem}
.axis{display:flex;justify-content:space-between;margin-left:12rem;color:#666}
.track{display:flex;align-items:center;border-top:1px solid #eee;padding:.2rem 0}
.row-label{width:12rem;flex:none;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.lanes{flex:1}
.lane{position:relative;height:12px;margin:2px 0;background:#fafafa}
.window{position:absolute;top:0;height:12px;border-radius:3px;opacity:.85}
.window.sheet{background:#2a8}.window.server{background:#47c}
.window.open{background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.5) 4px 8px);border-radius:3px 0 0 3px}
.swatch.sheet{background:#2a8}.swatch.server{background:#47c}.swatch.open{background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.5) 4px 8px)}
.legend span{display:inline-block;width:1rem;height:.6rem;margin:0 .3rem 0 1rem}
"#;

const SCRIPT: &str = r#"
document.getElementById('only-diff').addEventListener('change',function(e){
  document.querySelectorAll('section.title.status-same').forEach(function(s){
    s.classList.toggle('hidden', e.target.checked);
  });
});
// Markers for headless checks: how many timeline bars have a laid-out
// width, and that this script ran to its end.
var drawn=0;
document.querySelectorAll('.window').forEach(function(w){
  if(w.getBoundingClientRect().width>0){drawn++;}
});
document.body.setAttribute('data-windows-drawn',String(drawn));
document.body.setAttribute('data-ready','true');
"#;

/// The report as one HTML page titled `title`.
pub fn render_html(report: &DiffReport, title: &str) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n",
        t = escape(title)
    );
    let _ = writeln!(
        out,
        "<table class=\"summary\" id=\"summary\"><tr><th>titles</th><th>same</th><th>changed</th><th>missing on server</th><th>extra on server</th><th>differences</th></tr>\
         <tr><td class=\"titles\">{}</td><td class=\"same\">{}</td><td class=\"changed\">{}</td><td class=\"missing\">{}</td><td class=\"extra\">{}</td><td class=\"differences\">{}</td></tr></table>",
        s.titles, s.same, s.changed, s.missing_on_server, s.extra_on_server, s.differences
    );
    out.push_str("<p class=\"legend\"><label><input type=\"checkbox\" id=\"only-diff\"> only titles with differences</label><span class=\"swatch sheet\"></span>sheet<span class=\"swatch server\"></span>server<span class=\"swatch sheet open\"></span>open-ended</p>\n");
    for (n, t) in report.titles.iter().enumerate() {
        title_section(&mut out, n, t);
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

fn status_class(s: TitleStatus) -> &'static str {
    match s {
        TitleStatus::Same => "status-same",
        TitleStatus::MissingOnServer => "status-missingOnServer",
        TitleStatus::ExtraOnServer => "status-extraOnServer",
        TitleStatus::Changed => "status-changed",
        TitleStatus::RefusedLocally => "status-refusedLocally",
    }
}

fn title_section(out: &mut String, n: usize, t: &TitleDiff) {
    let _ = write!(
        out,
        "<section class=\"title {}\" id=\"title-{n}\" data-alid=\"{}\" data-territory=\"{}\" data-business-line=\"{}\">\n<h2>{} &middot; {} &middot; {}<span class=\"badge\">{}</span></h2>\n",
        status_class(t.status),
        escape(&t.key.alid),
        escape(&t.key.territory),
        t.key.business_line,
        escape(&t.key.alid),
        escape(&t.key.territory),
        t.key.business_line,
        t.status.label()
    );
    if !t.differences.is_empty() {
        out.push_str("<ul class=\"differences\">\n");
        for d in &t.differences {
            match d {
                Difference::MissingOnServer {
                    subject, location, ..
                } => {
                    let _ = writeln!(
                        out,
                        "<li class=\"missing\">{} &mdash; on the sheet, not on the server <span class=\"loc\">{}</span></li>",
                        escape(&subject.to_string()),
                        escape(&location.to_string())
                    );
                }
                Difference::RefusedLocally { reasons, location } => {
                    let _ = write!(
                        out,
                        "<li class=\"refused\">refused by local validation, so never sent <span class=\"loc\">{}</span><ul>",
                        escape(&location.to_string())
                    );
                    for r in reasons {
                        let _ = write!(out, "<li>{}</li>", escape(r));
                    }
                    out.push_str("</ul></li>\n");
                }
                Difference::ExtraOnServer {
                    subject,
                    server_pointer,
                } => {
                    let _ = writeln!(
                        out,
                        "<li class=\"extra\">{} &mdash; on the server, not on the sheet <span class=\"loc\">{}</span></li>",
                        escape(&subject.to_string()),
                        escape(server_pointer)
                    );
                }
                Difference::Changed { subject, changes } => {
                    let _ = write!(
                        out,
                        "<li class=\"changed\">{}<ul>",
                        escape(&subject.to_string())
                    );
                    for c in changes {
                        let _ = write!(
                            out,
                            "<li class=\"change\" data-pointer=\"{}\"><code>{}</code>: sheet <b>{}</b>, server <b>{}</b> <span class=\"loc\">{}</span></li>",
                            escape(&c.pointer),
                            escape(&c.pointer),
                            escape(&show(&c.sheet)),
                            escape(&show(&c.server)),
                            escape(&c.location.to_string())
                        );
                    }
                    out.push_str("</ul></li>\n");
                }
            }
        }
        out.push_str("</ul>\n");
    }
    timeline(out, n, t);
    out.push_str("</section>\n");
}

fn timeline(out: &mut String, n: usize, t: &TitleDiff) {
    let Some(scale) = Scale::of(&t.windows) else {
        return;
    };
    let date = |d: i64| {
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|e| e.checked_add_signed(chrono::Duration::days(d)))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let _ = writeln!(
        out,
        "<div class=\"timeline\"><div class=\"axis\"><span>{}</span><span>{}</span></div>",
        date(scale.from),
        date(scale.to)
    );
    let mut rows: Vec<&str> = Vec::new();
    for w in &t.windows {
        if !rows.contains(&w.row.as_str()) {
            rows.push(&w.row);
        }
    }
    let mut k = 0;
    for row in rows {
        let _ = write!(
            out,
            "<div class=\"track\" data-row=\"{r}\"><div class=\"row-label\" title=\"{r}\">{r}</div><div class=\"lanes\">",
            r = escape(row)
        );
        for side in [Side::Sheet, Side::Server] {
            let _ = write!(out, "<div class=\"lane {}\">", side.as_str());
            for w in t.windows.iter().filter(|w| w.side == side && w.row == row) {
                let (left, width) = scale.place(w);
                let open = if w.end.is_none() { " open" } else { "" };
                let start = w.start.as_deref().unwrap_or("");
                let end = w.end.as_deref().unwrap_or("open");
                let tip = format!(
                    "{}: {} {} → {}{}",
                    side.as_str(),
                    row,
                    if start.is_empty() { "?" } else { start },
                    end,
                    w.transaction_id
                        .as_deref()
                        .map(|i| format!(" (AvailID {i})"))
                        .unwrap_or_default()
                );
                let _ = write!(
                    out,
                    "<div class=\"window {s}{open}\" id=\"w-{n}-{k}\" data-side=\"{s}\" data-start=\"{}\" data-end=\"{}\" style=\"left:{left:.3}%;width:{width:.3}%\" title=\"{}\"></div>",
                    escape(start),
                    escape(end),
                    escape(&tip),
                    s = side.as_str()
                );
                k += 1;
            }
            out.push_str("</div>");
        }
        out.push_str("</div></div>\n");
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Subject, TitleKey, Window};
    use avails_model::BusinessLine;

    #[test]
    fn text_is_escaped_and_windows_are_countable() {
        let w = |side, end: Option<&str>| Window {
            side,
            row: "EST <HD>".into(),
            transaction_id: Some("a\"b".into()),
            start: Some("2020-01-01T00:00:00".into()),
            end: end.map(str::to_string),
        };
        let t = TitleDiff {
            key: TitleKey {
                alid: "<script>alert(1)</script>".into(),
                territory: "US".into(),
                business_line: BusinessLine::Tvod,
            },
            status: TitleStatus::ExtraOnServer,
            differences: vec![Difference::ExtraOnServer {
                subject: Subject::Title,
                server_pointer: "/avail".into(),
            }],
            windows: vec![
                w(Side::Sheet, Some("2021-01-01T00:00:00")),
                w(Side::Server, None),
            ],
        };
        let html = render_html(&DiffReport::from_titles(vec![t]), "a & b");
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("<title>a &amp; b</title>"));
        assert_eq!(html.matches("class=\"window sheet\" id=").count(), 1);
        assert_eq!(html.matches("class=\"window server open\" id=").count(), 1);
        assert!(html.contains("data-end=\"open\""));
        assert!(html.contains("setAttribute('data-ready','true')"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
