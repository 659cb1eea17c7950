//! `GET /api/admin/stats/{chart}` (admins): the admin's figures ([`ModelStats`]) as SVG charts,
//! drawn here on the server so that the page needs no chart code in its WebAssembly — predictions
//! per hour and per day (answered by the model, by the cache, refused by the rate limit), the
//! model's confidence, and the confusion matrix of labelled answers as a heat map. Each scales to
//! the width it is shown at (a `viewBox`), so it reads on a phone too, and carries a title and a
//! description for screen readers. Only numbers and fixed words go into them: nothing a user
//! typed.

use std::fmt::Write as _;

use app::api::{ModelStats, StatsSlot};
use axum::{
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    accounts::{admin::require_admin, sessions::Fallback},
    clock::rfc3339,
    failure::{database, failure_response, json_error},
    predictions::stats::{DAYS, HOURS},
    state::AppState,
};

/// The charts, by the name in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Hours,
    Days,
    Confidence,
    Confusion,
}

impl Chart {
    pub const ALL: [Self; 4] = [Self::Hours, Self::Days, Self::Confidence, Self::Confusion];

    pub fn name(self) -> &'static str {
        match self {
            Self::Hours => "hours.svg",
            Self::Days => "days.svg",
            Self::Confidence => "confidence.svg",
            Self::Confusion => "confusion.svg",
        }
    }

    pub fn render(self, stats: &ModelStats) -> String {
        match self {
            Self::Hours => activity(
                &stats.hours,
                &format!("Predictions per hour, last {HOURS} hours (UTC)"),
                6,
                |start| format!("{}h", &rfc3339(start / 1000)[11..13]),
            ),
            Self::Days => activity(
                &stats.days,
                &format!("Predictions per day, last {DAYS} days (UTC)"),
                5,
                |start| rfc3339(start / 1000)[5..10].to_owned(),
            ),
            Self::Confidence => confidence(&stats.confidence),
            Self::Confusion => confusion(&stats.confusion, stats.labelled()),
        }
    }
}

/// `GET /api/admin/stats/{chart}`: the chart as `image/svg+xml`. Shown by the admin page as an
/// image, so, like a page load (a GET that changes nothing), a valid refresh cookie stands in
/// for a spent access token.
pub async fn chart(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let Some(chart) = Chart::ALL.into_iter().find(|c| c.name() == name) else {
        return json_error(
            StatusCode::NOT_FOUND,
            "No such chart: hours.svg, days.svg, confidence.svg or confusion.svg",
        );
    };
    let (parts, _body) = request.into_parts();
    let caller = match state
        .sessions
        .authenticate(&parts, Fallback::RefreshCookie)
        .await
    {
        Ok(caller) => caller,
        Err(failure) => return failure_response(&failure),
    };
    if let Err(failure) = require_admin(&caller) {
        return failure_response(&failure);
    }
    let stats = match state.predictions_port.stats.current().await {
        Ok(stats) => stats,
        Err(error) => return failure_response(&database(&error, "reading the admin's figures")),
    };
    let mut response = chart.render(&stats).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    // Not for caches on the way; and nothing in it may run or load anything.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    response
}

const MODEL: &str = "#2563eb";
const CACHE: &str = "#16a34a";
const REFUSED: &str = "#dc2626";
const INK: &str = "#374151";
const GRID: &str = "#d1d5db";

/// An SVG document `width`×`height` with its title and description.
fn document(width: u32, height: u32, title: &str, description: &str, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"title desc\" \
         font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"{INK}\">\
         <title id=\"title\">{title}</title><desc id=\"desc\">{description}</desc>\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>{body}</svg>"
    )
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `n` (at least 1).
fn nice_ceiling(n: u64) -> u64 {
    let mut power = 1u64;
    loop {
        for step in [1, 2, 5] {
            let candidate = step * power;
            if candidate >= n {
                return candidate;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// A horizontal grid line at `value` of `max`, labelled on the left.
fn grid_line(out: &mut String, value: u64, max: u64, left: f64, right: f64, top: f64, plot_h: f64) {
    let y = top + plot_h * (1.0 - value as f64 / max as f64);
    let _ = write!(
        out,
        "<line x1=\"{left:.1}\" x2=\"{right:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>",
        left - 6.0,
        y + 4.0
    );
}

/// Stacked bars per slot: answered by the model, answered by the cache, refused.
fn activity(
    slots: &[StatsSlot],
    title: &str,
    label_every: usize,
    label: impl Fn(i64) -> String,
) -> String {
    let (width, height) = (720u32, 280u32);
    let (left, right, top, bottom) = (48.0, 12.0, 36.0, 28.0);
    let plot_w = f64::from(width) - left - right;
    let plot_h = f64::from(height) - top - bottom;
    let max = nice_ceiling(
        slots
            .iter()
            .map(|s| s.predictions + s.refused)
            .max()
            .unwrap_or(0),
    );
    let step = plot_w / slots.len().max(1) as f64;
    let bar = (step * 0.8).max(1.0);
    let mut body = String::new();
    // Legend.
    for (i, (colour, name)) in [
        (MODEL, "answered by the model"),
        (CACHE, "answered from the cache"),
        (REFUSED, "refused by the rate limit"),
    ]
    .into_iter()
    .enumerate()
    {
        let x = left + i as f64 * 200.0;
        let _ = write!(
            body,
            "<rect x=\"{x:.1}\" y=\"10\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"20\">{name}</text>",
            x + 16.0
        );
    }
    for value in [0, max / 2, max] {
        grid_line(&mut body, value, max, left, left + plot_w, top, plot_h);
    }
    for (i, slot) in slots.iter().enumerate() {
        let x = left + i as f64 * step + (step - bar) / 2.0;
        let mut base = top + plot_h;
        for (count, colour) in [
            (slot.predictions.saturating_sub(slot.cached), MODEL),
            (slot.cached, CACHE),
            (slot.refused, REFUSED),
        ] {
            if count == 0 {
                continue;
            }
            let h = plot_h * count as f64 / max as f64;
            base -= h;
            let _ = write!(
                body,
                "<rect x=\"{x:.1}\" y=\"{base:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"/>"
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                body,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                f64::from(height) - 10.0,
                label(slot.start_ms)
            );
        }
    }
    let answered: u64 = slots.iter().map(|s| s.predictions).sum();
    let cached: u64 = slots.iter().map(|s| s.cached).sum();
    let refused: u64 = slots.iter().map(|s| s.refused).sum();
    let description = format!(
        "{answered} predictions answered, {cached} of them from the cache; {refused} refused by the rate limit."
    );
    document(width, height, title, &description, &body)
}

/// Ten bars, one per 0.1 of confidence.
fn confidence(bins: &[u64]) -> String {
    let (width, height) = (480u32, 240u32);
    let (left, right, top, bottom) = (48.0, 12.0, 16.0, 28.0);
    let plot_w = f64::from(width) - left - right;
    let plot_h = f64::from(height) - top - bottom;
    let max = nice_ceiling(bins.iter().copied().max().unwrap_or(0));
    let step = plot_w / bins.len().max(1) as f64;
    let bar = step * 0.8;
    let mut body = String::new();
    for value in [0, max / 2, max] {
        grid_line(&mut body, value, max, left, left + plot_w, top, plot_h);
    }
    for (i, &count) in bins.iter().enumerate() {
        let x = left + i as f64 * step + (step - bar) / 2.0;
        let h = plot_h * count as f64 / max as f64;
        let _ = write!(
            body,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{MODEL}\">\
             <title>{count}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.1}</text>",
            top + plot_h - h,
            x + bar / 2.0,
            f64::from(height) - 10.0,
            i as f64 / 10.0
        );
    }
    let total: u64 = bins.iter().sum();
    let sure: u64 = bins.iter().rev().take(1).sum();
    let description = format!(
        "{total} predictions in the last {DAYS} days by the model's confidence, in bins of 0.1; \
         {sure} at 0.9 or more."
    );
    document(width, height, "How sure the model was", &description, &body)
}

/// The 10×10 matrix, true digit down, predicted digit across; each cell's colour grows with its
/// count (green on the diagonal, where the model was right, red off it).
/// `labelled` is how many answers were labelled and how many of them corrected
/// ([`ModelStats::labelled`]).
fn confusion(matrix: &[Vec<u64>], (labelled, corrected): (u64, u64)) -> String {
    let cell = 36.0;
    let (left, top) = (64.0, 56.0);
    let (width, height) = (
        (left + 10.0 * cell + 12.0) as u32,
        (top + 10.0 * cell + 12.0) as u32,
    );
    let max = matrix.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut body = String::new();
    let _ = write!(
        body,
        "<text x=\"{:.1}\" y=\"18\" text-anchor=\"middle\">predicted digit</text>\
         <text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\">true digit</text>",
        left + 5.0 * cell,
        top + 5.0 * cell
    );
    for d in 0..10 {
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{d}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{d}</text>",
            left + (d as f64 + 0.5) * cell,
            top - 10.0,
            left - 14.0,
            top + (d as f64 + 0.5) * cell + 4.0
        );
    }
    for (truth, row) in matrix.iter().enumerate().take(10) {
        for (predicted, &count) in row.iter().enumerate().take(10) {
            let x = left + predicted as f64 * cell;
            let y = top + truth as f64 * cell;
            let (fill, opacity) = if count == 0 {
                ("#f3f4f6", 1.0)
            } else if truth == predicted {
                (CACHE, 0.2 + 0.8 * count as f64 / max as f64)
            } else {
                (REFUSED, 0.2 + 0.8 * count as f64 / max as f64)
            };
            let _ = write!(
                body,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" \
                 fill-opacity=\"{opacity:.2}\" stroke=\"#ffffff\"/>",
                cell, cell
            );
            if count > 0 {
                let _ = write!(
                    body,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" data-true=\"{truth}\" \
                     data-predicted=\"{predicted}\">{count}</text>",
                    x + cell / 2.0,
                    y + cell / 2.0 + 4.0
                );
            }
        }
    }
    let description = format!(
        "{labelled} labelled predictions: {} confirmed, on the diagonal, and {corrected} corrected, \
         off it; rows are the true digit, columns the model's answer.",
        labelled - corrected
    );
    document(
        width,
        height,
        "Confusion matrix of labelled answers",
        &description,
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats() -> ModelStats {
        let slot = |start_ms, predictions, cached, refused| StatsSlot {
            start_ms,
            predictions,
            cached,
            refused,
        };
        let mut confusion = vec![vec![0; 10]; 10];
        confusion[7][7] = 3;
        confusion[7][1] = 2;
        ModelStats {
            as_of_ms: 1_764_662_400_000,
            hours: (0..48)
                .map(|h| slot(1_764_489_600_000 + h * 3_600_000, (h % 5) as u64, 1, 0))
                .collect(),
            days: (0..30)
                .map(|d| slot(1_762_070_400_000 + d * 86_400_000, 10, 4, 2))
                .collect(),
            cache_hit_ratio: Some(0.4),
            refused_share: Some(2.0 / 12.0),
            confidence: vec![0, 0, 0, 1, 0, 0, 2, 0, 5, 40],
            confusion,
        }
    }

    #[test]
    fn scales_are_round_numbers() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(4_999), 5_000);
    }

    #[test]
    fn every_chart_is_one_well_formed_svg_document_with_a_title() {
        let stats = stats();
        for chart in Chart::ALL {
            let svg = chart.render(&stats);
            assert!(
                svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{svg}"
            );
            assert!(svg.ends_with("</svg>"));
            assert!(svg.contains("<title id=\"title\">"));
            assert!(
                !svg.contains("NaN") && !svg.contains("inf"),
                "{}",
                chart.name()
            );
            // Every element opened is closed (no text content holds a '<').
            let opened = svg.matches('<').count();
            let closed = svg.matches("</").count() + svg.matches("/>").count();
            assert_eq!(
                opened,
                2 * closed - svg.matches("/>").count(),
                "{}",
                chart.name()
            );
        }
    }

    #[test]
    fn the_heat_map_shows_each_labelled_cell_and_says_what_was_corrected() {
        let svg = Chart::Confusion.render(&stats());
        assert!(svg.contains("data-true=\"7\" data-predicted=\"7\">3</text>"));
        assert!(svg.contains("data-true=\"7\" data-predicted=\"1\">2</text>"));
        assert!(
            svg.contains("5 labelled predictions: 3 confirmed, on the diagonal, and 2 corrected")
        );
    }

    #[test]
    fn activity_bars_stack_model_cache_and_refusals_and_label_the_time() {
        let svg = Chart::Days.render(&stats());
        assert!(svg.contains("300 predictions answered, 120 of them from the cache; 60 refused"));
        assert!(svg.contains(&format!("fill=\"{REFUSED}\"")));
        // Days are labelled by their date (MM-DD), hours by their hour.
        assert!(svg.contains(">11-02</text>"), "{svg}");
        assert!(Chart::Hours.render(&stats()).contains(">08h</text>"));
    }
}
