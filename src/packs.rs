//! Reading rule packs and their fixtures from disk.
//!
//! A pack is a folder holding `pack.toml`, `.rhai` files (rules, and libraries under
//! `lib/`) and `tests/*.json` fixtures. The packs it extends are looked for among its
//! sibling folders, so `rules/elmshire` finds `rules/england`.

use std::fs;
use std::path::{Path, PathBuf};

use careplan_core::{Limits, LoadError, PackSource, RulePack, SourceFile};

/// A pack folder could not be read from disk.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The folder has no `pack.toml`.
    #[error("`{}` is not a rule pack: it has no `pack.toml`", .0.display())]
    NotAPack(PathBuf),
    /// A file or folder could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file is not UTF-8 text.
    #[error("`{}` is not UTF-8 text (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
}

/// A pack could not be loaded: either reading it failed or its rules are invalid.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Reading the files failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The pack's rules are invalid.
    #[error(transparent)]
    Invalid(#[from] LoadError),
    /// Loading through the Wasm component failed: invalid rules, or the host could not
    /// run the component.
    #[error(transparent)]
    Wasm(careplan_host::HostError),
}

/// Reads a text file, with errors that name it.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|err| ReadError::NotUtf8 {
        path: path.to_owned(),
        offset: err.utf8_error().valid_up_to(),
    })
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReadError + '_ {
    move |source| ReadError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads one pack folder: its manifest and every `.rhai` file under it, outside
/// `tests/` and hidden folders, in path order.
pub fn read_pack(dir: &Path) -> Result<PackSource, ReadError> {
    let manifest_path = dir.join("pack.toml");
    if !manifest_path.is_file() {
        return Err(ReadError::NotAPack(dir.to_owned()));
    }
    let manifest = read_text(&manifest_path)?;
    let mut files = Vec::new();
    collect_rhai(dir, dir, &mut files)?;
    files.sort_by(|a: &SourceFile, b: &SourceFile| a.path.cmp(&b.path));
    Ok(PackSource {
        location: display_path(dir),
        manifest,
        files,
    })
}

fn collect_rhai(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), ReadError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let file_type = entry.file_type().map_err(io(&path))?;
        if file_type.is_dir() {
            if dir == root && name == "tests" {
                continue;
            }
            collect_rhai(root, &path, out)?;
        } else if name.ends_with(".rhai") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(SourceFile {
                path: relative,
                text: read_text(&path)?,
            });
        }
    }
    Ok(())
}

/// A path as shown in messages: as given, with `/` separators and no trailing slash.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let trimmed = text.trim_end_matches('/');
    if trimmed.is_empty() {
        text
    } else {
        trimmed.to_owned()
    }
}

/// Reads the packs beside `dir` (its sibling folders that hold a `pack.toml`), which
/// is where the packs it extends are looked for.
pub fn read_siblings(dir: &Path) -> Result<Vec<PackSource>, ReadError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let own = fs::canonicalize(dir).map_err(io(dir))?;
    let mut siblings = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(&parent)
        .map_err(io(&parent))?
        .collect::<Result<_, _>>()
        .map_err(io(&parent))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if !path.join("pack.toml").is_file() || fs::canonicalize(&path).ok().as_ref() == Some(&own) {
            continue;
        }
        // Show siblings the way the user would write them: `rules/england` beside
        // `rules/elmshire`, not `rules/elmshire/../england`.
        let shown = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.join(entry.file_name()),
            _ => PathBuf::from(entry.file_name()),
        };
        siblings.push(read_pack(&shown)?);
    }
    Ok(siblings)
}

/// Reads and compiles the pack in `dir`, with its parents from the sibling folders.
pub fn open_pack(dir: &Path, limits: &Limits) -> Result<RulePack, OpenError> {
    let pack = read_pack(dir)?;
    let siblings = read_siblings(dir)?;
    Ok(RulePack::load(&pack, &siblings, limits)?)
}

/// The fixture files of the pack in `dir`: `tests/*.json`, in name order.
pub fn fixture_paths(dir: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let tests = dir.join("tests");
    if !tests.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = fs::read_dir(&tests)
        .map_err(io(&tests))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io(&tests))?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    Ok(paths)
}
