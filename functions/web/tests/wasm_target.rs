//! The build script's check for the wasm32 target, tested on fake sysroots (the module's own tests).

#[path = "../build/wasm_target.rs"]
mod wasm_target;
