//! Inline SVG charts for the morning report, drawn as text: stacked bars (findings and
//! decisions per night) and lines (precision per queue). Each mark carries a `<title>` so a
//! browser shows its value on hover without any script.
//!
//! It only lays out the numbers it is given; it fetches nothing and runs no script. Every
//! label goes through [`super::esc`].

use std::fmt::Write;

use super::esc;

/// One named series of values, one per night (`None`: no value that night).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub values: Vec<Option<f64>>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// Colours for series, in order (distinct in print and for the common colour blindnesses).
pub const PALETTE: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/// The smallest of 1, 2, 5 × 10^k at or above `v` (at least 1), for a y axis that reads well.
pub fn nice_max(v: f64) -> f64 {
    if v.is_nan() || v <= 1.0 {
        return 1.0;
    }
    let mut step = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * step >= v {
                return m * step;
            }
        }
        step *= 10.0;
    }
}

/// A number as an axis or hover label: whole numbers without a decimal point.
fn num(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// The frame: open tag, horizontal grid lines with y labels at 0, half and `max`, and the x
/// labels (at most about ten of them).
fn frame(label: &str, labels: &[String], max: f64, percent: bool) -> String {
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}" class="chart">"#,
        esc(label)
    );
    let plot_h = HEIGHT - TOP - BOTTOM;
    for f in [0.0, 0.5, 1.0] {
        let y = TOP + plot_h * (1.0 - f);
        let text = if percent { format!("{:.0}%", f * max * 100.0) } else { num(f * max) };
        let _ = write!(s, r#"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{}" y="{:.1}" class="ylabel">{text}</text>"#, WIDTH - RIGHT, LEFT - 4.0, y + 4.0);
    }
    let every = labels.len().div_ceil(10).max(1);
    for (i, l) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(s, r#"<text x="{:.1}" y="{}" class="xlabel">{}</text>"#, center(i, labels.len()), HEIGHT - 8.0, esc(l));
    }
    s
}

/// The x of the middle of slot `i` of `n`.
fn center(i: usize, n: usize) -> f64 {
    let slot = (WIDTH - LEFT - RIGHT) / n.max(1) as f64;
    LEFT + slot * (i as f64 + 0.5)
}

/// Stacked bars, one per label; `series` stack bottom-up in order.
pub fn bars(label: &str, labels: &[String], series: &[Series]) -> String {
    let n = labels.len();
    let totals: Vec<f64> = (0..n).map(|i| series.iter().filter_map(|s| s.values.get(i).copied().flatten()).sum()).collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let mut s = frame(label, labels, max, false);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let width = ((WIDTH - LEFT - RIGHT) / n.max(1) as f64 * 0.7).clamp(1.0, 36.0);
    for (i, night) in labels.iter().enumerate() {
        let mut base = 0.0;
        for serie in series {
            let v = serie.values.get(i).copied().flatten().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let (y0, y1) = (TOP + plot_h * (1.0 - (base + v) / max), TOP + plot_h * (1.0 - base / max));
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{y0:.1}" width="{width:.1}" height="{:.1}" fill="{}"><title>{}: {} {}</title></rect>"#,
                center(i, n) - width / 2.0,
                y1 - y0,
                serie.color,
                esc(night),
                num(v),
                esc(&serie.name)
            );
            base += v;
        }
    }
    s.push_str("</svg>");
    s
}

/// Lines with a dot per value, broken where a value is missing; the y axis runs from 0 to
/// `max` and is labelled in percent when `percent`.
pub fn lines(label: &str, labels: &[String], series: &[Series], max: f64, percent: bool) -> String {
    let n = labels.len();
    let mut s = frame(label, labels, max, percent);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));
    for serie in series {
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, s: &mut String| {
            if run.len() > 1 {
                let _ = write!(s, r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#, run.join(" "), serie.color);
            }
            run.clear();
        };
        for i in 0..n {
            match serie.values.get(i).copied().flatten() {
                Some(v) => run.push(format!("{:.1},{:.1}", center(i, n), y(v))),
                None => flush(&mut run, &mut s),
            }
        }
        flush(&mut run, &mut s);
        for (i, night) in labels.iter().enumerate() {
            if let Some(v) = serie.values.get(i).copied().flatten() {
                let shown = if percent { format!("{:.0}%", v * 100.0) } else { num(v) };
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"><title>{}: {} {shown}</title></circle>"#,
                    center(i, n),
                    y(v),
                    serie.color,
                    esc(night),
                    esc(&serie.name)
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_maxima() {
        for (v, want) in [(0.0, 1.0), (f64::NAN, 1.0), (1.0, 1.0), (1.5, 2.0), (3.0, 5.0), (7.0, 10.0), (10.0, 10.0), (11.0, 20.0), (480.0, 500.0)] {
            assert_eq!(nice_max(v), want, "{v}");
        }
    }

    fn serie(name: &str, values: &[Option<f64>]) -> Series {
        Series { name: name.into(), color: PALETTE[0], values: values.to_vec() }
    }

    #[test]
    fn bars_draw_one_rect_per_positive_value_and_escape_labels() {
        let labels = vec!["<n1>".to_string(), "n2".into(), "n3".into()];
        let svg = bars("a & b", &labels, &[serie("x", &[Some(2.0), Some(0.0), None]), serie("y\"", &[Some(1.0), Some(4.0), Some(1.0)])]);
        assert_eq!(svg.matches("<rect").count(), 4, "{svg}");
        assert!(svg.contains("&lt;n1&gt;: 2 x") && svg.contains("n2: 4 y&quot;") && svg.contains(r#"aria-label="a &amp; b""#), "{svg}");
        assert!(!svg.contains("<n1>"));
        // The tallest stack (4) sets the axis at 5.
        assert!(svg.contains(r#"class="ylabel">5</text>"#), "{svg}");
    }

    #[test]
    fn lines_break_where_a_value_is_missing() {
        let labels: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
        let svg = lines("p", &labels, &[serie("q", &[Some(1.0), Some(0.5), None, Some(0.25), None])], 1.0, true);
        assert_eq!(svg.matches("<polyline").count(), 1, "two points before the gap make a line; one after it does not");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("n2: q 50%") && svg.contains(">100%</text>"), "{svg}");
    }
}
