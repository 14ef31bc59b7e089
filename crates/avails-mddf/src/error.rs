//! Errors of the MDDF reader.

use thiserror::Error;

/// Why an MDDF document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MddfError {
    /// The text is not well-formed XML.
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line of the problem.
        line: u32,
        /// 1-based column (in characters) of the problem.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The document has no root element.
    #[error("the document has no root element")]
    NoRoot,
    /// The root element is neither `AvailList` nor `Avail`.
    #[error("line {line}: root element <{found}> is neither AvailList nor Avail")]
    UnexpectedRoot {
        /// Local name of the root element found.
        found: String,
        /// 1-based line of the root element.
        line: u32,
    },
    /// Elements are nested deeper than the reader accepts.
    #[error("line {line}: elements nested deeper than {limit} levels")]
    TooDeep {
        /// 1-based line of the element that went too deep.
        line: u32,
        /// The nesting limit.
        limit: usize,
    },
}
