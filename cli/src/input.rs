//! The user ids to reactivate: arguments, or a file (or stdin) of lines, CSV
//! with a header, or JSON lines. The whole input is read and checked before
//! the first request, so that a file that is not what it seems (a CSV read as
//! lines would send every whole row, header included, as an id) is refused
//! with nothing sent. Each id keeps its row, so that the ids to rerun are
//! written back in the input's own format.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::args::Format;
use crate::Usage;

/// The input, read: the ids in input order, and where each came from.
pub struct Input {
    pub ids: Vec<String>,
    source: Source,
    /// Where it was read from, for messages (`-` for stdin).
    pub name: String,
}

enum Source {
    Arguments,
    Lines,
    Csv {
        header: csv::StringRecord,
        rows: Vec<csv::StringRecord>,
        delimiter: u8,
        column: String,
    },
    Jsonl {
        lines: Vec<String>,
        field: Option<String>,
    },
}

/// First lines that say a file is a CSV export with a header, not ids.
const HEADER_WORDS: &[&str] = &[
    "id",
    "ids",
    "user",
    "users",
    "userid",
    "user_id",
    "user-id",
    "user id",
    "username",
    "user_name",
    "login",
    "email",
    "e-mail",
    "mail",
    "upn",
    "userprincipalname",
    "user_principal_name",
    "externalid",
    "external_id",
    "employee",
    "employee_id",
    "sub",
    "uid",
];

impl Input {
    /// The ids given as arguments.
    pub fn arguments(ids: Vec<String>) -> Input {
        Input {
            ids,
            source: Source::Arguments,
            name: "the arguments".into(),
        }
    }

    /// Reads `path` (`-`: stdin) whole, as `format` says, or, without it, as
    /// CSV when `column` is given, else as lines that must not look like CSV
    /// or JSON.
    pub fn read(
        path: &str,
        format: Option<Format>,
        column: Option<&str>,
        delimiter: u8,
    ) -> Result<Input, Usage> {
        let shown = if path == "-" { "stdin" } else { path };
        let mut bytes = Vec::new();
        let read = if path == "-" {
            std::io::stdin().lock().read_to_end(&mut bytes)
        } else {
            File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
        };
        read.map_err(|e| Usage(format!("--input {shown}: cannot read it: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Usage(format!("--input {shown}: not UTF-8 text")))?;
        // Spreadsheet exports start with a byte order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let format = match (format, column) {
            (Some(format), _) => format,
            (None, Some(_)) => Format::Csv,
            (None, None) => {
                guess_refused(path, shown, text)?;
                Format::Lines
            }
        };
        let (ids, source) = match format {
            Format::Lines => {
                if column.is_some() {
                    return Err(Usage(
                        "--column is for --format csv and --format jsonl; --format lines takes \
                         each whole line as an id"
                            .into(),
                    ));
                }
                (lines(text), Source::Lines)
            }
            Format::Csv => csv_rows(text, shown, column, delimiter)?,
            Format::Jsonl => json_lines(text, shown, column)?,
        };
        Ok(Input {
            ids,
            source,
            name: shown.to_string(),
        })
    }

    /// The options that read a file of failures back: `--format csv --column
    /// user_id` for a CSV, nothing for lines.
    pub fn rerun_options(&self) -> String {
        match &self.source {
            Source::Arguments | Source::Lines => String::new(),
            Source::Csv {
                column, delimiter, ..
            } => {
                let mut options = format!(" --format csv --column {}", shell_word(column));
                if *delimiter != b',' {
                    let d = if *delimiter == b'\t' {
                        "tab".to_string()
                    } else {
                        shell_word(&(*delimiter as char).to_string())
                    };
                    options.push_str(&format!(" --delimiter {d}"));
                }
                options
            }
            Source::Jsonl { field, .. } => match field {
                Some(field) => format!(" --format jsonl --column {}", shell_word(field)),
                None => " --format jsonl".into(),
            },
        }
    }
}

/// Each trimmed line, blank lines and `#` comments skipped.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Refuses, without an explicit format, a file that is not one id per line:
/// a `.csv`, `.tsv` or `.jsonl` file, a first line that is a header, a line
/// with a delimiter or a JSON object.
fn guess_refused(path: &str, shown: &str, text: &str) -> Result<(), Usage> {
    let extension = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv" | "tsv") => {
            return Err(Usage(format!(
                "--input {shown} is a CSV file: name the column holding the user ids with \
                 --column NAME (--format csv is then implied), or pass --format lines to take \
                 each whole line as an id"
            )))
        }
        Some("jsonl" | "ndjson" | "json") => {
            return Err(Usage(format!(
                "--input {shown} is a JSON file: pass --format jsonl (one object per line; \
                 --column names the id field, default `id`), or --format lines"
            )))
        }
        _ => {}
    }
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    if let Some((n, first)) = rows.clone().next() {
        let header = first
            .split([',', ';', '\t'])
            .map(|cell| cell.trim().trim_matches('"').trim())
            .find(|cell| HEADER_WORDS.contains(&cell.to_ascii_lowercase().as_str()));
        if let Some(column) = header {
            return Err(Usage(format!(
                "line {n} of {shown}, `{}`, looks like a CSV header, not a user id: pass \
                 --column NAME (e.g. --column {}) to read it as CSV (--format csv is then \
                 implied), or --format lines to take each whole line as an id",
                excerpt(first),
                shell_word(column)
            )));
        }
    }
    if let Some((n, line)) = rows.find(|(_, l)| l.starts_with('{') || l.starts_with('[')) {
        return Err(Usage(format!(
            "line {n} of {shown}, `{}`, looks like JSON, not a user id: pass --format jsonl \
             (--column names the id field, default `id`), or --format lines to take each \
             whole line as an id",
            excerpt(line)
        )));
    }
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    if let Some((n, line)) =
        rows.find(|(_, l)| l.contains([',', ';', '\t']) || (l.starts_with('"') && l.len() > 1))
    {
        return Err(Usage(format!(
            "line {n} of {shown}, `{}`, looks like a CSV row, not a user id: read it as CSV \
             with --column NAME (the header's column holding the ids; --delimiter for `;` or \
             tab), or pass --format lines to take each whole line as an id",
            excerpt(line)
        )));
    }
    Ok(())
}

/// The ids of a CSV with a header, from `column`.
fn csv_rows(
    text: &str,
    shown: &str,
    column: Option<&str>,
    delimiter: u8,
) -> Result<(Vec<String>, Source), Usage> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Usage(format!("--input {shown}: not CSV: {e}")))?
        .clone();
    let columns = || {
        header
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(column) = column else {
        return Err(Usage(format!(
            "a CSV needs --column NAME, the column holding the user ids; the header of {shown} \
             has: {}",
            columns()
        )));
    };
    let exact = header.iter().position(|c| c == column);
    let loose: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, c)| c.trim().eq_ignore_ascii_case(column.trim()))
        .map(|(i, _)| i)
        .collect();
    let at = match (exact, loose.as_slice()) {
        (Some(at), _) | (None, &[at]) => at,
        _ => {
            return Err(Usage(format!(
                "--column {column}: the header of {shown} has no such column; it has: {}",
                columns()
            )))
        }
    };
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| Usage(format!("--input {shown}: {e}")))?;
        // Rows of empty cells only (a spreadsheet's trailing rows).
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        ids.push(row.get(at).unwrap_or_default().trim().to_string());
        rows.push(row);
    }
    Ok((
        ids,
        Source::Csv {
            column: header.get(at).unwrap_or(column).to_string(),
            header,
            rows,
            delimiter,
        },
    ))
}

/// The ids of JSON lines: each line an object (the id in `field`, default
/// `id`) or a string.
fn json_lines(
    text: &str,
    shown: &str,
    field: Option<&str>,
) -> Result<(Vec<String>, Source), Usage> {
    let name = field.unwrap_or("id");
    let mut ids = Vec::new();
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let n = n + 1;
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Usage(format!("line {n} of {shown} is not JSON: {e}")))?;
        let id = match &value {
            serde_json::Value::String(id) => id.clone(),
            serde_json::Value::Object(object) => match object.get(name) {
                Some(serde_json::Value::String(id)) => id.clone(),
                Some(serde_json::Value::Number(id)) => id.to_string(),
                Some(_) => {
                    return Err(Usage(format!(
                        "line {n} of {shown}: `{name}` is not a string or a number"
                    )))
                }
                None => {
                    return Err(Usage(format!(
                        "line {n} of {shown} has no `{name}` field (--column names the field \
                         holding the id)"
                    )))
                }
            },
            _ => {
                return Err(Usage(format!(
                    "line {n} of {shown} is neither an object nor a string"
                )))
            }
        };
        ids.push(id.trim().to_string());
        lines.push(line.to_string());
    }
    Ok((
        ids,
        Source::Jsonl {
            lines,
            field: field.map(String::from),
        },
    ))
}

/// At most 60 characters of a line, for a message.
fn excerpt(line: &str) -> String {
    let mut out: String = line
        .chars()
        .take(60)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// `word` as one shell word.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The file of ids to rerun: created (empty) before the run, so that a path
/// that cannot be written is refused before anything is sent, and filled
/// when the run ends. It replaces the file at its path by a rename, so it may
/// be the input itself, and a stale file of an earlier run never survives.
pub struct Failures {
    path: PathBuf,
    temporary: PathBuf,
    file: File,
}

impl Failures {
    pub fn prepare(path: &Path) -> Result<Failures, Usage> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "failures".into());
        let temporary = path.with_file_name(format!(".{name}.userbridge-partial"));
        let file = File::create(&temporary).map_err(|e| {
            Usage(format!(
                "--failures {}: cannot write there: {e}",
                path.display()
            ))
        })?;
        Ok(Failures {
            path: path.to_path_buf(),
            temporary,
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the items at `indices` of `input` in its format, and puts the
    /// file in place.
    pub fn finish(mut self, input: &Input, indices: &[usize]) -> std::io::Result<()> {
        let mut out = Vec::new();
        match &input.source {
            Source::Arguments | Source::Lines => {
                for &i in indices {
                    if let Some(id) = input.ids.get(i) {
                        out.extend_from_slice(id.as_bytes());
                        out.push(b'\n');
                    }
                }
            }
            Source::Csv {
                header,
                rows,
                delimiter,
                ..
            } => {
                let mut writer = csv::WriterBuilder::new()
                    .delimiter(*delimiter)
                    .from_writer(&mut out);
                writer.write_record(header)?;
                for &i in indices {
                    if let Some(row) = rows.get(i) {
                        writer.write_record(row)?;
                    }
                }
                writer.flush()?;
            }
            Source::Jsonl { lines, .. } => {
                for &i in indices {
                    if let Some(line) = lines.get(i) {
                        out.extend_from_slice(line.as_bytes());
                        out.push(b'\n');
                    }
                }
            }
        }
        self.file.write_all(&out)?;
        self.file.sync_all()?;
        drop(self.file);
        std::fs::rename(&self.temporary, &self.path)
    }

    /// Removes the temporary file (a run that did not happen).
    pub fn abandon(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match guess_refused("ids.txt", "ids.txt", text) {
            Err(Usage(why)) => why,
            Ok(()) => String::new(),
        }
    }

    #[test]
    fn lines_that_look_like_csv_or_json_are_refused() {
        assert!(refused("user_id,email\n00u1,a@example.com\n").contains("CSV header"));
        assert!(refused("00u1,a@example.com\n").contains("CSV row"));
        assert!(refused("00u1;a\n").contains("CSV row"));
        assert!(refused("email\na@example.com\n").contains("--column email"));
        assert!(refused("Name;E-mail\nAda;a@example.com\n").contains("--column E-mail"));
        assert!(refused("{\"id\": \"00u1\"}\n").contains("--format jsonl"));
        assert_eq!(refused("00u1\n# a comment, with a comma\n\n00u2\n"), "");
    }

    #[test]
    fn csv_needs_a_column_and_finds_it_loosely() {
        let text = "Name,User ID\nAda,00u1\n,\nBob, 00u2 \n";
        let Err(Usage(why)) = csv_rows(text, "x.csv", None, b',') else {
            panic!("a CSV without --column");
        };
        assert!(
            why.contains("--column") && why.contains("`User ID`"),
            "{why}"
        );
        let Ok((ids, _)) = csv_rows(text, "x.csv", Some("user id"), b',') else {
            panic!("the column, case-insensitive");
        };
        assert_eq!(ids, ["00u1", "00u2"]);
        let Err(Usage(why)) = csv_rows(text, "x.csv", Some("uid"), b',') else {
            panic!("an unknown column");
        };
        assert!(why.contains("no such column"), "{why}");
    }

    #[test]
    fn json_lines_take_the_field_or_a_string() {
        let text = "{\"id\": \"00u1\"}\n\"00u2\"\n{\"id\": 42}\n";
        let Ok((ids, _)) = json_lines(text, "x", None) else {
            panic!("JSON lines");
        };
        assert_eq!(ids, ["00u1", "00u2", "42"]);
        assert!(json_lines("{\"uid\": \"a\"}", "x", None).is_err());
        assert!(json_lines("not json", "x", None).is_err());
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("user_id"), "user_id");
        assert_eq!(shell_word("User ID"), "'User ID'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
