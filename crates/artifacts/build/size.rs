//! What the component's core module is made of: its code bytes per crate, read from the
//! module's `name` section before it is stripped (as twiggy and cargo-bloat do, a function
//! belongs to the crate that begins its demangled path, or that of its `impl` type), and
//! the module without that section, which is what the component ships.
//!
//! The report is written beside the nested build (`<target>/careplan-component/size.txt`);
//! `.ci/run` prints it on every run, so a crate that grows shows as a changed line rather
//! than as a budget suddenly crossed.

use std::collections::BTreeMap;

use wasmparser::{KnownCustom, Name, Parser, Payload};

/// The sizes of one core module.
#[derive(Debug, Default)]
pub struct Report {
    /// The module's size in bytes, without its `name` section.
    pub module: u64,
    /// The bytes of the code section (function bodies and their framing).
    pub code: u64,
    /// The bytes of the data section (constants, strings, tables of the program).
    pub data: u64,
    /// Code bytes and function counts per crate.
    pub crates: BTreeMap<String, (u64, usize)>,
}

impl Report {
    /// The report as a table, largest crate first (ties by name).
    pub fn render(&self) -> String {
        let mut rows: Vec<_> = self.crates.iter().collect();
        rows.sort_by(|(a_name, (a, _)), (b_name, (b, _))| b.cmp(a).then(a_name.cmp(b_name)));
        let mut out = format!(
            "careplan component, core module without names: {} bytes ({} code, {} data)\n\n",
            thousands(self.module),
            thousands(self.code),
            thousands(self.data)
        );
        out.push_str(&format!(
            "{:<28} {:>12} {:>7} {:>10}\n",
            "crate", "code bytes", "share", "functions"
        ));
        for (name, (bytes, functions)) in rows {
            let share = if self.code == 0 {
                0.0
            } else {
                *bytes as f64 * 100.0 / self.code as f64
            };
            out.push_str(&format!(
                "{:<28} {:>12} {:>6.1}% {:>10}\n",
                name,
                thousands(*bytes),
                share,
                functions
            ));
        }
        out
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The crate a function belongs to, from its (mangled or demangled) name: the first path
/// segment, looking inside `<Type as Trait>` and `<impl ...>` at the type.
pub fn crate_of(name: &str) -> String {
    let demangled = format!("{:#}", rustc_demangle::demangle(name));
    let mut rest = demangled.trim_start_matches(['<', '&', '*', ' ']);
    for prefix in ["impl ", "mut ", "const ", "dyn "] {
        rest = rest
            .strip_prefix(prefix)
            .unwrap_or(rest)
            .trim_start_matches(['<', '&', '*', ' ']);
    }
    if let Some(first) = first_segment(rest) {
        return first.to_owned();
    }
    // `<[T] as Trait>::f`, `<(A, B) as Trait>::f`, `<T as Trait>::f`: the trait's crate.
    if let Some(first) = demangled.split_once(" as ").and_then(|(_, tr)| first_segment(tr)) {
        return first.to_owned();
    }
    // Not a Rust path: a C symbol (compiler-builtins' `memcpy`) or a linker stub.
    "(other symbols)".to_owned()
}

/// The first segment of the path `text` begins with (`serde_json` of
/// `serde_json::de::from_str`), if it begins with one.
fn first_segment(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let first = text.get(..end)?;
    (!first.is_empty() && text.get(end..)?.starts_with("::")).then_some(first)
}

/// Sizes `module` by crate and returns the report and the module without its `name`
/// section. A module with no `name` section is an error: the report would be empty.
pub fn analyse(module: &[u8]) -> Result<(Report, Vec<u8>), String> {
    let mut report = Report::default();
    let mut stripped = module
        .get(..8)
        .ok_or("the core module is shorter than its header")?
        .to_vec();
    let mut bodies: Vec<u64> = Vec::new();
    let mut imported_functions = 0u32;
    let mut names: Option<Vec<(u32, String)>> = None;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|err| format!("cannot read the core module: {err}"))?;
        match &payload {
            Payload::ImportSection(imports) => {
                for import in imports.clone().into_imports() {
                    let import = import.map_err(|err| format!("cannot read an import: {err}"))?;
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::CodeSectionStart { size, .. } => report.code = u64::from(*size),
            Payload::CodeSectionEntry(body) => bodies.push(body.range().end - body.range().start),
            Payload::DataSection(data) => report.data = data.range().end - data.range().start,
            Payload::CustomSection(custom) if custom.name() == "name" => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    let mut functions = Vec::new();
                    for subsection in reader {
                        if let Ok(Name::Function(map)) = subsection {
                            for naming in map {
                                let naming = naming.map_err(|err| format!("cannot read a function name: {err}"))?;
                                functions.push((naming.index, naming.name.to_owned()));
                            }
                        }
                    }
                    names = Some(functions);
                }
                continue;
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            let bytes = module
                .get(range.start as usize..range.end as usize)
                .ok_or("a section runs past the end of the core module")?;
            stripped.push(id);
            leb128(&mut stripped, bytes.len() as u64);
            stripped.extend_from_slice(bytes);
        }
    }
    let names = names.ok_or("the core module has no `name` section to size it by")?;
    let mut named: BTreeMap<u32, String> = names.into_iter().collect();
    for (i, bytes) in bodies.iter().enumerate() {
        let index = imported_functions + i as u32;
        let krate = named
            .remove(&index)
            .map_or_else(|| "(unnamed)".to_owned(), |name| crate_of(&name));
        let entry = report.crates.entry(krate).or_default();
        entry.0 += bytes;
        entry.1 += 1;
    }
    report.module = stripped.len() as u64;
    Ok((report, stripped))
}

/// Appends `n` as unsigned LEB128, the encoding of a section's size.
fn leb128(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
