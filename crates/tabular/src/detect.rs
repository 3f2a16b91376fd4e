//! Guessing what a file is: its format, its text encoding and its delimiter, from its first
//! bytes; and decoding legacy encodings to UTF-8 as a stream.

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1256};

use crate::error::TabularError;

/// The kind of spreadsheet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-, semicolon- or tab-separated text.
    Csv,
    /// An Office Open XML workbook (`.xlsx`).
    Xlsx,
}

/// The format of a file from its first bytes (at least 8 are needed to tell): a ZIP archive
/// is taken for XLSX, an OLE compound file (an old `.xls` workbook) or anything that is clearly
/// binary is [`TabularError::UnsupportedFormat`], everything else is CSV (whose text is
/// checked later, when reading).
pub fn detect_format(first_bytes: &[u8]) -> Result<FileFormat, TabularError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const PDF: &[u8] = b"%PDF";
    if first_bytes.is_empty() {
        Err(TabularError::EmptyFile)
    } else if first_bytes.starts_with(ZIP) {
        Ok(FileFormat::Xlsx)
    } else if first_bytes.starts_with(OLE) || first_bytes.starts_with(PDF) {
        Err(TabularError::UnsupportedFormat)
    } else {
        Ok(FileFormat::Csv)
    }
}

/// The character encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte order mark.
    Utf8,
    /// UTF-16 little-endian with a byte order mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with a byte order mark.
    Utf16Be,
    /// Windows-1256 (Arabic), written by older Persian software and by Excel on Persian
    /// Windows when saving "CSV" without "UTF-8".
    Windows1256,
}

impl TextEncoding {
    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            TextEncoding::Utf8 => None,
            TextEncoding::Utf16Le => Some(UTF_16LE),
            TextEncoding::Utf16Be => Some(UTF_16BE),
            TextEncoding::Windows1256 => Some(WINDOWS_1256),
        }
    }

    /// A stable code for the encoding, e.g. `"windows-1256"`.
    pub fn code(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1256 => "windows-1256",
        }
    }
}

/// The encoding of text starting with `sample`, and the length of its byte order mark.
///
/// `complete` says whether `sample` is the whole file; if not, a multi-byte character cut at
/// its end is not held against UTF-8. Without a byte order mark, valid UTF-8 is UTF-8; text
/// that is not, but reads as Windows-1256 with mostly Persian/Arabic letters where bytes above
/// 127 are, is Windows-1256; anything else (Latin-1 from another country, binary data) is
/// [`TabularError::UnknownEncoding`] rather than a guess that would garble every name.
pub fn detect_encoding(
    sample: &[u8],
    complete: bool,
) -> Result<(TextEncoding, usize), TabularError> {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((TextEncoding::Utf8, 3));
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return Ok((TextEncoding::Utf16Le, 2));
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return Ok((TextEncoding::Utf16Be, 2));
    }
    // Text never holds control characters other than tab, line breaks and form feed; a file
    // that does is binary (or UTF-16 without a byte order mark, which nobody writes).
    if sample
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
    {
        return Err(TabularError::UnknownEncoding);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return Ok((TextEncoding::Utf8, 0)),
        // A character cut off by the end of the sample, not a wrong byte.
        Err(e) if e.error_len().is_none() && !complete => return Ok((TextEncoding::Utf8, 0)),
        Err(_) => {}
    }
    if looks_like_windows_1256(sample) {
        Ok((TextEncoding::Windows1256, 0))
    } else {
        Err(TabularError::UnknownEncoding)
    }
}

/// Whether the non-ASCII characters of `sample` read as Windows-1256 are mostly Arabic-script
/// letters and the punctuation Persian text uses.
fn looks_like_windows_1256(sample: &[u8]) -> bool {
    let (text, _) = WINDOWS_1256.decode_without_bom_handling(sample);
    let (mut persian, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        match c {
            '\u{0600}'..='\u{06FF}' | '\u{200C}'..='\u{200F}' | '«' | '»' | '…' | '–' | '—' => {
                persian += 1
            }
            _ => other += 1,
        }
    }
    // Latin-1 text decoded this way shows accented Latin letters (é, ç, ô), which Windows-1256
    // keeps at their Latin-1 positions; a real Persian file has hardly any.
    persian > 0 && persian >= other * 4
}

/// The delimiter of CSV text starting with `sample` (already UTF-8): the one of comma,
/// semicolon, tab and vertical bar that splits the first lines into the most columns, the same
/// number on each line. A file with one column gets a comma.
pub fn detect_delimiter(sample: &[u8], complete: bool) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut best = (b',', 0usize, 0usize);
    for delimiter in CANDIDATES {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(sample);
        let mut widths: Vec<usize> = reader
            .byte_records()
            .take(20)
            .map_while(Result::ok)
            .map(|r| r.len())
            .collect();
        // The last record of a cut sample may itself be cut.
        if !complete && widths.len() > 1 {
            widths.pop();
        }
        let Some(&header_width) = widths.first() else {
            continue;
        };
        let consistent = widths.iter().filter(|&&w| w == header_width).count();
        if header_width > 1 && (consistent, header_width) > (best.1, best.2) {
            best = (delimiter, consistent, header_width);
        }
    }
    best.0
}

/// Decodes a stream in a legacy encoding into UTF-8 as it is read, a buffer at a time, so a
/// file of any size needs constant memory. Malformed input becomes U+FFFD.
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    eof: bool,
}

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner` (positioned after any byte order mark) from `encoding` to UTF-8.
    pub(crate) fn new(inner: R, encoding: TextEncoding) -> Self {
        let encoding = encoding.encoding().unwrap_or(encoding_rs::UTF_8);
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 32 * 1024],
            input_start: 0,
            input_end: 0,
            // Every decoder here produces at most three UTF-8 bytes per input byte.
            output: vec![0; 3 * 32 * 1024 + 16],
            output_start: 0,
            output_end: 0,
            eof: false,
        }
    }

    /// Decodes the next buffer; returns false once everything has been decoded.
    fn fill(&mut self) -> io::Result<bool> {
        loop {
            if self.input_start == self.input_end && !self.eof {
                self.input_start = 0;
                self.input_end = self.inner.read(&mut self.input)?;
                self.eof = self.input_end == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.eof,
            );
            self.input_start += read;
            self.output_start = 0;
            self.output_end = written;
            if written > 0 {
                return Ok(true);
            }
            if self.eof && result == CoderResult::InputEmpty {
                return Ok(false);
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.output_start == self.output_end && !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.output_end - self.output_start);
        buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
        self.output_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_magic_bytes() {
        assert_eq!(detect_format(b"PK\x03\x04rest").unwrap(), FileFormat::Xlsx);
        assert_eq!(detect_format(b"name,phone\n").unwrap(), FileFormat::Csv);
        assert_eq!(
            detect_format(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
                .unwrap_err()
                .code(),
            "unsupported_format"
        );
        assert_eq!(detect_format(b"").unwrap_err().code(), "empty_file");
    }

    #[test]
    fn encodings() {
        let persian = "نام,تلفن\nعلی,۰۹۱۲\n";
        assert_eq!(
            detect_encoding(persian.as_bytes(), true).unwrap(),
            (TextEncoding::Utf8, 0)
        );
        let with_bom = [&[0xEF, 0xBB, 0xBF][..], persian.as_bytes()].concat();
        assert_eq!(
            detect_encoding(&with_bom, true).unwrap(),
            (TextEncoding::Utf8, 3)
        );
        let (cp1256, _, lossy) = WINDOWS_1256.encode("نام,شهر\nعلي,تهران\n");
        assert!(!lossy);
        assert_eq!(
            detect_encoding(&cp1256, true).unwrap(),
            (TextEncoding::Windows1256, 0)
        );
        assert_eq!(
            detect_encoding(&[0xFF, 0xFE, b'a', 0], true).unwrap(),
            (TextEncoding::Utf16Le, 2)
        );
        // "café,crème" in Latin-1 is not Persian.
        let latin1 = b"caf\xe9,cr\xe8me,gar\xe7on,h\xf4tel\n";
        assert_eq!(
            detect_encoding(latin1, true).unwrap_err().code(),
            "unknown_encoding"
        );
        // Binary data.
        assert_eq!(
            detect_encoding(&[0x00, 0x01, 0x02, 0xFF], true)
                .unwrap_err()
                .code(),
            "unknown_encoding"
        );
        // A Persian letter cut by the end of the sample is fine unless the file ends there.
        let cut = &"نام".as_bytes()[..5];
        assert_eq!(detect_encoding(cut, false).unwrap().0, TextEncoding::Utf8);
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1;2,5;3\n", true), b';');
        assert_eq!(detect_delimiter(b"a\tb\n1\t2\n", true), b'\t');
        assert_eq!(detect_delimiter(b"a|b\n1|2\n", true), b'|');
        assert_eq!(detect_delimiter(b"name\nali\n", true), b',');
        // Commas inside quotes do not count.
        assert_eq!(detect_delimiter(b"\"a,b\";c\n\"1,2\";3\n", true), b';');
    }

    #[test]
    fn decoding_reader_streams_windows_1256() {
        let text = "علي رضايي,تهران,ک گ پ چ ژ\n".repeat(10_000);
        let (bytes, _, _) = WINDOWS_1256.encode(&text);
        let mut decoded = String::new();
        DecodingReader::new(&bytes[..], TextEncoding::Windows1256)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
    }

    #[test]
    fn decoding_reader_handles_utf16_split_across_reads() {
        let text = "نام,ایمیل\nمریم,m@x.ir\n".repeat(5000);
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        // A reader that hands out 7 bytes at a time splits code units across reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut decoded = String::new();
        DecodingReader::new(Trickle(&bytes), TextEncoding::Utf16Le)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
    }
}
