//! The typed Rust builder front end (placeholder replaced below).
