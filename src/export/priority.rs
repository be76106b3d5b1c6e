//! Letting one thread go first when several want the cores.
//!
//! The deck has one thread that the rest of its work feeds and waits for:
//! the one laying out the collection's pages (`src/anki/package.rs`). Its
//! notes are made, and its pieces deflated, on threads behind it, and in
//! `export all` the booklet renders behind it too, so that the writing
//! thread never waits for a core and the others share what it leaves.
//! Output bytes do not depend on it.
//!
//! It mattered most with the deck's earlier SQLite-based writer, whose one
//! connection inserted the rows and then built the indexes for about half
//! the deck's time: shared evenly, the booklet finished first and the index
//! build then ran alone on an otherwise idle machine.

/// How much lower the priority is (a `nice` increment): enough that the
/// other work goes first when both are runnable, while this work still
/// uses any core the other leaves.
const NICENESS: i32 = 10;

/// Runs `f` on worker threads of its own, as many as rayon's, at a lower
/// scheduling priority (Linux; elsewhere at the same priority). Rayon's
/// parallel iterators inside `f` use these threads.
pub fn behind<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(|i| format!("briefdeck-behind-{i}"))
        .start_handler(|_| lower_this_thread())
        .build();
    match pool {
        Ok(pool) => pool.install(f),
        // No threads to be had: run here, at the usual priority.
        Err(_) => f(),
    }
}

/// Lowers the priority of the calling thread (never raises it, which an
/// unprivileged process could not undo: the pool's threads end with it).
#[cfg(target_os = "linux")]
fn lower_this_thread() {
    // On Linux a priority belongs to a thread, named by its id; failing
    // only means running at the usual priority.
    // SAFETY: plain system calls on the calling thread, no memory involved.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, NICENESS);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_behind_runs_on_lower_priority_threads_and_returns_its_result() {
        let (sum, name) = behind(|| {
            use rayon::prelude::*;
            let sum: u64 = (1..=1000u64).into_par_iter().sum();
            (sum, std::thread::current().name().map(str::to_owned))
        });
        assert_eq!(sum, 500_500);
        assert!(name.is_some_and(|n| n.starts_with("briefdeck-behind-")));
        #[cfg(target_os = "linux")]
        {
            let nice = behind(|| unsafe {
                libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t)
            });
            let here =
                unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
            assert!(nice > here, "{nice} is not lower than {here}");
        }
    }
}
