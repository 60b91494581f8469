//! Minifies the JSON Schemas under `schemas/` into `OUT_DIR`: the readable files are what
//! the CLI prints and what reviewers diff; the Wasm component carries the compact text.
//! Only whitespace between tokens is removed, so key order and every string stay as
//! they are (a round trip through a JSON value would sort the keys).

use std::path::PathBuf;

fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["case", "evaluation", "manifest"] {
        let source = format!("schemas/{name}.schema.json");
        println!("cargo:rerun-if-changed={source}");
        let text = std::fs::read_to_string(&source).unwrap_or_else(|err| panic!("cannot read {source}: {err}"));
        std::fs::write(out_dir.join(format!("{name}.min.json")), minify(&text))
            .unwrap_or_else(|err| panic!("cannot write the minified {source}: {err}"));
    }
}
