//! The day someone is back, as an automatic reply states it, in English or German.
//!
//! The natural-language date crates (`chrono-english`, its fork `interim`) read English alone, and a date
//! standing by itself rather than one inside running text; so this is a small reader of the forms such
//! replies use: `14 March 2026`, `March 14, 2026`, `14th of March`,
//! `13. März 2026`, `13.03.2026`, `16.03.`, `16/03/2026`, `2026-03-16`; weekday words around them are
//! simply other words. A date counts only next to a word of returning (`back`, `return…`, `again`,
//! `wieder`, `zurück`) — then it is the day they are back — or next to `until`/`bis` (or right after
//! `to`/`through`) in a sentence that speaks of being away — then they are back the day after. Any other
//! date (an invoice's, a due date) does not count.

use chrono::{Datelike, Days, NaiveDate};

/// The day the writer of `text` says they are back; `sent_on` is the day the text was written, which
/// places a date without a year (the next such day on or after it).
pub fn return_day(text: &str, sent_on: NaiveDate) -> Option<NaiveDate> {
    let words = words(text);
    let dates = dates(&words);
    let mut until = None;
    for (at, date) in dates.iter().enumerate() {
        let after_previous = if at == 0 { 0 } else { dates[at - 1].end };
        let before_next = dates.get(at + 1).map_or(words.len(), |next| next.start);
        match cue(&words, date, after_previous, before_next) {
            Some(Cue::Return) => return date.day.resolve(sent_on),
            Some(Cue::Until) if until.is_none() && speaks_of_absence(&sentence(&words, date)) => {
                until = date
                    .day
                    .resolve(sent_on)
                    .and_then(|day| day.checked_add_days(Days::new(1)));
            }
            _ => {}
        }
    }
    until
}

/// Whether lower-case `text` says its writer is away.
pub(crate) fn speaks_of_absence(text: &str) -> bool {
    const ABSENCE: [&str; 35] = [
        "out of office",
        "out of the office",
        "not in the office",
        "away from",
        "away until",
        "am away",
        "'m away",
        "be away",
        "currently away",
        "absent",
        "on leave",
        "annual leave",
        "parental leave",
        "maternity leave",
        "sick leave",
        "off sick",
        "out sick",
        "holiday",
        "vacation",
        "unavailable",
        "not available",
        "travelling",
        "traveling",
        "abwesend",
        "abwesenheit",
        "urlaub",
        "nicht im büro",
        "nicht im buero",
        "außer haus",
        "ausser haus",
        "nicht erreichbar",
        "elternzeit",
        "dienstreise",
        "krank",
        "nicht da",
    ];
    ABSENCE.iter().any(|phrase| text.contains(phrase))
}

/// How many words a cue may stand from its date.
const BEFORE: usize = 7;
const AFTER: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// The date is the day they are back.
    Return,
    /// The date is the last day they are away.
    Until,
}

/// Where a word stands from the date it may cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Right before it.
    Adjacent,
    /// Before it, with other words between.
    Before,
    After,
}

fn cue_of(word: &str, place: Place) -> Option<Cue> {
    match (word, place) {
        // German puts the verb's particle after the date: `ab dem 16.03. wieder erreichbar`.
        ("wieder" | "zurück" | "zurueck", _) => Some(Cue::Return),
        (_, Place::After) => None,
        ("back" | "return" | "returning" | "returns" | "again", _) => Some(Cue::Return),
        ("until" | "till" | "til" | "bis", _) => Some(Cue::Until),
        // `from 2 March to 13 March`; further off, `to` is any other word (`reply to you on 16 March`).
        ("to" | "through" | "thru", Place::Adjacent) => Some(Cue::Until),
        _ => None,
    }
}

/// The nearest cue in the date's sentence, not reaching past a neighbouring date.
fn cue(words: &[Word], date: &Found, after_previous: usize, before_next: usize) -> Option<Cue> {
    let mut before = None;
    for (distance, word) in words[after_previous..date.start].iter().rev().enumerate().take(BEFORE) {
        if word.ends_sentence {
            break;
        }
        let place = if distance == 0 { Place::Adjacent } else { Place::Before };
        if let Some(cue) = cue_of(&word.text, place) {
            before = Some((distance, cue));
            break;
        }
    }
    let mut after = None;
    for (distance, word) in words[date.end..before_next].iter().enumerate().take(AFTER) {
        if let Some(cue) = cue_of(&word.text, Place::After) {
            after = Some((distance, cue));
            break;
        }
        if word.ends_sentence {
            break;
        }
    }
    match (before, after) {
        (Some((b, cue)), Some((a, _))) if b <= a => Some(cue),
        (_, Some((_, cue))) | (Some((_, cue)), None) => Some(cue),
        (None, None) => None,
    }
}

/// The words of the sentence the date stands in, lower case, joined by spaces.
fn sentence(words: &[Word], date: &Found) -> String {
    let start = words[..date.start]
        .iter()
        .rposition(|w| w.ends_sentence)
        .map_or(0, |i| i + 1);
    let end = words[date.end..]
        .iter()
        .position(|w| w.ends_sentence)
        .map_or(words.len(), |i| date.end + i + 1);
    words[start..end]
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word of the text: lower case, without the quotes, brackets and commas around it (a date's dots
/// stay), and whether a sentence ends with it (a blank line ends one too).
#[derive(Debug)]
struct Word {
    text: String,
    ends_sentence: bool,
}

fn words(text: &str) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if let Some(last) = words.last_mut() {
                last.ends_sentence = true;
            }
            continue;
        }
        for raw in line.split_whitespace() {
            let text = raw
                .trim_matches(|c: char| ",;:()[]\"'«»„“”‚‘’".contains(c))
                .to_lowercase();
            let ends = text.ends_with(['!', '?'])
                || text.ends_with('.') && text.chars().any(char::is_alphabetic) && month(&text).is_none();
            // A word's full stop is punctuation; a number's (`13.`, `16.03.`) belongs to the date.
            let text = match text.chars().any(char::is_alphabetic) {
                true => text.trim_end_matches(['!', '?', '.']).to_owned(),
                false => text.trim_end_matches(['!', '?']).to_owned(),
            };
            if !text.is_empty() {
                words.push(Word {
                    text,
                    ends_sentence: ends,
                });
            }
        }
    }
    words
}

/// A date as written: with or without its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Written {
    year: Option<i32>,
    month: u32,
    day: u32,
}

impl Written {
    fn resolve(self, sent_on: NaiveDate) -> Option<NaiveDate> {
        match self.year {
            Some(year) => NaiveDate::from_ymd_opt(year, self.month, self.day),
            None => (sent_on.year()..sent_on.year() + 8)
                .filter_map(|year| NaiveDate::from_ymd_opt(year, self.month, self.day))
                .find(|day| *day >= sent_on),
        }
    }
}

/// A date found in the words `start..end`.
#[derive(Debug)]
struct Found {
    start: usize,
    end: usize,
    day: Written,
}

fn dates(words: &[Word]) -> Vec<Found> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < words.len() {
        match date_at(words, at) {
            Some((day, len)) => {
                found.push(Found {
                    start: at,
                    end: at + len,
                    day,
                });
                at += len;
            }
            None => at += 1,
        }
    }
    found
}

/// The date that starts at word `at`, and how many words it takes.
fn date_at(words: &[Word], at: usize) -> Option<(Written, usize)> {
    let word = |i: usize| words.get(at + i).map(|w| w.text.as_str());
    let this = word(0)?;
    if let Some(date) = numeric(this) {
        // `10.30 Uhr` is a time.
        return (word(1) != Some("uhr")).then_some((date, 1));
    }
    if let Some(day) = day_number(this) {
        // `14 March 2026`, `14th of March`, `13. März`
        let skip = usize::from(word(1) == Some("of"));
        let month = month(word(1 + skip)?)?;
        let year = word(2 + skip).and_then(year_number);
        let len = 2 + skip + usize::from(year.is_some());
        return valid(year, month, day).map(|date| (date, len));
    }
    // `March 14, 2026`, `March 16`
    let month = month(this)?;
    let day = day_number(word(1)?)?;
    let year = word(2).and_then(year_number);
    valid(year, month, day).map(|date| (date, 2 + usize::from(year.is_some())))
}

fn valid(year: Option<i32>, month: u32, day: u32) -> Option<Written> {
    let checks = NaiveDate::from_ymd_opt(year.unwrap_or(2000), month, day).is_some();
    checks.then_some(Written { year, month, day })
}

/// `13.03.2026`, `16.03.`, `16/03/2026`, `16/3`, `2026-03-16` (day first, as in English and German
/// outside the US; a slashed date that only works month first is read so).
fn numeric(word: &str) -> Option<Written> {
    let word = word.trim_end_matches('.');
    let separator = ['.', '/', '-'].into_iter().find(|s| word.contains(*s))?;
    let parts: Vec<&str> = word.split(separator).collect();
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let number = |p: &str| p.parse::<u32>().ok();
    match (separator, parts.as_slice()) {
        ('-', [year, month, day]) if year.len() == 4 => valid(year_number(year), number(month)?, number(day)?),
        ('-', _) => None,
        (_, [day, month, rest @ ..]) if day.len() <= 2 && month.len() <= 2 && rest.len() <= 1 => {
            let year = match rest.first() {
                Some(year) => Some(year_number(year)?),
                None => None,
            };
            let (day, month) = (number(day)?, number(month)?);
            valid(year, month, day).or_else(|| {
                if separator == '/' {
                    valid(year, day, month)
                } else {
                    None
                }
            })
        }
        _ => None,
    }
}

/// `14`, `14.`, `14th`, `1st`, `2nd`, `3rd`
fn day_number(word: &str) -> Option<u32> {
    let digits = word
        .strip_suffix('.')
        .or_else(|| ["st", "nd", "rd", "th"].iter().find_map(|s| word.strip_suffix(s)))
        .unwrap_or(word);
    let day = (digits.len() <= 2 && digits.chars().all(|c| c.is_ascii_digit())).then(|| digits.parse().ok())??;
    (1..=31).contains(&day).then_some(day)
}

/// `2026`, `2026.`, `26` (two digits: this century)
fn year_number(word: &str) -> Option<i32> {
    let digits = word.trim_end_matches('.');
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match digits.len() {
        4 => digits.parse().ok(),
        2 => digits.parse::<i32>().ok().map(|year| 2000 + year),
        _ => None,
    }
}

/// The month a word names, in English or German, in full or abbreviated (`Mar.`, `Mär`, `Sept`).
fn month(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["january", "jan", "januar", "jänner", "jän"],
        &["february", "feb", "februar"],
        &["march", "mar", "märz", "maerz", "mär", "mrz"],
        &["april", "apr"],
        &["may", "mai"],
        &["june", "jun", "juni"],
        &["july", "jul", "juli"],
        &["august", "aug"],
        &["september", "sep", "sept"],
        &["october", "oct", "oktober", "okt"],
        &["november", "nov"],
        &["december", "dec", "dezember", "dez"],
    ];
    let word = word.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|names| names.contains(&word))
        .map(|at| at as u32 + 1)
}

#[cfg(test)]
#[path = "return_day_tests.rs"]
mod tests;
