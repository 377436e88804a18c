//! DSO and CEI as an SVG chart, drawn with plotters' SVG backend like the reasons chart: per currency, a
//! line of days sales outstanding (above) and of the collection effectiveness index (below), month by
//! month. Labels are escaped by the backend.

use crate::wire::{CurrencyReceivables, ReceivablesMonth, ReceivablesView};
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;

const WIDTH: u32 = 760;
const HEIGHT: u32 = 520;

/// One colour per currency, in the report's order (repeating after six).
const COLOURS: [RGBColor; 6] = [
    RGBColor(0x3b, 0x82, 0xc4),
    RGBColor(0xd9, 0x6c, 0x2c),
    RGBColor(0x4c, 0xa8, 0x6a),
    RGBColor(0x8e, 0x6c, 0xc0),
    RGBColor(0xc4, 0x3b, 0x3b),
    RGBColor(0x6a, 0x6a, 0x6a),
];

type Failure = String;

fn failed(error: impl std::fmt::Display) -> Failure {
    format!("drawing the receivables chart: {error}")
}

/// The chart of `report`, as an SVG document.
pub fn svg(report: &ReceivablesView) -> Result<String, Failure> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let (top, bottom) = root.split_vertically(HEIGHT / 2);
        let dso = |month: &ReceivablesMonth| month.dso.to_f64();
        let cei = |month: &ReceivablesMonth| month.cei.and_then(|percent| percent.to_f64());
        panel(&top, report, "Days sales outstanding (countback)", "days", dso)?;
        panel(&bottom, report, "Collection effectiveness index", "%", cei)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}

/// One measure per currency on `area`: a line through the months that have a value, a dot on each.
fn panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    report: &ReceivablesView,
    caption: &str,
    unit: &str,
    of: fn(&ReceivablesMonth) -> Option<f64>,
) -> Result<(), Failure> {
    let labels: Vec<String> = report
        .currencies
        .first()
        .map(|currency| currency.months.iter().map(|month| month.month.clone()).collect())
        .unwrap_or_default();
    let highest = report
        .currencies
        .iter()
        .flat_map(|currency| currency.months.iter().filter_map(of))
        .fold(0.0_f64, f64::max);
    let last = labels.len().saturating_sub(1).max(1) as u32;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(0..last, 0.0..(highest * 1.15).max(1.0))
        .map_err(failed)?;
    let label = |index: &u32| labels.get(*index as usize).cloned().unwrap_or_default();
    chart
        .configure_mesh()
        .disable_x_mesh()
        // At most twelve month labels fit under the chart.
        .x_labels(labels.len().clamp(2, 12))
        .x_label_formatter(&label)
        .y_desc(unit)
        .draw()
        .map_err(failed)?;
    for (index, currency) in report.currencies.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let points = points(currency, of);
        chart
            .draw_series(std::iter::once(PathElement::new(
                points.clone(),
                colour.stroke_width(2),
            )))
            .map_err(failed)?
            .label(currency.currency.code())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
        chart
            .draw_series(points.into_iter().map(|point| Circle::new(point, 3, colour.filled())))
            .map_err(failed)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(failed)
}

fn points(currency: &CurrencyReceivables, of: fn(&ReceivablesMonth) -> Option<f64>) -> Vec<(u32, f64)> {
    currency
        .months
        .iter()
        .enumerate()
        .filter_map(|(index, month)| Some((index as u32, of(month)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use kindly_core::Currency;

    fn month(name: &str, dso: &str, cei: Option<&str>) -> ReceivablesMonth {
        let zero = rust_decimal::Decimal::ZERO;
        ReceivablesMonth {
            month: name.into(),
            end: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            begin: zero,
            sales: zero,
            receivable: zero,
            not_yet_due: zero,
            dso: dso.parse().unwrap(),
            dso_at_least: false,
            cei: cei.map(|percent| percent.parse().unwrap()),
        }
    }

    #[test]
    fn draws_a_line_per_currency_with_every_month_named() {
        let report = ReceivablesView {
            today: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            currencies: vec![
                CurrencyReceivables {
                    currency: Currency::from_code("EUR").unwrap(),
                    months: vec![month("2026-02", "28.0", None), month("2026-03", "36.0", Some("25.0"))],
                },
                CurrencyReceivables {
                    currency: Currency::from_code("USD").unwrap(),
                    months: vec![
                        month("2026-02", "51.3", Some("25.0")),
                        month("2026-03", "66.3", Some("0.0")),
                    ],
                },
            ],
            undated: 0,
        };
        let svg = svg(&report).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        for label in [
            "2026-02",
            "2026-03",
            "EUR",
            "USD",
            "Days sales outstanding",
            "Collection effectiveness",
        ] {
            assert!(svg.contains(label), "the chart names `{label}`");
        }
        assert!(
            svg.contains("<polyline") && svg.contains("<circle"),
            "lines and dots are drawn"
        );
    }

    #[test]
    fn an_empty_report_still_draws() {
        let empty = ReceivablesView {
            today: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            currencies: Vec::new(),
            undated: 0,
        };
        assert!(svg(&empty).unwrap().contains("</svg>"));
    }
}
