//! The ICD-10-CM table (`data/icd10cm/codes.tsv`), embedded, read one category at a time.
//!
//! The table is large (about 98,000 codes), so the engine does not parse it when it starts: the
//! first lookup indexes where each 3-character category's lines lie, and a category's codes are
//! read from its lines when asked for.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// The embedded table: `code`, `billable` (1 for a leaf code), `description`, in Tabular order.
pub const TABLE: &str = include_str!("../../../../data/icd10cm/codes.tsv");

/// One code of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableEntry {
    pub code: &'static str,
    pub billable: bool,
    pub description: &'static str,
    /// Where its line starts in [`TABLE`]: a stable handle of the code.
    pub offset: u32,
}

/// The byte range of each category's lines, built on first use.
///
/// A category's lines follow one another (Tabular order), so the index is written once per
/// run of lines of one category, not once per line; should a category come back after another,
/// its range grows over the lines between. The line ends are found with `memchr`: the table is
/// 8 MB, and this is the first diagnosis's wait.
fn categories() -> &'static FxHashMap<&'static str, (usize, usize)> {
    static INDEX: OnceLock<FxHashMap<&'static str, (usize, usize)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: FxHashMap<&'static str, (usize, usize)> = FxHashMap::default();
        let mut add = |category: &'static str, (start, end): (usize, usize)| {
            index.entry(category).and_modify(|range| range.1 = end).or_insert((start, end));
        };
        let mut run: Option<(&'static str, (usize, usize))> = None;
        let ends = memchr::memchr_iter(b'\n', TABLE.as_bytes()).map(|n| n + 1).chain(std::iter::once(TABLE.len()));
        let mut start = 0;
        for end in ends {
            let line = &TABLE[start..end];
            if !line.starts_with('#') && !line.starts_with("code\t") {
                if let Some(category) = line.get(..3) {
                    match &mut run {
                        Some((current, range)) if *current == category => range.1 = end,
                        _ => {
                            if let Some((category, range)) = run.take() {
                                add(category, range);
                            }
                            run = Some((category, (start, end)));
                        }
                    }
                }
            }
            start = end;
            if start == TABLE.len() {
                break;
            }
        }
        if let Some((category, range)) = run {
            add(category, range);
        }
        index
    })
}

fn entry(line: &'static str, offset: usize) -> Option<TableEntry> {
    let mut cells = line.trim_end_matches(['\n', '\r']).split('\t');
    let code = cells.next()?;
    let billable = cells.next()? == "1";
    let description = cells.next()?;
    Some(TableEntry { code, billable, description, offset: offset as u32 })
}

/// The lines of a 3-character category (none for an unknown category), in table order, each
/// with the offset where it starts in [`TABLE`].
fn category_lines(category: &str) -> impl Iterator<Item = (usize, &'static str)> {
    let (start, end) = categories().get(category).copied().unwrap_or((0, 0));
    let mut at = start;
    std::iter::from_fn(move || {
        (at < end).then(|| {
            let next = memchr::memchr(b'\n', &TABLE.as_bytes()[at..end]).map_or(end, |n| at + n + 1);
            let line = (at, &TABLE[at..next]);
            at = next;
            line
        })
    })
}

/// The codes of a 3-character category, in table order (none for an unknown category).
pub fn category(category: &str) -> impl Iterator<Item = TableEntry> {
    category_lines(category).filter_map(|(at, line)| entry(line, at))
}

/// A code of the table. Only the line that starts with the code is read into an entry: its
/// category's other lines are refused by their first bytes.
pub fn lookup(code: &str) -> Option<TableEntry> {
    category_lines(code.get(..3)?)
        .filter(|(_, line)| line.strip_prefix(code).is_some_and(|rest| rest.starts_with('\t')))
        .find_map(|(at, line)| entry(line, at))
}

/// The code whose line starts at `offset` (a [`TableEntry::offset`]).
pub fn at(offset: u32) -> Option<TableEntry> {
    let start = offset as usize;
    let rest = TABLE.get(start..)?;
    let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(TABLE.len(), |n| start + n + 1);
    entry(&TABLE[start..end], start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_category_and_finds_codes_by_offset() {
        let codes: Vec<TableEntry> = category("A00").collect();
        assert_eq!(codes.iter().map(|e| e.code).collect::<Vec<_>>(), ["A00", "A00.0", "A00.1", "A00.9"]);
        assert!(!codes[0].billable && codes[3].billable);
        assert_eq!(at(codes[3].offset), Some(codes[3]));
        assert_eq!(lookup("O99.013").map(|e| e.description), Some("Anemia complicating pregnancy, third trimester"));
        assert!(lookup("Z99.999").is_none());
    }

    #[test]
    fn every_code_of_the_table_is_found_in_its_category() {
        let mut codes = 0;
        let mut offset = 0;
        for line in TABLE.split_inclusive('\n') {
            if !line.starts_with('#') && !line.starts_with("code\t") {
                let code = line.split('\t').next().unwrap();
                let found = lookup(code);
                assert_eq!(found.map(|e| e.offset as usize), Some(offset), "{line:?}");
                // The look-up by the code column finds what reading the whole category finds.
                assert_eq!(found, category(&code[..3]).find(|e| e.code == code), "{line:?}");
                codes += 1;
            }
            offset += line.len();
        }
        assert!(codes > 90_000, "the whole table: {codes}");
    }
}
