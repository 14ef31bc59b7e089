//! Printing located problems the way compilers do.

use avails_convert::{ConvertError, Problem};

use crate::output::Format;

/// Prints problems one per line on standard error (text) or as JSON.
pub fn print_problems(problems: &[Problem], format: Format, to_stderr: bool) {
    match format {
        Format::Text => {
            for p in problems {
                errln!("{p}");
            }
        }
        Format::Json => {
            let text = serde_json::to_string_pretty(problems).unwrap_or_default();
            if to_stderr {
                errln!("{text}");
            } else {
                outln!("{text}");
            }
        }
    }
}

/// Prints inputs that could not be read.
pub fn print_unreadable(errors: &[ConvertError]) {
    for e in errors {
        errln!("error: {e}");
    }
}
