//! Containment of panics inside the libraries that parse workbooks
//! (calamine, zip): a damaged file must be an error naming it, never a
//! crash of the whole program.
//!
//! Every call into those libraries goes through [`contain`], which runs it
//! under `catch_unwind` and turns a panic into a [`Panic`] the caller makes
//! an [`EmaError::Damaged`](crate::EmaError::Damaged) naming the file and
//! sheet. The reader that panicked is dropped, never used again, so the
//! `AssertUnwindSafe` is sound: no state it touched outlives the call.
//!
//! The default panic hook would still print `thread 'main' panicked at ...`
//! (and a backtrace under `RUST_BACKTRACE`) before the panic is caught. On
//! first use [`contain`] installs a hook that, while the current thread is
//! inside [`contain`], prints nothing and keeps the panic's message and
//! place for the error; anywhere else it hands the panic to the hook that
//! was installed before (the default one, unless the program set its own),
//! so a bug in `avails` itself still crashes loudly. A program that replaces
//! the hook after the first read still gets the panics contained, but
//! printed by its own hook.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

/// What a contained panic said, and where in the library it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panic(pub String);

thread_local! {
    /// How many [`contain`] calls the thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The last contained panic's description, taken by [`contain`].
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Runs `f`; a panic inside it becomes `Err(Panic)`, silently.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    HOOK.call_once(install_hook);
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result.map_err(|payload| {
        let described = LAST
            .with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| payload_text(payload.as_ref()).to_string());
        Panic(described)
    })
}

fn install_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if DEPTH.with(Cell::get) > 0 {
            LAST.with(|l| *l.borrow_mut() = Some(describe(info)));
        } else {
            previous(info);
        }
    }));
}

/// `index out of bounds: ... (calamine-0.38.0/src/xlsx/cells_reader.rs:358)`.
fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = avails_model::text::shorten_to(payload_text(info.payload()), 200);
    match info.location() {
        Some(at) => format!("{message} (at {}:{})", crate_path(at.file()), at.line()),
        None => message,
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a panic without a message"
    }
}

/// A source path from the crate's folder on (`calamine-0.38.0/src/...`),
/// without the registry's absolute path.
fn crate_path(file: &str) -> &str {
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    let crate_dir = parts.iter().rposition(|p| {
        p.rsplit_once('-')
            .is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
    });
    match crate_dir {
        Some(i) => {
            let skip: usize = parts[..i].iter().map(|p| p.len() + 1).sum();
            &file[skip..]
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message_and_place() {
        let v: Vec<u32> = Vec::new();
        let index = v.len() + 3;
        let err = contain(|| v[index]).unwrap_err();
        assert!(err.0.contains("index out of bounds"), "{}", err.0);
        assert!(err.0.contains("src/contain.rs:"), "{}", err.0);
    }

    #[test]
    fn a_value_passes_through() {
        assert_eq!(contain(|| 42), Ok(42));
    }

    #[test]
    fn nested_and_repeated_panics_are_each_contained() {
        for _ in 0..3 {
            let outer = contain(|| {
                let inner = contain(|| panic!("inner {}", 1));
                assert_eq!(
                    inner.clone().unwrap_err().0.split(" (at").next(),
                    Some("inner 1")
                );
                panic!("outer")
            });
            assert!(outer.unwrap_err().0.starts_with("outer"));
        }
    }

    #[test]
    fn registry_paths_are_shortened_to_the_crate() {
        assert_eq!(
            crate_path("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/calamine-0.38.0/src/xlsx/cells_reader.rs"),
            "calamine-0.38.0/src/xlsx/cells_reader.rs"
        );
        assert_eq!(crate_path("src/contain.rs"), "src/contain.rs");
    }
}
