//! The one table format of `data/`: UTF-8, tab-separated, `#` comment lines, a header row.

use crate::error::KnowledgeError;

/// A parsed table: its header and its rows, each with the line number it came from.
#[derive(Debug)]
pub struct Table<'a> {
    pub file: &'a str,
    pub header: Vec<&'a str>,
    pub rows: Vec<Row<'a>>,
}

#[derive(Debug)]
pub struct Row<'a> {
    pub line: usize,
    pub cells: Vec<&'a str>,
}

impl<'a> Table<'a> {
    /// Parses `text` (the contents of `file`), requiring exactly the given columns.
    pub fn parse(file: &'a str, text: &'a str, columns: &[&str]) -> Result<Table<'a>, KnowledgeError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(n, line)| (n + 1, line.strip_suffix('\r').unwrap_or(line)))
            .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
        let (header_line, header) = lines.next().ok_or_else(|| KnowledgeError {
            file: file.to_owned(),
            line: 1,
            message: "no header row".to_owned(),
        })?;
        let header: Vec<&str> = header.split('\t').collect();
        if header != columns {
            return Err(KnowledgeError {
                file: file.to_owned(),
                line: header_line,
                message: format!("header is {header:?}, expected {columns:?}"),
            });
        }
        let mut rows = Vec::new();
        for (line, text) in lines {
            let cells: Vec<&str> = text.split('\t').collect();
            if cells.len() != columns.len() {
                return Err(KnowledgeError {
                    file: file.to_owned(),
                    line,
                    message: format!("{} columns, expected {}", cells.len(), columns.len()),
                });
            }
            rows.push(Row { line, cells });
        }
        Ok(Table { file, header, rows })
    }

    /// An error about one row of this table.
    pub fn error(&self, row: &Row<'_>, message: impl Into<String>) -> KnowledgeError {
        KnowledgeError { file: self.file.to_owned(), line: row.line, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blank_lines() {
        let table = Table::parse("t.tsv", "# about\n\na\tb\n1\t2\n# more\n3\t4\n", &["a", "b"]).unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].line, 6);
        assert_eq!(table.rows[1].cells, ["3", "4"]);
    }

    #[test]
    fn names_the_file_and_line_of_a_bad_row() {
        let err = Table::parse("t.tsv", "a\tb\n1\t2\t3\n", &["a", "b"]).unwrap_err();
        assert_eq!(err.to_string(), "t.tsv:2: 3 columns, expected 2");
    }

    #[test]
    fn refuses_an_unexpected_header() {
        assert!(Table::parse("t.tsv", "a\tc\n", &["a", "b"]).is_err());
    }
}
