//! Match keys: the form under which a token of the text and a token of a term are compared.
//!
//! Romanian inflects nouns and adjectives for number, case and definiteness by suffixes
//! (`abces`, `abcesul`, `abcesului`, `abcese`, `abcesele`, `abceselor`; `spondilodiscită`,
//! `spondilodiscita`, `spondilodiscitei`). A *light* stemmer removes only those inflectional
//! endings from the plain (diacritic-free, lower-case) form, so that every form of a word gets
//! one key, while derivational suffixes stay: `colecistită` (cholecystitis) and `colecist`
//! (gall bladder) keep different keys. A Snowball stemmer would also strip derivation and merge
//! such pairs, which is why casus has its own. Text and terms go through the same function, so
//! what matters is consistency; the lemmas of SiMoNERo check it (tests/stem_lemmas.rs).
//!
//! Some lemmas end in letters that look like an ending but belong to the stem: `calcul` (stone)
//! would lose "ul" and meet `calciu` (calcium, "calc"), and only its singular would: `calculi`
//! keeps "calcul". Those lemmas are data (`data/ro/stems.tsv`, with their sources): no ending is
//! removed so far that it cuts into a listed stem, so every form of `calcul` gets "calcul" and
//! every form of `fracție` "fracți", apart from `fractură` ("fract").
//!
//! Abbreviations written in capitals (`HTA`, `BPOC`, `L5-S1`) are keyed by their exact
//! spelling: lower-cased they would collide with ordinary words.

use std::borrow::Cow;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use crate::text::normalize::Views;

/// The lemmas whose final letters are part of the stem (see the module doc).
const STEMS_TSV: &str = include_str!("../../../../data/ro/stems.tsv");

/// The protected stems of `data/ro/stems.tsv`, plain, with the range of their lengths.
struct Protected {
    stems: FxHashSet<String>,
    shortest: usize,
    longest: usize,
}

fn protected() -> &'static Protected {
    static PROTECTED: OnceLock<Protected> = OnceLock::new();
    PROTECTED.get_or_init(|| {
        let stems: FxHashSet<String> = protected_rows(STEMS_TSV).map(|(_, stem)| stem).collect();
        let shortest = stems.iter().map(String::len).min().unwrap_or(usize::MAX);
        let longest = stems.iter().map(String::len).max().unwrap_or(0);
        Protected { stems, shortest, longest }
    })
}

/// The (lemma, stem) rows of a stems file, plain; rows after the header, comments skipped.
fn protected_rows(tsv: &str) -> impl Iterator<Item = (String, String)> + '_ {
    tsv.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).skip(1).map(|line| {
        let mut cols = line.split('\t');
        let plain = |s: Option<&str>| Views::new(s.unwrap_or("").trim()).plain.as_str().to_owned();
        (plain(cols.next()), plain(cols.next()))
    })
}

/// `cut`, a prefix of `word` left by removing an ending, unless the removal cut into a protected
/// stem: then that stem (the longest such prefix of `word`).
#[inline]
fn keep_protected<'a>(word: &'a str, cut: &'a str) -> &'a str {
    let table = protected();
    let low = (cut.len() + 1).max(table.shortest);
    let high = word.len().min(table.longest);
    (low..=high).rev().map(|len| &word[..len]).find(|prefix| table.stems.contains(*prefix)).unwrap_or(cut)
}

/// The inflectional endings of nouns and adjectives (on the plain form: `ă` is `a`) that end in
/// byte `last`, longest first. Grouped by last byte so that a word is compared with a handful of
/// endings, not all of them; the test module keeps the whole list and checks the grouping.
fn endings_ending_in(last: u8) -> &'static [&'static str] {
    match last {
        b'a' => &["oasa", "ia", "ea", "a"],
        b'e' => &["urile", "iile", "oase", "ile", "ele", "ie", "e"],
        b'i' => &["ului", "lui", "oasei", "iei", "uri", "ei", "ii", "i"],
        b'l' => &["ul"],
        b'r' => &["urilor", "iilor", "ilor", "elor"],
        b'u' => &["iu", "u"],
        _ => &[],
    }
}

/// The shortest stem that dropping "il" may leave: shorter ones ("sen" of "senil", "cop" of
/// "copil") would meet too many other words.
const MIN_IL_STEM: usize = 4;

/// The shortest stem an ending may leave.
const MIN_STEM: usize = 3;

/// Whether a token written this way is an abbreviation to be matched by its exact spelling:
/// at least two capitals and no lower-case letter (`HTA`, `DZ`, `L5-S1`, `SpO2` is not).
#[inline]
pub fn is_capital_abbreviation(original: &str) -> bool {
    // Bytes while they are ASCII: most tokens are refused at their first, lower-case, letter.
    let mut capitals = 0;
    for &b in original.as_bytes() {
        if !b.is_ascii() {
            return is_capital_abbreviation_chars(original);
        }
        if b.is_ascii_lowercase() {
            return false;
        }
        capitals += usize::from(b.is_ascii_uppercase());
    }
    capitals >= 2
}

fn is_capital_abbreviation_chars(original: &str) -> bool {
    let mut capitals = 0;
    for ch in original.chars() {
        if ch.is_lowercase() {
            return false;
        }
        if ch.is_uppercase() {
            capitals += 1;
        }
    }
    capitals >= 2
}

/// The match key of a token, from its original spelling and its plain form.
pub fn key<'a>(original: &'a str, plain: &'a str) -> Cow<'a, str> {
    if is_capital_abbreviation(original) {
        return Cow::Owned(format!("@{original}"));
    }
    stem(plain)
}

/// [`key`] without allocating: a key that is not a slice of `plain` is written into `buffer`.
pub fn key_in<'a>(original: &str, plain: &'a str, buffer: &'a mut String) -> &'a str {
    if is_capital_abbreviation(original) {
        return abbreviation_key_in(original, buffer);
    }
    stem_in(plain, buffer)
}

/// The key of a capital abbreviation (see [`is_capital_abbreviation`]), written into `buffer`.
pub fn abbreviation_key_in<'a>(original: &str, buffer: &'a mut String) -> &'a str {
    buffer.clear();
    buffer.push('@');
    buffer.push_str(original);
    buffer
}

/// [`stem`] without allocating: a stem that is not a slice of `plain` is written into `buffer`.
pub fn stem_in<'a>(plain: &'a str, buffer: &'a mut String) -> &'a str {
    match stem_parts(plain) {
        (stem, "") => stem,
        (rest, alternant) => {
            buffer.clear();
            buffer.push_str(rest);
            buffer.push_str(alternant);
            buffer
        }
    }
}

/// Removes the inflectional endings of a plain word, keeping at least [`MIN_STEM`] chars. A
/// definite article is removed first, then the ending it followed ("ventriculului" →
/// "ventricul" → "ventric", as "ventricul" → "ventric").
pub fn stem(plain: &str) -> Cow<'_, str> {
    match stem_parts(plain) {
        (stem, "") => Cow::Borrowed(stem),
        (rest, alternant) => Cow::Owned(format!("{rest}{alternant}")),
    }
}

/// The stem of a plain word as a slice of it, and what must follow that slice to make the key
/// (empty but for the vowel alternations, which alone make a key that is not a slice).
fn stem_parts(plain: &str) -> (&str, &'static str) {
    if plain.len() <= MIN_STEM || !plain.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return (plain, "");
    }
    let once = strip_ending(plain);
    // Nouns in -eu take the article "-l" ("tușeu", "tușeul", "tușeului"; "peritoneu",
    // "peritoneul"): what "-ul" or "-ului" leaves of them is already the key of their singular.
    let article_of_eu = matches!(&plain[once.len()..], "ul" | "ului") && ends_with(once, "e");
    let twice = if once.len() < plain.len() && !article_of_eu && ARTICLES.iter().any(|a| ends_with(plain, a)) {
        strip_ending(once)
    } else {
        once
    };
    // The -oa-/-o- alternation of adjectives and nouns: "superioară"/"superior", "valoare"/"valori".
    if ends_with(twice, "oar") && twice.len() - 3 >= MIN_STEM {
        return (&twice[..twice.len() - 3], "or");
    }
    // The -ia-/-ie- alternation of adjectives in -ian: "coronariană"/"coronariene",
    // "subarahnoidian"/"subarahnoidieni" (DOOM3: the feminine and the plural of -ian end in
    // -iană, -ieni, -iene). The key is the -ian form.
    if ends_with(twice, "ien") && twice.len() - 3 >= MIN_STEM {
        return (&twice[..twice.len() - 3], "ian");
    }
    // Adjectives and nouns in -il lose "il" before "-e" ("febril", "febrilă", "febrili", but
    // "febrile" → "febr"; "pupilă", "pupile"): the key drops it in every form, but for the
    // endings of nouns in -ie, whose "il" stays ("neutrofilie" keeps "neutrofil", apart from
    // "neutrofil", "neutrofile": "neutrof"; "-ii" is both, and keeps it).
    let removed = &plain[twice.len()..];
    let noun_in_ie = matches!(removed, "ie" | "ia" | "iei" | "ii" | "iile" | "iilor");
    if ends_with(twice, "il") && twice.len() - 2 >= MIN_IL_STEM && !noun_in_ie {
        return (&twice[..twice.len() - 2], "");
    }
    (twice, "")
}

/// Whether `word` ends with the short `ending`, compared byte by byte: for endings of a few
/// bytes this is cheaper than a call to `memcmp`, which `str::ends_with` makes.
#[inline]
fn ends_with(word: &str, ending: &str) -> bool {
    let (word, ending) = (word.as_bytes(), ending.as_bytes());
    word.len() >= ending.len() && word.iter().rev().zip(ending.iter().rev()).all(|(a, b)| a == b)
}

/// Endings that are (or end in) a definite article, after which another ending may remain.
const ARTICLES: &[&str] = &["ului", "lui", "ul"];

/// Removes one inflectional ending, never cutting into a protected stem.
fn strip_ending(plain: &str) -> &str {
    let cut = strip_ending_unprotected(plain);
    if cut.len() < plain.len() {
        keep_protected(plain, cut)
    } else {
        cut
    }
}

/// Removes one inflectional ending.
fn strip_ending_unprotected(plain: &str) -> &str {
    if plain.len() <= MIN_STEM {
        return plain;
    }
    let mut stem = plain;
    let mut removed = "";
    for ending in endings_ending_in(plain.as_bytes()[plain.len() - 1]) {
        if ends_with(plain, ending) && plain.len() - ending.len() >= MIN_STEM {
            stem = &plain[..plain.len() - ending.len()];
            removed = ending;
            break;
        }
    }
    // Nouns in -ură keep "ur" in the singular and lose it with "-uri" (fractură, fracturi;
    // vărsătură, vărsături): drop it after the endings of those nouns, and only those, so that
    // -urie (leucociturie) stays apart from leucocite.
    if matches!(removed, "" | "a" | "i" | "ii" | "ile" | "ilor" | "ei") && ends_with(stem, "ur") && stem.len() - 2 > 4 {
        return &stem[..stem.len() - 2];
    }
    // Adjectives in -os/-oasă/-oase/-oși: "dureros", "dureroasă".
    if ends_with(stem, "os") && stem.len() - 2 >= MIN_STEM {
        return &stem[..stem.len() - 2];
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_key(forms: &[&str]) {
        let keys: Vec<String> = forms.iter().map(|f| stem(f).into_owned()).collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "{forms:?} → {keys:?}");
    }

    #[test]
    fn every_inflected_form_gets_one_key() {
        same_key(&["abces", "abcesul", "abcesului", "abcese", "abcesele", "abceselor"]);
        same_key(&["spondilodiscita", "spondilodiscitei"]);
        same_key(&["durere", "dureri", "durerea", "durerile", "durerilor"]);
        same_key(&["abdominala", "abdominale", "abdominal"]);
        same_key(&["infectie", "infectia", "infectiei", "infectii", "infectiilor"]);
        same_key(&["fractura", "fracturi", "fracturii", "fracturile"]);
        same_key(&["dureros", "dureroasa", "dureroase"]);
        same_key(&["leucocite", "leucocitele", "leucocitelor"]);
        same_key(&["varsatura", "varsaturi", "varsaturile", "varsaturii"]);
        same_key(&["coronarian", "coronariana", "coronariene", "coronarieni", "coronarienei"]);
        same_key(&["subarahnoidian", "subarahnoidiana", "subarahnoidiene"]);
        same_key(&["febril", "febrila", "febrile", "febrili"]);
        same_key(&["dificil", "dificila", "dificile"]);
        same_key(&["neutrofil", "neutrofile", "neutrofilele"]);
        same_key(&["neutrofilie", "neutrofilia", "neutrofiliei"]);
        assert_ne!(stem("neutrofile"), stem("neutrofilie"));
        same_key(&["tuseu", "tuseul", "tuseului"]);
        same_key(&["peritoneu", "peritoneul", "peritoneului"]);
    }

    /// Inflectional endings of nouns and adjectives, longest first (on the plain form: `ă` is `a`).
    const ENDINGS: &[&str] = &[
        "urilor", "urile", "iilor", "ilor", "elor", "ului", "lui", "iile", "oase", "oasa", "oasei", "iei", "ile",
        "ele", "uri", "ul", "ei", "ii", "ie", "ia", "iu", "ea", "a", "e", "i", "u",
    ];

    #[test]
    fn the_endings_by_last_byte_are_exactly_the_endings() {
        for last in 0..=255u8 {
            let expected: Vec<&str> = ENDINGS.iter().copied().filter(|e| e.as_bytes()[e.len() - 1] == last).collect();
            assert_eq!(endings_ending_in(last), expected.as_slice(), "byte {last}");
        }
    }

    #[test]
    fn calcul_and_calciu_keep_different_keys() {
        for stone in ["calcul", "calculul", "calculului", "calculi", "calculii", "calculilor"] {
            for calcium in ["calciu", "calciul", "calciului"] {
                assert_ne!(stem(stone), stem(calcium), "{stone} / {calcium}");
            }
        }
    }

    #[test]
    fn every_form_of_calcul_shares_one_key() {
        same_key(&["calcul", "calculul", "calculului", "calculi", "calculii", "calculilor"]);
        same_key(&["ventricul", "ventriculul", "ventriculului", "ventriculi", "ventriculilor"]);
        same_key(&["testicul", "testiculul", "testicule", "testiculele"]);
        assert_eq!(stem("calcul"), "calcul");
    }

    #[test]
    fn fractie_and_fractura_keep_different_keys() {
        same_key(&["fractie", "fractia", "fractiei", "fractii", "fractiile", "fractiilor"]);
        assert_ne!(stem("fractia"), stem("fractura"));
        assert_ne!(stem("fractiei"), stem("fracturii"));
        assert_ne!(stem("seria"), stem("ser"));
    }

    #[test]
    fn a_protected_stem_protects_only_the_words_it_is_cut_from() {
        // Derivations of a protected lemma keep their own keys: the rule stops a cut, it does not
        // shorten longer words to the stem.
        assert_eq!(stem("calculoza"), "calculoz");
        assert_eq!(stem("fractionat"), "fractionat");
        // A word that merely starts like a protected stem is cut as before.
        assert_eq!(stem("serul"), "ser");
    }

    #[test]
    fn every_listed_form_shares_the_key_of_its_lemma() {
        let mut rows = 0;
        for line in STEMS_TSV.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "stems.tsv: {line}");
            let plain = |s: &str| Views::new(s.trim()).plain.as_str().to_owned();
            let (lemma, stem_col) = (plain(cols[0]), plain(cols[1]));
            assert!(lemma.starts_with(&stem_col), "stems.tsv: {stem_col} is not a prefix of {lemma}");
            assert_eq!(stem(&lemma), stem_col.as_str(), "stems.tsv: the key of {lemma}");
            for form in cols[2].split(',') {
                assert_eq!(stem(&plain(form)), stem_col.as_str(), "stems.tsv: the key of {form} ({lemma})");
            }
            rows += 1;
        }
        assert!(rows >= 10, "too few rows in stems.tsv: {rows}");
        assert_eq!(protected_rows(STEMS_TSV).count(), rows);
    }

    #[test]
    fn an_ostomy_is_not_its_stoma() {
        assert_ne!(stem("traheostomie"), stem("traheostoma"));
        assert_eq!(stem("traheostomie"), stem("traheostomiei"));
        assert_eq!(stem("colostoma"), stem("colostomei"));
    }

    #[test]
    fn tetany_is_not_tetanus() {
        assert_ne!(stem("tetanie"), stem("tetanos"));
        assert_eq!(stem("tetanie"), stem("tetaniei"));
    }

    #[test]
    fn derivation_is_kept_apart() {
        assert_ne!(stem("colecistita"), stem("colecist"));
        assert_ne!(stem("nefrita"), stem("nefroza"));
        assert_ne!(stem("leucociturie"), stem("leucocite"));
        // tușeu (digital examination) and tuse (cough)
        assert_ne!(stem("tuseul"), stem("tusea"));
    }

    #[test]
    fn capital_abbreviations_keep_their_spelling() {
        assert_eq!(key("HTA", "hta"), "@HTA");
        assert_eq!(key("L5-S1", "l5-s1"), "@L5-S1");
        assert_eq!(key("Hta", "hta"), "hta");
        let mut buffer = String::new();
        for (original, plain) in
            [("HTA", "hta"), ("Hta", "hta"), ("superioara", "superioara"), ("abcesului", "abcesului")]
        {
            assert_eq!(key_in(original, plain, &mut buffer), key(original, plain));
        }
    }
}
