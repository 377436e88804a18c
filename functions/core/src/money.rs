//! Exact money: decimal amounts, each currency's minor units, and formatting for a reader's locale.

use crate::error::CoreError;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest amount an invoice may carry, in major units: 10^15 (a quadrillion dollars, euros or yen).
/// No invoice a business sends comes near it, even in currencies of very small units, yet it leaves a
/// `Decimal` (whose magnitude ends near 7.9 × 10^28) room to add up more than 10^9 such amounts at four
/// decimal places, so no balance, sum or report over a customer's invoices can overflow. Amounts are
/// bounded where they come in (invoice validation); everything computed from them stays in range.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// An ISO 4217 currency. Minor units and symbols come from the `iso_currency` tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Parse an upper-case ISO 4217 code such as `USD`.
    pub fn from_code(code: &str) -> Result<Self, CoreError> {
        iso_currency::Currency::from_code(code)
            .filter(|currency| !currency.is_special() && !currency.is_fund())
            .map(Currency)
            .ok_or_else(|| CoreError::UnknownCurrency(code.to_owned()))
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point: JPY 0, USD 2, KWD 3.
    pub fn minor_units(self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(0)
    }

    /// Round to the currency's minor units, half away from zero (commercial rounding).
    pub fn round(self, amount: Decimal) -> Decimal {
        let mut rounded = amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.minor_units());
        rounded
    }

    /// Why `amount` cannot be written in this currency, if it cannot: more decimals than its minor units
    /// (`12.345` USD, `0.5` JPY), or beyond [`MAX_AMOUNT`] either way.
    pub fn amount_problem(self, amount: Decimal) -> Option<String> {
        if amount.abs() > MAX_AMOUNT {
            return Some(format!("must be at most {MAX_AMOUNT} {self}"));
        }
        (self.round(amount) != amount).then(|| format!("{self} allows at most {} decimal places", self.minor_units()))
    }

    /// A symbol only where it is unambiguous; other currencies show their code (CHF, KWD, CAD...).
    fn symbol(self) -> Option<&'static str> {
        match self.code() {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = CoreError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::from_code(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How a locale writes numbers and where the currency goes.
struct NumberStyle {
    group: &'static str,
    decimal: &'static str,
    /// `true`: "1.234,56 €"; `false`: "€1,234.56".
    currency_after: bool,
}

fn number_style(locale: &str) -> NumberStyle {
    match language_of(locale) {
        "de" | "es" | "it" | "nl" | "pt" => NumberStyle {
            group: ".",
            decimal: ",",
            currency_after: true,
        },
        "fr" => NumberStyle {
            group: "\u{202f}",
            decimal: ",",
            currency_after: true,
        },
        _ => NumberStyle {
            group: ",",
            decimal: ".",
            currency_after: false,
        },
    }
}

/// The language part of a BCP 47 tag: `de-AT` → `de`.
pub fn language_of(locale: &str) -> &str {
    locale.split(['-', '_']).next().unwrap_or(locale)
}

/// Format `amount` in `currency` for a reader in `locale`: `$1,234.56`, `1.234,56 €` (a non-breaking
/// space before the currency), `CHF 1,234.50`.
pub fn format_money(amount: Decimal, currency: Currency, locale: &str) -> String {
    let style = number_style(locale);
    let rounded = currency.round(amount);
    let digits = rounded.abs().to_string();
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut number = group_thousands(whole, style.group);
    if !fraction.is_empty() {
        number.push_str(style.decimal);
        number.push_str(fraction);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    match (currency.symbol(), style.currency_after) {
        (Some(symbol), false) => format!("{sign}{symbol}{number}"),
        (None, false) => format!("{sign}{} {number}", currency.code()),
        // A non-breaking space: the amount and its currency stay on one line.
        (Some(symbol), true) => format!("{sign}{number}\u{a0}{symbol}"),
        (None, true) => format!("{sign}{number}\u{a0}{}", currency.code()),
    }
}

/// Format a percentage for a reader in `locale`: `8.5%`, `10,27 %` (a non-breaking space before the sign,
/// as German writes it: "2 %", "1,5 %").
pub fn format_percent(percent: Decimal, locale: &str) -> String {
    let style = number_style(locale);
    let digits = percent.normalize().to_string().replace('.', style.decimal);
    if style.currency_after {
        format!("{digits}\u{a0}%")
    } else {
        format!("{digits}%")
    }
}

fn group_thousands(whole: &str, separator: &str) -> String {
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3 * separator.len());
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// Format a date for a reader in `locale`: "March 5, 2026", "5 March 2026", "5. März 2026".
pub fn format_date(date: chrono::NaiveDate, locale: &str) -> String {
    use chrono::Locale;
    let (pattern, chrono_locale) = match locale {
        "en-US" | "en" => ("%B %-d, %Y", Locale::en_US),
        _ => match language_of(locale) {
            "de" => ("%-d. %B %Y", Locale::de_DE),
            "fr" => ("%-d %B %Y", Locale::fr_FR),
            "es" => ("%-d de %B de %Y", Locale::es_ES),
            "it" => ("%-d %B %Y", Locale::it_IT),
            "nl" => ("%-d %B %Y", Locale::nl_NL),
            _ => ("%-d %B %Y", Locale::en_GB),
        },
    };
    date.format_localized(pattern, chrono_locale).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn c(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(c("JPY").minor_units(), 0);
        assert_eq!(c("USD").minor_units(), 2);
        assert_eq!(c("KWD").minor_units(), 3);
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_minor_units() {
        assert_eq!(c("USD").round(dec("1.005")).to_string(), "1.01");
        assert_eq!(c("USD").round(dec("2")).to_string(), "2.00");
        assert_eq!(c("JPY").round(dec("1234.5")).to_string(), "1235");
        assert_eq!(c("KWD").round(dec("0.0005")).to_string(), "0.001");
        assert_eq!(c("USD").round(dec("-1.005")).to_string(), "-1.01");
    }

    #[test]
    fn formats_per_locale() {
        assert_eq!(format_money(dec("1234.56"), c("USD"), "en-US"), "$1,234.56");
        assert_eq!(format_money(dec("1234.56"), c("EUR"), "de-DE"), "1.234,56\u{a0}€");
        assert_eq!(format_money(dec("1234567"), c("JPY"), "en-US"), "¥1,234,567");
        assert_eq!(format_money(dec("1234.5"), c("KWD"), "en-GB"), "KWD 1,234.500");
        assert_eq!(format_money(dec("999.99"), c("CHF"), "de-CH"), "999,99\u{a0}CHF");
        assert_eq!(format_money(dec("-12"), c("GBP"), "en-GB"), "-£12.00");
        assert_eq!(format_money(dec("0.001"), c("USD"), "en-US"), "$0.00");
        assert_eq!(format_money(dec("100"), c("USD"), "en-US"), "$100.00");
        assert_eq!(format_percent(dec("8.50"), "en-GB"), "8.5%");
        assert_eq!(format_percent(dec("10.27"), "de-DE"), "10,27\u{a0}%");
        assert_eq!(format_percent(dec("12"), "en-US"), "12%");
    }

    #[test]
    fn amounts_are_bounded_and_exact_to_minor_units() {
        assert_eq!(MAX_AMOUNT, Decimal::from(10_i64.pow(15)));
        assert_eq!(c("USD").amount_problem(dec("1000000000000000.00")), None);
        assert_eq!(c("JPY").amount_problem(dec("-1000000000000000")), None);
        assert_eq!(
            c("USD").amount_problem(dec("1000000000000000.01")).as_deref(),
            Some("must be at most 1000000000000000 USD")
        );
        assert_eq!(
            c("JPY").amount_problem(dec("50000000000000000000000000000")).as_deref(),
            Some("must be at most 1000000000000000 JPY")
        );
        assert_eq!(
            c("JPY").amount_problem(dec("0.5")).as_deref(),
            Some("JPY allows at most 0 decimal places")
        );
        assert_eq!(
            c("KWD").amount_problem(dec("1.2345")).as_deref(),
            Some("KWD allows at most 3 decimal places")
        );
        assert_eq!(c("KWD").amount_problem(dec("1.2340")), None, "trailing zeros are exact");
    }

    #[test]
    fn unknown_and_fund_codes_are_refused() {
        assert!(matches!(Currency::from_code("XYZ"), Err(CoreError::UnknownCurrency(code)) if code == "XYZ"));
        assert!(Currency::from_code("usd").is_err());
        assert!(Currency::from_code("USN").is_err());
    }

    #[test]
    fn dates_read_naturally() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(format_date(date, "en-US"), "March 5, 2026");
        assert_eq!(format_date(date, "en-GB"), "5 March 2026");
        assert_eq!(format_date(date, "de-DE"), "5. März 2026");
    }
}
