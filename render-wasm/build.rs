//! `include_dir!` sees the template files that existed when the crate was last compiled; watching the
//! folder makes cargo rebuild when a template is added or removed, not only when one is edited.
fn main() {
    println!("cargo::rerun-if-changed=templates");
}
