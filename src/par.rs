//! Work spread over every core, in order: the results come back in the
//! order of the input, so what is built from them does not depend on the
//! threads (rayon's indexed `collect`).

use rayon::prelude::*;

/// Below this many items one thread is faster than waking the pool (the
/// one-client seed never starts it).
const MIN_PARALLEL: usize = 2_000;

/// `items` mapped by `f`, in order; on every core when there are enough of
/// them. `weight` is how many units of work they hold (resources, say).
pub(crate) fn map<T: Send, U: Send>(
    items: Vec<T>,
    weight: usize,
    f: impl Fn(T) -> U + Sync + Send,
) -> Vec<U> {
    if weight < MIN_PARALLEL {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().map(f).collect()
    }
}
