//! Signed customer links: the token in `/c/{token}` that opens one customer's own page without a login.
//!
//! A token is `base64url(payload ‖ tag)` without padding, where the payload holds a format version, the
//! expiry (Unix seconds) and the customer and reminder ids, each length-prefixed so no two triples share
//! bytes, and the tag is HMAC-SHA256 over a fixed label and the payload. Several keys may be active while
//! one is rotated: the first signs, any verifies. Pure: the keys and the clock are parameters; the adapters
//! keep the keys (a key file locally, a secret on AWS).

use crate::customer::CustomerId;
use crate::reminder::ReminderId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The bytes of one link key: 32 random bytes, the strength of the hash it keys.
pub const KEY_BYTES: usize = 32;

/// The payload's format; a later format gets a new number and old links keep being read or refused.
const VERSION: u8 = 1;

/// Mixed into every tag, so a key used for links signs nothing that could pass for another kind of message.
const LABEL: &[u8] = b"kindly customer link";

/// Mixed into the tag of a page's form ([`LinkKeys::form_tag`]), so it can never pass for a link's.
const FORM_LABEL: &[u8] = b"kindly customer page form";

const TAG_BYTES: usize = 32;

/// The longest id a token carries: the store's limit on ids, in characters of up to four bytes.
const MAX_ID_BYTES: usize = 4 * crate::limits::ID;

/// The longest token [`LinkKeys::sign`] makes (two ids at their longest); anything longer is not a token
/// and need not be decoded.
pub const MAX_TOKEN_CHARS: usize = (4 * (1 + 8 + 2 * (2 + MAX_ID_BYTES) + TAG_BYTES)).div_ceil(3);

/// One secret link key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkKey([u8; KEY_BYTES]);

impl LinkKey {
    pub fn new(bytes: [u8; KEY_BYTES]) -> LinkKey {
        LinkKey(bytes)
    }

    /// The key as a line of a key file: lower-case hex.
    pub fn to_line(&self) -> String {
        hex::encode(self.0)
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.mac_for(LABEL)
    }

    fn mac_for(&self, label: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(label);
        mac
    }
}

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

/// The active link keys: the first signs, every one verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkKeys(Vec<LinkKey>);

/// Why a key file's text holds no usable keys. Names the line, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    #[error("line {line} is not a link key (64 hexadecimal digits, 32 bytes)")]
    NotAKey { line: usize },
    #[error("no link key (one per line: 64 hexadecimal digits)")]
    Empty,
}

impl LinkKeys {
    /// Keys in signing order: the first signs. `None` when there is none.
    pub fn new(keys: Vec<LinkKey>) -> Option<LinkKeys> {
        (!keys.is_empty()).then_some(LinkKeys(keys))
    }

    /// The keys written one per line as hex (blank lines and `#` comments skipped), as in a key file or a
    /// secret. A short or malformed line is refused, so a placeholder never becomes a key anyone can guess.
    pub fn from_lines(text: &str) -> Result<LinkKeys, KeysError> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut bytes = [0; KEY_BYTES];
            hex::decode_to_slice(line, &mut bytes).map_err(|_| KeysError::NotAKey { line: index + 1 })?;
            keys.push(LinkKey(bytes));
        }
        LinkKeys::new(keys).ok_or(KeysError::Empty)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The token for `customer`'s page, reached from `reminder`, valid until `expires_at`. Ids beyond the
    /// store's limit ([`crate::limits::ID`] characters) cannot be carried: none is ever stored.
    pub fn sign(&self, customer: &CustomerId, reminder: &ReminderId, expires_at: DateTime<Utc>) -> String {
        let payload = payload(customer, reminder, expires_at.timestamp());
        let mut mac = self.0[0].mac();
        mac.update(&payload);
        let mut token = payload;
        token.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(token)
    }

    /// What a genuine, unexpired token names; otherwise why it is refused (for the log only: a visitor is
    /// told the same whatever the reason). The tag is compared in constant time, and before anything in the
    /// payload is read.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<LinkTarget, LinkRefused> {
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| LinkRefused::Unreadable)?;
        let split = bytes.len().checked_sub(TAG_BYTES).ok_or(LinkRefused::Unreadable)?;
        let (payload, tag) = bytes.split_at(split);
        let signed_with = |key: &LinkKey| {
            let mut mac = key.mac();
            mac.update(payload);
            mac.verify_slice(tag).is_ok()
        };
        if !self.0.iter().any(signed_with) {
            return Err(LinkRefused::Tampered);
        }
        // Only kindly's own keys signed this, so a payload that does not read is another format.
        let target = read_payload(payload).ok_or(LinkRefused::Unreadable)?;
        if target.expires_at <= now {
            return Err(LinkRefused::Expired);
        }
        Ok(target)
    }

    /// The tag that binds a form's one-time value `form` to the link `token` of the page it was shown on
    /// (base64url): a post that carries it came from a page that link opened. Keyed like links, under a
    /// label of its own.
    pub fn form_tag(&self, token: &str, form: &str) -> String {
        URL_SAFE_NO_PAD.encode(form_mac(&self.0[0], token, form).finalize().into_bytes())
    }

    /// Whether `tag` is [`LinkKeys::form_tag`]'s for `token` and `form` under any active key, compared in
    /// constant time.
    pub fn verify_form_tag(&self, token: &str, form: &str, tag: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        self.0
            .iter()
            .any(|key| form_mac(key, token, form).verify_slice(&tag).is_ok())
    }
}

impl LinkKeys {
    /// The tag in the reply address of message `reminder` ([`crate::feedback::reply_local_part`]): lower-case
    /// hex, since mail systems may change the case of an address's local part. Keyed like links, under a
    /// label of its own, and short (96 bits) to keep the address readable.
    pub fn reply_tag(&self, reminder: &ReminderId) -> String {
        let mut mac = self.0[0].mac_for(REPLY_LABEL);
        mac.update(reminder.0.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..REPLY_TAG_BYTES])
    }

    /// Whether `tag` is [`LinkKeys::reply_tag`]'s for `reminder` under any active key (any case), compared
    /// in constant time.
    pub fn verify_reply_tag(&self, reminder: &ReminderId, tag: &str) -> bool {
        let Ok(tag) = hex::decode(tag.to_ascii_lowercase()) else {
            return false;
        };
        self.0.iter().any(|key| {
            let mut mac = key.mac_for(REPLY_LABEL);
            mac.update(reminder.0.as_bytes());
            mac.verify_truncated_left(&tag).is_ok() && tag.len() == REPLY_TAG_BYTES
        })
    }
}

/// Mixed into the tag of a reply address, so it can never pass for a link's or a form's.
const REPLY_LABEL: &[u8] = b"kindly reply address";

const REPLY_TAG_BYTES: usize = 12;

/// The MAC over a form's link token and one-time value, each length-prefixed.
fn form_mac(key: &LinkKey, token: &str, form: &str) -> Hmac<Sha256> {
    let mut mac = key.mac_for(FORM_LABEL);
    for part in [token, form] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac
}

/// Where customers' page links point and the keys that sign them: set by the deployment (the key file
/// locally, a secret on AWS) on [`crate::Policy::customer_links`], never read from a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLinks {
    /// Where customers reach the page, without the `/c/...` path, e.g. `https://billing.example.com`.
    base_url: String,
    keys: LinkKeys,
}

/// A base URL links cannot be put under. Names the value (an address, not a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an address to put customers' page links under: give http:// or https:// and a host, \
     without spaces, query or fragment (e.g. https://billing.example.com)"
)]
pub struct NotABaseUrl(String);

impl CustomerLinks {
    /// Links under `base_url` (a trailing `/` is dropped), signed with `keys`' first key. Refused unless it
    /// is a plain web address, which every message then shows as a link.
    pub fn new(base_url: &str, keys: LinkKeys) -> Result<CustomerLinks, NotABaseUrl> {
        let trimmed = base_url.trim_end_matches('/');
        let host = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        let plain = trimmed
            .chars()
            .all(|c| c.is_ascii_graphic() && !"?#\"'<>\\`{}|^".contains(c));
        if host.is_empty() || !plain {
            return Err(NotABaseUrl(base_url.to_owned()));
        }
        Ok(CustomerLinks {
            base_url: trimmed.to_owned(),
            keys,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn keys(&self) -> &LinkKeys {
        &self.keys
    }

    /// The address of `customer`'s page from the message `reminder`, working until `expires_at`.
    pub fn url(&self, customer: &CustomerId, reminder: &ReminderId, expires_at: DateTime<Utc>) -> String {
        format!("{}/c/{}", self.base_url, self.keys.sign(customer, reminder, expires_at))
    }
}

/// When a link made at `now` stops working: `days` later.
pub fn expiry(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now + Duration::days(i64::from(days))
}

/// What a verified token opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub customer: CustomerId,
    /// The message the link was written into.
    pub reminder: ReminderId,
    pub expires_at: DateTime<Utc>,
}

/// Why a token opens nothing. Logged; never shown to the visitor, who sees one polite page for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("not a link token (malformed or truncated)")]
    Unreadable,
    #[error("no active link key signed this token (tampered, or signed with a retired key)")]
    Tampered,
    #[error("the link has expired")]
    Expired,
}

fn payload(customer: &CustomerId, reminder: &ReminderId, expires_at: i64) -> Vec<u8> {
    let mut payload = vec![VERSION];
    payload.extend_from_slice(&expires_at.to_be_bytes());
    for id in [customer.0.as_bytes(), reminder.0.as_bytes()] {
        assert!(
            id.len() <= MAX_ID_BYTES,
            "an id of {} bytes cannot go into a link",
            id.len()
        );
        payload.extend_from_slice(&(id.len() as u16).to_be_bytes());
        payload.extend_from_slice(id);
    }
    payload
}

fn read_payload(payload: &[u8]) -> Option<LinkTarget> {
    let (&version, rest) = payload.split_first()?;
    if version != VERSION {
        return None;
    }
    let (expires_at, rest) = rest.split_first_chunk::<8>()?;
    let expires_at = DateTime::from_timestamp(i64::from_be_bytes(*expires_at), 0)?;
    let (customer, rest) = read_id(rest)?;
    let (reminder, rest) = read_id(rest)?;
    rest.is_empty().then_some(LinkTarget {
        customer: CustomerId(customer),
        reminder: ReminderId(reminder),
        expires_at,
    })
}

fn read_id(bytes: &[u8]) -> Option<(String, &[u8])> {
    let (length, rest) = bytes.split_first_chunk::<2>()?;
    let (id, rest) = rest.split_at_checked(usize::from(u16::from_be_bytes(*length)))?;
    Some((String::from_utf8(id.to_vec()).ok()?, rest))
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
