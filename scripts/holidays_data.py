#!/usr/bin/env python3
# (Not named holidays.py: a script of that name would shadow the package it imports.)
"""Generate functions/core/data/holidays.tsv, the public holidays and weekend days kindly plans with.

    python3 -m pip install -r tests/requirements.txt   # pins the `holidays` package
    python3 scripts/holidays_data.py                      # rewrites the data file

The source is the Python package `holidays` (maintained, one class per country): for every ISO 3166-1
alpha-2 code it supports (aliases such as UK for GB left out), its national public holidays (no
subdivision, the package's default category) for the years FIRST..LAST that the package covers, with
English names where the package has them. Weekend days come from the package too, date by date
(`is_weekend`), because they change over time (the UAE moved from Friday-Saturday to Saturday-Sunday in
2022); so do the weekend days that are working days (`weekend_workdays`, e.g. China's make-up
Saturdays). tests/holidays_match.py holds the file to the package.

The file is tab-separated, one record a line; see the header it writes for the record kinds.
"""

import collections
import datetime
import re
import sys
import warnings
from pathlib import Path

import holidays

FIRST, LAST = 2020, 2040
OUT = Path(__file__).resolve().parent.parent / "functions" / "core" / "data" / "holidays.tsv"
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY = datetime.timedelta(days=1)


def english(cls_default, supported):
    """The package's own language where it is English, else its American English translation."""
    if cls_default is None or cls_default.startswith("en") or "en_US" not in supported:
        return cls_default
    return "en_US"


def country_codes():
    """Every alpha-2 code the package supports under its own name (UK is GB's alias: left out)."""
    codes = []
    for code in sorted(holidays.list_supported_countries()):
        if len(code) == 2 and holidays.country_holidays(code).country == code:
            codes.append(code)
    return codes


def calendar(code):
    """The package's calendar for `code` over the years it covers within FIRST..LAST, or None.

    A class may cover fewer years than its start_year..end_year and say so only in a warning (India's
    lunar holidays end in 2035): those years are left out rather than listed without their holidays.
    """
    probe = holidays.country_holidays(code)
    first, last = max(FIRST, probe.start_year), min(LAST, probe.end_year)
    language = english(probe.default_language, probe.supported_languages)
    while first <= last:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cal = holidays.country_holidays(code, years=range(first, last + 1), language=language)
        limits = [re.search(r"available only from (\d+) to (\d+)", str(w.message)) for w in caught]
        limits = [(int(m[1]), int(m[2])) for m in limits if m]
        if not limits:
            return cal, first, last
        first, last = max([first] + [a for a, _ in limits]), min([last] + [b for _, b in limits])
    return None


def weekend_changes(cal, first, last):
    """(date, weekdays) from which each weekend holds, scanning every day of the covered years."""
    day, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    changes, current = [], None
    while day <= end:
        if current is None or cal.is_weekend(day) != (day.weekday() in current):
            current = {(day + i * DAY).weekday() for i in range(7) if cal.is_weekend(day + i * DAY)}
            changes.append((day, current))
        day += DAY
    return changes


def year_ranges(years):
    """2020,2021,2022,2026 -> '2020-2022,2026'."""
    years, runs = sorted(years), []
    for year in years:
        if runs and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def holiday_tokens(days, first, last):
    """A name's dates: `MM-DD` when it falls on that day in every covered year, else `MM-DD/years`."""
    by_day = collections.defaultdict(set)
    for day in days:
        by_day[day.strftime("%m-%d")].add(day.year)
    every = set(range(first, last + 1))
    tokens = []
    for month_day, years in sorted(by_day.items(), key=lambda item: (min(item[1]), item[0])):
        tokens.append(month_day if years == every else f"{month_day}/{year_ranges(years)}")
    return " ".join(tokens)


def records(code):
    found = calendar(code)
    if found is None:
        return [], 0
    cal, first, last = found
    lines = [f"C\t{code}\t{first}\t{last}"]
    for since, weekdays in weekend_changes(cal, first, last):
        names = " ".join(WEEKDAYS[d] for d in sorted(weekdays)) or "-"
        lines.append(f"W\t{code}\t{since.isoformat()}\t{names}")
    for day in sorted(cal.weekend_workdays):
        if first <= day.year <= last:
            assert cal.is_weekend(day), f"{code} {day}: a working weekend day that is no weekend day"
            lines.append(f"X\t{code}\t{day.isoformat()}")
    by_name, count = {}, 0
    for day in sorted(cal.keys()):
        for name in cal.get_list(day):
            assert "\t" not in name and "; " not in name, f"{code} {day}: name {name!r}"
            by_name.setdefault(name, []).append(day)
            count += 1
    for name, days in by_name.items():
        lines.append(f"H\t{code}\t{name}\t{holiday_tokens(days, first, last)}")
    return lines, count


def main():
    body, total, countries = [], 0, 0
    for code in country_codes():
        lines, count = records(code)
        if lines:
            body += lines
            total += count
            countries += 1
    header = [
        f"# Public holidays and weekend days by country, from the Python package holidays {holidays.__version__}.",
        "# Generated by scripts/holidays_data.py; do not edit (tests/holidays_match.py compares it with the package).",
        f"# Years {FIRST}-{LAST} where the package covers them; national holidays (no subdivision), public category.",
        "# Tab-separated records:",
        "#   C code first-year last-year     a country (ISO 3166-1 alpha-2) and the years its data covers",
        "#   W code date weekdays            its weekend days from that date on (`-` for none)",
        "#   X code date                     a weekend day that is a working day",
        "#   H code name dates               a holiday's dates: MM-DD in every covered year, or MM-DD/years",
        f"V\t{holidays.__version__}",
        f"N\t{countries}\t{total}",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"{OUT}: {countries} countries, {total} holiday dates, {OUT.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
