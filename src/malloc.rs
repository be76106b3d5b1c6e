//! Tuning of the C allocator, set once at start-up.
//!
//! glibc gives each thread that allocates an arena of its own, and grows an
//! arena's heap a few pages at a time, with one `mprotect` call each time.
//! Loading and exporting allocate on several threads at once: a 20,000-note
//! deck made about 2,800 such calls, about 6 % of the run's CPU time. A top
//! pad of 16 MiB grows a heap in large steps instead (22 calls). Memory is
//! only reserved by it, not touched: peak RSS does not change.

/// How much more than asked for a heap grows by.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TOP_PAD: libc::c_int = 16 << 20;

/// Applies the tuning; a no-op where the allocator is not glibc's.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, TOP_PAD);
    }
}
