//! Finding records that describe the same customer, and merging them.
//!
//! Duplicates come from people typing the same customer twice on different keyboards (ي/ی,
//! ك/ک, with or without the zero-width non-joiner), with the number written differently
//! (`0912…`, `+98912…`, Persian digits), and from imports of the same list twice. So the
//! matching works on *keys*: the normalised email ([`Email`]), the E.164 phone ([`Phone`]) and a
//! Persian-normalised name ([`NameKey`]), with names allowed to differ by a typo or two.
//!
//! Comparing every record with every other is quadratic, so candidates are found by
//! *blocking*: each record gets a few [`BlockKey`]s (its emails, its phones, its name and the
//! name with any one letter deleted), and only records sharing a key are compared. Two names
//! one edit apart (a letter added, dropped, changed, or two neighbours swapped) always share a
//! key; two edits apart usually do, but not always — the price of not comparing everything.
//! Block keys are stable 64-bit hashes, so the store can keep them in an indexed column and
//! find the candidates for a new record with one query.
//!
//! Everything here is pure; the application decides which records to look at and what to do
//! with the matches.

use std::collections::{BTreeMap, HashSet};

use crate::email::Email;
use crate::phone::Phone;
use crate::record::{Fields, Value};
use crate::text::normalize_search;

/// The normalised form of an email address for matching, or `None` if it is not one.
pub fn email_key(input: &str) -> Option<String> {
    Email::parse(input).ok().map(|e| e.as_str().to_owned())
}

/// The E.164 form of a phone number for matching, or `None` if it is not one.
pub fn phone_key(input: &str) -> Option<String> {
    Phone::parse(input).ok().map(|p| p.as_str().to_owned())
}

/// Titles that are written before names but are not part of them.
const TITLES: &[&str] = &[
    "آقای",
    "آقا",
    "خانم",
    "دکتر",
    "مهندس",
    "استاد",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "eng",
];

/// A name reduced for matching: search-normalised (see [`normalize_search`]), alef and hamza
/// variants folded, punctuation and titles dropped, and the words joined without spaces.
///
/// Joining without spaces makes «محمد رضا» and «محمدرضا», or «علی‌رضا» and «علیرضا», the same
/// key; the second form, with the words sorted first, makes «رضایی علی» match «علی رضایی».
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NameKey {
    compact: String,
    sorted: String,
}

impl NameKey {
    /// The key of a name as typed, e.g. a contact's first and last name joined by a space.
    pub fn new(name: &str) -> NameKey {
        let folded: String = normalize_search(name)
            .chars()
            .filter_map(fold_name_char)
            .collect();
        let mut words: Vec<&str> = folded
            .split(' ')
            .filter(|w| !w.is_empty() && !TITLES.contains(w))
            .collect();
        let compact = words.concat();
        words.sort_unstable();
        NameKey {
            compact,
            sorted: words.concat(),
        }
    }

    /// The words in the order given, joined.
    pub fn compact(&self) -> &str {
        &self.compact
    }

    /// The words in sorted order, joined.
    pub fn sorted(&self) -> &str {
        &self.sorted
    }

    /// Whether the name had no letters or digits at all.
    pub fn is_empty(&self) -> bool {
        self.compact.is_empty()
    }
}

/// Folds letters that are spelled either way in names and turns punctuation into word breaks.
fn fold_name_char(c: char) -> Option<char> {
    match c {
        'آ' | 'أ' | 'إ' | 'ٱ' => Some('ا'),
        'ؤ' => Some('و'),
        'ئ' => Some('ی'),
        'ء' => None,
        c if c.is_alphanumeric() => Some(c),
        _ => Some(' '),
    }
}

/// How many edits two names of this many letters may differ by and still be "similar".
///
/// Short names get none: «علی» and «ولی» are different people, not a typo.
pub fn allowed_edits(letters: usize) -> usize {
    match letters {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The optimal-string-alignment distance between `a` and `b` (insertions, deletions,
/// substitutions and swaps of neighbours, each costing one), if it is at most `max`.
pub fn bounded_edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Three rows of the dynamic-programming table are enough for the swap rule.
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        // Every later row is at least this row's minimum, so stop once it is too far.
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[b.len()];
    (d <= max).then_some(d)
}

/// Whether two names are similar enough to suggest the same customer: equal keys, or within
/// [`allowed_edits`] of the shorter name, in the given word order or with the words sorted.
pub fn names_similar(a: &NameKey, b: &NameKey) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a.compact == b.compact || a.sorted == b.sorted {
        return true;
    }
    let letters = a.compact.chars().count().min(b.compact.chars().count());
    let max = allowed_edits(letters);
    max > 0
        && (bounded_edit_distance(&a.compact, &b.compact, max).is_some()
            || bounded_edit_distance(&a.sorted, &b.sorted, max).is_some())
}

/// Which fields of a record kind duplicate matching looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchSpec<'a> {
    /// Fields whose values, joined by spaces, are the name.
    pub name_fields: &'a [&'a str],
    /// Fields holding email addresses.
    pub email_fields: &'a [&'a str],
    /// Fields holding phone numbers.
    pub phone_fields: &'a [&'a str],
}

/// What duplicate matching looks at in contacts (and leads): name, email, mobile and phone.
pub const PERSON_MATCH: MatchSpec<'static> = MatchSpec {
    name_fields: &["first_name", "last_name"],
    email_fields: &["email"],
    phone_fields: &["mobile", "phone"],
};

/// What duplicate matching looks at in accounts: name, email and phone.
pub const ACCOUNT_MATCH: MatchSpec<'static> = MatchSpec {
    name_fields: &["name"],
    email_fields: &["email"],
    phone_fields: &["phone"],
};

/// Everything duplicate matching knows about one record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// The name key.
    pub name: NameKey,
    /// Normalised emails, without repeats; values that are not emails are left out.
    pub emails: Vec<String>,
    /// E.164 phones, without repeats; values that are not phones are left out.
    pub phones: Vec<String>,
}

impl MatchKeys {
    /// The keys of a record given as plain text: its name and any emails and phones, in any
    /// form a user typed them.
    pub fn new<'a>(
        name: &str,
        emails: impl IntoIterator<Item = &'a str>,
        phones: impl IntoIterator<Item = &'a str>,
    ) -> MatchKeys {
        let mut keys = MatchKeys {
            name: NameKey::new(name),
            ..MatchKeys::default()
        };
        for email in emails.into_iter().filter_map(email_key) {
            if !keys.emails.contains(&email) {
                keys.emails.push(email);
            }
        }
        for phone in phones.into_iter().filter_map(phone_key) {
            if !keys.phones.contains(&phone) {
                keys.phones.push(phone);
            }
        }
        keys
    }

    /// The keys of a validated record's fields, using the fields `spec` names.
    pub fn from_fields(fields: &Fields, spec: &MatchSpec<'_>) -> MatchKeys {
        let texts = |names: &[&str]| -> Vec<String> {
            names
                .iter()
                .filter_map(|n| fields.get(*n).and_then(Value::as_text))
                .map(str::to_owned)
                .collect()
        };
        let name = texts(spec.name_fields).join(" ");
        let emails = texts(spec.email_fields);
        let phones = texts(spec.phone_fields);
        MatchKeys::new(
            &name,
            emails.iter().map(String::as_str),
            phones.iter().map(String::as_str),
        )
    }
}

/// Why two records look like the same customer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct MatchReasons {
    /// They share an email address.
    pub email: bool,
    /// They share a phone number.
    pub phone: bool,
    /// Their names are similar.
    pub name: bool,
    /// Only the names match, and both records have emails (or both have phones) that differ:
    /// most likely two people with the same name.
    pub conflicting: bool,
}

impl MatchReasons {
    /// Whether they share an email or a phone: strong evidence of one customer.
    pub fn is_strong(&self) -> bool {
        self.email || self.phone
    }

    /// Whether the pair should be shown as a possible duplicate: a shared email or phone, or a
    /// similar name not contradicted by different emails or phones.
    pub fn is_possible_duplicate(&self) -> bool {
        self.is_strong() || (self.name && !self.conflicting)
    }
}

/// Compares two records' keys.
pub fn compare(a: &MatchKeys, b: &MatchKeys) -> MatchReasons {
    let shares = |x: &[String], y: &[String]| x.iter().any(|v| y.contains(v));
    let email = shares(&a.emails, &b.emails);
    let phone = shares(&a.phones, &b.phones);
    let name = names_similar(&a.name, &b.name);
    let differ = |x: &[String], y: &[String]| !x.is_empty() && !y.is_empty() && !shares(x, y);
    MatchReasons {
        email,
        phone,
        name,
        conflicting: name
            && !email
            && !phone
            && (differ(&a.emails, &b.emails) || differ(&a.phones, &b.phones)),
    }
}

/// A key that records which might be duplicates have in common; see the module documentation.
///
/// The value is a 64-bit FNV-1a hash of a kind tag and the key text, the same on every
/// machine and in every version of Peyvand that keeps this normalisation, so it may be
/// stored (as a signed 64-bit column, via `as i64`) and looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockKey(pub u64);

impl BlockKey {
    fn of(tag: u8, text: &str) -> BlockKey {
        BlockKey::of_joined(tag, text, "")
    }

    /// The key of `head` and `tail` written one after the other, without writing them out:
    /// a name with one letter deleted is its text before the letter and after it.
    fn of_joined(tag: u8, head: &str, tail: &str) -> BlockKey {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        for byte in std::iter::once(tag).chain(head.bytes()).chain(tail.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
        BlockKey(hash)
    }
}

/// The block keys of a record: one per email and phone, and for the name its compact key,
/// that key with each single letter deleted (names one edit apart share one of these), and the
/// sorted-words key. Names too short for any edit contribute only their exact keys. Without
/// repeats.
pub fn block_keys(keys: &MatchKeys) -> Vec<BlockKey> {
    let mut out = Vec::new();
    out.extend(keys.emails.iter().map(|e| BlockKey::of(b'e', e)));
    out.extend(keys.phones.iter().map(|p| BlockKey::of(b'p', p)));
    let name = &keys.name;
    if !name.is_empty() {
        out.push(BlockKey::of(b'n', &name.compact));
        if name.sorted != name.compact {
            out.push(BlockKey::of(b'n', &name.sorted));
        }
        let compact = name.compact.as_str();
        if allowed_edits(compact.chars().count()) > 0 {
            // Hashed in two parts around the deleted letter rather than copied into a string
            // per variant: these copies were a tenth of preparing a created contact (perf).
            for (at, letter) in compact.char_indices() {
                let (head, rest) = compact.split_at(at);
                out.push(BlockKey::of_joined(b'n', head, &rest[letter.len_utf8()..]));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Settings of [`find_duplicate_pairs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Blocks with more records than this are not compared pairwise. A very common name, or a
    /// company switchboard number shared by hundreds of contacts, would otherwise tie
    /// unrelated records into one huge group and cost quadratic time.
    pub max_block_size: usize,
    /// Whether pairs matched by name alone are reported (see
    /// [`MatchReasons::is_possible_duplicate`]); otherwise only shared emails and phones count.
    pub include_name_only: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_block_size: 50,
            include_name_only: true,
        }
    }
}

/// Two records (by index into the scanned slice) that look like duplicates, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DuplicatePair {
    /// The smaller index.
    pub first: usize,
    /// The larger index.
    pub second: usize,
    /// What they have in common.
    pub reasons: MatchReasons,
}

/// What [`find_duplicate_pairs`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Every pair that looks like a duplicate, ordered by `first`, then `second`.
    pub pairs: Vec<DuplicatePair>,
    /// How many blocks were too large to compare (see [`ScanOptions::max_block_size`]).
    pub oversized_blocks: usize,
    /// The number of records in the largest of those blocks.
    pub largest_block: usize,
}

/// Finds the possible duplicates among `records` by blocking (see the module documentation).
///
/// Memory grows with the number of block keys (about 16 bytes per key, some 15 keys a
/// record) and time with the sizes of the blocks, so it suits a report over existing data;
/// for one new record, look up its [`block_keys`] in the store instead.
pub fn find_duplicate_pairs(records: &[MatchKeys], options: &ScanOptions) -> ScanReport {
    let mut entries: Vec<(BlockKey, u32)> = Vec::new();
    for (index, keys) in records.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        entries.extend(block_keys(keys).into_iter().map(|k| (k, index)));
    }
    entries.sort_unstable();
    let mut report = ScanReport::default();
    let mut compared: HashSet<(u32, u32)> = HashSet::new();
    for block in entries.chunk_by(|a, b| a.0 == b.0) {
        if block.len() > options.max_block_size {
            report.oversized_blocks += 1;
            report.largest_block = report.largest_block.max(block.len());
            continue;
        }
        for (i, &(_, first)) in block.iter().enumerate() {
            for &(_, second) in &block[i + 1..] {
                if !compared.insert((first, second)) {
                    continue;
                }
                let reasons = compare(&records[first as usize], &records[second as usize]);
                let wanted = if options.include_name_only {
                    reasons.is_possible_duplicate()
                } else {
                    reasons.is_strong()
                };
                if wanted {
                    report.pairs.push(DuplicatePair {
                        first: first as usize,
                        second: second as usize,
                        reasons,
                    });
                }
            }
        }
    }
    report.pairs.sort_unstable_by_key(|p| (p.first, p.second));
    report
}

/// Turns pairs of duplicates into groups: records connected through any chain of pairs end
/// up in one group (union–find). Each group lists its members in ascending order, has at least
/// two, and groups are ordered by their first member. Pairs naming an index at or beyond
/// `record_count` are ignored.
pub fn group_duplicates(
    record_count: usize,
    pairs: impl IntoIterator<Item = (usize, usize)>,
) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..record_count).collect();
    let mut size = vec![1usize; record_count];
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            // Path halving keeps the trees shallow without recursion.
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, b) in pairs {
        if a >= record_count || b >= record_count {
            continue;
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            let (big, small) = if size[ra] >= size[rb] {
                (ra, rb)
            } else {
                (rb, ra)
            };
            parent[small] = big;
            size[big] += size[small];
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for x in 0..record_count {
        let r = root(&mut parent, x);
        if size[r] > 1 {
            groups.entry(r).or_default().push(x);
        }
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort_unstable_by_key(|g| g[0]);
    out
}

/// Whether a value counts as empty when merging: no value, blank text or no tags.
fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Text(s) => s.trim().is_empty(),
        Value::Tags(tags) => tags.is_empty(),
        _ => false,
    }
}

/// The field values of the record that results from merging `records`.
///
/// For every field any of them has: the value from the record `picks` names for that field
/// (the user's explicit choice) if it is in range; otherwise the value of the `primary` record
/// if it is not empty; otherwise the first non-empty value in the order given. Tags the user
/// did not pick explicitly are the union of everyone's tags (primary's first, no repeats after
/// search normalisation), because losing a tag in a merge is never what anyone wants. A field
/// every record leaves empty is `Null`. The caller removes fields that must not be copied
/// (timestamps, ids) and validates the result as an update.
pub fn merge_fields(
    records: &[&Fields],
    primary: usize,
    picks: &BTreeMap<String, usize>,
) -> Fields {
    // The primary first, then the others in their order.
    let order: Vec<&Fields> = records
        .get(primary)
        .into_iter()
        .copied()
        .chain(
            records
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != primary)
                .map(|(_, r)| *r),
        )
        .collect();
    let mut merged = Fields::new();
    for name in records.iter().flat_map(|r| r.keys()) {
        if merged.contains_key(name) {
            continue;
        }
        let picked = picks
            .get(name.as_ref())
            .and_then(|&i| records.get(i))
            .map(|r| r.get(name).cloned().unwrap_or(Value::Null));
        let value = picked.unwrap_or_else(|| {
            let values = order.iter().filter_map(|r| r.get(name));
            if values.clone().any(|v| matches!(v, Value::Tags(_))) {
                union_tags(values)
            } else {
                values
                    .clone()
                    .find(|v| !is_empty_value(v))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
        });
        merged.insert(name.clone(), value);
    }
    merged
}

/// All tags of `values`, in order, without repeats after search normalisation.
fn union_tags<'a>(values: impl Iterator<Item = &'a Value>) -> Value {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for value in values {
        if let Value::Tags(tags) = value {
            for tag in tags {
                if seen.insert(normalize_search(tag)) {
                    out.push(tag.clone());
                }
            }
        }
    }
    if out.is_empty() {
        Value::Null
    } else {
        Value::Tags(out)
    }
}

#[cfg(test)]
#[path = "duplicate_tests.rs"]
mod tests;
