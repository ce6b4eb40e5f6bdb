//! Input validation: the only gate between raw bytes and the pipeline.

use crate::error::InputError;

/// The default size limit of one document: 1 MiB. Case reports and discharge letters are a few
/// kilobytes; anything near this is almost certainly several documents or not text at all.
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;

/// Checks raw bytes and returns them as text, or says precisely what is wrong.
///
/// Order of checks: size first (cheap, and a huge input should not be scanned), then UTF-8
/// (reporting the first invalid byte), then NUL bytes, then emptiness.
pub fn validate(bytes: &[u8], max_bytes: usize) -> Result<&str, InputError> {
    if bytes.len() > max_bytes {
        return Err(InputError::TooLarge { size: bytes.len(), limit: max_bytes });
    }
    let text = std::str::from_utf8(bytes).map_err(|err| InputError::NotUtf8 { byte: err.valid_up_to() })?;
    validate_str(text, max_bytes)
}

/// The same checks for text that is already a `str`.
pub fn validate_str(text: &str, max_bytes: usize) -> Result<&str, InputError> {
    if text.len() > max_bytes {
        return Err(InputError::TooLarge { size: text.len(), limit: max_bytes });
    }
    // Every document is searched whole: memchr's vectorized search looks at many bytes per
    // instruction.
    if let Some(byte) = memchr::memchr(0, text.as_bytes()) {
        return Err(InputError::Nul { byte });
    }
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_and_blank_documents() {
        assert_eq!(validate(b"", 100), Err(InputError::Empty));
        assert_eq!(validate(b" \n\t ", 100), Err(InputError::Empty));
    }

    #[test]
    fn reports_the_first_invalid_utf8_byte() {
        // "ab" then a Latin-2 "ș" (0xBA), which is not UTF-8.
        assert_eq!(validate(b"ab\xBAc", 100), Err(InputError::NotUtf8 { byte: 2 }));
    }

    #[test]
    fn reports_nul_bytes_with_their_offset() {
        assert_eq!(validate(b"abc\0d", 100), Err(InputError::Nul { byte: 3 }));
    }

    #[test]
    fn refuses_documents_over_the_limit() {
        assert_eq!(validate(b"12345", 4), Err(InputError::TooLarge { size: 5, limit: 4 }));
        assert_eq!(validate(b"1234", 4), Ok("1234"));
    }
}
