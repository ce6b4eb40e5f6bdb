//! Renderings of an analysis: JSON (the contract, via serde), a FHIR R4 Bundle and a terminal summary.

pub mod fhir;
pub mod text;

use std::io;

use crate::analysis::Analysis;

/// The contract as pretty JSON. Deterministic: the same analysis gives the same bytes.
pub fn to_json(analysis: &Analysis) -> String {
    serde_json::to_string_pretty(analysis).expect("the analysis model serializes without fail")
}

/// The contract as compact JSON (the API's and `casus batch`'s form): the same bytes as
/// `serde_json::to_vec`, written faster.
///
/// An analysis is thousands of short strings, keys and punctuation; serde_json writes each
/// through `io::Write`, and a `Vec<u8>` copies each with a call to `memcpy` and may grow many
/// times. [`JsonBuffer`] pushes the one-byte writes directly, and the buffer starts at about
/// the size the output will reach (some twenty bytes of JSON for each byte of text).
pub fn to_compact_json(analysis: &Analysis, text_bytes: usize) -> Vec<u8> {
    let mut buffer = JsonBuffer(Vec::with_capacity(4096 + 24 * text_bytes));
    serde_json::to_writer(&mut buffer, analysis).expect("the analysis model serializes without fail");
    buffer.0
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
        assert_eq!(to_compact_json(&analysis, text.len()), serde_json::to_vec(&analysis).unwrap());
    }
}
