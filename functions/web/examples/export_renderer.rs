//! Write the renderer the page serves (wasm-bindgen's JS module and the wasm) into a directory, for the
//! native/WASM parity test and the size check in scripts/ci-wasm.sh.
//!
//!   cargo run -p kindly-web --example export_renderer -- DIR

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os().nth(1).expect("usage: export_renderer DIR");
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in kindly_web::RENDERER_FILES {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}
