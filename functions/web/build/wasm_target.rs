//! The nested wasm32 build needs the target's standard library in the active toolchain. rustup installs a
//! toolchain file's `targets` only when it installs the toolchain, so a machine that already had the pinned
//! toolchain (or got it another way) lacks it, and the nested build would stop with "can't find crate for
//! `core`". This module finds that out from the sysroot and adds the target with rustup, or says which
//! command to run. Included by build.rs and by this crate's `wasm_target` test.

use std::path::Path;
use std::process::Command;

/// The target the page's renderer is built for.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Whether the toolchain at `sysroot` has `target`'s `core` (its rlib in `lib/rustlib/TARGET/lib`), which is
/// what the nested build looks for first.
pub fn has_target(sysroot: &Path, target: &str) -> bool {
    let lib = sysroot.join("lib").join("rustlib").join(target).join("lib");
    let Ok(entries) = std::fs::read_dir(lib) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.starts_with("libcore-") && name.ends_with(".rlib")
    })
}

/// The toolchain rustup should add the target to: the one rustup's proxy is running (`RUSTUP_TOOLCHAIN`),
/// else the sysroot's directory name (rustup names its toolchain directories after the toolchains).
pub fn toolchain_name(rustup_toolchain: Option<&str>, sysroot: &Path) -> String {
    match rustup_toolchain {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => sysroot
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// The arguments of `rustup target add` for `target` in `toolchain`.
pub fn add_target_args(target: &str, toolchain: &str) -> [String; 5] {
    ["target", "add", target, "--toolchain", toolchain].map(str::to_owned)
}

/// Makes sure `sysroot` has `target`: nothing to do when it has; otherwise runs `rustup target add` (with
/// `rustup`, normally `Command::new("rustup")`; tests stand in for it) and checks the sysroot again. The
/// error names the command to run by hand.
pub fn ensure(sysroot: &Path, target: &str, toolchain: &str, mut rustup: Command) -> Result<(), String> {
    if has_target(sysroot, target) {
        return Ok(());
    }
    let args = add_target_args(target, toolchain);
    let by_hand = format!("rustup {}", args.join(" "));
    let missing = format!(
        "the Rust toolchain at {} has no standard library for {target}, which the approval page's \
         renderer is built for",
        sysroot.display()
    );
    let outcome = match rustup.args(&args).status() {
        Ok(status) if status.success() => None,
        Ok(status) => Some(format!("`{by_hand}` failed ({status})")),
        Err(error) => Some(format!("rustup could not be run ({error})")),
    };
    match outcome {
        None if has_target(sysroot, target) => Ok(()),
        None => Err(format!(
            "{missing}; `{by_hand}` succeeded but the target is still not in that sysroot: install \
             {target} for the toolchain at {}",
            sysroot.display()
        )),
        Some(why) => Err(format!("{missing}; {why}. Install it with: {by_hand}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory standing in for a toolchain's sysroot (its host target only), removed on drop.
    struct FakeSysroot(PathBuf);

    impl FakeSysroot {
        fn new(name: &str) -> FakeSysroot {
            let root = std::env::temp_dir().join(format!("kindly-sysroot-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            let sysroot = root.join("1.95.0-x86_64-unknown-linux-gnu");
            std::fs::create_dir_all(sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/lib")).unwrap();
            FakeSysroot(sysroot)
        }
    }

    impl std::ops::Deref for FakeSysroot {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for FakeSysroot {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
        }
    }

    fn install_core(sysroot: &Path, target: &str) {
        let lib = sysroot.join("lib/rustlib").join(target).join("lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libcore-0123abcd.rlib"), b"").unwrap();
    }

    #[test]
    fn a_sysroot_has_the_target_only_with_its_core() {
        let sysroot = FakeSysroot::new("detect");
        assert!(!has_target(&sysroot, TARGET), "no directory for the target");
        // What an interrupted install or a removed target leaves: the directory without core.
        let lib = sysroot.join("lib/rustlib").join(TARGET).join("lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libcore-0123abcd.rmeta"), b"").unwrap();
        assert!(!has_target(&sysroot, TARGET), "a directory without core's rlib");
        install_core(&sysroot, TARGET);
        assert!(has_target(&sysroot, TARGET));
        assert!(
            !has_target(&sysroot, "wasm32-wasip1"),
            "another target's core does not count"
        );
    }

    #[test]
    fn the_toolchain_is_the_proxys_else_the_sysroots_name() {
        let sysroot = Path::new("/home/me/.rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu");
        assert_eq!(toolchain_name(Some("1.95.0"), sysroot), "1.95.0");
        assert_eq!(toolchain_name(None, sysroot), "1.95.0-x86_64-unknown-linux-gnu");
        assert_eq!(toolchain_name(Some(""), sysroot), "1.95.0-x86_64-unknown-linux-gnu");
        assert_eq!(
            add_target_args(TARGET, "1.95.0").join(" "),
            "target add wasm32-unknown-unknown --toolchain 1.95.0"
        );
    }

    #[test]
    fn without_rustup_the_error_names_the_command() {
        let sysroot = FakeSysroot::new("no-rustup");
        let error = ensure(
            &sysroot,
            TARGET,
            "1.95.0",
            Command::new("/nonexistent/kindly-test/rustup"),
        )
        .unwrap_err();
        assert!(
            error.contains("Install it with: rustup target add wasm32-unknown-unknown --toolchain 1.95.0"),
            "{error}"
        );
        assert!(error.contains(&sysroot.display().to_string()), "{error}");
    }

    #[test]
    fn an_installed_target_runs_nothing() {
        let sysroot = FakeSysroot::new("installed");
        install_core(&sysroot, TARGET);
        // A program that cannot run proves rustup is not asked.
        ensure(
            &sysroot,
            TARGET,
            "1.95.0",
            Command::new("/nonexistent/kindly-test/rustup"),
        )
        .unwrap();
    }

    /// A stand-in rustup: `sh` running `script` (written, never executed itself, so no "text file busy"
    /// while other tests fork).
    fn fake_rustup(sysroot: &Path, script: &str) -> Command {
        let path = sysroot.parent().unwrap().join("rustup.sh");
        std::fs::write(&path, script).unwrap();
        let mut command = Command::new("sh");
        command.arg(path);
        command
    }

    #[cfg(unix)]
    #[test]
    fn a_missing_target_is_added_with_rustup() {
        let sysroot = FakeSysroot::new("add");
        // It records its arguments and installs core where rustup would.
        let log = sysroot.parent().unwrap().join("rustup.log");
        let lib = sysroot.join("lib/rustlib").join(TARGET).join("lib");
        let script = format!(
            "echo \"$@\" > '{}'\nmkdir -p '{}' && touch '{}/libcore-1.rlib'\n",
            log.display(),
            lib.display(),
            lib.display()
        );
        let rustup = fake_rustup(&sysroot, &script);

        ensure(&sysroot, TARGET, "1.95.0-x86_64-unknown-linux-gnu", rustup).unwrap();

        assert_eq!(
            std::fs::read_to_string(&log).unwrap().trim(),
            "target add wasm32-unknown-unknown --toolchain 1.95.0-x86_64-unknown-linux-gnu"
        );
        assert!(has_target(&sysroot, TARGET));
    }

    #[cfg(unix)]
    #[test]
    fn a_rustup_that_fails_or_installs_elsewhere_is_an_error() {
        let sysroot = FakeSysroot::new("fails");
        for (script, expected) in [("exit 1", "failed"), ("exit 0", "still not in that sysroot")] {
            let rustup = fake_rustup(&sysroot, script);
            let error = ensure(&sysroot, TARGET, "1.95.0", rustup).unwrap_err();
            assert!(error.contains(expected), "{script}: {error}");
        }
    }
}
