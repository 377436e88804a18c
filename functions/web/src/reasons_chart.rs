//! The reasons report as an SVG chart, drawn with plotters' SVG backend: per month, the customers' answers
//! stacked by reason (above) and the promises kept and broken (below). Text is left to the browser's
//! fonts; every label is escaped by the backend.

use crate::wire::{MonthView, ReasonsView};
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::RangedCoordu32;
use plotters::prelude::*;

const WIDTH: u32 = 760;
const HEIGHT: u32 = 480;

/// A series of the chart: its name, its count in a month, its colour.
type Series = (&'static str, fn(&MonthView) -> u32, RGBColor);

/// The reasons stacked in each month's bar.
fn reasons() -> [Series; 5] {
    [
        ("already paid", |m| m.already_paid, RGBColor(0x3b, 0x82, 0xc4)),
        ("dispute", |m| m.disputes.values().sum(), RGBColor(0xd9, 0x6c, 0x2c)),
        ("promise", |m| m.promise, RGBColor(0x4c, 0xa8, 0x6a)),
        ("wrong person", |m| m.wrong_person, RGBColor(0x8e, 0x6c, 0xc0)),
        ("confirmed receipt", |m| m.confirm_receipt, RGBColor(0x9a, 0x9a, 0x9a)),
    ]
}

type Failure = String;

fn failed(error: impl std::fmt::Display) -> Failure {
    format!("drawing the reasons chart: {error}")
}

/// The chart of `report`, as an SVG document.
pub fn svg(report: &ReasonsView) -> Result<String, Failure> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let (top, bottom) = root.split_vertically(HEIGHT * 3 / 5);
        draw_reasons(&top, report)?;
        draw_promises(&bottom, report)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}

fn month_label(months: &[MonthView], value: &SegmentValue<u32>) -> String {
    match value {
        SegmentValue::CenterOf(index) | SegmentValue::Exact(index) => months
            .get(*index as usize)
            .map_or(String::new(), |month| month.month.clone()),
        SegmentValue::Last => String::new(),
    }
}

/// The chart drawn on `area` with one slot per month on x, 0..=highest on y, its caption and mesh drawn.
fn month_axes<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    months: &'a [MonthView],
    caption: (&str, u32),
    highest: u32,
    y_desc: Option<&str>,
) -> Result<MonthChart<'a, 'b>, Failure> {
    // A segmented range of 0..n shows n + 1 slots: one per month.
    let last = months.len().saturating_sub(1).max(1) as u32;
    let mut chart = ChartBuilder::on(area)
        .caption(caption.0, ("sans-serif", caption.1))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(36)
        .build_cartesian_2d((0..last).into_segmented(), 0..highest.max(1) + 1)
        .map_err(failed)?;
    let label = |value: &SegmentValue<u32>| month_label(months, value);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh().x_label_formatter(&label);
    if let Some(desc) = y_desc {
        mesh.y_desc(desc);
    }
    mesh.draw().map_err(failed)?;
    Ok(chart)
}

type MonthChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<SegmentedCoord<RangedCoordu32>, RangedCoordu32>>;

/// The series' names and colours in the upper right corner.
fn legend<'a, 'b: 'a>(chart: &mut MonthChart<'a, 'b>) -> Result<(), Failure> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(failed)
}

fn draw_reasons(area: &DrawingArea<SVGBackend, plotters::coord::Shift>, report: &ReasonsView) -> Result<(), Failure> {
    let months = &report.months;
    let highest = months
        .iter()
        .map(|month| reasons().iter().map(|(_, of, _)| of(month)).sum::<u32>())
        .max()
        .unwrap_or(0);
    let mut chart = month_axes(
        area,
        months,
        ("Answers by reason, per month", 18),
        highest,
        Some("answers"),
    )?;
    for (position, (name, of, colour)) in reasons().into_iter().enumerate() {
        let bars = months.iter().enumerate().filter_map(|(index, month)| {
            let below: u32 = reasons()[..position].iter().map(|(_, of, _)| of(month)).sum();
            let height = of(month);
            (height > 0).then(|| {
                let index = index as u32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(index), below),
                        (SegmentValue::Exact(index + 1), below + height),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                bar
            })
        });
        chart
            .draw_series(bars)
            .map_err(failed)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    legend(&mut chart)
}

fn draw_promises(area: &DrawingArea<SVGBackend, plotters::coord::Shift>, report: &ReasonsView) -> Result<(), Failure> {
    let months = &report.months;
    let highest = months
        .iter()
        .map(|month| month.promises_kept.max(month.promises_broken))
        .max()
        .unwrap_or(0);
    let mut chart = month_axes(area, months, ("Promises kept and broken", 16), highest, None)?;
    let kept = RGBColor(0x4c, 0xa8, 0x6a);
    let broken = RGBColor(0xc4, 0x3b, 0x3b);
    for (name, colour, of, half) in [
        (
            "kept",
            kept,
            (|m: &MonthView| m.promises_kept) as fn(&MonthView) -> u32,
            0,
        ),
        ("broken", broken, |m: &MonthView| m.promises_broken, 1),
    ] {
        // Two bars side by side in each month's slot: its first and second half.
        let bars = months
            .iter()
            .enumerate()
            .filter(|(_, month)| of(month) > 0)
            .map(move |(index, month)| {
                let index = index as u32;
                let (from, to) = match half {
                    0 => (SegmentValue::Exact(index), SegmentValue::CenterOf(index)),
                    _ => (SegmentValue::CenterOf(index), SegmentValue::Exact(index + 1)),
                };
                let mut bar = Rectangle::new([(from, 0), (to, of(month))], colour.filled());
                match half {
                    0 => bar.set_margin(0, 0, 12, 1),
                    _ => bar.set_margin(0, 0, 1, 12),
                };
                bar
            });
        chart
            .draw_series(bars)
            .map_err(failed)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    legend(&mut chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn month(name: &str, already_paid: u32, kept: u32, broken: u32) -> MonthView {
        MonthView {
            month: name.into(),
            already_paid,
            disputes: BTreeMap::from([("amount".into(), 2)]),
            promise: 1,
            wrong_person: 0,
            confirm_receipt: 0,
            promises_kept: kept,
            promises_broken: broken,
            first_answers: 1,
            median_days_to_first_answer: Some(3.0),
        }
    }

    #[test]
    fn draws_an_svg_with_every_month_and_reason_named() {
        let report = ReasonsView {
            months: vec![month("2026-02", 3, 1, 0), month("2026-03", 0, 0, 2)],
            customers: Vec::new(),
        };
        let svg = svg(&report).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        for label in [
            "2026-02",
            "2026-03",
            "already paid",
            "dispute",
            "promise",
            "kept",
            "broken",
        ] {
            assert!(svg.contains(label), "the chart names `{label}`");
        }
        assert!(svg.contains("<rect"));
        if let Ok(path) = std::env::var("KINDLY_CHART_OUT") {
            std::fs::write(path, &svg).unwrap();
        }
    }

    #[test]
    fn an_empty_report_still_draws() {
        let svg = svg(&ReasonsView {
            months: Vec::new(),
            customers: Vec::new(),
        })
        .unwrap();
        assert!(svg.contains("</svg>"));
    }
}
