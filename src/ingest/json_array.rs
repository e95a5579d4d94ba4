//! A JSON array of records read one element at a time: each element's bytes are copied out as
//! one line (whitespace outside strings folded to spaces, so a pretty-printed record stays on
//! one line), so that a JSON array file streams through the same JSON-lines parsing as an
//! NDJSON file and memory stays bounded by a chunk, not the file.

use std::io::BufRead;

/// Where the scan of the array stands.
pub struct ArrayElements<R> {
    reader: R,
    started: bool,
    ended: bool,
    /// Bytes consumed so far, for progress and for messages.
    pub offset: u64,
}

/// A file that is not an array of JSON values, at this byte.
#[derive(Debug)]
pub enum ArrayError {
    Io(std::io::Error),
    Shape { offset: u64, found: String },
}

impl<R: BufRead> ArrayElements<R> {
    pub fn new(reader: R) -> Self {
        ArrayElements {
            reader,
            started: false,
            ended: false,
            offset: 0,
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, ArrayError> {
        let buf = self.reader.fill_buf().map_err(ArrayError::Io)?;
        Ok(buf.first().copied())
    }

    fn bump(&mut self) {
        self.reader.consume(1);
        self.offset += 1;
    }

    /// The next byte that is not JSON whitespace (not consumed).
    fn skip_space(&mut self) -> Result<Option<u8>, ArrayError> {
        while let Some(b) = self.peek()? {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(Some(b));
            }
            self.bump();
        }
        Ok(None)
    }

    fn shape(&self, found: Option<u8>, wanted: &str) -> ArrayError {
        let found = match found {
            None => "the end of the file".to_string(),
            Some(b) => format!("'{}'", b as char),
        };
        ArrayError::Shape {
            offset: self.offset,
            found: format!("{found} where {wanted} was expected"),
        }
    }

    /// Appends the next element to `out` as one line; false once the array has ended.
    pub fn next_into(&mut self, out: &mut Vec<u8>) -> Result<bool, ArrayError> {
        if self.ended {
            return Ok(false);
        }
        if !self.started {
            // A UTF-8 byte order mark is not part of the JSON.
            let bom = self.reader.fill_buf().map_err(ArrayError::Io)?;
            if bom.starts_with(b"\xEF\xBB\xBF") {
                self.reader.consume(3);
                self.offset += 3;
            }
            match self.skip_space()? {
                Some(b'[') => self.bump(),
                other => return Err(self.shape(other, "'['")),
            }
            self.started = true;
            if self.skip_space()? == Some(b']') {
                self.bump();
                self.ended = true;
                return Ok(false);
            }
        }
        match self.skip_space()? {
            None | Some(b']' | b',') => {
                let b = self.peek()?;
                return Err(self.shape(b, "a value"));
            }
            Some(_) => {}
        }
        let (mut depth, mut strings) = (0usize, Strings::default());
        loop {
            let Some(b) = self.peek()? else {
                return Err(self.shape(None, "',' or ']'"));
            };
            if strings.step(b) {
                out.push(b);
                self.bump();
                continue;
            }
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b']' if depth == 0 => break,
                b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => break,
                _ => {}
            }
            out.push(if matches!(b, b'\n' | b'\r' | b'\t') {
                b' '
            } else {
                b
            });
            self.bump();
            if depth == 0 && matches!(b, b'}' | b']') {
                break;
            }
        }
        out.push(b'\n');
        match self.skip_space()? {
            Some(b',') => self.bump(),
            Some(b']') => {
                self.bump();
                self.ended = true;
                if let Some(b) = self.skip_space()? {
                    return Err(self.shape(Some(b), "nothing after the array"));
                }
            }
            other => return Err(self.shape(other, "',' or ']'")),
        }
        Ok(true)
    }
}

/// Where a JSON byte stream is inside a string, byte by byte (escapes followed): the one
/// scanner of strings for the array reader and the nesting check.
#[derive(Debug, Default)]
pub(crate) struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Takes the next byte; `true` when it belongs to a string (its quotes included).
    pub(crate) fn step(&mut self, b: u8) -> bool {
        if self.inside {
            match (self.escaped, b) {
                (true, _) => self.escaped = false,
                (false, b'\\') => self.escaped = true,
                (false, b'"') => self.inside = false,
                _ => {}
            }
            true
        } else {
            self.inside = b == b'"';
            self.inside
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Result<Vec<String>, ArrayError> {
        let mut a = ArrayElements::new(text.as_bytes());
        let mut out = Vec::new();
        while a.next_into(&mut out)? {}
        Ok(String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect())
    }

    #[test]
    fn each_element_becomes_one_line() {
        let got =
            lines("[\n {\"a\": 1,\n  \"b\": \"x, ]\\\"}\"},\n {\"a\": [2, {\"c\": null}]} ]\n")
                .unwrap();
        assert_eq!(
            got,
            vec![
                "{\"a\": 1,   \"b\": \"x, ]\\\"}\"}",
                "{\"a\": [2, {\"c\": null}]}"
            ]
        );
        assert!(lines(" [ ] ").unwrap().is_empty());
    }

    #[test]
    fn what_is_not_an_array_is_refused_at_its_byte() {
        for bad in [
            "{\"a\":1}",
            "[{\"a\":1}",
            "[{\"a\":1},]",
            "[{\"a\":1}] x",
            "[,]",
        ] {
            assert!(
                matches!(lines(bad), Err(ArrayError::Shape { .. })),
                "{bad} accepted"
            );
        }
    }
}
