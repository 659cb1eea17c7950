//! The monitoring in `deploy/` against the real `/metrics`: every metric (and every label value
//! it selects with `=`) that the Grafana dashboard (`deploy/grafana/trazo-dashboard.json`) and
//! the Prometheus alerting rules (`deploy/prometheus/alerts.yml`) use is exported. A renamed
//! metric would otherwise leave an empty panel, or an alert that can never fire.
//!
//! `scripts/check-monitoring.sh` checks the same files' syntax and the alerts' behaviour with
//! promtool; this test checks the names.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::multipart;

use crate::helpers::{ONE, digit_png, new_user, settings, spawn_app_with};

/// Series that Prometheus makes itself rather than scraping them from trazo.
const FROM_PROMETHEUS: &[&str] = &["up"];
/// Labels that Prometheus attaches to every scraped series (the target's), not in `/metrics`.
const TARGET_LABELS: &[&str] = &["job", "instance"];

/// A series selector in a PromQL expression: the metric name and its `label="value"` matchers
/// (the other matchers, `!=`, `=~` and `!~`, select nothing that must exist).
#[derive(Debug, PartialEq)]
struct Selector {
    metric: String,
    equal: Vec<(String, String)>,
}

/// PromQL words that are not series: aggregation operators, binary and set operators, the
/// modifiers and the special numbers. (Functions are recognised by the `(` that follows.)
const KEYWORDS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
    "and",
    "or",
    "unless",
    "atan2",
    "bool",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "inf",
    "nan",
];
/// Keywords followed by a list of label names in parentheses.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// The series selectors in a PromQL expression, in order. Skips string literals, comments,
/// ranges and durations (`[5m]`, `[$__rate_interval]`, `offset 1h`), numbers, Grafana variables
/// (`$instance`, `${datasource}`), function names, keywords and the label names in `by (...)`
/// and the like.
fn selectors(expr: &str) -> Vec<Selector> {
    let chars: Vec<char> = expr.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if matches!(c, '"' | '\'' | '`') {
            i = skip_string(&chars, i).0;
        } else if c == '{' {
            // A selector without a metric name, e.g. {__name__="x"}: nothing to check by name.
            i = matchers(&chars, i).0;
        } else if c == '[' {
            i = skip_group(&chars, i, '[', ']');
        } else if c == '$' {
            i += 1;
            if chars.get(i) == Some(&'{') {
                i = skip_group(&chars, i, '{', '}');
            } else {
                while i < chars.len() && is_word(chars[i]) {
                    i += 1;
                }
            }
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            // Numbers and durations: 0.99, 1e-3, 0x1f, 5m, 1h30m.
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let lower = word.to_ascii_lowercase();
            let mut next = i;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            let followed_by = chars.get(next).copied();
            if LABEL_LISTS.contains(&lower.as_str()) {
                if followed_by == Some('(') {
                    i = skip_group(&chars, next, '(', ')');
                }
            } else if followed_by == Some('(') || KEYWORDS.contains(&lower.as_str()) {
                // A function or an aggregation, or an operator.
            } else if followed_by == Some('{') {
                let (end, equal) = matchers(&chars, next);
                i = end;
                found.push(Selector {
                    metric: word,
                    equal,
                });
            } else {
                found.push(Selector {
                    metric: word,
                    equal: Vec::new(),
                });
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The metric names in a PromQL expression.
fn metric_names(expr: &str) -> BTreeSet<String> {
    selectors(expr).into_iter().map(|s| s.metric).collect()
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// From the quote at `start`: the index after the closing quote, and the string's value.
fn skip_string(chars: &[char], start: usize) -> (usize, String) {
    let quote = chars[start];
    let mut value = String::new();
    let mut i = start + 1;
    while i < chars.len() && chars[i] != quote {
        if chars[i] == '\\' && quote != '`' && i + 1 < chars.len() {
            i += 1;
        }
        value.push(chars[i]);
        i += 1;
    }
    (i + 1, value)
}

/// From the `open` at `start`: the index after its matching `close`, skipping strings.
fn skip_group(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '"' | '\'' | '`') {
            i = skip_string(chars, i).0;
            continue;
        }
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    i
}

/// From the `{` at `start`: the index after the matching `}`, and the `label="value"` matchers.
fn matchers(chars: &[char], start: usize) -> (usize, Vec<(String, String)>) {
    let mut equal = Vec::new();
    let mut i = start + 1;
    loop {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ',') {
            i += 1;
        }
        if i >= chars.len() {
            return (i, equal);
        }
        if chars[i] == '}' {
            return (i + 1, equal);
        }
        let name_start = i;
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        let name: String = chars[name_start..i].iter().collect();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let op_start = i;
        while i < chars.len() && matches!(chars[i], '=' | '!' | '~') {
            i += 1;
        }
        let op: String = chars[op_start..i].iter().collect();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i < chars.len() && matches!(chars[i], '"' | '\'' | '`') {
            let (end, value) = skip_string(chars, i);
            i = end;
            if op == "=" {
                equal.push((name, value));
            }
        } else if i == name_start {
            // Not a matcher after all: step over the character rather than loop on it.
            i += 1;
        }
    }
}

/// The PromQL in a Grafana variable's query: `label_values(<expr>, <label>)` and
/// `query_result(<expr>)` wrap an expression; `label_values(<label>)` and the others have none.
fn variable_expr(query: &str) -> Option<String> {
    let query = query.trim();
    if let Some(inner) = query
        .strip_prefix("query_result(")
        .and_then(|q| q.strip_suffix(')'))
    {
        return Some(inner.to_owned());
    }
    let inner = query
        .strip_prefix("label_values(")
        .and_then(|q| q.strip_suffix(')'))?;
    // The comma before the label name: the last one outside braces, parentheses and strings.
    let chars: Vec<char> = inner.chars().collect();
    let (mut i, mut depth, mut last_comma) = (0, 0i32, None);
    while i < chars.len() {
        match chars[i] {
            '"' | '\'' | '`' => {
                i = skip_string(&chars, i).0;
                continue;
            }
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => last_comma = Some(i),
            _ => {}
        }
        i += 1;
    }
    last_comma.map(|at| chars[..at].iter().collect())
}

/// Every PromQL expression in a Grafana dashboard, with where it is used: each `expr` anywhere
/// (panels, rows' panels, targets), and the template variables' queries.
fn dashboard_exprs(dashboard: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(value: &serde_json::Value, place: &str, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(object) => {
                let place = object
                    .get("title")
                    .and_then(|t| t.as_str())
                    .map(|t| format!("dashboard panel {t:?}"))
                    .unwrap_or_else(|| place.to_owned());
                for (key, child) in object {
                    match (key.as_str(), child) {
                        ("expr", serde_json::Value::String(expr)) => {
                            out.push((place.clone(), expr.clone()));
                        }
                        _ => walk(child, &place, out),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, place, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&dashboard["panels"], "dashboard", &mut out);
    for variable in dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let query = match &variable["query"] {
            serde_json::Value::String(query) => Some(query.as_str()),
            object => object["query"].as_str(),
        };
        if let Some(expr) = query.and_then(variable_expr) {
            let name = variable["name"].as_str().unwrap_or("?");
            out.push((format!("dashboard variable {name:?}"), expr));
        }
    }
    out
}

/// Every `expr` in a Prometheus rules file, with the alert (or recording rule) it belongs to.
/// Read as text (no YAML parser among the dev-dependencies): plain, quoted, and `|` or `>` block
/// values, continued on the lines indented deeper than the key.
fn rule_exprs(yaml: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = Vec::new();
    let mut rule = String::from("a rule");
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        let key = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
        let key_column = lines[i].len() - key.len();
        i += 1;
        if let Some(name) = key
            .strip_prefix("alert:")
            .or_else(|| key.strip_prefix("record:"))
        {
            let kind = if key.starts_with("alert") {
                "alert"
            } else {
                "recording rule"
            };
            rule = format!("{kind} {}", unquote(name.trim()));
            continue;
        }
        let Some(value) = key.strip_prefix("expr:") else {
            continue;
        };
        let value = value.trim();
        let block = value.starts_with('|') || value.starts_with('>');
        let mut parts = Vec::new();
        if !block && !value.is_empty() {
            parts.push(value.to_owned());
        }
        while i < lines.len() {
            let line = lines[i];
            if !line.trim().is_empty() {
                if line.len() - line.trim_start().len() <= key_column {
                    break;
                }
                parts.push(line.trim().to_owned());
            }
            i += 1;
        }
        let expr = parts.join("\n");
        let expr = if block { expr } else { unquote(&expr) };
        out.push((rule.clone(), expr));
    }
    out
}

/// A YAML scalar without its quotes, if it has them.
fn unquote(value: &str) -> String {
    let value = value.trim();
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        inner.replace("\\\"", "\"").replace("\\\\", "\\")
    } else if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else {
        value.to_owned()
    }
}

/// What a Prometheus text exposition exports: each series name (for a histogram family, its
/// `_bucket`, `_sum` and `_count` series, known from the `# TYPE` lines; never the bare family
/// name, which has no samples) with the labels its samples carry.
fn parse_exposition(text: &str) -> BTreeMap<String, BTreeSet<(String, String)>> {
    let mut series: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for line in text.lines() {
        if let Some(declaration) = line.strip_prefix("# TYPE ") {
            let mut words = declaration.split_whitespace();
            if let (Some(family), Some(kind)) = (words.next(), words.next()) {
                let names = match kind {
                    "histogram" => vec![
                        format!("{family}_bucket"),
                        format!("{family}_sum"),
                        format!("{family}_count"),
                    ],
                    "summary" => vec![
                        family.to_owned(),
                        format!("{family}_sum"),
                        format!("{family}_count"),
                    ],
                    _ => vec![family.to_owned()],
                };
                for name in names {
                    series.entry(name).or_default();
                }
            }
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // A sample: name{labels} value, parsed with the selector's matcher parser.
        let chars: Vec<char> = line.chars().collect();
        let end = chars
            .iter()
            .position(|&c| c == '{' || c.is_whitespace())
            .unwrap_or(chars.len());
        let name: String = chars[..end].iter().collect();
        let labels = if chars.get(end) == Some(&'{') {
            matchers(&chars, end).1
        } else {
            Vec::new()
        };
        series.entry(name).or_default().extend(labels);
    }
    series
}

/// What `used` selects that `exported` lacks: one line per missing metric or label value, with
/// where it is used.
fn missing_from(
    exported: &BTreeMap<String, BTreeSet<(String, String)>>,
    used: &[(String, String)],
) -> Vec<String> {
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (place, expr) in used {
        for selector in selectors(expr) {
            if FROM_PROMETHEUS.contains(&selector.metric.as_str()) {
                continue;
            }
            let Some(labels) = exported.get(&selector.metric) else {
                missing
                    .entry(format!("metric {}", selector.metric))
                    .or_default()
                    .insert(place.clone());
                continue;
            };
            for (label, value) in selector.equal {
                if !TARGET_LABELS.contains(&label.as_str())
                    && !labels.contains(&(label.clone(), value.clone()))
                {
                    missing
                        .entry(format!("{}{{{label}={value:?}}}", selector.metric))
                        .or_default()
                        .insert(place.clone());
                }
            }
        }
    }
    missing
        .into_iter()
        .map(|(what, places)| {
            format!(
                "{what}, used by {}",
                places.into_iter().collect::<Vec<_>>().join(", ")
            )
        })
        .collect()
}

fn repository_file(path: &str) -> String {
    let path = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn distinct_metrics(used: &[(String, String)]) -> BTreeSet<String> {
    used.iter()
        .flat_map(|(_, expr)| metric_names(expr))
        .collect()
}

#[tokio::test]
async fn every_metric_the_dashboard_and_the_alerts_use_is_exported() {
    let app = spawn_app_with(settings()).await;
    // Before any request: the service's own metrics are there from start-up (zero-valued), so
    // that a dashboard has lines and `increase()` sees the first error; the http_* series
    // appear with their first request.
    let at_start = app
        .get("/metrics")
        .await
        .text()
        .await
        .expect("metrics text");
    // A sign-up, a log-in and a prediction (so their routes' http_* series exist), and the
    // probes.
    let (_, session) = new_user(&app).await;
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(digit_png(ONE, 112, 0.0)).file_name("one.png"),
    );
    let response = app
        .client
        .post(app.url("/api/predict"))
        .bearer_auth(&session.token)
        .multipart(form)
        .send()
        .await
        .expect("predict");
    let status = response.status();
    assert_eq!(status, 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("metrics text");
    let exported = parse_exposition(&text);

    let dashboard: serde_json::Value =
        serde_json::from_str(&repository_file("deploy/grafana/trazo-dashboard.json"))
            .expect("the dashboard is JSON");
    let panels = dashboard_exprs(&dashboard);
    let alerts = rule_exprs(&repository_file("deploy/prometheus/alerts.yml"));
    let (on_panels, in_alerts) = (distinct_metrics(&panels), distinct_metrics(&alerts));
    assert!(
        on_panels.len() >= 10,
        "the dashboard uses only {on_panels:?} (is the extractor finding its queries?)"
    );
    assert!(
        in_alerts.len() >= 8,
        "the alerting rules use only {in_alerts:?} (is the extractor finding their expr?)"
    );

    let used: Vec<(String, String)> = panels.into_iter().chain(alerts).collect();
    let missing = missing_from(&exported, &used);
    assert!(
        missing.is_empty(),
        "the dashboard and the alerting rules use what /metrics does not export:\n  {}\n\n\
         /metrics exports: {:?}",
        missing.join("\n  "),
        exported.keys().collect::<Vec<_>>()
    );

    let at_start = parse_exposition(&at_start);
    let missing_at_start: Vec<String> = missing_from(&at_start, &used)
        .into_iter()
        .filter(|what| !what.trim_start_matches("metric ").starts_with("http_"))
        .collect();
    assert!(
        missing_at_start.is_empty(),
        "missing from /metrics until first used (should be there, zero-valued, from start-up):\n  \
         {}\n\n/metrics exported at start-up: {:?}",
        missing_at_start.join("\n  "),
        at_start.keys().collect::<Vec<_>>()
    );
}

#[test]
fn the_extractor_finds_the_series_in_promql() {
    let names = |expr: &str| metric_names(expr).into_iter().collect::<Vec<_>>();
    assert_eq!(
        names(
            r#"histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{job="trazo", route="/api/predict"}[5m]))) > 0.25"#
        ),
        ["http_request_duration_seconds_bucket"]
    );
    assert_eq!(
        names(r#"trazo_redis_configured{job="trazo"} == 1 and trazo_redis_up == 0"#),
        ["trazo_redis_configured", "trazo_redis_up"]
    );
    // Grafana variables, regexes with braces, offsets, comments, grouping modifiers, numbers.
    assert_eq!(
        names(
            "sum without (instance) (rate(a_total{instance=~\"$instance\", x=~\"a}b\"}[$__rate_interval] offset 1h))\n\
             / on (job) group_left (version) b_info # c_total in a comment\n\
             * 1e-3 > bool Inf unless ignoring(le) c:recorded:rate5m or vector(0.5)"
        ),
        ["a_total", "b_info", "c:recorded:rate5m"]
    );
    assert_eq!(
        names("count_values(\"version\", trazo_build_info) + topk(3, d[1h:5m]) - absent(up)"),
        ["d", "trazo_build_info", "up"]
    );
    assert!(names("vector(1) + scalar(time())").is_empty());
    assert_eq!(
        selectors(r#"m{route="/api/predict", status=~"5..", le!="1", result = 'hit'}"#),
        [Selector {
            metric: "m".into(),
            equal: vec![
                ("route".into(), "/api/predict".into()),
                ("result".into(), "hit".into())
            ],
        }]
    );
    assert_eq!(
        variable_expr(r#"label_values(trazo_build_info{job="trazo", x="a,b"}, instance)"#)
            .as_deref(),
        Some(r#"trazo_build_info{job="trazo", x="a,b"}"#)
    );
    assert_eq!(variable_expr("label_values(instance)"), None);
}

#[test]
fn the_rule_reader_finds_every_expr_form() {
    let yaml = [
        "groups:",
        "  - name: g",
        "    rules:",
        "      - alert: Plain",
        "        expr: up{job=\"trazo\"} == 0",
        "        for: 2m",
        "      - alert: Literal",
        "        expr: |",
        "          sum(rate(a_total[5m]))",
        "",
        "            > 1",
        "        labels: {severity: warning}",
        "      - record: Folded",
        "        expr: >-",
        "          b_seconds_bucket",
        "          * 2",
        "      - alert: Quoted",
        "        expr: \"c{x=\\\"y\\\"} > 0\"",
        "      - alert: 'Continued'",
        "        expr: d",
        "          or e",
    ]
    .join("\n");
    assert_eq!(
        rule_exprs(&yaml),
        [
            ("alert Plain", "up{job=\"trazo\"} == 0"),
            ("alert Literal", "sum(rate(a_total[5m]))\n> 1"),
            ("recording rule Folded", "b_seconds_bucket\n* 2"),
            ("alert Quoted", "c{x=\"y\"} > 0"),
            ("alert Continued", "d\nor e"),
        ]
        .map(|(rule, expr)| (rule.to_owned(), expr.to_owned()))
    );
}

#[test]
fn histograms_are_exported_as_their_bucket_sum_and_count_series() {
    let text = "# TYPE h_seconds histogram\n\
                h_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n\
                h_seconds_bucket{route=\"/x\",le=\"+Inf\"} 1\n\
                h_seconds_sum{route=\"/x\"} 0.05\n\
                h_seconds_count{route=\"/x\"} 1\n\
                # HELP g A gauge.\n\
                # TYPE g gauge\n\
                g 0\n\
                # TYPE quiet_total counter\n";
    let exported = parse_exposition(text);
    assert_eq!(
        exported.keys().collect::<Vec<_>>(),
        [
            "g",
            "h_seconds_bucket",
            "h_seconds_count",
            "h_seconds_sum",
            "quiet_total"
        ]
    );
    let used = |expr: &str| vec![("panel".to_owned(), expr.to_owned())];
    assert!(
        missing_from(
            &exported,
            &used(r#"rate(h_seconds_bucket{route="/x"}[5m]) + g + up"#)
        )
        .is_empty()
    );
    assert_eq!(
        missing_from(
            &exported,
            &used(r#"rate(h_seconds{le="0.1"}[5m]) + h_seconds_count{route="/y", job="trazo"}"#)
        ),
        [
            "h_seconds_count{route=\"/y\"}, used by panel",
            "metric h_seconds, used by panel"
        ]
    );
}
