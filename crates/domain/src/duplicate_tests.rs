use super::*;
use crate::record::FieldName;

/// A small deterministic generator, so the property-style tests below explore many inputs
/// without a dependency and fail the same way every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const LETTERS: &[char] = &[
    'ا', 'ب', 'پ', 'ت', 'ج', 'چ', 'د', 'ر', 'ز', 'س', 'ش', 'ف', 'ق', 'ک', 'گ', 'ل', 'م', 'ن', 'و',
    'ه', 'ی', 'a', 'b', 'e', 'k', 'r', 's',
];

fn random_word(rng: &mut Rng, len: usize) -> String {
    (0..len)
        .map(|_| LETTERS[rng.below(LETTERS.len())])
        .collect()
}

/// `word` with one random edit: insert, delete, substitute or swap neighbours.
fn one_edit(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = rng.below(chars.len());
    match rng.below(4) {
        0 => chars.insert(at, LETTERS[rng.below(LETTERS.len())]),
        1 => {
            chars.remove(at);
        }
        2 => chars[at] = LETTERS[rng.below(LETTERS.len())],
        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars[at] = LETTERS[rng.below(LETTERS.len())],
    }
    chars.into_iter().collect()
}

fn key(name: &str) -> NameKey {
    NameKey::new(name)
}

#[test]
fn name_keys_ignore_spelling_variants() {
    let same = [
        ("محمد رضا", "محمدرضا"),
        ("علی‌رضا", "علیرضا"),
        ("علي رضايي", "علی رضایی"),
        ("كاظم", "کاظم"),
        ("آرش", "ارش"),
        ("مسئول", "مسیول"),
        ("  Ali   Rezaei ", "ali rezaei"),
        ("Ali-Reza", "alireza"),
        ("دکتر علی رضایی", "علی رضایی"),
        ("۱۲۳ شرکت", "123 شرکت"),
        ("مُحَمَّد", "محمد"),
    ];
    for (a, b) in same {
        assert_eq!(key(a).compact(), key(b).compact(), "{a:?} vs {b:?}");
    }
    assert_eq!(key("علی رضایی").compact(), "علیرضایی");
    assert_eq!(key("رضایی علی").sorted(), key("علی رضایی").sorted());
    assert!(key(" - . ").is_empty());
    assert_ne!(key("علی"), key("ولی"));
}

#[test]
fn edit_distance_counts_edits() {
    let cases = [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "abd", 1),
        ("abc", "ab", 1),
        ("abc", "xabc", 1),
        ("abcd", "abdc", 1),
        ("رضایی", "رضائی", 1),
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),
    ];
    for (a, b, d) in cases {
        assert_eq!(bounded_edit_distance(a, b, 5), Some(d), "{a:?} {b:?}");
        assert_eq!(bounded_edit_distance(b, a, 5), Some(d), "{b:?} {a:?}");
        if d > 0 {
            assert_eq!(bounded_edit_distance(a, b, d - 1), None, "{a:?} {b:?}");
        }
    }
}

#[test]
fn similar_names_allow_small_differences_by_length() {
    let similar = [
        ("علی رضایی", "علی رضائی"),
        ("محمدرضا کریمی", "محمد رضا کریمی"),
        ("محمدرضا کریمی", "محمدرضا کریمیان"),
        ("رضایی علی", "علی رضایی"),
        ("Mohammad Karimi", "Mohamad Karimi"),
        ("زهرا احمدی", "زهره احمدی"),
        ("زهرا", "زهره"),
    ];
    for (a, b) in similar {
        assert!(names_similar(&key(a), &key(b)), "{a:?} vs {b:?}");
        assert!(names_similar(&key(b), &key(a)), "{b:?} vs {a:?}");
    }
    let different = [
        ("علی", "ولی"),
        ("علی رضایی", "مریم رضایی"),
        ("محمد کریمی", "احمد رحیمی"),
        ("", ""),
        ("علی", ""),
    ];
    for (a, b) in different {
        assert!(!names_similar(&key(a), &key(b)), "{a:?} vs {b:?}");
    }
}

#[test]
fn match_keys_normalise_and_skip_invalid_values() {
    let keys = MatchKeys::new(
        "علي رضايي",
        ["Ali@Example.com", "ali@example.com", "not an email", ""],
        ["۰۹۱۲ ۱۲۳ ۴۵۶۷", "+989121234567", "123"],
    );
    assert_eq!(keys.emails, ["ali@example.com"]);
    assert_eq!(keys.phones, ["+989121234567"]);
    assert_eq!(keys.name, key("علی رضایی"));

    let mut fields = Fields::new();
    fields.insert(FieldName::Borrowed("first_name"), Value::Text("علی".into()));
    fields.insert(
        FieldName::Borrowed("last_name"),
        Value::Text("رضایی".into()),
    );
    fields.insert(
        FieldName::Borrowed("mobile"),
        Value::Text("+989121234567".into()),
    );
    fields.insert(FieldName::Borrowed("phone"), Value::Null);
    assert_eq!(
        MatchKeys::from_fields(&fields, &PERSON_MATCH),
        MatchKeys::new("علی رضایی", [], ["09121234567"])
    );
}

#[test]
fn compare_explains_the_match() {
    let ali = MatchKeys::new("علی رضایی", ["ali@x.ir"], ["09121234567"]);
    let same_mobile = MatchKeys::new("A. Rezaei", [], ["+989121234567"]);
    let r = compare(&ali, &same_mobile);
    assert!(r.phone && !r.email && !r.name && r.is_strong());

    let typo = MatchKeys::new("علی رضائی", [], []);
    let r = compare(&ali, &typo);
    assert!(r.name && !r.conflicting && r.is_possible_duplicate() && !r.is_strong());

    let namesake = MatchKeys::new("علی رضایی", ["other@x.ir"], []);
    let r = compare(&ali, &namesake);
    assert!(r.name && r.conflicting && !r.is_possible_duplicate());

    let stranger = MatchKeys::new("مریم احمدی", ["m@x.ir"], ["09350000000"]);
    assert_eq!(compare(&ali, &stranger), MatchReasons::default());
}

#[test]
fn block_keys_are_stable_and_deduplicated() {
    let keys = MatchKeys::new("علی", ["a@b.co"], ["09121234567"]);
    let blocks = block_keys(&keys);
    // Email, phone and the exact name; a three-letter name gets no deletion variants.
    assert_eq!(blocks.len(), 3);
    let mut sorted = blocks.clone();
    sorted.dedup();
    assert_eq!(sorted, blocks);
    // FNV-1a of "e" + "a@b.co": the hash is part of the stored format, so pin it.
    assert!(blocks.contains(&BlockKey::of(b'e', "a@b.co")));
    assert_eq!(BlockKey::of(b'e', "").0, 0xaf63_d84c_8601_e5c0);
    assert_eq!(block_keys(&MatchKeys::default()), vec![]);
}

#[test]
fn a_deletion_key_is_the_key_of_the_name_without_that_letter() {
    // Stored keys must not change with how they are computed: each variant's key is the
    // key of the written-out name with one letter deleted, Persian letters included.
    let keys = MatchKeys::new("مریم رضایی", [], []);
    let blocks = block_keys(&keys);
    let compact: Vec<char> = keys.name.compact.chars().collect();
    for skip in 0..compact.len() {
        let variant: String = compact
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, c)| c)
            .collect();
        assert!(
            blocks.contains(&BlockKey::of(b'n', &variant)),
            "no key for {variant:?}"
        );
    }
    assert_eq!(
        BlockKey::of_joined(b'n', "ab", "c"),
        BlockKey::of(b'n', "abc")
    );
}

#[test]
fn property_names_one_edit_apart_share_a_block_and_are_similar() {
    let mut rng = Rng(0x5eed);
    for _ in 0..3000 {
        let len = 4 + rng.below(10);
        let name = random_word(&mut rng, len);
        let edited = one_edit(&mut rng, &name);
        let (a, b) = (
            MatchKeys::new(&name, [], []),
            MatchKeys::new(&edited, [], []),
        );
        let (ka, kb) = (block_keys(&a), block_keys(&b));
        assert!(
            ka.iter().any(|k| kb.contains(k)),
            "{name:?} and {edited:?} share no block"
        );
        if edited.chars().count() >= 4 {
            assert!(names_similar(&a.name, &b.name), "{name:?} vs {edited:?}");
        }
    }
}

#[test]
fn property_similarity_is_symmetric_and_reflexive() {
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let (la, lb) = (1 + rng.below(12), 1 + rng.below(12));
        let a = key(&random_word(&mut rng, la));
        let b = key(&random_word(&mut rng, lb));
        assert_eq!(names_similar(&a, &b), names_similar(&b, &a), "{a:?} {b:?}");
        assert!(names_similar(&a, &a));
    }
}

#[test]
fn scan_finds_pairs_by_every_reason_and_skips_huge_blocks() {
    let records = vec![
        MatchKeys::new("علی رضایی", ["ali@x.ir"], []),      // 0
        MatchKeys::new("Ali Rezaei", ["ALI@x.ir"], []),     // 1: email of 0
        MatchKeys::new("مریم احمدی", [], ["09121111111"]),  // 2
        MatchKeys::new("M. Ahmadi", [], ["+989121111111"]), // 3: phone of 2
        MatchKeys::new("محمدرضا کریمی", [], []),            // 4
        MatchKeys::new("محمد رضا کریمی", [], []),           // 5: name of 4
        MatchKeys::new("محمدرضا کریمی", ["k1@x.ir"], []),   // 6
        MatchKeys::new("سارا نوری", [], []),                // 7: nobody
    ];
    let report = find_duplicate_pairs(&records, &ScanOptions::default());
    let pairs: Vec<(usize, usize)> = report.pairs.iter().map(|p| (p.first, p.second)).collect();
    assert_eq!(pairs, [(0, 1), (2, 3), (4, 5), (4, 6), (5, 6)]);
    assert!(report.pairs[0].reasons.email);
    assert!(report.pairs[1].reasons.phone);
    assert!(report.pairs[2].reasons.name);
    assert_eq!(report.oversized_blocks, 0);

    let strong_only = find_duplicate_pairs(
        &records,
        &ScanOptions {
            include_name_only: false,
            ..ScanOptions::default()
        },
    );
    assert_eq!(strong_only.pairs.len(), 2);

    // Sixty contacts sharing a switchboard number are not sixty duplicates.
    let shared: Vec<MatchKeys> = (0..60)
        .map(|i| MatchKeys::new(&format!("person{i} x{}", i * 7919), [], ["02188776655"]))
        .collect();
    let report = find_duplicate_pairs(&shared, &ScanOptions::default());
    assert!(report.pairs.is_empty());
    assert_eq!(report.oversized_blocks, 1);
    assert_eq!(report.largest_block, 60);
}

#[test]
fn groups_are_connected_components() {
    let groups = group_duplicates(8, [(0, 3), (3, 5), (6, 7), (1, 1), (2, 99)]);
    assert_eq!(groups, vec![vec![0, 3, 5], vec![6, 7]]);
    assert!(group_duplicates(0, [(0, 1)]).is_empty());
}

#[test]
fn property_groups_partition_and_respect_pairs() {
    let mut rng = Rng(7);
    for _ in 0..200 {
        let n = 1 + rng.below(40);
        let pairs: Vec<(usize, usize)> = (0..rng.below(30))
            .map(|_| (rng.below(n), rng.below(n)))
            .collect();
        let groups = group_duplicates(n, pairs.iter().copied());
        let mut group_of = vec![None; n];
        for (g, members) in groups.iter().enumerate() {
            assert!(members.len() >= 2);
            assert!(members.windows(2).all(|w| w[0] < w[1]));
            for &m in members {
                assert_eq!(group_of[m], None, "{m} in two groups");
                group_of[m] = Some(g);
            }
        }
        for &(a, b) in &pairs {
            if a != b {
                assert!(group_of[a].is_some() && group_of[a] == group_of[b]);
            }
        }
        // Nobody is grouped without a pair linking them.
        for (x, g) in group_of.iter().enumerate() {
            if g.is_some() {
                assert!(pairs.iter().any(|&(a, b)| a != b && (a == x || b == x)));
            }
        }
    }
}

fn fields(pairs: &[(&'static str, Value)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (FieldName::Borrowed(*k), v.clone()))
        .collect()
}

#[test]
fn merge_prefers_picks_then_primary_then_first_non_empty() {
    let text = |s: &str| Value::Text(s.to_owned());
    let a = fields(&[
        ("last_name", text("رضایی")),
        ("email", Value::Null),
        ("city", text("تهران")),
        ("tags", Value::Tags(vec!["vip".into()])),
    ]);
    let b = fields(&[
        ("last_name", text("رضائی")),
        ("email", text("ali@x.ir")),
        ("city", text("   ")),
        ("mobile", text("+989121234567")),
        ("tags", Value::Tags(vec!["VIP".into(), "wholesale".into()])),
    ]);
    let c = fields(&[("city", text("شیراز")), ("tags", Value::Null)]);
    let records = [&a, &b, &c];

    let merged = merge_fields(&records, 1, &BTreeMap::new());
    assert_eq!(merged["last_name"], text("رضائی"));
    assert_eq!(merged["email"], text("ali@x.ir"));
    // b's city is blank, so the first non-empty one in order (a, then c) wins.
    assert_eq!(merged["city"], text("تهران"));
    assert_eq!(merged["mobile"], text("+989121234567"));
    assert_eq!(
        merged["tags"],
        Value::Tags(vec!["VIP".into(), "wholesale".into()])
    );

    let picks: BTreeMap<String, usize> = [
        ("last_name".to_owned(), 0),
        ("city".to_owned(), 2),
        ("mobile".to_owned(), 0),
        ("email".to_owned(), 9),
    ]
    .into();
    let merged = merge_fields(&records, 1, &picks);
    assert_eq!(merged["last_name"], text("رضایی"));
    assert_eq!(merged["city"], text("شیراز"));
    // Picking a record without the field means the user wants it empty.
    assert_eq!(merged["mobile"], Value::Null);
    // An out-of-range pick is ignored.
    assert_eq!(merged["email"], text("ali@x.ir"));

    assert!(merge_fields(&[], 0, &BTreeMap::new()).is_empty());
}
