//! The allocator's trade between time and memory, chosen per command.
//!
//! mimalloc keeps freed pages for a while (1 s in its v3) before giving
//! them back to the system. Conversion frees much as it goes, so while
//! annotating a 100,000-row workbook that delay alone added about 35 MiB
//! to the peak (165 MiB, 129 MiB purged at once; the heap itself peaks at
//! 93 MB). Purging at once costs time: on the same 100,000 rows
//! `convert -o -` took 1.85 s instead of 1.65 s and `validate` 1.94 s
//! instead of 1.59 s (`cargo bench -p avails-cli --bench convert -- 100000
//! --runs 3`, with and without `MIMALLOC_PURGE_DELAY=1000`, 2026-12-08). So
//! only the commands that write a workbook (`validate --annotate`, `submit
//! --report`), whose memory goal is the tighter, purge at once.

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3), between
/// `mi_option_eager_commit_delay` (14) and `mi_option_use_numa_nodes` (16),
/// which libmimalloc-sys names; it does not name this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory given back to the system at once from now on, unless
/// `MIMALLOC_PURGE_DELAY` is set (then it decides).
pub fn return_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option of the allocator, which reads it
        // atomically; no memory is touched.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}
