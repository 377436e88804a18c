//! A language's words outside its sentences, from `templates/{language}/_words.json`: the labels the
//! layouts show as they are, the forms of an invoice's due status, and how a list is joined.
//!
//! The layouts need these several times per invoice. As a lookup in the engine's global context
//! (`{{ labels.issued }}`) or a filter (`{{ invoice.days_overdue | due_status }}`) they cost a fraction
//! of a component call. The wording stays with the translator, in the language's folder; this module
//! only picks the form and puts the number in.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Words {
    /// Shown as they are: `{{ labels.issued }}`, `{{ labels.how_to_pay }}`, ...
    labels: BTreeMap<String, String>,
    due_status: DueStatus,
    and_list: AndList,
}

/// When an invoice is due, relative to the day of the message; reads after "is" in English ("is due in
/// 5 days", "is 1 day overdue") and before "ist" in German ("in 5 Tagen fällig ist").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DueStatus {
    /// Before the due date; `{n}` is the number of days to go.
    due_in: Plural,
    due_today: String,
    /// After the due date; `{n}` is the number of days overdue.
    overdue: Plural,
}

/// A phrase with a count `{n}`, in the singular and the plural. `one` is used for exactly 1, as in
/// English and German; a language with other plural rules needs its rule here.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Plural {
    one: String,
    other: String,
}

/// "A", "A and B", "A, B and C".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AndList {
    separator: String,
    last_separator: String,
}

impl Words {
    /// Parses the embedded `_words.json` of `language`; a missing or malformed file is a build mistake,
    /// caught by the first test that renders in that language.
    pub(crate) fn load(language: &str) -> Self {
        let path = format!("{language}/_words.json");
        let json = crate::TEMPLATE_DIR
            .get_file(&path)
            .and_then(|file| file.contents_utf8())
            .unwrap_or_else(|| panic!("{path} is embedded"));
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Gives templates `labels` and the filters `due_status` and `and_list`.
    pub(crate) fn register(self, tera: &mut tera::Tera) {
        tera.global_context().insert("labels", &self.labels);
        let Words {
            due_status, and_list, ..
        } = self;
        tera.register_filter("due_status", move |days: i64, _: tera::Kwargs, _: &tera::State| {
            due_status.format(days)
        });
        tera.register_filter(
            "and_list",
            move |items: &[tera::Value], _: tera::Kwargs, _: &tera::State| and_list.join(items),
        );
    }
}

impl DueStatus {
    fn format(&self, days: i64) -> String {
        match days {
            ..0 => self.due_in.format(days.unsigned_abs()),
            0 => self.due_today.clone(),
            1.. => self.overdue.format(days.unsigned_abs()),
        }
    }
}

impl Plural {
    fn format(&self, n: u64) -> String {
        let form = if n == 1 { &self.one } else { &self.other };
        form.replace("{n}", &n.to_string())
    }
}

impl AndList {
    /// Joins the items as text; in an HTML part the result is escaped as a whole, like any value.
    fn join(&self, items: &[tera::Value]) -> tera::TeraResult<String> {
        let mut joined = String::new();
        for (index, item) in items.iter().enumerate() {
            let text = item
                .as_str()
                .ok_or_else(|| tera::Error::message(format!("and_list joins text, not `{}`", item.name())))?;
            if index > 0 {
                joined.push_str(if index + 1 == items.len() {
                    &self.last_separator
                } else {
                    &self.separator
                });
            }
            joined.push_str(text);
        }
        Ok(joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_status_picks_the_form_by_sign_and_count() {
        let words = Words::load("en");
        let said: Vec<String> = [-2, -1, 0, 1, 36].map(|days| words.due_status.format(days)).into();
        assert_eq!(
            said,
            [
                "due in 2 days",
                "due in 1 day",
                "due today",
                "1 day overdue",
                "36 days overdue"
            ]
        );
    }

    #[test]
    fn and_list_joins_with_the_last_separator_before_the_last_item() {
        let words = Words::load("en");
        let join = |items: &[&str]| {
            let items: Vec<tera::Value> = items.iter().map(|item| tera::Value::from(*item)).collect();
            words.and_list.join(&items).unwrap()
        };
        assert_eq!(join(&[]), "");
        assert_eq!(join(&["A"]), "A");
        assert_eq!(join(&["A", "B"]), "A and B");
        assert_eq!(join(&["A", "B", "C"]), "A, B and C");
        assert!(words.and_list.join(&[tera::Value::from(1)]).is_err());
    }

    #[test]
    fn every_language_has_the_same_labels() {
        let keys = |language: &str| -> Vec<String> { Words::load(language).labels.into_keys().collect() };
        for language in crate::LANGUAGES {
            assert_eq!(keys(language), keys(crate::LANGUAGES[0]), "{language}");
        }
    }
}
