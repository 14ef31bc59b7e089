//! How a finding looks: the fill of its cell and the text of its note.

use rust_xlsxwriter::{Color, Format, Note};

use crate::{Mark, Origin, Severity};

/// Fill of a cell with an error (red).
pub const ERROR_FILL: u32 = 0xF8_69_6B;
/// Fill of a cell with a warning and no error (amber).
pub const WARNING_FILL: u32 = 0xFF_C0_00;
/// Author of the notes.
pub const NOTE_AUTHOR: &str = "avails";

/// Number format of dates without a time (ISO, so no locale misreads them).
const DATE_FORMAT: &str = "yyyy-mm-dd";
/// Number format of date-times.
const DATE_TIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";
/// Number format of durations.
const DURATION_FORMAT: &str = "[h]:mm:ss";
/// Width of a note box, in pixels.
const NOTE_WIDTH: u32 = 360;
/// Characters per line of a note box, to size its height.
const NOTE_LINE_CHARS: usize = 52;
/// Height of a note line, in pixels.
const NOTE_LINE_HEIGHT: u32 = 16;
/// Tallest note box, in pixels.
const NOTE_MAX_HEIGHT: u32 = 480;

/// What number format a copied value needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, numbers and booleans: Excel's General.
    General,
    /// A date serial with no time of day.
    Date,
    /// A date serial with a time of day.
    DateTime,
    /// A duration.
    Duration,
}

impl Kind {
    /// The kind of a date serial: with or without a time of day.
    pub fn of_date(serial: f64) -> Self {
        if serial.fract() == 0.0 {
            Self::Date
        } else {
            Self::DateTime
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The twelve formats: four kinds, each plain, red or amber.
pub struct Styles {
    formats: Vec<[Format; 3]>,
}

impl Styles {
    /// Builds every format once.
    pub fn new() -> Self {
        let kinds = [
            Format::new(),
            Format::new().set_num_format(DATE_FORMAT),
            Format::new().set_num_format(DATE_TIME_FORMAT),
            Format::new().set_num_format(DURATION_FORMAT),
        ];
        let formats = kinds
            .into_iter()
            .map(|base| {
                [
                    base.clone(),
                    base.clone().set_background_color(Color::RGB(ERROR_FILL)),
                    base.set_background_color(Color::RGB(WARNING_FILL)),
                ]
            })
            .collect();
        Self { formats }
    }

    /// The format of a value of `kind` in a cell marked with `severity`.
    pub fn get(&self, kind: Kind, severity: Option<Severity>) -> &Format {
        let fill = match severity {
            None => 0,
            Some(Severity::Error) => 1,
            Some(Severity::Warning) => 2,
        };
        &self.formats[kind.index()][fill]
    }
}

/// The most serious severity of a cell's marks.
pub fn worst<'a>(marks: impl IntoIterator<Item = &'a Mark>) -> Option<Severity> {
    marks.into_iter().map(|m| m.severity).min()
}

/// `ERROR AV040` or `ERROR UNKNOWN_ALID [server]`.
pub fn heading(mark: &Mark) -> String {
    let server = match mark.origin {
        Origin::Server => " [server]",
        Origin::Local => "",
    };
    format!(
        "{} {}{server}",
        mark.severity.as_str().to_uppercase(),
        mark.code
    )
}

/// The text of a cell's note: each finding's heading and message.
pub fn note_text(marks: &[&Mark]) -> String {
    marks
        .iter()
        .map(|m| format!("{}\n{}", heading(m), m.message))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Height in pixels of a note box showing `text`.
pub fn note_height(text: &str) -> u32 {
    let lines: usize = text
        .lines()
        .map(|l| l.chars().count().div_ceil(NOTE_LINE_CHARS).max(1))
        .sum();
    (lines as u32 * NOTE_LINE_HEIGHT + 12).min(NOTE_MAX_HEIGHT)
}

/// The note of a cell: each finding's heading and message.
pub fn note(marks: &[&Mark]) -> Note {
    let text = note_text(marks);
    let height = note_height(&text);
    Note::new(text)
        .set_author(NOTE_AUTHOR)
        .add_author_prefix(false)
        .set_width(NOTE_WIDTH)
        .set_height(height)
}
