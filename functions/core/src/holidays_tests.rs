use super::*;
use proptest::prelude::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn country(code: &str) -> Country {
    Country::from_code(code).unwrap()
}

#[test]
fn the_checked_in_data_parses_with_its_promised_counts() {
    // `parse` holds the N record's counts to what it read; the rest is the shape of the result.
    let data = parse(DATA).unwrap();
    assert!(data.countries.len() > 200, "{} countries", data.countries.len());
    assert_eq!(source_version(), data.version);
    for code in [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
        "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "CH", "NO", "US", "CA", "AU", "NZ", "JP", "SG",
        "IN", "AE", "SA", "IL", "BR", "MX", "ZA",
    ] {
        let country = country(code);
        // India's lunar holidays end in 2035 in the package.
        let last = if code == "IN" { 2035 } else { 2040 };
        assert_eq!(covered_years(country), 2020..=last, "{code}");
        let in_2026 = calendar(country)
            .holidays
            .range(day("2026-01-01")..=day("2026-12-31"))
            .count();
        assert!(in_2026 >= 3, "{code}: {in_2026} holidays in 2026");
    }
}

#[test]
fn a_country_is_a_known_iso_code_in_either_case() {
    assert_eq!(country("gb"), country("GB"));
    assert_eq!("de".parse::<Country>().unwrap().to_string(), "DE");
    for bad in ["XX", "UK", "GBR", "G", "", "G1", "ÄÖ"] {
        let error = Country::from_code(bad).unwrap_err();
        assert!(
            matches!(&error, CoreError::UnknownCountry(code) if code == bad),
            "{bad}: {error}"
        );
        assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
    }
    // Positive control: a code like the refused ones, but assigned.
    assert_eq!(country("CH").code(), "CH");
}

#[test]
fn united_kingdom_national_holidays_and_their_substitute_days() {
    let gb = country("GB");
    assert_eq!(holiday(gb, day("2026-04-03")), Some("Good Friday"));
    // Easter Monday is a bank holiday in England, Wales and Northern Ireland but not in Scotland, so it is
    // no national holiday: a business day at this level.
    assert_eq!(holiday(gb, day("2026-04-06")), None);
    assert!(is_business_day(gb, day("2026-04-06")));
    // Boxing Day 2026 is a Saturday: the substitute is Monday the 28th.
    assert_eq!(holiday(gb, day("2026-12-26")), Some("Boxing Day"));
    assert_eq!(holiday(gb, day("2026-12-28")), Some("Boxing Day (observed)"));
    assert_eq!(next_business_day(gb, day("2026-12-24")), day("2026-12-29"));
    // 2027: Christmas on Saturday and Boxing Day on Sunday push both to Monday and Tuesday.
    assert_eq!(holiday(gb, day("2027-12-27")), Some("Christmas Day (observed)"));
    assert_eq!(holiday(gb, day("2027-12-28")), Some("Boxing Day (observed)"));
    assert_eq!(add_business_days(gb, day("2027-12-24"), 1), day("2027-12-29"));
    // Positive control: an ordinary Tuesday.
    assert!(is_business_day(gb, day("2026-12-29")));
    assert_eq!(holiday(gb, day("2026-12-29")), None);
}

#[test]
fn germany_has_its_national_holidays_only() {
    let de = country("DE");
    assert_eq!(holiday(de, day("2026-12-25")), Some("Christmas Day"));
    assert_eq!(holiday(de, day("2026-12-26")), Some("Second Day of Christmas"));
    assert_eq!(holiday(de, day("2026-10-03")), Some("German Unity Day"));
    // Epiphany and Corpus Christi are holidays in some states only; Christmas Eve in none.
    for regional in ["2026-01-06", "2026-06-04", "2026-12-24"] {
        assert_eq!(holiday(de, day(regional)), None, "{regional}");
        assert!(is_business_day(de, day(regional)), "{regional}");
    }
    // Positive control: Christmas Day, a Friday, is no business day.
    assert!(!is_business_day(de, day("2026-12-25")));
}

#[test]
fn united_states_thanksgiving_and_independence_day_observed() {
    let us = country("US");
    assert_eq!(holiday(us, day("2026-11-26")), Some("Thanksgiving Day"));
    assert!(!is_business_day(us, day("2026-11-26")));
    // July 4th 2026 is a Saturday: observed on Friday the 3rd. In 2027 it is a Sunday: Monday the 5th.
    assert_eq!(holiday(us, day("2026-07-04")), Some("Independence Day"));
    assert_eq!(holiday(us, day("2026-07-03")), Some("Independence Day (observed)"));
    assert_eq!(previous_business_day(us, day("2026-07-06")), day("2026-07-02"));
    assert_eq!(holiday(us, day("2027-07-05")), Some("Independence Day (observed)"));
    // Positive control: the Thursday before is a business day.
    assert!(is_business_day(us, day("2026-07-02")));
}

#[test]
fn friday_and_saturday_weekends_where_that_is_the_custom() {
    let sa = country("SA");
    assert!(is_weekend(sa, day("2026-03-06")), "Friday");
    assert!(is_weekend(sa, day("2026-03-07")), "Saturday");
    assert!(!is_weekend(sa, day("2026-03-08")), "Sunday");
    assert_eq!(next_business_day(sa, day("2026-03-05")), day("2026-03-08"));
    // The UAE moved to a Saturday-Sunday weekend on 1 January 2022: the data follows it.
    let ae = country("AE");
    assert!(is_weekend(ae, day("2021-12-31")), "Friday 2021");
    assert!(!is_weekend(ae, day("2022-01-07")), "Friday 2022");
    assert!(is_weekend(ae, day("2022-01-09")), "Sunday 2022");
    // Positive control: a Saudi Sunday is an ordinary working day.
    assert!(is_business_day(sa, day("2026-03-08")));
}

#[test]
fn a_weekend_day_declared_a_working_day_is_a_business_day() {
    // China moved New Year 2026's bridge day: Friday the 2nd off, Sunday the 4th worked.
    let cn = country("CN");
    assert!(!is_business_day(cn, day("2026-01-02")));
    assert!(is_weekend(cn, day("2026-01-04")));
    assert!(is_business_day(cn, day("2026-01-04")));
    assert_eq!(next_business_day(cn, day("2025-12-31")), day("2026-01-04"));
    // Positive control: the Saturday between is a plain weekend day.
    assert!(!is_business_day(cn, day("2026-01-03")));
}

#[test]
fn business_days_across_the_turn_of_the_year() {
    let us = country("US");
    // GIVEN Wednesday 30 December 2026, with New Year's Day 2027 on a Friday
    // WHEN two business days are added
    // THEN Thursday the 31st is the first, and Monday 4 January 2027 the second.
    assert_eq!(add_business_days(us, day("2026-12-30"), 2), day("2027-01-04"));
    assert_eq!(add_business_days(us, day("2027-01-04"), -2), day("2026-12-30"));
    assert_eq!(previous_business_day(us, day("2027-01-04")), day("2026-12-31"));
    // New Year's Day 2028 is a Saturday, observed on Friday 31 December 2027: a holiday of next year.
    assert_eq!(holiday(us, day("2027-12-31")), Some("New Year's Day (observed)"));
    assert_eq!(next_business_day(us, day("2027-12-30")), day("2028-01-03"));
    // Zero days is the date itself, business day or not.
    assert_eq!(add_business_days(us, day("2027-01-01"), 0), day("2027-01-01"));
    // Positive control: Tuesday to Thursday within a plain week.
    assert_eq!(add_business_days(us, day("2026-12-01"), 2), day("2026-12-03"));
}

#[test]
fn outside_the_covered_years_only_weekends_count() {
    let gb = country("GB");
    assert!(!covers(gb, day("2041-12-25")));
    assert!(!covers(gb, day("2019-12-25")));
    // Christmas 2041 is a Wednesday: without data it is a business day, as documented.
    assert_eq!(holiday(gb, day("2041-12-25")), None);
    assert!(is_business_day(gb, day("2041-12-25")));
    assert!(!is_business_day(gb, day("2041-12-28")), "a Saturday");
    // The weekend at the nearer end of the data holds: Friday-Saturday before 2022 in the UAE, Saturday-
    // Sunday after.
    let ae = country("AE");
    assert!(is_weekend(ae, day("2019-06-07")), "Friday 2019");
    assert!(!is_weekend(ae, day("2041-06-07")), "Friday 2041");
    // Sri Lanka's data ends earlier than most: the package covers it to 2026 only.
    let lk = country("LK");
    assert_eq!(*covered_years(lk).end(), 2026);
    assert!(!covers(lk, day("2027-01-01")));
    // Positive control: inside the data, Christmas is known.
    assert!(covers(gb, day("2040-12-25")));
    assert_eq!(holiday(gb, day("2040-12-25")), Some("Christmas Day"));
}

#[test]
fn the_parser_names_the_line_it_cannot_read() {
    let valid = "V\t1\nN\t1\t3\nC\tQQ\t2020\t2021\nW\tQQ\t2020-01-01\tSat Sun\nH\tQQ\tA\t01-01 07-04/2021\n";
    let data = parse(valid).unwrap();
    let qq = &data.countries[&Country(*b"QQ")];
    assert_eq!(qq.holidays.len(), 3);
    assert_eq!(qq.holidays[&day("2021-07-04")], "A");
    for (broken, problem) in [
        (
            "V\t1\nN\t1\t3\nC\tQQ\t2020\t2021\nW\tQQ\t2020-01-01\tSat Sun\nH\tQQ\tA\t01-01 07-04/2022\n",
            "line 5",
        ),
        (
            "V\t1\nN\t1\t4\nC\tQQ\t2020\t2021\nW\tQQ\t2020-01-01\tSat Sun\nH\tQQ\tA\t01-01 07-04/2021\n",
            "promises",
        ),
        (
            "V\t1\nN\t1\t0\nC\tQQ\t2020\t2021\nW\tQQ\t2020-01-01\tSat Sun\nX\tQQ\t2020-01-06\n",
            "no weekend day",
        ),
        (
            "V\t1\nN\t1\t0\nC\tQQ\t2020\t2021\nW\tQQ\t2020-01-01\tMon Tue Wed Thu Fri Sat Sun\n",
            "line 4",
        ),
        (
            "V\t1\nN\t1\t0\nC\tQQ\t2020\t2021\nW\tQQ\t2020-01-02\tSat Sun\n",
            "line 4",
        ),
        ("V\t1\nN\t1\t0\nC\tQQ\t2020\t2021\n", "no weekend"),
        ("V\t1\nN\t0\t0\nH\tQQ\tA\t01-01\n", "line 3"),
        ("V\t1\nN\t0\t0\nZ\tQQ\n", "line 3"),
    ] {
        let error = parse(broken).err().unwrap_or_else(|| panic!("accepted {broken:?}"));
        assert!(error.contains(problem), "{error} (expected {problem})");
    }
}

fn sample_country() -> impl Strategy<Value = Country> {
    prop::sample::select(vec!["GB", "DE", "US", "AE", "SA", "CN", "JP", "IL", "IN", "BR"]).prop_map(country)
}

fn sample_date() -> impl Strategy<Value = NaiveDate> {
    // 2019 to 2041: the covered years and a year of fallback on either side.
    (0u64..23 * 366).prop_map(|offset| day("2019-01-01") + Days::new(offset))
}

proptest! {
    #[test]
    fn the_next_business_day_is_the_first_after(country in sample_country(), date in sample_date()) {
        let next = next_business_day(country, date);
        prop_assert!(next > date && is_business_day(country, next));
        let mut between = date + Days::new(1);
        while between < next {
            prop_assert!(!is_business_day(country, between), "{between} skipped");
            between = between + Days::new(1);
        }
        prop_assert_eq!(previous_business_day(country, next) <= date, true);
    }

    #[test]
    fn adding_and_subtracting_business_days_returns_to_a_business_day(
        country in sample_country(),
        date in sample_date(),
        n in 0i32..40,
    ) {
        let start = if is_business_day(country, date) { date } else { next_business_day(country, date) };
        let later = add_business_days(country, start, n);
        prop_assert_eq!(add_business_days(country, later, -n), start);
        prop_assert!(n == 0 || later > start);
    }
}

#[test]
fn the_longest_run_of_days_off_is_the_one_the_constant_states() {
    // Every run of days off touches a holiday or a weekend day: walk out from each holiday.
    let mut longest = (0, String::new());
    for (country, calendar) in &data().countries {
        for holiday in calendar.holidays.keys() {
            if is_business_day(*country, *holiday) {
                continue;
            }
            let before = previous_business_day(*country, *holiday);
            let after = next_business_day(*country, *holiday);
            let days = (after - before).num_days() - 1;
            if days > longest.0 {
                longest = (days, format!("{country}: off after {before} until {after}"));
            }
        }
    }
    let (days, example) = longest;
    assert_eq!(i64::from(LONGEST_DAYS_OFF), days, "the longest run: {example}");
    // Positive control: a weekend alone is two days off.
    assert!(days >= 2);
}
