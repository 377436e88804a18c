//! A language's words outside its sentences, from `templates/{language}/_words.json`: the labels the
//! layouts show as they are, the forms of an invoice's due status, and how a list is joined.
//!
//! The layouts need these several times per invoice. As a lookup in the engine's global context
//! (`{{ labels.issued }}`) or a filter (`{{ invoice.days_overdue | due_status }}`) they cost a fraction
//! of a component call. The wording stays with the translator, in the language's folder; this module
//! only picks the form and puts the number in.
//!
//! `build.rs` turns every `_words.json` into constants, so a malformed file fails the build and no JSON
//! parser ships for it; a missing or unknown entry is named when the language's engine is built.

/// Per language, its groups of `(entry, text)`: `{ "group": { "entry": "text" } }` in `_words.json`.
type Catalog = &'static [(&'static str, &'static [(&'static str, Group)])];
type Group = &'static [(&'static str, &'static str)];

static CATALOG: Catalog = include!(concat!(env!("OUT_DIR"), "/words.rs"));

pub(crate) struct Words {
    /// Shown as they are: `{{ labels.issued }}`, `{{ labels.how_to_pay }}`, ...
    labels: Group,
    due_status: DueStatus,
    and_list: AndList,
}

/// When an invoice is due, relative to the day of the message; reads after "is" in English ("is due in
/// 5 days", "is 1 day overdue") and before "ist" in German ("in 5 Tagen fällig ist").
struct DueStatus {
    /// Before the due date; `{n}` is the number of days to go.
    due_in: Plural,
    due_today: &'static str,
    /// After the due date; `{n}` is the number of days overdue.
    overdue: Plural,
}

/// A phrase with a count `{n}`, in the singular and the plural. The singular is used for exactly 1, as
/// in English and German; a language with other plural rules needs its rule here.
struct Plural {
    one: &'static str,
    other: &'static str,
}

/// "A", "A and B", "A, B and C".
struct AndList {
    separator: &'static str,
    last_separator: &'static str,
}

impl Words {
    /// The words of `language`. A missing group or entry, or one this module does not know, is a mistake
    /// in `_words.json`, reported with its name by the first render, which builds every engine.
    pub(crate) fn load(language: &str) -> Self {
        let path = format!("{language}/_words.json");
        let groups = CATALOG
            .iter()
            .find_map(|(known, groups)| (*known == language).then_some(*groups))
            .unwrap_or_else(|| panic!("{path} is missing"));
        if let Some((unknown, _)) = groups
            .iter()
            .find(|(name, _)| !["labels", "due_status", "and_list"].contains(name))
        {
            panic!("{path}: unknown group `{unknown}`");
        }
        let group = |name: &str| {
            groups
                .iter()
                .find_map(|(known, entries)| (*known == name).then_some(*entries))
                .unwrap_or_else(|| panic!("{path} has no `{name}`"))
        };
        let due_status = group("due_status");
        let and_list = group("and_list");
        only(
            &path,
            due_status,
            &[
                "due_in_one",
                "due_in_other",
                "due_today",
                "overdue_one",
                "overdue_other",
            ],
        );
        only(&path, and_list, &["separator", "last_separator"]);
        let due = |name| entry(&path, due_status, name);
        let list = |name| entry(&path, and_list, name);
        Words {
            labels: group("labels"),
            due_status: DueStatus {
                due_in: Plural {
                    one: due("due_in_one"),
                    other: due("due_in_other"),
                },
                due_today: due("due_today"),
                overdue: Plural {
                    one: due("overdue_one"),
                    other: due("overdue_other"),
                },
            },
            and_list: AndList {
                separator: list("separator"),
                last_separator: list("last_separator"),
            },
        }
    }

    /// Gives templates `labels` and the filters `due_status` and `and_list`.
    pub(crate) fn register(self, tera: &mut tera::Tera) {
        let Words {
            labels,
            due_status,
            and_list,
        } = self;
        let mut map = tera::Map::new();
        for (name, text) in labels {
            map.insert(tera::value::Key::Str(name), tera::Value::from(*text));
        }
        tera.global_context().insert_value("labels", tera::Value::from(map));
        tera.register_filter("due_status", move |days: i64, _: tera::Kwargs, _: &tera::State| {
            due_status.format(days)
        });
        tera.register_filter(
            "and_list",
            move |items: &[tera::Value], _: tera::Kwargs, _: &tera::State| and_list.join(items),
        );
    }
}

/// A group's text for `name`.
fn entry(path: &str, group: Group, name: &str) -> &'static str {
    group
        .iter()
        .find_map(|(known, text)| (*known == name).then_some(*text))
        .unwrap_or_else(|| panic!("{path} has no `{name}`"))
}

/// Fails for an entry not among `names`: a misspelt name would otherwise be ignored.
fn only(path: &str, group: Group, names: &[&str]) {
    if let Some((unknown, _)) = group.iter().find(|(name, _)| !names.contains(name)) {
        panic!("{path}: unknown entry `{unknown}`");
    }
}

impl DueStatus {
    fn format(&self, days: i64) -> String {
        match days {
            ..0 => self.due_in.format(days.unsigned_abs()),
            0 => self.due_today.to_owned(),
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
                joined.push_str(self.separator_before(index, items.len()));
            }
            joined.push_str(text);
        }
        Ok(joined)
    }

    /// What goes before item `index` (from 1) of `count`.
    fn separator_before(&self, index: usize, count: usize) -> &'static str {
        if index + 1 == count {
            self.last_separator
        } else {
            self.separator
        }
    }
}

// Native callers only (the core composing a message); the page's WebAssembly module need not carry it.
#[cfg(not(target_arch = "wasm32"))]
impl Words {
    /// `texts` joined as `language` joins a list ("$10.00 and €5.00"), for amounts a caller formats into
    /// one field, so that every list of amounts in a message reads alike.
    pub(crate) fn and_list(&self, texts: &[&str]) -> String {
        let mut joined = String::new();
        for (index, text) in texts.iter().enumerate() {
            if index > 0 {
                joined.push_str(self.and_list.separator_before(index, texts.len()));
            }
            joined.push_str(text);
        }
        joined
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
    fn every_language_has_every_word_and_the_same_labels() {
        let labels =
            |language: &str| -> Vec<&str> { Words::load(language).labels.iter().map(|(name, _)| *name).collect() };
        for language in crate::LANGUAGES {
            assert_eq!(labels(language), labels(crate::LANGUAGES[0]), "{language}");
        }
    }
}
