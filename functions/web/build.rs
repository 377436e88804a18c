//! Builds the page's renderer: kindly-render for wasm32 (a nested cargo build, into its own target directory
//! so it never waits on the outer build's lock), then the browser bindings with wasm-bindgen's library. The
//! router embeds the output (`OUT_DIR/pkg`), so every binary serving the page carries the exact renderer
//! built from this tree. A toolchain without the wasm32 target gets it from rustup first (build/wasm_target.rs).

#[path = "build/wasm_target.rs"]
mod wasm_target;

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.join("../..").canonicalize().unwrap();
    for watched in [
        "render-wasm/src",
        "render-wasm/templates",
        "render-wasm/build.rs",
        "render-wasm/Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
        .join("wasm-build");
    if let Err(error) = ensure_wasm_target() {
        panic!("{error}");
    }
    let module = build_wasm(&workspace, &target_dir);
    let pkg = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&module)
        .web(true)
        .expect("the web target")
        .typescript(false)
        .omit_default_module_path(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&pkg)
        .unwrap_or_else(|e| panic!("wasm-bindgen over {}: {e:#}", module.display()));
}

/// Adds the wasm32 target to the toolchain building this crate (the nested build's: it inherits the
/// toolchain rustup chose) when its sysroot lacks it.
fn ensure_wasm_target() -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("running {} --print sysroot: {e}", rustc.to_string_lossy()))?;
    if !output.status.success() {
        return Err(format!(
            "{} --print sysroot failed: {}",
            rustc.to_string_lossy(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if wasm_target::has_target(&sysroot, wasm_target::TARGET) {
        return Ok(());
    }
    let rustup_toolchain = std::env::var("RUSTUP_TOOLCHAIN").ok();
    let toolchain = wasm_target::toolchain_name(rustup_toolchain.as_deref(), &sysroot);
    println!(
        "cargo:warning=installing the {} target for toolchain {toolchain} with rustup (the approval page's renderer needs it)",
        wasm_target::TARGET
    );
    wasm_target::ensure(&sysroot, wasm_target::TARGET, &toolchain, Command::new("rustup"))
}

/// `cargo rustc -p kindly-render --lib --target wasm32-unknown-unknown --release --crate-type cdylib`, at
/// opt-level "z" (size matters more than speed in the browser) and unstripped (wasm-bindgen needs the
/// module's sections; it drops the names itself). Returns the module's path.
fn build_wasm(workspace: &Path, target_dir: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args([
            "rustc",
            "-p",
            "kindly-render",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ])
        .args(["--crate-type", "cdylib", "--locked", "--target-dir"])
        .arg(target_dir);
    // The outer build's settings (its target, flags, clippy as a rustc wrapper, cross-compiling linkers)
    // are not the wasm build's.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let outer_cargo = name.starts_with("CARGO_")
            && !matches!(name.as_ref(), "CARGO_HOME" | "CARGO_NET_OFFLINE")
            && !name.starts_with("CARGO_REGISTRIES_")
            && !name.starts_with("CARGO_HTTP_");
        if outer_cargo
            || matches!(
                name.as_ref(),
                "RUSTFLAGS" | "RUSTC_WRAPPER" | "RUSTC_WORKSPACE_WRAPPER" | "RUSTC"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    command
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_STRIP", "false");
    let status = command.status().expect("run cargo for the wasm build");
    assert!(status.success(), "building kindly-render for wasm32 failed");
    target_dir.join("wasm32-unknown-unknown/release/kindly_render.wasm")
}
