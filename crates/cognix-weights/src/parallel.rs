//! Work on every core: a map over items whose results come back in order, with the bytes of the
//! finished items reported as progress from the calling thread while the workers run.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use cognix_io::progress::Progress;

/// `work` applied to every item, in order; `size` says how many bytes an item counts for.
///
/// # Panics
/// When `work` panics (the panic is passed on).
pub fn map<T: Sync, R: Send>(
    items: &[T],
    size: impl Fn(&T) -> u64 + Sync,
    work: impl Fn(&T) -> R + Sync,
    progress: &mut dyn Progress,
) -> Vec<R> {
    let total: u64 = items.iter().map(&size).sum();
    let workers = thread::available_parallelism().map_or(1, usize::from).min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let result = work(item);
                done.fetch_add(size(item), Ordering::Relaxed);
                results.lock().expect("no worker panics holding the lock")[i] = Some(result);
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        while finished.load(Ordering::Relaxed) < items.len() {
            progress.bytes(done.load(Ordering::Relaxed), total);
            thread::sleep(Duration::from_millis(100));
        }
    });
    progress.bytes(total, total);
    results.into_inner().expect("no worker panicked").into_iter().map(|r| r.expect("every item was worked on")).collect()
}

/// `work` on every item with `workers` threads (I/O-bound work can use more than there are
/// cores); the first error stops the items not started yet and is returned.
///
/// # Panics
/// When `work` panics (the panic is passed on).
pub fn try_each<T: Sync, E: Send>(items: &[T], workers: usize, work: impl Fn(&T) -> Result<(), E> + Sync) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<E>> = Mutex::new(None);
    thread::scope(|scope| {
        for _ in 0..workers.clamp(1, items.len().max(1)) {
            scope.spawn(|| loop {
                if failure.lock().expect("no worker panics holding the lock").is_some() {
                    break;
                }
                let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                if let Err(e) = work(item) {
                    failure.lock().expect("no worker panics holding the lock").get_or_insert(e);
                }
            });
        }
    });
    failure.into_inner().expect("no worker panicked").map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognix_io::progress::Quiet;

    #[test]
    fn results_come_back_in_order() {
        let items: Vec<u64> = (0..100).collect();
        assert_eq!(map(&items, |_| 1, |n| n * 2, &mut Quiet), (0..100).map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(map(&[] as &[u64], |_| 1, |n| *n, &mut Quiet), Vec::<u64>::new());
    }

    #[test]
    fn the_first_error_stops_the_rest() {
        let done = AtomicUsize::new(0);
        let items: Vec<u32> = (0..50).collect();
        let result = try_each(&items, 3, |n| {
            done.fetch_add(1, Ordering::Relaxed);
            if *n == 5 {
                Err(*n)
            } else {
                Ok(())
            }
        });
        assert_eq!(result, Err(5));
        assert!(done.load(Ordering::Relaxed) < 50);
        assert_eq!(try_each(&items, 4, |_| Ok::<(), ()>(())), Ok(()));
    }
}
