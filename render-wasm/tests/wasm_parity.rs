//! The WASM build renders exactly what the native build renders: same subject, text, HTML and content
//! hash, byte for byte, for every fixture and stage template. The approval page shows the WASM render and
//! the server sends the native one, so the hash the approver saw must be the hash that is sent.
//!
//! `scripts/ci-wasm.sh` builds the WASM module, renders every fixture with it in node
//! (`tests/wasm-parity/parity.mjs`) and runs this test (`--ignored`) with `KINDLY_WASM_PARITY_OUT` naming
//! that output. A plain `cargo test` has no WASM renders to compare, so it lists the test as ignored rather
//! than passing it; run without the renders, the test fails.

mod common;

use common::all_cases;
use serde::Deserialize;
use std::collections::BTreeMap;

const OUTPUT_VAR: &str = "KINDLY_WASM_PARITY_OUT";

/// One render as `parity.mjs` writes it: the JS API's object plus which case it is.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WasmRender {
    fixture: String,
    template: String,
    subject: String,
    text: String,
    html: String,
    content_hash: String,
}

#[test]
#[ignore = "needs the WASM renders: scripts/ci-wasm.sh builds them and runs this test"]
fn wasm_renders_every_fixture_byte_for_byte_like_native() {
    let path = std::env::var_os(OUTPUT_VAR).unwrap_or_else(|| {
        panic!("{OUTPUT_VAR} is not set: run scripts/ci-wasm.sh, which renders every fixture with the WASM module")
    });
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{OUTPUT_VAR}={}: {e}", path.display()));
    let renders: Vec<WasmRender> = serde_json::from_str(&json).expect("parity.mjs output is a list of renders");
    let cases = all_cases();
    assert!(
        renders.len() >= cases.len(),
        "the WASM run rendered {} messages, natively there are {} (every fixture × every template)",
        renders.len(),
        cases.len()
    );

    let mut by_case: BTreeMap<(&str, &str), &WasmRender> = BTreeMap::new();
    for render in &renders {
        let previous = by_case.insert((&render.fixture, &render.template), render);
        assert!(
            previous.is_none(),
            "{} × {} rendered twice by WASM",
            render.fixture,
            render.template
        );
    }
    let mut differences = Vec::new();
    for case in &cases {
        let name = format!("{} × {}", case.fixture, case.template);
        let Some(wasm) = by_case.remove(&(case.fixture.as_str(), case.template.as_str())) else {
            differences.push(format!("{name}: not rendered by WASM"));
            continue;
        };
        let native = &case.message;
        for (part, native, wasm) in [
            ("subject", &native.subject, &wasm.subject),
            ("text", &native.text, &wasm.text),
            ("html", &native.html, &wasm.html),
            ("content hash", &native.content_hash, &wasm.content_hash),
        ] {
            if native != wasm {
                differences.push(format!("{name}: {part} differs {}", first_difference(native, wasm)));
            }
        }
    }
    differences.extend(
        by_case
            .keys()
            .map(|(fixture, template)| format!("{fixture} × {template}: no native case")),
    );
    assert!(
        differences.is_empty(),
        "WASM and native renders differ:\n  {}",
        differences.join("\n  ")
    );
}

fn first_difference(native: &str, wasm: &str) -> String {
    let at = native.bytes().zip(wasm.bytes()).take_while(|(a, b)| a == b).count();
    let context = |s: &str| {
        s.get(at.saturating_sub(20)..(at + 20).min(s.len()))
            .unwrap_or("<not at a char boundary>")
            .to_owned()
    };
    format!("at byte {at}: native {:?} vs wasm {:?}", context(native), context(wasm))
}
