//! Renderings of an analysis: JSON (the contract, via serde), a FHIR R4 Bundle and a terminal summary.

pub mod fhir;
pub mod text;

use std::io;

use crate::analysis::Analysis;

/// The contract as pretty JSON. Deterministic: the same analysis gives the same bytes.
pub fn to_json(analysis: &Analysis) -> String {
    serde_json::to_string_pretty(analysis).expect("the analysis model serializes without fail")
}

/// Appends the contract as compact JSON (the API's and `casus batch`'s form) to `out`: the
/// same bytes as `serde_json::to_vec`, written faster.
///
/// An analysis is thousands of short strings, keys and punctuation, which serde_json writes
/// one by one through `io::Write`; a `Vec<u8>` would copy even a one-byte write with a call to
/// `memcpy`. [`JsonBuffer`] pushes those bytes directly.
pub fn write_compact_json(analysis: &Analysis, out: &mut Vec<u8>) {
    let mut buffer = JsonBuffer(std::mem::take(out));
    serde_json::to_writer(&mut buffer, analysis).expect("the analysis model serializes without fail");
    *out = buffer.0;
}

/// About how many bytes the compact JSON of a text of `text_bytes` bytes takes (some twenty
/// for each byte of text): the capacity to give the buffer of [`write_compact_json`], so that
/// it seldom grows.
pub fn compact_json_capacity(text_bytes: usize) -> usize {
    4096 + 24 * text_bytes
}

/// A byte buffer for serde_json: writing to it cannot fail.
struct JsonBuffer(Vec<u8>);

impl io::Write for JsonBuffer {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match *bytes {
            [byte] => self.0.push(byte),
            _ => self.0.extend_from_slice(bytes),
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_is_serde_json_compact_output() {
        let engine = crate::Engine::new().unwrap();
        let text = "Pacient de 60 de ani, febril (38,5°C), TA 80/50 mmHg. Hemocultură: E. coli.";
        let analysis = engine.analyze(text, &crate::Options::default()).unwrap();
        let mut json = b"[".to_vec();
        write_compact_json(&analysis, &mut json);
        assert_eq!(json[1..], serde_json::to_vec(&analysis).unwrap(), "appended, and the same bytes");
    }
}
