//! Eight bytes at a time: tests on the ASCII bytes of a little-endian `u64` (SIMD within a
//! register), for the two passes that read every byte of a document, the view builder and the
//! tokenizer's chunk scan.
//!
//! Each test returns a *mask* with the high bit (0x80) of every byte that passes set. The tests
//! are exact for ASCII bytes only: a byte of 0x80 or more may carry into the bytes above it. A
//! carry only ever runs upwards, so every result is exact up to the first byte that
//! [`high`] marks, and callers read a mask no further than that ([`first`]).

/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;
/// One in every byte: `b * ONES` repeats `b` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The eight bytes of `bytes` from `at` as a little-endian word (byte `at` lowest), zero past
/// the end of `bytes`.
#[inline(always)]
pub fn load(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().expect("eight bytes")),
        None => {
            let rest = bytes.get(at..).unwrap_or_default();
            let mut padded = [0; 8];
            padded[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(padded)
        }
    }
}

/// The bytes of 0x80 or more: those of chars beyond ASCII.
#[inline(always)]
pub fn high(word: u64) -> u64 {
    word & HIGH
}

/// The bytes `b` with `low <= b`, for `low` in `1..=0x80`.
#[inline(always)]
fn at_least(word: u64, low: u8) -> u64 {
    // An ASCII byte plus `0x80 - low` stays below 0x100 and reaches 0x80 exactly when it is at
    // least `low`.
    word.wrapping_add((0x80 - u64::from(low)) * ONES) & HIGH
}

/// The ASCII bytes `b <= max`, for `max` below 0x80.
#[inline(always)]
pub fn at_most(word: u64, max: u8) -> u64 {
    !at_least(word, max + 1) & !word & HIGH
}

/// The ASCII bytes in `low..=last`, for `low <= last` below 0x80.
#[inline(always)]
fn in_range(word: u64, low: u8, last: u8) -> u64 {
    at_least(word, low) & !at_least(word, last + 1) & !word
}

/// The ASCII capital letters `A`–`Z`.
#[inline(always)]
pub fn upper(word: u64) -> u64 {
    in_range(word, b'A', b'Z')
}

/// The ASCII letters, either case.
#[inline(always)]
pub fn letters(word: u64) -> u64 {
    // Setting bit 0x20 lower-cases a capital letter and moves no other byte into `a`–`z`.
    in_range(word | (0x20 * ONES), b'a', b'z')
}

/// The word with its ASCII capitals lower-cased.
#[inline(always)]
pub fn to_lower(word: u64) -> u64 {
    // 0x80 >> 2 is 0x20, the bit that tells a capital from its small letter.
    word | (upper(word) >> 2)
}

/// The position (0–7) of the first byte that `mask` marks, or 8 when it marks none.
#[inline(always)]
pub fn first(mask: u64) -> usize {
    mask.trailing_zeros() as usize / 8
}

/// How many of the first `n` bytes (`n <= 8`) `mask` marks.
#[inline(always)]
pub fn count_in_first(mask: u64, n: usize) -> usize {
    let kept = if n >= 8 { mask } else { mask & ((1 << (n * 8)) - 1) };
    // One bit per byte moved to the bottom of its byte, then summed into the top byte.
    ((kept >> 7).wrapping_mul(ONES) >> 56) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-by-byte answer of a test, up to the first byte of 0x80 or more.
    fn bytewise(bytes: [u8; 8], test: impl Fn(u8) -> bool) -> Vec<bool> {
        bytes.iter().take_while(|b| b.is_ascii()).map(|&b| test(b)).collect()
    }

    fn marked(mask: u64, n: usize) -> Vec<bool> {
        (0..n).map(|i| mask >> (i * 8) & 0x80 != 0).collect()
    }

    fn check(bytes: [u8; 8]) {
        let word = u64::from_le_bytes(bytes);
        let ascii = bytes.iter().take_while(|b| b.is_ascii()).count();
        assert_eq!(first(high(word)), ascii, "{bytes:?}");
        assert_eq!(marked(upper(word), ascii), bytewise(bytes, |b| b.is_ascii_uppercase()), "{bytes:?}");
        assert_eq!(marked(letters(word), ascii), bytewise(bytes, |b| b.is_ascii_alphabetic()), "{bytes:?}");
        for max in [b' ', b'@', 0x7F] {
            assert_eq!(marked(at_most(word, max), ascii), bytewise(bytes, |b| b <= max), "{bytes:?} {max}");
        }
        let lowered = to_lower(word).to_le_bytes();
        assert_eq!(lowered[..ascii], bytes.map(|b| b.to_ascii_lowercase())[..ascii], "{bytes:?}");
        for n in 0..=8 {
            let expected = marked(letters(word), ascii.min(n)).iter().filter(|&&m| m).count();
            assert_eq!(count_in_first(letters(word), n.min(ascii)), expected, "{bytes:?} {n}");
        }
    }

    #[test]
    fn every_byte_in_every_place_is_tested_as_alone() {
        for b in 0..=255u8 {
            for place in 0..8 {
                for fill in [b'a', b'Z', b' ', 0xC8] {
                    let mut bytes = [fill; 8];
                    bytes[place] = b;
                    check(bytes);
                }
            }
        }
    }

    #[test]
    fn words_of_text_are_tested_as_byte_by_byte() {
        let text = "Pacientă de 47 ANI, TA=80/50 mmHg; febră 38,5°C\tși\nfrisoane [E. coli] ~{x3/zi}\x7f\x01";
        for at in 0..text.len() {
            let word = load(text.as_bytes(), at);
            let mut bytes = [0; 8];
            let rest = &text.as_bytes()[at..];
            bytes[..rest.len().min(8)].copy_from_slice(&rest[..rest.len().min(8)]);
            assert_eq!(word.to_le_bytes(), bytes, "{at}");
            check(bytes);
        }
    }
}
