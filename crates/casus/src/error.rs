//! Typed errors of the library. The binary turns each into one line and an exit code.

use thiserror::Error;

/// Why an input document was refused. Each variant names what is wrong and where, so that the
/// user can fix the document; nothing is ever silently altered instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("the document is empty (nothing but whitespace)")]
    Empty,
    #[error("the document is not valid UTF-8: invalid byte at offset {byte}; convert it to UTF-8 first (e.g. iconv -f latin2 -t utf-8)")]
    NotUtf8 { byte: usize },
    #[error("the document contains a NUL byte at offset {byte}; it looks binary, not text")]
    Nul { byte: usize },
    #[error(
        "the document is {size} bytes, over the limit of {limit} bytes; split it or raise the limit (--max-bytes)"
    )]
    TooLarge { size: usize, limit: usize },
}

/// Why the knowledge could not be loaded or compiled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}: {message}")]
pub struct KnowledgeError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Every error the library returns.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("knowledge: {0}")]
    Knowledge(#[from] KnowledgeError),
}
