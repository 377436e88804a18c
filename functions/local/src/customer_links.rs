//! Customers' page links on this machine: the links every composed message carries, `kindly link`, and
//! the keys that sign them — a file next to the database (`kindly.db.link-keys` beside `kindly.db`), made
//! with one random key the first time a link is needed and reused by every later run, so links stay valid.
//!
//! One key per line, 64 hexadecimal digits; `#` comments and blank lines are skipped. The first line signs,
//! every line verifies: to rotate, put a new key first and delete the old line once its links may stop
//! working. The file is the only copy; it is never in the policy, a template or the source.

use crate::error::LocalError;
use chrono::{DateTime, Utc};
use kindly_core::link::{CustomerLinks, KEY_BYTES, LinkKey, LinkKeys};
use kindly_core::{CoreError, CustomerId, Policy, Reminder, ReminderStatus, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where `kindly serve` listens unless told otherwise: the base of links when no public address is given.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The links messages composed on this machine carry: signed with the key file beside `db` (made on first
/// use), under `public_url` (`--public-url` / `KINDLY_PUBLIC_URL`) or else [`DEFAULT_PUBLIC_URL`].
pub fn for_messages(db: &Path, public_url: Option<&str>) -> Result<CustomerLinks, LocalError> {
    under(public_url.unwrap_or(DEFAULT_PUBLIC_URL), load_or_create(db)?)
}

/// Links signed with `keys` under `public_url`; a bad address is an error naming the option.
pub fn under(public_url: &str, keys: LinkKeys) -> Result<CustomerLinks, LocalError> {
    CustomerLinks::new(public_url, keys).map_err(|problem| LocalError::Usage(format!("--public-url: {problem}")))
}

/// `policy` as a command that composes messages uses it: with [`for_messages`]'s links.
pub fn with_links(policy: &Policy, db: &Path, public_url: Option<&str>) -> Result<Policy, LocalError> {
    Ok(Policy {
        customer_links: Some(for_messages(db, public_url)?),
        ..policy.clone()
    })
}

/// A link made at `now` to `customer`'s page, for their latest message; and the reminder it names. An
/// error when the customer is unknown or was never written to.
pub async fn link_for<S: Store>(
    store: &S,
    policy: &Policy,
    links: &CustomerLinks,
    customer: &CustomerId,
    now: DateTime<Utc>,
) -> Result<(String, Reminder), LocalError> {
    if store.customer(customer).await?.is_none() {
        return Err(CoreError::NotFound {
            what: "customer",
            id: customer.0.clone(),
        }
        .into());
    }
    let reminders = store.reminders_of_customer(customer).await?;
    // The message they most likely hold: the last one sent, else the latest one written.
    let latest = reminders
        .into_iter()
        .filter(|reminder| reminder.draft.is_some())
        .max_by_key(|reminder| {
            (
                reminder.status == ReminderStatus::Sent,
                reminder.sent_on,
                reminder.created_at,
            )
        })
        .ok_or_else(|| {
            LocalError::Usage(format!(
                "customer `{customer}` has no message yet; a link names the message it is written into"
            ))
        })?;
    let expires_at = kindly_core::link::expiry(now, policy.customer_link_days);
    Ok((links.url(customer, &latest.id, expires_at), latest))
}

/// The first of `customers` who has a message, with a link to their page (what the demo shows).
pub async fn first_link<S: Store>(
    store: &S,
    policy: &Policy,
    links: &CustomerLinks,
    customers: &[CustomerId],
    now: DateTime<Utc>,
) -> Result<Option<(CustomerId, String)>, LocalError> {
    for customer in customers {
        match link_for(store, policy, links, customer, now).await {
            Ok((link, _)) => return Ok(Some((customer.clone(), link))),
            Err(LocalError::Usage(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Ok(None)
}

/// The key file that belongs to database `db`.
pub fn key_file_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".link-keys");
    PathBuf::from(name)
}

/// The keys in the file beside `db`, after making it with one fresh random key if there is none. A file
/// holding anything but keys is an error naming the file and the line, never a key.
pub fn load_or_create(db: &Path) -> Result<LinkKeys, LocalError> {
    let path = key_file_for(db);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(error) => Err(LocalError::io(&path, error)),
    }
}

/// Write a new key file readable by its owner only. `create_new`: if another `kindly` made it in the
/// meantime, its key is the one to use, so read it instead of replacing it.
fn create(path: &Path) -> Result<LinkKeys, LocalError> {
    let mut bytes = [0; KEY_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|error| LocalError::Usage(format!("no random source for a link key: {error}")))?;
    let key = LinkKey::new(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return parse(
                path,
                &std::fs::read_to_string(path).map_err(|error| LocalError::io(path, error))?,
            );
        }
        Err(error) => return Err(LocalError::io(path, error)),
    };
    let text = format!(
        "# kindly's keys for customers' page links: the first signs, every one verifies. Keep this file secret.\n{}\n",
        key.to_line()
    );
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| LocalError::io(path, error))?;
    Ok(LinkKeys::new(vec![key]).expect("one key"))
}

fn parse(path: &Path, text: &str) -> Result<LinkKeys, LocalError> {
    LinkKeys::from_lines(text).map_err(|problem| LocalError::Usage(format!("{}: {problem}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use kindly_core::{CustomerId, ReminderId};

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn the_first_need_makes_a_private_random_key_that_later_runs_reuse() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kindly.db");
        assert_eq!(key_file_for(&db), dir.path().join("kindly.db.link-keys"));
        let made = load_or_create(&db).unwrap();
        let text = std::fs::read_to_string(key_file_for(&db)).unwrap();
        assert_eq!(text.lines().filter(|line| !line.starts_with('#')).count(), 1, "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_file_for(&db)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The next run reads the same key: a link made now still opens later.
        let token = made.sign(&CustomerId("c".into()), &ReminderId("r".into()), at(2_000_000_000));
        assert!(load_or_create(&db).unwrap().verify(&token, at(1_000_000_000)).is_ok());
        // Another database has another key.
        let other = load_or_create(&dir.path().join("other.db")).unwrap();
        assert!(other.verify(&token, at(1_000_000_000)).is_err());
    }

    #[test]
    fn a_file_with_anything_but_keys_is_refused_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kindly.db");
        std::fs::write(key_file_for(&db), "# keys\nchange-me\n").unwrap();
        let error = load_or_create(&db).unwrap_err().to_string();
        assert!(
            error.ends_with("kindly.db.link-keys: line 2 is not a link key (64 hexadecimal digits, 32 bytes)"),
            "{error}"
        );
        assert_eq!(
            std::fs::read_to_string(key_file_for(&db)).unwrap(),
            "# keys\nchange-me\n",
            "left as it was"
        );
    }
}
