#!/usr/bin/env python3
"""Hold functions/core/data/holidays.tsv to the Python package `holidays` it was generated from.

    python3 tests/holidays_match.py          # the countries below, every covered year
    python3 tests/holidays_match.py --all    # every country in the file (slower)

Reads the file with its own small decoder (not the generator's encoder) and compares, day by day over
each country's covered years: the holiday names, whether the day is a weekend day, and whether it is a
working day (the rule kindly-core applies: a weekday that is no holiday, or a weekend day declared a
working day). It also checks the package version and the covered years. It ends with a positive
control: one holiday taken out of the decoded data must be reported. Exit status 1 on any difference.
"""

import collections
import datetime
import sys
import warnings
from pathlib import Path

import holidays

DATA = Path(__file__).resolve().parent.parent / "functions" / "core" / "data" / "holidays.tsv"
# The countries kindly's first customers are in, and the calendars that test the format's corners:
# Friday-Saturday weekends, a weekend that changed (AE), make-up working weekend days (CN), data that
# ends early (LK), lunar holidays (IN, JP).
SAMPLE = ["GB", "DE", "FR", "IE", "CH", "NO", "US", "CA", "AU", "JP", "IN", "AE", "SA", "IL", "BR", "CN", "LK"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY = datetime.timedelta(days=1)


def decode(text):
    """{code: {years, weekends [(since, {weekday})], workdays {date}, names {date: {name}}}}, version."""
    countries, version = {}, None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *fields = line.split("\t")
        if kind == "V":
            version = fields[0]
        elif kind == "C":
            code, first, last = fields
            countries[code] = {
                "years": (int(first), int(last)),
                "weekends": [],
                "workdays": set(),
                "names": collections.defaultdict(set),
            }
        elif kind == "W":
            code, since, days = fields
            weekdays = {WEEKDAYS.index(d) for d in days.split()} if days != "-" else set()
            countries[code]["weekends"].append((datetime.date.fromisoformat(since), weekdays))
        elif kind == "X":
            code, day = fields
            countries[code]["workdays"].add(datetime.date.fromisoformat(day))
        elif kind == "H":
            code, name, tokens = fields
            first, last = countries[code]["years"]
            for token in tokens.split():
                month_day, _, which = token.partition("/")
                years = range(first, last + 1) if not which else expand(which)
                for year in years:
                    countries[code]["names"][datetime.date.fromisoformat(f"{year}-{month_day}")].add(name)
    return countries, version


def expand(which):
    for run in which.split(","):
        first, _, last = run.partition("-")
        yield from range(int(first), int(last or first) + 1)


def english(cal):
    lang = cal.default_language
    return lang if lang is None or lang.startswith("en") or "en_US" not in cal.supported_languages else "en_US"


def build(code, years, language):
    """The package's calendar for `years`, and whether it warned that it lacks some of them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal = holidays.country_holidays(code, years=years, language=language)
    return cal, bool(caught)


def differences(code, entry):
    """Every way the decoded `entry` for `code` differs from the package, as readable lines."""
    probe = holidays.country_holidays(code)
    language = english(probe)
    first, last = entry["years"]
    widest = (max(2020, probe.start_year), min(2040, probe.end_year))
    if not widest[0] <= first <= last <= widest[1]:
        return [f"{code}: file covers {first}-{last}, beyond the package's {widest[0]}-{widest[1]}"]
    cal, lacking = build(code, range(first, last + 1), language)
    if lacking:
        return [f"{code}: file covers {first}-{last}, but the package warns it lacks some of them"]
    # Years left out must be years the package lacks (it warns about them, e.g. India after 2035).
    for year in [y for y in range(widest[0], widest[1] + 1) if not first <= y <= last]:
        if not build(code, [year], language)[1]:
            return [f"{code}: file leaves out {year}, which the package covers"]
    found = []
    day, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    while day <= end:
        weekend = [days for since, days in entry["weekends"] if since <= day][-1]
        file_weekend = day.weekday() in weekend
        file_names = entry["names"].get(day, set())
        file_working = day in entry["workdays"] if file_weekend else not file_names
        if file_names != set(cal.get_list(day)):
            found.append(f"{code} {day}: file {sorted(file_names)}, package {cal.get_list(day)}")
        if file_weekend != cal.is_weekend(day):
            found.append(f"{code} {day}: weekend in file {file_weekend}, in package {cal.is_weekend(day)}")
        if file_working != cal.is_working_day(day):
            found.append(f"{code} {day}: working in file {file_working}, in package {cal.is_working_day(day)}")
        day += DAY
    return found


def main():
    countries, version = decode(DATA.read_text(encoding="utf-8"))
    problems = []
    if version != holidays.__version__:
        problems.append(f"the file is from holidays {version}, the installed package is {holidays.__version__}")
    codes = SAMPLE
    if "--all" in sys.argv[1:]:
        codes = sorted(countries)
        supported = {c for c in holidays.list_supported_countries() if len(c) == 2}
        own_name = {c for c in supported if holidays.country_holidays(c).country == c}
        problems += [f"{code}: the package has it, the file does not" for code in sorted(own_name - set(countries))]
    for code in codes:
        if code not in countries:
            problems.append(f"{code}: not in the file")
            continue
        problems += differences(code, countries[code])
    for problem in problems[:40]:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} differences; regenerate with scripts/holidays_data.py", file=sys.stderr)
        return 1

    # Positive control: the comparison notices one holiday missing.
    gb = countries["GB"]
    del gb["names"][datetime.date(2026, 12, 25)]
    missed = differences("GB", gb)
    if not any("2026-12-25" in line for line in missed):
        print("the comparison did not notice a removed holiday", file=sys.stderr)
        return 1

    print(f"holidays.tsv matches holidays {version} for {len(codes)} countries, every covered year")
    return 0


if __name__ == "__main__":
    sys.exit(main())
