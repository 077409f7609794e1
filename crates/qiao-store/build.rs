//! Rebuilds the crate when a migration is added to `migrations/`: `sqlx::migrate!` embeds the
//! files it found at build time, and a proc macro cannot ask Cargo to watch a directory.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
