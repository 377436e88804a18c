use super::*;
use crate::fixtures::day;
use crate::rates::RateChange;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn currency(code: &str) -> Currency {
    Currency::from_code(code).unwrap()
}

fn table(source: &str, confirmed_on: &str, changes: &[(&str, &str)]) -> RateTable {
    RateTable {
        source: source.into(),
        confirmed_on: Some(day(confirmed_on)),
        changes: changes
            .iter()
            .map(|(from, percent)| RateChange {
                from: day(from),
                percent: dec(percent),
            })
            .collect(),
    }
}

fn statutory(statute: Statute, table: &RateTable) -> Remedy<'_> {
    Remedy::Statutory(StatutoryRule {
        statute,
        table,
        margin_points: statute.margin_points(),
    })
}

fn debt<'a>(code: &str, due: &str, principal: &str, payments: &'a [Payment]) -> Debt<'a> {
    Debt {
        currency: currency(code),
        due_date: day(due),
        principal: dec(principal),
        payments,
        charged_through: None,
        fee_charged: false,
    }
}

fn accrued(remedy: &Remedy, debt: &Debt, through: &str) -> Accrual {
    accrue(remedy, debt, day(through)).unwrap().expect("something accrued")
}

/// Bank of England Bank Rate changes (bankofengland.co.uk, "Bank Rate history"), as shipped in the policy.
fn boe() -> RateTable {
    table(
        "Bank of England Bank Rate",
        "2026-02-05",
        &[("2025-05-08", "4.25"), ("2025-08-07", "4.00"), ("2025-12-18", "3.75")],
    )
}

/// Deutsche Bundesbank, Basiszinssatz nach § 247 BGB: 2.27 % from 1 January 2025, 1.27 % from 1 July 2025,
/// unchanged at 1.27 % from 1 January 2026 (the Bundesbank's announcement of December 2025).
fn basiszins() -> RateTable {
    table(
        "Basiszinssatz (Deutsche Bundesbank)",
        "2026-01-01",
        &[("2025-01-01", "2.27"), ("2025-07-01", "1.27"), ("2026-01-01", "1.27")],
    )
}

#[test]
fn uk_guidance_worked_example_50_days_on_1000_pounds_at_half_a_percent_base_rate() {
    // GOV.UK, "Late commercial payments: charging interest and debt recovery": owed £1,000 with the base
    // rate at 0.5 %, statutory interest is £85 a year, 23p a day, and "after 50 days this would be £11.50"
    // (23p × 50). kindly rounds once, after adding the exact days: £1,000 × 8.5 % × 50 / 365 = £11.64.
    let rates = table("Bank of England Bank Rate", "2016-01-01", &[("2009-03-05", "0.5")]);
    let owed = debt("GBP", "2015-03-31", "1000.00", &[]);
    let accrual = accrued(&statutory(Statute::UkLatePaymentAct1998, &rates), &owed, "2015-05-20");
    assert_eq!(accrual.from, day("2015-04-01"), "late from the day after the due date");
    assert_eq!(accrual.runs.iter().map(Run::days).sum::<i64>(), 50);
    assert_eq!(accrual.annual_percent, Some(dec("8.5")));
    assert_eq!(accrual.per_day, dec("0.23"), "23p a day");
    assert_eq!(accrual.interest, dec("11.64"));
    assert_eq!(accrual.fee, dec("70"), "a debt of £1,000 is in the £70 band");
    // Positive control: the guidance's own arithmetic on the rounded daily figure.
    assert_eq!(accrual.per_day * Decimal::from(50), dec("11.50"));
}

#[test]
fn uk_rate_is_fixed_on_the_reference_date_before_the_debt_became_late() {
    let rates = boe();
    let remedy = statutory(Statute::UkLatePaymentAct1998, &rates);
    // Late from 31 December 2025: the reference date is 30 June 2025 (4.25 %), though the rate fell to
    // 3.75 % on 18 December; it stays 12.25 % into 2026.
    let late_in_december = debt("GBP", "2025-12-30", "5000.00", &[]);
    let accrual = accrued(&remedy, &late_in_december, "2026-01-29");
    assert_eq!(accrual.runs.len(), 1);
    assert_eq!(accrual.annual_percent, Some(dec("12.25")));
    // £5,000 × 12.25 % × 30 / 365 = £50.3424…
    assert_eq!(accrual.interest, dec("50.34"));
    // Positive control: a day later, late from 1 January 2026, the reference date is 31 December 2025.
    let late_in_january = debt("GBP", "2025-12-31", "5000.00", &[]);
    let accrual = accrued(&remedy, &late_in_january, "2026-01-30");
    assert_eq!(accrual.annual_percent, Some(dec("11.75")));
    assert_eq!(accrual.interest, dec("48.29"), "£5,000 × 11.75 % × 30 / 365 = £48.287…");
}

#[test]
fn uk_fixed_sums_follow_the_size_of_the_debt() {
    // Section 5A of the 1998 Act: less than £1,000: £40; less than £10,000: £70; otherwise £100.
    let statute = Statute::UkLatePaymentAct1998;
    for (principal, sum) in [
        ("0.01", "40"),
        ("999.99", "40"),
        ("1000.00", "70"),
        ("9999.99", "70"),
        ("10000.00", "100"),
        ("250000", "100"),
    ] {
        assert_eq!(statute.compensation(dec(principal)), dec(sum), "{principal}");
    }
    let rates = boe();
    let accrual = accrued(
        &statutory(statute, &rates),
        &debt("GBP", "2026-01-31", "999.99", &[]),
        "2026-02-01",
    );
    assert_eq!(accrual.fee.to_string(), "40.00", "rounded to pence like every sum");
}

#[test]
fn de_288_base_rate_plus_nine_points_changes_with_each_half_year() {
    // § 288 (2) BGB: Basiszinssatz + 9 points, for each half-year at that half-year's Basiszinssatz.
    // €10,000 due 31 May 2025: June (30 days) at 2.27 + 9 = 11.27 %, July (31 days) at 1.27 + 9 = 10.27 %:
    // 10,000 × (11.27 × 30 + 10.27 × 31) / 36,500 = €179.8548…
    let rates = basiszins();
    let owed = debt("EUR", "2025-05-31", "10000.00", &[]);
    let accrual = accrued(&statutory(Statute::DeBgb288, &rates), &owed, "2025-07-31");
    let spans: Vec<_> = accrual
        .runs
        .iter()
        .map(|run| (run.from, run.days(), run.annual_percent))
        .collect();
    assert_eq!(
        spans,
        [
            (day("2025-06-01"), 30, dec("11.27")),
            (day("2025-07-01"), 31, dec("10.27"))
        ]
    );
    assert_eq!(accrual.interest, dec("179.85"));
    assert_eq!(accrual.annual_percent, Some(dec("10.27")));
    assert_eq!(accrual.fee, dec("40.00"), "§ 288 (5) BGB: a €40 flat fee");
    // Positive control: a month in 2026 at 1.27 + 9 = 10.27 %: 10,000 × 10.27 × 31 / 36,500 = €87.22.
    let owed = debt("EUR", "2025-12-31", "10000.00", &[]);
    assert_eq!(
        accrued(&statutory(Statute::DeBgb288, &rates), &owed, "2026-01-31").interest,
        dec("87.22")
    );
}

#[test]
fn eu_directive_takes_the_reference_rate_of_each_half_years_first_day() {
    // ECB main refinancing rate: 3.15 % from 18 December 2024, 2.40 % from 23 April 2025, 2.15 % from
    // 11 June 2025 (ecb.europa.eu, "Key ECB interest rates"). The rate in force on 1 January 2025 (3.15 %)
    // holds for the whole first half of 2025, though the ECB lowered it meanwhile.
    let rates = table(
        "ECB main refinancing operations",
        "2025-12-31",
        &[("2024-12-18", "3.15"), ("2025-04-23", "2.40"), ("2025-06-11", "2.15")],
    );
    let owed = debt("EUR", "2025-06-15", "5000.00", &[]);
    let remedy = statutory(Statute::EuLatePaymentDirective, &rates);
    let accrual = accrued(&remedy, &owed, "2025-07-14");
    // 5,000 × (11.15 × 15 + 10.15 × 14) / 36,500 = €42.3767…
    assert_eq!(accrual.interest, dec("42.38"));
    assert_eq!(accrual.fee, dec("40.00"), "Article 6: €40");
    // A member state above the minimum margin: 9 points instead of 8.
    let nine = Remedy::Statutory(StatutoryRule {
        statute: Statute::EuLatePaymentDirective,
        table: &rates,
        margin_points: dec("9"),
    });
    assert_eq!(accrued(&nine, &owed, "2025-07-14").annual_percent, Some(dec("11.15")));
}

#[test]
fn contract_interest_per_month_runs_after_the_grace_days() {
    let terms = ContractRemedy::monthly(dec("1.5"), 7, "1.5% per month (section 7)");
    let remedy = Remedy::Contract(&terms);
    let owed = debt("USD", "2026-03-01", "2400.00", &[]);
    assert_eq!(
        accrue(&remedy, &owed, day("2026-03-08")).unwrap(),
        None,
        "still within the grace days"
    );
    let accrual = accrued(&remedy, &owed, "2026-03-31");
    assert_eq!(accrual.from, day("2026-03-09"));
    assert_eq!(accrual.annual_percent, Some(dec("18.0")));
    // 2,400 × 18 % × 23 / 365 = $27.2219…
    assert_eq!(accrual.interest, dec("27.22"));
    assert_eq!(accrual.fee, dec("0.00"));
}

#[test]
fn contract_interest_per_year_rounds_to_the_currencys_minor_units() {
    let terms = ContractRemedy {
        charge: Charge::Interest {
            percent: dec("10"),
            per: Per::Year,
        },
        grace_days: 0,
        clause: "10% a year".into(),
    };
    // ¥1,000,000 × 10 % × 30 / 365 = ¥8,219.18 → ¥8,219 (no minor units).
    let accrual = accrued(
        &Remedy::Contract(&terms),
        &debt("JPY", "2026-01-31", "1000000", &[]),
        "2026-03-02",
    );
    assert_eq!(accrual.interest.to_string(), "8219");
    assert_eq!(accrual.per_day.to_string(), "274");
}

#[test]
fn one_time_percentage_and_fixed_fee_are_charged_once_after_the_grace_days() {
    let percent = ContractRemedy {
        charge: Charge::OneTimePercent { percent: dec("5") },
        grace_days: 14,
        clause: "5% once, 14 days after the due date".into(),
    };
    let paid_some = [Payment {
        on: day("2026-02-05"),
        amount: dec("200.00"),
    }];
    let owed = debt("EUR", "2026-01-31", "1000.00", &paid_some);
    assert_eq!(
        accrue(&Remedy::Contract(&percent), &owed, day("2026-02-14")).unwrap(),
        None
    );
    let accrual = accrued(&Remedy::Contract(&percent), &owed, "2026-03-31");
    assert_eq!(
        (accrual.interest, accrual.fee),
        (dec("0.00"), dec("40.00")),
        "5 % of the €800 then owed"
    );
    assert_eq!(accrual.annual_percent, None);
    let fixed = ContractRemedy {
        charge: Charge::FixedFee { amount: dec("25") },
        grace_days: 0,
        clause: "a fee of €25".into(),
    };
    let accrual = accrued(&Remedy::Contract(&fixed), &owed, "2026-02-01");
    assert_eq!((accrual.from, accrual.fee), (day("2026-02-01"), dec("25.00")));
}

#[test]
fn part_payments_lower_the_balance_from_the_day_after_they_arrive() {
    let terms = ContractRemedy {
        charge: Charge::Interest {
            percent: dec("36.5"),
            per: Per::Year,
        },
        grace_days: 0,
        clause: "36.5% a year".into(),
    };
    // 36.5 % a year is 0.1 % a day: £1 a day on £1,000, 40p on £400.
    let payments = [
        Payment {
            on: day("2026-02-10"),
            amount: dec("600.00"),
        },
        Payment {
            on: day("2026-02-20"),
            amount: dec("400.00"),
        },
    ];
    let owed = debt("GBP", "2026-01-31", "1000.00", &payments);
    let accrual = accrued(&Remedy::Contract(&terms), &owed, "2026-03-31");
    let spans: Vec<_> = accrual.runs.iter().map(|run| (run.days(), run.balance)).collect();
    assert_eq!(
        spans,
        [(10, dec("1000.00")), (10, dec("400.00"))],
        "paid in full on 20 February"
    );
    assert_eq!(accrual.interest, dec("14.00"));
    assert_eq!(accrual.per_day, dec("0.40"), "the last day charged");
    // Positive control: without the dated payments, the same principal accrues for all 59 days.
    let undated = debt("GBP", "2026-01-31", "1000.00", &[]);
    assert_eq!(
        accrued(&Remedy::Contract(&terms), &undated, "2026-03-31").interest,
        dec("59.00")
    );
}

#[test]
fn nothing_is_stated_that_rests_on_a_rate_the_table_does_not_know() {
    let rates = basiszins();
    let owed = debt("EUR", "2026-05-31", "1000.00", &[]);
    let remedy = statutory(Statute::DeBgb288, &rates);
    assert!(accrue(&remedy, &owed, day("2026-06-30")).unwrap().is_some());
    assert_eq!(
        accrue(&remedy, &owed, day("2026-07-01")),
        Err(InterestError::UnknownRate {
            source_name: "Basiszinssatz (Deutsche Bundesbank)".into(),
            day: day("2026-07-01"),
            known_through: Some(day("2026-01-01")),
        })
    );
    // The UK rate for a debt late from 1 July 2026 is the one on 30 June 2026, past the table's check.
    let rates = boe();
    let remedy = statutory(Statute::UkLatePaymentAct1998, &rates);
    let late_in_july = debt("GBP", "2026-06-30", "1000.00", &[]);
    assert!(matches!(
        accrue(&remedy, &late_in_july, day("2026-07-01")),
        Err(InterestError::UnknownRate { day, .. }) if day == crate::fixtures::day("2026-06-30")
    ));
    assert_eq!(
        rate_needed_for(Statute::UkLatePaymentAct1998, day("2026-07-01")),
        day("2026-06-30")
    );
    assert_eq!(rate_needed_for(Statute::DeBgb288, day("2026-12-03")), day("2026-07-01"));
}

#[test]
fn a_statute_applies_to_debts_in_its_own_currency_only() {
    let rates = boe();
    let remedy = statutory(Statute::UkLatePaymentAct1998, &rates);
    let in_euros = debt("EUR", "2026-01-31", "1000.00", &[]);
    assert!(matches!(
        accrue(&remedy, &in_euros, day("2026-02-10")),
        Err(InterestError::OtherCurrency { expected: "GBP", .. })
    ));
    assert!(accrue(&remedy, &debt("GBP", "2026-01-31", "1000.00", &[]), day("2026-02-10")).is_ok());
}

#[test]
fn nothing_accrues_on_or_before_the_due_date_or_on_nothing_owed() {
    let terms = ContractRemedy::monthly(dec("1"), 0, "1% per month");
    let remedy = Remedy::Contract(&terms);
    let owed = debt("USD", "2026-03-01", "100.00", &[]);
    assert_eq!(accrue(&remedy, &owed, day("2026-02-20")).unwrap(), None);
    assert_eq!(accrue(&remedy, &owed, day("2026-03-01")).unwrap(), None);
    let nothing = debt("USD", "2026-03-01", "0.00", &[]);
    assert_eq!(accrued(&remedy, &nothing, "2026-03-10").interest, dec("0.00"));
    assert!(accrued(&remedy, &owed, "2026-03-02").interest > Decimal::ZERO);
}

#[test]
fn remedies_stored_in_the_older_shape_still_load() {
    let older: ContractRemedy =
        serde_json::from_str(r#"{"monthly_rate_percent":"1.5","grace_days":7,"clause":"section 7"}"#).unwrap();
    assert_eq!(older, ContractRemedy::monthly(dec("1.5"), 7, "section 7"));
    let written = serde_json::to_string(&older).unwrap();
    assert!(
        written.contains(r#""charge":{"kind":"interest","percent":"1.5","per":"month"}"#),
        "{written}"
    );
    assert_eq!(serde_json::from_str::<ContractRemedy>(&written).unwrap(), older);
    let both = r#"{"monthly_rate_percent":"1","charge":{"kind":"fixed_fee","amount":"5"},"clause":"x"}"#;
    assert!(
        serde_json::from_str::<ContractRemedy>(both)
            .unwrap_err()
            .to_string()
            .contains("not both")
    );
    let fee: ContractRemedy =
        serde_json::from_str(r#"{"charge":{"kind":"fixed_fee","amount":"25.00"},"clause":"a fee"}"#).unwrap();
    assert_eq!(fee.grace_days, 0);
}

#[test]
fn remedies_out_of_range_are_named_by_field() {
    let mut terms = ContractRemedy::monthly(dec("11"), 0, "x");
    assert_eq!(terms.problem().map(|(field, _)| field), Some("percent"));
    terms.charge = Charge::Interest {
        percent: dec("11"),
        per: Per::Year,
    };
    assert_eq!(terms.problem(), None, "11 % a year is a normal rate");
    terms.clause = " ".into();
    assert_eq!(terms.problem().map(|(field, _)| field), Some("clause"));
    terms.clause = "x".into();
    terms.grace_days = 400;
    assert_eq!(terms.problem().map(|(field, _)| field), Some("grace_days"));
    terms.grace_days = 0;
    terms.charge = Charge::FixedFee { amount: dec("-1") };
    assert_eq!(terms.problem().map(|(field, _)| field), Some("amount"));
}

#[test]
fn rate_tables_know_rates_only_through_their_last_check() {
    let rates = boe();
    assert_eq!(rates.rate_on(day("2025-05-07")), None, "before the first change");
    assert_eq!(rates.rate_on(day("2025-06-30")), Some(dec("4.25")));
    assert_eq!(rates.rate_on(day("2025-12-18")), Some(dec("3.75")));
    assert_eq!(rates.rate_on(day("2026-02-05")), Some(dec("3.75")));
    assert_eq!(rates.rate_on(day("2026-02-06")), None, "after the last check");
    let unchecked = RateTable {
        confirmed_on: None,
        ..boe()
    };
    assert_eq!(unchecked.known_through(), Some(day("2025-12-18")));
    assert_eq!(rates.problem(), None);
    let mut shuffled = boe();
    shuffled.changes.swap(0, 1);
    assert!(shuffled.problem().unwrap().contains("oldest first"));
    let mut typo = boe();
    typo.changes[0].percent = dec("425");
    assert!(typo.problem().unwrap().contains("between -5 and 50"));
    assert!(
        RateTable {
            changes: vec![],
            ..boe()
        }
        .problem()
        .is_some()
    );
}

#[test]
fn statutes_are_written_by_their_keys_and_a_customer_may_choose_none() {
    for statute in Statute::ALL {
        assert_eq!(
            serde_json::to_string(&statute).unwrap(),
            format!("\"{}\"", statute.key())
        );
        let choice: StatuteChoice = serde_json::from_str(&format!("\"{}\"", statute.key())).unwrap();
        assert_eq!(choice, StatuteChoice::Statute(statute));
    }
    assert_eq!(
        serde_json::from_str::<StatuteChoice>("\"none\"").unwrap(),
        StatuteChoice::None
    );
    assert!(serde_json::from_str::<StatuteChoice>("\"uk\"").is_err());
}

#[test]
fn what_a_fee_invoice_charged_is_not_charged_again() {
    let rates = boe();
    let remedy = statutory(Statute::UkLatePaymentAct1998, &rates);
    let owed = debt("GBP", "2026-01-31", "1000.00", &[]);
    let whole = accrued(&remedy, &owed, "2026-03-22");
    let invoiced = Debt {
        charged_through: Some(day("2026-03-02")),
        fee_charged: true,
        ..owed
    };
    let rest = accrued(&remedy, &invoiced, "2026-03-22");
    assert_eq!(rest.from, day("2026-03-03"));
    assert_eq!(rest.fee, dec("0.00"), "the £70 went on the fee invoice");
    let first = accrued(&remedy, &owed, "2026-03-02");
    // The two parts add up to the whole, give or take the rounding of each.
    assert!((first.interest + rest.interest - whole.interest).abs() <= dec("0.01"));
    assert_eq!((first.fee, whole.fee), (dec("70.00"), dec("70.00")));
    // Charged through today: nothing more is due today.
    assert_eq!(accrue(&remedy, &invoiced, day("2026-03-02")).unwrap(), None);
}
