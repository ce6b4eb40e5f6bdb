//! Tokens that keep clinical forms whole: `27.400/mm3`, `9,9`, `37,5o`, `80/50`, `L5-S1`, `c/c`,
//! `E. coli`, `g/dl`, `10^9/l`, `>38`, `10-12`, `x3/zi`.
//!
//! The text is cut at whitespace into chunks; punctuation is peeled off each chunk's ends (a
//! final dot stays on a known abbreviation such as `dr.` or on a dotted form such as `i.v.`);
//! the core is split further at `=`, at parentheses, and at `,` `;` `:` that do not sit between
//! digits; each piece is then classified by its shape. A genus initial followed by a lower-case
//! species (`E. coli`, `S. aureus`) is joined into one token.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::span::Span;
use crate::text::normalize::{romanian_letter_forms, Views};
use crate::text::phrases::{bytes_hash, word_hash, HashFilter};
use crate::text::swar;

/// What a token is, by shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters only, possibly with inner hyphens or apostrophes (`s-a`, `nou-născut`) or
    /// slashes (`c/c`).
    Word,
    /// Letters and digits mixed (`SpO2`, `L5-S1`, `HbA1c`).
    Alnum,
    /// A number, possibly with separators and a comparator (`27.400`, `9,9`, `>38`).
    Number,
    /// A number with its unit attached (`27.400/mm3`, `37,5o`, `22%`, `38,2°C`).
    Quantity,
    /// A unit on its own (`mm3`, `g/dl`, `10^9/l`, `%`).
    Unit,
    /// Two numbers over a slash (`80/50`).
    Ratio,
    /// Two numbers joined by a dash (`10-12`).
    Range,
    /// A frequency written with a multiplication sign (`x3/zi`).
    Frequency,
    /// An abbreviation that carries its dots (`dr.`, `i.v.`) or a binomial (`E. coli`).
    Abbreviation,
    /// One punctuation character (`.`, `,`, `:`, `(`).
    Punct,
    /// Anything else (`+`, `=`, `–`).
    Symbol,
}

/// One token, with its span in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    /// Whitespace precedes this token (it is not glued to the previous one).
    pub space_before: bool,
    /// The number of line breaks between the previous token and this one.
    pub newlines_before: u32,
    /// The hash of the token's plain form ([`word_hash`]), computed once here so that the phrase
    /// look-ups of every later stage (sections, patient, context, …) need not hash it again.
    pub plain_hash: u64,
}

/// What the tokenizer needs to know about the language: abbreviations that keep their final dot
/// and written units. Both are keyed by their plain (folded, diacritic-free) form.
#[derive(Debug, Clone, Default)]
pub struct TokenRules {
    /// Abbreviations by plain form, with their final dot (`dr.`). Add them with
    /// [`add_abbreviation`](Self::add_abbreviation), which keeps the filter of their hashes.
    abbreviations: FxHashSet<String>,
    /// Written units by plain form. Add them with [`add_unit`](Self::add_unit), which keeps the
    /// filter of their hashes.
    pub units: FxHashMap<String, usize>,
    /// The longest unit made of letters only (`grade`): a longer word cannot be a unit.
    pub longest_letter_unit: usize,
    /// One bit per hash ([`word_hash`]) of a unit: a piece whose bit is clear is no unit, and
    /// most pieces are refused without a look-up in `units` (which would hash them again).
    unit_filter: HashFilter,
    /// The same for abbreviations: most chunks that end in a dot end a sentence, and are refused
    /// here.
    abbreviation_filter: HashFilter,
}

impl TokenRules {
    /// Adds a written unit (by its plain form) with its index in the unit table.
    pub fn add_unit(&mut self, plain: String, index: usize) -> bool {
        if plain.chars().all(char::is_alphabetic) {
            self.longest_letter_unit = self.longest_letter_unit.max(plain.len());
        }
        self.unit_filter.insert(word_hash(&plain));
        self.units.insert(plain, index).is_none()
    }

    /// Adds an abbreviation that keeps its final dot, by its plain form (`dr.`).
    pub fn add_abbreviation(&mut self, plain: String) {
        self.abbreviation_filter.insert(word_hash(&plain));
        self.abbreviations.insert(plain);
    }

    /// Whether `plain` is a listed abbreviation (with its final dot).
    pub fn is_abbreviation(&self, plain: &str) -> bool {
        self.abbreviation_filter.may_contain(word_hash(plain)) && self.abbreviations.contains(plain)
    }

    /// Whether `plain`, whose hash is `hash` ([`word_hash`]), is a unit.
    #[inline]
    fn is_unit(&self, plain: &str, hash: u64) -> bool {
        self.unit_filter.may_contain(hash) && self.units.contains_key(plain)
    }
}

const OPENING: &[char] = &['(', '[', '{', '"', '„', '“', '\'', '«', '‘'];
const CLOSING: &[char] = &[')', ']', '}', '"', '”', '“', '\'', '’', '»', ',', ';', ':', '!', '?', '…', '.'];

/// Splits `text` into tokens. `views` must be the views of the same text.
pub fn tokenize(text: &str, views: &Views, rules: &TokenRules) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut newlines = 0u32;
    let mut first_initial = None;
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        // Whitespace between chunks: one table look-up per ASCII byte; a char is decoded only
        // where a non-ASCII byte starts one (rare in clinical text).
        match BYTE_CLASS[b as usize] {
            SPACE => {
                at += 1;
                continue;
            }
            NEWLINE => {
                newlines += 1;
                at += 1;
                continue;
            }
            HIGH => {
                let ch = char_at(text, at);
                if ch.is_whitespace() {
                    at += ch.len_utf8();
                    continue;
                }
            }
            _ => {}
        }
        let scan = scan_chunk(text, at);
        let span = Span::new(at, scan.end);
        if scan.simple && scan.non_letters == 0 {
            // Letters only, the commonest chunk: one token at once.
            let mut token = letters_token(views, rules, span);
            token.space_before = true;
            token.newlines_before = newlines;
            tokens.push(token);
        } else {
            if scan.simple {
                chunk_simple(text, views, rules, span, scan.non_letters, newlines, &mut tokens);
            } else {
                chunk(text, views, rules, span, newlines, &mut tokens);
            }
            // A binomial opens with a chunk that ends in an initial and its dot (`E.`): note
            // the first, so that the join looks at the tokens from there only, and most
            // documents, which have none, are not walked again.
            if first_initial.is_none() && bytes[scan.end - 1] == b'.' {
                first_initial = ends_with_initial(text, &tokens);
            }
        }
        newlines = 0;
        at = scan.end;
    }
    if let Some(first) = first_initial {
        join_binomials(text, views, &mut tokens, first);
    }
    tokens
}

/// The index of the initial when `tokens` end with an upper-case initial and its glued dot,
/// as a binomial opens (`E.` of `E. coli`).
fn ends_with_initial(text: &str, tokens: &[Token]) -> Option<usize> {
    match tokens {
        [.., initial, dot] if is_initial_and_dot(text, *initial, *dot) => Some(tokens.len() - 2),
        _ => None,
    }
}

/// What the tokenizer learns of a chunk while it looks for the chunk's end.
struct ChunkScan {
    /// Where the chunk ends: the next whitespace, or the end of the text.
    end: usize,
    /// Whether every char is ASCII or a Romanian letter (see [`chunk_simple`]).
    simple: bool,
    /// How many chars are not letters (ASCII or Romanian): none in a plain word.
    non_letters: usize,
}

/// Scans the chunk that starts at `start` (not whitespace) to the next whitespace. Most chunks
/// are ASCII with at most Romanian letters (`febră`, `și`): their ASCII bytes are read eight at
/// a time ([`swar`]), so that most chunks end where a mask says, not at a branch per byte.
#[inline(always)]
fn scan_chunk(text: &str, start: usize) -> ChunkScan {
    let bytes = text.as_bytes();
    let mut at = start;
    let mut simple = true;
    let mut non_letters = 0;
    loop {
        // The ASCII bytes up to the first that may be whitespace (a control char or a space)
        // or that starts a char beyond ASCII; past the end the word is zero, which stops it.
        let word = swar::load(bytes, at);
        let n = swar::first(swar::high(word) | swar::at_most(word, b' '));
        non_letters += n - swar::count_in_first(swar::letters(word), n);
        at += n;
        if n == 8 {
            continue;
        }
        let Some(&b) = bytes.get(at) else {
            break;
        };
        if b.is_ascii() {
            if is_ascii_space(b) {
                break;
            }
            // A control char that is not whitespace.
            non_letters += 1;
            at += 1;
        } else if let Some(len) = romanian_letter_len(&bytes[at..]) {
            // A Romanian letter, told by its two bytes without decoding: no whitespace.
            at += len;
        } else {
            let ch = char_at(text, at);
            if ch.is_whitespace() {
                break;
            }
            simple = false;
            non_letters += 1;
            at += ch.len_utf8();
        }
    }
    ChunkScan { end: at, simple, non_letters }
}

/// A token of `kind` over `span`, with the hash of its plain form.
fn token(views: &Views, span: Span, kind: TokenKind) -> Token {
    let plain_hash = bytes_hash(views.plain.slice_bytes(span));
    Token { span, kind, space_before: false, newlines_before: 0, plain_hash }
}

/// The class of a byte in [`BYTE_CLASS`]: an ASCII byte that is not whitespace.
const VISIBLE: u8 = 0;
/// ASCII whitespace other than a line feed.
const SPACE: u8 = 1;
/// A line feed, which the tokens count (`Token::newlines_before`).
const NEWLINE: u8 = 2;
/// A byte of a char beyond ASCII: the char must be looked at.
const HIGH: u8 = 3;

/// The class of each byte, for the scan between chunks.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [HIGH; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = if b as u8 == b'\n' {
            NEWLINE
        } else if is_ascii_space(b as u8) {
            SPACE
        } else {
            VISIBLE
        };
        b += 1;
    }
    table
};

/// The token of a span of letters only (ASCII or Romanian): a unit (`mg`, `grade`) or a word.
#[inline(always)]
fn letters_token(views: &Views, rules: &TokenRules, span: Span) -> Token {
    let plain = views.plain.slice_bytes(span);
    let plain_hash = bytes_hash(plain);
    let unit = plain.len() <= rules.longest_letter_unit
        && rules.unit_filter.may_contain(plain_hash)
        && rules.units.contains_key(views.plain.slice(span));
    let kind = if unit { TokenKind::Unit } else { TokenKind::Word };
    Token { span, kind, space_before: false, newlines_before: 0, plain_hash }
}

/// The ASCII chars that `char::is_whitespace` accepts.
const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// The char that starts at byte `at` (a char boundary) of `text`.
fn char_at(text: &str, at: usize) -> char {
    text[at..].chars().next().unwrap_or(' ')
}

/// The length of the Romanian letter (as [`is_romanian_letter`]) that `bytes` starts with,
/// told by its bytes ([`romanian_letter_forms`]): each is two bytes of UTF-8.
#[inline(always)]
fn romanian_letter_len(bytes: &[u8]) -> Option<usize> {
    romanian_letter_forms(bytes).map(|_| 2)
}

/// The letters of Romanian that are not ASCII, in both spellings of ș and ț: none is
/// punctuation, a digit or a combining mark.
#[cfg(test)]
fn is_romanian_letter(ch: char) -> bool {
    matches!(ch, 'ă' | 'Ă' | 'â' | 'Â' | 'î' | 'Î' | 'ș' | 'Ș' | 'ț' | 'Ț' | 'ş' | 'Ş' | 'ţ' | 'Ţ')
}

/// [`chunk`] for a *simple* chunk, whose chars are ASCII or Romanian letters: the same cuts,
/// made on bytes. Every punctuation char that `chunk` looks at is then one ASCII byte, a byte
/// of a Romanian letter is never ASCII, and no char is a combining mark. `non_letters` counts
/// the chunk's bytes that are not letters ([`ChunkScan::non_letters`]).
fn chunk_simple(
    text: &str,
    views: &Views,
    rules: &TokenRules,
    span: Span,
    non_letters: usize,
    newlines: u32,
    out: &mut Vec<Token>,
) {
    let bytes = text.as_bytes();
    let first = out.len();
    let (mut start, mut end) = (span.start, span.end);
    while start < end && matches!(bytes[start], b'(' | b'[' | b'{' | b'"' | b'\'') {
        out.push(ascii_punct(text, start));
        start += 1;
    }
    while start < end {
        let b = bytes[end - 1];
        if !matches!(b, b')' | b']' | b'}' | b'"' | b'\'' | b',' | b';' | b':' | b'!' | b'?' | b'.') {
            break;
        }
        if b == b'.' && keeps_final_dot(&text[start..end], views.plain.slice(Span::new(start, end)), rules) {
            break;
        }
        end -= 1;
    }
    if start < end {
        let core = Span::new(start, end);
        // Every byte peeled off is punctuation: the core is letters only when those were all
        // the chunk's non-letters.
        let peeled = (start - span.start) + (span.end - end);
        if non_letters == peeled {
            // A word of letters only: a unit or a word, what `kind_of` finds for it, sooner.
            out.push(letters_token(views, rules, core));
        } else {
            split_core_simple(text, views, rules, core, out);
        }
    }
    for at in end..span.end {
        out.push(ascii_punct(text, at));
    }
    if let Some(token) = out.get_mut(first) {
        token.space_before = true;
        token.newlines_before = newlines;
    }
}

/// The punctuation token of the ASCII byte at `at`: its plain form is the byte itself, hashed
/// without a look-up in the views.
fn ascii_punct(text: &str, at: usize) -> Token {
    let plain_hash = bytes_hash(&text.as_bytes()[at..at + 1]);
    Token { span: Span::new(at, at + 1), kind: TokenKind::Punct, space_before: false, newlines_before: 0, plain_hash }
}

/// [`split_core`] for a simple chunk: it splits at ASCII bytes only, and a Romanian letter
/// before or after a separator is no digit.
fn split_core_simple(text: &str, views: &Views, rules: &TokenRules, span: Span, out: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let mut piece_start = span.start;
    for at in span.start..span.end {
        let splits = match bytes[at] {
            b'=' | b'(' | b')' | b'[' | b']' => true,
            b',' | b';' | b':' => {
                !(at > span.start
                    && bytes[at - 1].is_ascii_digit()
                    && at + 1 < span.end
                    && bytes[at + 1].is_ascii_digit())
            }
            _ => false,
        };
        if splits {
            if piece_start < at {
                out.push(classify(text, views, rules, Span::new(piece_start, at)));
            }
            let kind = if bytes[at] == b'=' { TokenKind::Symbol } else { TokenKind::Punct };
            out.push(Token { kind, ..ascii_punct(text, at) });
            piece_start = at + 1;
        }
    }
    if piece_start < span.end {
        out.push(classify(text, views, rules, Span::new(piece_start, span.end)));
    }
}

/// Tokenizes one whitespace-delimited chunk.
fn chunk(text: &str, views: &Views, rules: &TokenRules, span: Span, newlines: u32, out: &mut Vec<Token>) {
    let first = out.len();
    let mut start = span.start;
    let mut end = span.end;
    // Leading punctuation.
    while let Some(ch) = text[start..end].chars().next() {
        if !OPENING.contains(&ch) || starts_with_mark(&text[start + ch.len_utf8()..end]) {
            break;
        }
        out.push(token(views, Span::new(start, start + ch.len_utf8()), TokenKind::Punct));
        start += ch.len_utf8();
    }
    // Trailing punctuation: find where it starts, split the core, then emit it in order.
    let chunk_end = end;
    while let Some(ch) = text[start..end].chars().next_back() {
        if !CLOSING.contains(&ch) {
            break;
        }
        if ch == '.' && keeps_final_dot(&text[start..end], views.plain.slice(Span::new(start, end)), rules) {
            break;
        }
        end -= ch.len_utf8();
    }
    if start < end {
        split_core(text, views, rules, Span::new(start, end), out);
    }
    for (offset, ch) in text[end..chunk_end].char_indices() {
        out.push(token(views, Span::new(end + offset, end + offset + ch.len_utf8()), TokenKind::Punct));
    }
    if let Some(token) = out.get_mut(first) {
        token.space_before = true;
        token.newlines_before = newlines;
    }
}

/// Whether the final `.` of `chunk` belongs to it: a known abbreviation (`dr.`) or a dotted
/// form of single letters (`i.v.`, `p.o.`).
fn keeps_final_dot(chunk: &str, plain: &str, rules: &TokenRules) -> bool {
    rules.is_abbreviation(plain) || is_dotted_letters(chunk)
}

/// Single letters each followed by a dot, at least two of them: `i.v.`, `p.o.`, `s.c.`.
pub fn is_dotted_letters(form: &str) -> bool {
    // Most forms that end in a dot are words that end a sentence, with no other dot.
    if !form.as_bytes().split_last().is_some_and(|(&last, body)| last == b'.' && body.contains(&b'.')) {
        return false;
    }
    if form.is_ascii() {
        // Letter, dot, letter, dot…: pairs of bytes.
        let bytes = form.as_bytes();
        return bytes.len() >= 4
            && bytes.len() % 2 == 0
            && bytes.chunks_exact(2).all(|pair| pair[0].is_ascii_alphabetic() && pair[1] == b'.');
    }
    let Some(body) = form.strip_suffix('.') else {
        return false;
    };
    let mut letters = 0;
    for part in body.split('.') {
        let mut chars = part.chars();
        match (chars.next(), chars.next()) {
            (Some(ch), None) if ch.is_alphabetic() => letters += 1,
            _ => return false,
        }
    }
    letters >= 2
}

/// Splits the core of a chunk at `=`, parentheses, and `,` `;` `:` not between digits, and
/// classifies each piece.
fn split_core(text: &str, views: &Views, rules: &TokenRules, span: Span, out: &mut Vec<Token>) {
    let core = &text[span.range()];
    let mut piece_start = span.start;
    let mut prev: Option<char> = None;
    let mut chars = core.char_indices().peekable();
    while let Some((offset, ch)) = chars.next() {
        let at = span.start + offset;
        let next = chars.peek().map(|&(_, c)| c);
        // A char that carries combining marks is never split off: tokens hold whole clusters.
        let splits = !next.is_some_and(|c| !c.is_ascii() && is_mark(c))
            && match ch {
                '=' | '(' | ')' | '[' | ']' => true,
                ',' | ';' | ':' => {
                    !(prev.is_some_and(|c| c.is_ascii_digit()) && next.is_some_and(|c| c.is_ascii_digit()))
                }
                _ => false,
            };
        if splits {
            if piece_start < at {
                out.push(classify(text, views, rules, Span::new(piece_start, at)));
            }
            let kind = if ch == '=' { TokenKind::Symbol } else { TokenKind::Punct };
            out.push(token(views, Span::new(at, at + ch.len_utf8()), kind));
            piece_start = at + ch.len_utf8();
        }
        prev = Some(ch);
    }
    if piece_start < span.end {
        out.push(classify(text, views, rules, Span::new(piece_start, span.end)));
    }
}

fn classify(text: &str, views: &Views, rules: &TokenRules, span: Span) -> Token {
    let plain = views.plain.slice(span);
    let plain_hash = word_hash(plain);
    let kind = kind_of(&text[span.range()], plain, plain_hash, rules);
    Token { span, kind, space_before: false, newlines_before: 0, plain_hash }
}

/// What a piece is made of, found in one pass.
#[derive(Default)]
struct Shape {
    letters: usize,
    digits: usize,
    chars: usize,
}

impl Shape {
    fn of(piece: &str) -> Shape {
        // Most pieces are ASCII: counted byte by byte, in the same pass that finds out.
        let mut shape = Shape::default();
        let mut ascii = true;
        for b in piece.bytes() {
            shape.letters += usize::from(b.is_ascii_alphabetic());
            shape.digits += usize::from(b.is_ascii_digit());
            ascii &= b.is_ascii();
        }
        if ascii {
            shape.chars = piece.len();
            return shape;
        }
        shape = Shape::default();
        for ch in piece.chars() {
            shape.chars += 1;
            if ch.is_ascii_alphabetic() || (!ch.is_ascii() && ch.is_alphabetic()) {
                shape.letters += 1;
            } else if ch.is_ascii_digit() {
                shape.digits += 1;
            }
        }
        shape
    }

    fn letters_only(&self) -> bool {
        self.letters == self.chars
    }
}

/// The kind of one piece, from its original spelling, its plain form and the hash of that.
fn kind_of(piece: &str, plain: &str, plain_hash: u64, rules: &TokenRules) -> TokenKind {
    let shape = Shape::of(piece);
    // A word longer than every unit made of letters cannot be a unit: skip the lookup.
    let may_be_unit = plain.len() <= rules.longest_letter_unit || !shape.letters_only();
    if may_be_unit && rules.is_unit(plain, plain_hash) {
        return TokenKind::Unit;
    }
    if shape.digits > 0 {
        let number = number_prefix(piece);
        if number > 0 {
            let rest = &piece[number..];
            if rest.is_empty() {
                return TokenKind::Number;
            }
            if let Some(denominator) = rest.strip_prefix('/') {
                if is_digits(denominator) {
                    return TokenKind::Ratio;
                }
            }
            if let Some(upper) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('–')) {
                if !upper.is_empty() && number_prefix(upper) == upper.len() {
                    return TokenKind::Range;
                }
            }
            let unit = plain.len().checked_sub(rest.len()).and_then(|at| plain.get(at..)).unwrap_or(rest);
            if rules.is_unit(unit, word_hash(unit)) || is_degree(unit) {
                return TokenKind::Quantity;
            }
            return TokenKind::Alnum;
        }
        if let Some(times) = piece.strip_prefix(['x', 'X', '×']) {
            let digits = number_prefix(times);
            if digits > 0 && (times.len() == digits || times[digits..].starts_with('/')) {
                return TokenKind::Frequency;
            }
        }
    }
    if piece.len() > 1 && piece.ends_with('.') {
        return TokenKind::Abbreviation;
    }
    match (shape.letters > 0, shape.digits > 0) {
        (true, true) => TokenKind::Alnum,
        (true, false) => TokenKind::Word,
        _ if piece.len() == 1 && piece.bytes().all(|b| b.is_ascii_punctuation() && b != b'+' && b != b'-') => {
            TokenKind::Punct
        }
        _ => TokenKind::Symbol,
    }
}

/// The byte length of a leading number: an optional comparator, digits, then groups of `.` or
/// `,` followed by digits. Zero when the piece does not start with one.
pub fn number_prefix(piece: &str) -> usize {
    let bytes = piece.as_bytes();
    let mut at = 0;
    // Most pieces start with a digit or a letter: only `<`, `>` and the first byte of `≤` `≥`
    // can open a comparator.
    if matches!(bytes.first(), Some(b'<' | b'>' | 0xE2)) {
        if let Some(comparator) = ["<=", ">=", "≤", "≥", "<", ">"].into_iter().find(|c| piece.starts_with(c)) {
            at = comparator.len();
        }
    }
    let digits_from = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let after = digits_from(at);
    if after == at {
        return 0;
    }
    at = after;
    while at + 1 < bytes.len() && (bytes[at] == b'.' || bytes[at] == b',') && bytes[at + 1].is_ascii_digit() {
        at = digits_from(at + 1);
    }
    at
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A temperature's degree as written: `°`, `°C`, or the letter `o` that stands for it (`37,5o`).
fn is_degree(unit: &str) -> bool {
    matches!(unit, "o" | "°" | "°c" | "°f" | "grade")
}

fn starts_with_mark(s: &str) -> bool {
    s.chars().next().is_some_and(is_mark)
}

fn is_mark(c: char) -> bool {
    // No char below U+0300 is a combining mark: most text needs no table look-up.
    c >= '\u{300}' && unicode_normalization::char::canonical_combining_class(c) != 0
}

/// Joins a genus initial, its dot and a lower-case species into one token: `E. coli`. No
/// binomial starts before token `from`.
fn join_binomials(text: &str, views: &Views, tokens: &mut Vec<Token>, from: usize) {
    let mut write = from;
    let mut read = from;
    while read < tokens.len() {
        if read + 2 < tokens.len() && is_dot(text, tokens[read + 1]) && is_binomial(text, &tokens[read..read + 3]) {
            let span = tokens[read].span.cover(tokens[read + 2].span);
            let plain_hash = bytes_hash(views.plain.slice_bytes(span));
            tokens[write] = Token { span, kind: TokenKind::Abbreviation, plain_hash, ..tokens[read] };
            read += 3;
        } else {
            tokens[write] = tokens[read];
            read += 1;
        }
        write += 1;
    }
    tokens.truncate(write);
}

/// Whether a token is one dot: the test that refuses almost every triple before
/// [`is_binomial`] is called.
#[inline(always)]
fn is_dot(text: &str, token: Token) -> bool {
    token.span.len() == 1 && text.as_bytes()[token.span.start] == b'.'
}

/// An upper-case initial and a dot glued to it.
#[inline]
fn is_initial_and_dot(text: &str, initial: Token, dot: Token) -> bool {
    // The cheap tests first: most pairs fail at the glued dot, tested on integers and one byte.
    if dot.span.start != initial.span.end || dot.span.len() != 1 || text.as_bytes()[dot.span.start] != b'.' {
        return false;
    }
    let mut chars = text[initial.span.range()].chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// An upper-case initial, a dot glued to it, and a lower-case word of three letters or more.
#[inline]
fn is_binomial(text: &str, three: &[Token]) -> bool {
    let (initial, dot, species) = (three[0], three[1], three[2]);
    let species_text = &text[species.span.range()];
    is_initial_and_dot(text, initial, dot)
        && species.space_before
        && species.newlines_before == 0
        && species.kind == TokenKind::Word
        && species_text.chars().count() >= 3
        && species_text.chars().all(|c| c.is_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TokenRules {
        let mut rules = TokenRules::default();
        for unit in ["/mm3", "mm3", "g/dl", "10^9/l", "%", "bpm", "mmhg", "mg"] {
            rules.add_unit(unit.to_owned(), 0);
        }
        rules.add_abbreviation("dr.".to_owned());
        rules
    }

    fn tokens(text: &str) -> Vec<(&str, TokenKind)> {
        let views = Views::new(text);
        tokenize(text, &views, &rules()).into_iter().map(|t| (&text[t.span.range()], t.kind)).collect()
    }

    use TokenKind::*;

    #[test]
    fn keeps_clinical_forms_whole() {
        let cases: &[(&str, TokenKind)] = &[
            ("27.400/mm3", Quantity),
            ("9,9", Number),
            ("37,5o", Quantity),
            ("38,2°C", Quantity),
            ("80/50", Ratio),
            ("L5-S1", Alnum),
            ("c/c", Word),
            ("E. coli", Abbreviation),
            ("mm3", Unit),
            ("g/dl", Unit),
            ("10^9/l", Unit),
            ("%", Unit),
            ("22%", Quantity),
            (">38", Number),
            ("10-12", Range),
            ("x3/zi", Frequency),
            ("i.v.", Abbreviation),
            ("SpO2", Alnum),
            ("nou-născut", Word),
        ];
        for &(form, kind) in cases {
            assert_eq!(tokens(form), vec![(form, kind)], "{form}");
        }
    }

    #[test]
    fn peels_punctuation_around_clinical_forms() {
        assert_eq!(
            tokens("Fc: 109 bpm; (neutrofile 22%), Ta: 37,5o."),
            vec![
                ("Fc", Word),
                (":", Punct),
                ("109", Number),
                ("bpm", Unit),
                (";", Punct),
                ("(", Punct),
                ("neutrofile", Word),
                ("22%", Quantity),
                (")", Punct),
                (",", Punct),
                ("Ta", Word),
                (":", Punct),
                ("37,5o", Quantity),
                (".", Punct),
            ]
        );
    }

    #[test]
    fn splits_glued_labels_but_not_decimals() {
        assert_eq!(
            tokens("TA=120/70 Fc:109,ani 1.234,5"),
            vec![
                ("TA", Word),
                ("=", Symbol),
                ("120/70", Ratio),
                ("Fc", Word),
                (":", Punct),
                ("109", Number),
                (",", Punct),
                ("ani", Word),
                ("1.234,5", Number),
            ]
        );
    }

    #[test]
    fn romanian_letters_are_told_by_their_bytes_as_by_their_chars() {
        // Every char of two bytes in UTF-8, and the one-byte and three-byte chars around them.
        for ch in ('\u{0}'..='\u{FFF}').chain(['’', '„', '…']) {
            let mut utf8 = [0; 4];
            let bytes = ch.encode_utf8(&mut utf8).as_bytes();
            assert_eq!(romanian_letter_len(bytes), is_romanian_letter(ch).then_some(2), "{ch:?}");
        }
    }

    #[test]
    fn keeps_dots_of_abbreviations_and_not_of_sentence_ends() {
        assert_eq!(tokens("Dr. Pop"), vec![("Dr.", Abbreviation), ("Pop", Word)]);
        assert_eq!(tokens("greață."), vec![("greață", Word), (".", Punct)]);
        assert_eq!(tokens("K. Pacientul"), vec![("K", Word), (".", Punct), ("Pacientul", Word)]);
    }
}
