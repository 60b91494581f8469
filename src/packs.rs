//! Reading rule packs and their fixtures from disk.
//!
//! A pack is a folder holding `pack.toml`, `.rhai` files (rules, and libraries under
//! `lib/`) and `tests/*.json` fixtures. The packs it extends are looked for among its
//! sibling folders, so `rules/elmshire` finds `rules/england`.
//!
//! The reader reads only what a pack is. Inside the pack folder (which may itself be
//! given as a symbolic link) every entry it would read must be a regular file or a
//! folder: a symbolic link is refused, and so is a pipe, socket or device, which is
//! refused from its metadata, before it is opened. Every file is checked against its
//! size limit ([`Limits::max_source_size`] for `.rhai` files,
//! [`Limits::max_manifest_size`] for `pack.toml`) before it is read, and is read
//! through a bound of one byte over the limit, so a file that grows or under-reports
//! its size is never read past it. Folders are read at most [`MAX_DEPTH`] deep and
//! through a bounded number of entries.
//!
//! Sibling folders are not packs of this one: a pack that extends nothing reads none
//! of them, and a pack that extends another reads only their manifests (bounded, with
//! any that cannot be read skipped), then in full only the packs of its `extends`
//! chain, at most [`Limits::max_layers`] + 1 layers.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt::{self, Write as _};
use std::fs::{self, File, FileType, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use careplan_core::{Limits, LoadError, PackSource, RulePack, SourceFile};

/// The largest file [`read_text`] reads (fixtures and case files), in bytes: 256 MiB.
/// Generous on purpose (the engine applies its own, smaller, case limit to what it is
/// given); it exists so that no file can make the reader run until memory is exhausted.
pub const READ_TEXT_LIMIT: usize = 256 << 20;

/// How many folders deep below the pack folder the reader goes.
pub const MAX_DEPTH: usize = 16;

/// The entries (files and folders, of any kind) the reader looks through in one pack,
/// beyond twice [`Limits::max_rules`]: room for a pack's other files.
pub const ENTRY_MARGIN: usize = 1024;

/// The entries beside a pack that are looked through for the packs it extends.
pub const MAX_SIBLINGS: usize = 10_000;

/// A sibling whose `[pack] id` is longer than this, in bytes, is not a candidate
/// parent (real ids are short; this bounds what the reader keeps of its neighbours).
const MAX_ID_LEN: usize = 256;

/// A pack folder could not be read from disk.
#[derive(Debug)]
pub enum ReadError {
    /// The folder has no `pack.toml`.
    NotAPack(PathBuf),
    /// A file or folder could not be read.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A file is not UTF-8 text.
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// An entry of a pack is a symbolic link.
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// A file to read is not a regular file: a pipe, socket, device (or a folder).
    NotRegular {
        /// The file.
        path: PathBuf,
    },
    /// A file is larger than its limit.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
        /// The name of the limit: the [`Limits`] field (`max_source_size`,
        /// `max_manifest_size`), or the constant ([`READ_TEXT_LIMIT`]).
        limit_name: &'static str,
        /// The file's size as its metadata gave it, when that is over the limit;
        /// `None` when the file was found over the limit only while it was read.
        size: Option<u64>,
    },
    /// A folder of a pack is nested deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The first folder too deep.
        path: PathBuf,
        /// The depth limit.
        limit: usize,
    },
    /// A pack holds more `.rhai` files than [`Limits::max_rules`].
    TooManyRules {
        /// The pack folder.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// A folder holds more entries than the reader looks through: a pack more than
    /// twice [`Limits::max_rules`] plus [`ENTRY_MARGIN`], the folder beside a pack
    /// more than [`MAX_SIBLINGS`].
    TooManyEntries {
        /// The pack folder, or the folder of its siblings.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotAPack(dir) => write!(f, "`{}` is not a rule pack: it has no `pack.toml`", path_text(dir)),
            ReadError::Io { path, source } => write!(f, "cannot read `{}`: {source}", path_text(path)),
            ReadError::NotUtf8 { path, offset } => write!(
                f,
                "`{}` is not UTF-8 text (invalid byte at offset {offset})",
                path_text(path)
            ),
            ReadError::Symlink { path } => write!(
                f,
                "`{}` is a symbolic link; a pack holds only regular files and folders",
                path_text(path)
            ),
            ReadError::NotRegular { path } => write!(
                f,
                "`{}` is not a regular file (it is a folder, pipe, socket or device); only regular files are read",
                path_text(path)
            ),
            ReadError::TooLarge {
                path,
                limit,
                limit_name,
                size: Some(size),
            } => write!(
                f,
                "`{}` is {size} bytes, over the `{limit_name}` limit of {limit} bytes",
                path_text(path)
            ),
            ReadError::TooLarge {
                path,
                limit,
                limit_name,
                size: None,
            } => write!(
                f,
                "`{}` is over the `{limit_name}` limit of {limit} bytes (it is larger than its size said)",
                path_text(path)
            ),
            ReadError::TooDeep { path, limit } => write!(
                f,
                "`{}` is more than {limit} folders deep inside its pack",
                path_text(path)
            ),
            ReadError::TooManyRules { path, limit } => write!(
                f,
                "`{}` holds more than {limit} `.rhai` files, over the `max_rules` limit of {limit}",
                path_text(path)
            ),
            ReadError::TooManyEntries { path, limit } => write!(
                f,
                "`{}` holds more than {limit} files and folders, more than the pack reader looks through",
                path_text(path)
            ),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
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

/// `text` with every control character (`char::is_control`: terminal escapes, line
/// breaks, NUL...) written as `\u{..}`, so that a file name cannot rewrite the
/// terminal or forge lines of a message.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// A path as an error message shows it: as given, control characters escaped.
fn path_text(path: &Path) -> String {
    escape_controls(&path.to_string_lossy())
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ReadError + '_ {
    move |source| ReadError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads a text file given by the user (a case, a fixture), with errors that name it.
/// A symbolic link given here is followed, but what it names must be a regular file:
/// a pipe or device (`/dev/zero`) is refused before it is opened. At most
/// [`READ_TEXT_LIMIT`] bytes are read.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    read_text_limited(path, READ_TEXT_LIMIT, "READ_TEXT_LIMIT")
}

/// [`read_text`] with a limit of its own: a file over `limit` bytes is refused with a
/// [`ReadError::TooLarge`] naming `limit_name`, having read at most `limit + 1` bytes.
pub fn read_text_limited(path: &Path, limit: usize, limit_name: &'static str) -> Result<String, ReadError> {
    read_bounded(path, path, limit, limit_name, true)
}

/// Reads the file at `real` (named `shown` in errors): refused unless a regular file
/// (`follow`: a symbolic link to one is accepted; otherwise a link is refused), and
/// over `limit` bytes, before it is opened when its metadata says so and otherwise as
/// soon as the read passes the limit.
///
/// The file is checked again once open (still a regular file, and on Unix the same
/// file as was checked), so a file swapped after the check is not read. Without
/// `O_NONBLOCK` (the CLI does not depend on `libc`) a regular file swapped for a pipe
/// in the instant between the check and the open could still block the open itself.
fn read_bounded(
    real: &Path,
    shown: &Path,
    limit: usize,
    limit_name: &'static str,
    follow: bool,
) -> Result<String, ReadError> {
    let looked = if follow {
        fs::metadata(real)
    } else {
        fs::symlink_metadata(real)
    };
    let before = looked.map_err(io_err(shown))?;
    if before.file_type().is_symlink() {
        return Err(ReadError::Symlink { path: shown.to_owned() });
    }
    if !before.is_file() {
        return Err(ReadError::NotRegular { path: shown.to_owned() });
    }
    let limit_bytes = u64::try_from(limit).unwrap_or(u64::MAX);
    let too_large = |size: Option<u64>| ReadError::TooLarge {
        path: shown.to_owned(),
        limit: limit_bytes,
        limit_name,
        size,
    };
    if before.len() > limit_bytes {
        return Err(too_large(Some(before.len())));
    }
    let file = File::open(real).map_err(io_err(shown))?;
    let opened = file.metadata().map_err(io_err(shown))?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular { path: shown.to_owned() });
    }
    if !same_file(&before, &opened) {
        return Err(ReadError::Io {
            path: shown.to_owned(),
            source: io::Error::other("the file was replaced while it was being read"),
        });
    }
    let expected = usize::try_from(opened.len()).unwrap_or(usize::MAX).min(limit);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    file.take(limit_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err(shown))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit_bytes {
        return Err(too_large(None));
    }
    String::from_utf8(bytes).map_err(|err| ReadError::NotUtf8 {
        path: shown.to_owned(),
        offset: err.utf8_error().valid_up_to(),
    })
}

/// Whether two metadata describe the same file (device and inode).
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

/// Reads one pack folder: its manifest and every `.rhai` file under it, outside
/// `tests/` and hidden folders, in path order. The folder may be given as a symbolic
/// link; inside it, links, pipes and devices are refused, and files are read within
/// `limits` (see the module documentation).
pub fn read_pack(dir: &Path, limits: &Limits) -> Result<PackSource, ReadError> {
    let root = match fs::canonicalize(dir) {
        Ok(root) => root,
        Err(err) if matches!(err.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Err(ReadError::NotAPack(dir.to_owned()))
        }
        Err(source) => {
            return Err(ReadError::Io {
                path: dir.to_owned(),
                source,
            })
        }
    };
    read_pack_at(dir, &root, limits)
}

/// Reads the pack folder `root` (a path with no symbolic link at its end), shown in
/// messages and as the pack's location as `shown`.
fn read_pack_at(shown: &Path, root: &Path, limits: &Limits) -> Result<PackSource, ReadError> {
    match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(ReadError::NotAPack(shown.to_owned())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Err(ReadError::NotAPack(shown.to_owned())),
        Err(source) => {
            return Err(ReadError::Io {
                path: shown.to_owned(),
                source,
            })
        }
    }
    let manifest = match read_bounded(
        &root.join("pack.toml"),
        &shown.join("pack.toml"),
        limits.max_manifest_size,
        "max_manifest_size",
        false,
    ) {
        Err(ReadError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Err(ReadError::NotAPack(shown.to_owned()))
        }
        other => other?,
    };
    let mut walk = Walk {
        root,
        shown,
        limits,
        entry_limit: limits.max_rules.saturating_mul(2).saturating_add(ENTRY_MARGIN),
        entries: 0,
        rules: 0,
        files: Vec::new(),
    };
    walk.folder(Path::new(""), 0)?;
    let mut files = walk.files;
    files.sort_by(|a: &SourceFile, b: &SourceFile| a.path.cmp(&b.path));
    Ok(PackSource {
        location: display_path(shown),
        manifest,
        files,
    })
}

/// `base` joined with `relative`, or `base` itself for an empty `relative` (no
/// trailing separator in messages).
fn under(base: &Path, relative: &Path) -> PathBuf {
    if relative.as_os_str().is_empty() {
        base.to_owned()
    } else {
        base.join(relative)
    }
}

/// A path inside a pack as core names files: components joined with `/`.
fn slash_path(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The walk through one pack folder, with its counts.
struct Walk<'a> {
    /// The folder read from.
    root: &'a Path,
    /// The folder as shown in messages.
    shown: &'a Path,
    limits: &'a Limits,
    /// Entries looked through, at most.
    entry_limit: usize,
    entries: usize,
    /// `.rhai` files met.
    rules: usize,
    files: Vec<SourceFile>,
}

impl Walk<'_> {
    /// Reads the `.rhai` files of the folder `relative` (to the root), `depth` below it.
    fn folder(&mut self, relative: &Path, depth: usize) -> Result<(), ReadError> {
        let real = under(self.root, relative);
        let shown = under(self.shown, relative);
        let mut entries: Vec<(OsString, FileType)> = Vec::new();
        for entry in fs::read_dir(&real).map_err(io_err(&shown))? {
            let entry = entry.map_err(io_err(&shown))?;
            self.entries += 1;
            if self.entries > self.entry_limit {
                return Err(ReadError::TooManyEntries {
                    path: self.shown.to_owned(),
                    limit: self.entry_limit,
                });
            }
            let name = entry.file_name();
            // Not followed: a symbolic link is a link here.
            let kind = entry.file_type().map_err(io_err(&shown.join(&name)))?;
            entries.push((name, kind));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, kind) in entries {
            let text_name = name.to_string_lossy();
            if text_name.starts_with('.') || (depth == 0 && text_name == "tests") {
                continue;
            }
            let child = relative.join(&name);
            let child_shown = self.shown.join(&child);
            if kind.is_symlink() {
                return Err(ReadError::Symlink { path: child_shown });
            }
            if kind.is_dir() {
                if depth >= MAX_DEPTH {
                    return Err(ReadError::TooDeep {
                        path: child_shown,
                        limit: MAX_DEPTH,
                    });
                }
                self.folder(&child, depth + 1)?;
            } else if text_name.ends_with(".rhai") {
                self.rules += 1;
                if self.rules > self.limits.max_rules {
                    return Err(ReadError::TooManyRules {
                        path: self.shown.to_owned(),
                        limit: self.limits.max_rules,
                    });
                }
                // A `.rhai` pipe or device is refused here, from its metadata.
                let text = read_bounded(
                    &self.root.join(&child),
                    &child_shown,
                    self.limits.max_source_size,
                    "max_source_size",
                    false,
                )?;
                self.files.push(SourceFile {
                    path: slash_path(&child),
                    text,
                });
            }
            // Any other entry (a README, a pipe not named `.rhai`) is never opened.
        }
        Ok(())
    }
}

/// A path as shown in messages: as given, with `/` separators and no trailing slash,
/// control characters escaped (see [`escape_controls`]).
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let trimmed = text.trim_end_matches('/');
    if trimmed.is_empty() {
        escape_controls(&text)
    } else {
        escape_controls(trimmed)
    }
}

/// A string field of a manifest's `[pack]` table (`id`, `extends`), read tolerantly:
/// `None` when the manifest is not TOML or has no such string.
fn manifest_field(manifest: &str, field: &str) -> Option<String> {
    let text = manifest.strip_prefix('\u{feff}').unwrap_or(manifest);
    let table: toml::Table = toml::from_str(text).ok()?;
    table.get("pack")?.get(field)?.as_str().map(str::to_owned)
}

/// A manifest saying only `[pack] id = "<id>"`, for a neighbour core needs only the id of.
fn id_manifest(id: &str) -> String {
    let mut out = String::from("[pack]\nid = \"");
    for c in id.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\n");
    out
}

/// A folder beside a pack whose manifest could be read, with its id.
struct Candidate {
    /// The folder as shown in messages (`rules/england`).
    shown: PathBuf,
    /// The folder read from.
    real: PathBuf,
    id: String,
}

/// The folder holding the siblings of `dir`, and how a sibling's path is shown (a
/// base to join its name to; empty for a bare name). `None` for a folder with no parent.
fn beside(dir: &Path) -> Result<Option<(PathBuf, PathBuf)>, ReadError> {
    if dir.file_name().is_some() {
        // Show siblings the way the user would write them: `rules/england` beside
        // `rules/elmshire`, not `rules/elmshire/../england`.
        return Ok(Some(match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => (parent.to_owned(), parent.to_owned()),
            None => (PathBuf::from("."), PathBuf::new()),
        }));
    }
    // `.` or `..`: the siblings of the folder it names, shown by their full path.
    let real = fs::canonicalize(dir).map_err(io_err(dir))?;
    Ok(real.parent().map(|parent| (parent.to_owned(), parent.to_owned())))
}

/// The folders beside the pack `own` (a canonical path) whose manifest can be read,
/// in name order. A neighbour is not part of the pack: one that is a symbolic link,
/// has no regular `pack.toml`, or whose manifest is over `max_manifest_size`, not
/// UTF-8, not TOML or has no `[pack] id` is skipped without a word.
fn sibling_manifests(
    listing: &Path,
    shown_base: &Path,
    own: &Path,
    limits: &Limits,
) -> Result<Vec<Candidate>, ReadError> {
    let listing_shown = if shown_base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        shown_base
    };
    let mut names: Vec<OsString> = Vec::new();
    let mut seen = 0usize;
    for entry in fs::read_dir(listing).map_err(io_err(listing_shown))? {
        let entry = entry.map_err(io_err(listing_shown))?;
        seen += 1;
        if seen > MAX_SIBLINGS {
            return Err(ReadError::TooManyEntries {
                path: listing_shown.to_owned(),
                limit: MAX_SIBLINGS,
            });
        }
        // Not followed: a symbolic link to a folder is not a folder here.
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            names.push(entry.file_name());
        }
    }
    names.sort();
    let mut found = Vec::new();
    for name in names {
        let real = listing.join(&name);
        let shown = shown_base.join(&name);
        let Ok(text) = read_bounded(
            &real.join("pack.toml"),
            &shown.join("pack.toml"),
            limits.max_manifest_size,
            "max_manifest_size",
            false,
        ) else {
            continue;
        };
        let Some(id) = manifest_field(&text, "id") else {
            continue;
        };
        if id.len() > MAX_ID_LEN {
            continue;
        }
        if fs::canonicalize(&real).is_ok_and(|path| path.as_path() == own) {
            continue;
        }
        found.push(Candidate { shown, real, id });
    }
    Ok(found)
}

/// Reads the packs the pack in `dir` extends, whose manifest is `own_manifest`: its
/// parent, the parent's parent and so on, each found by `[pack] id` among the folders
/// beside `dir`. A pack that extends nothing reads nothing beside it. Otherwise only
/// the siblings' manifests are read, then in full only the packs of the chain.
///
/// What core needs to resolve the chain is returned, and no more: the reading stops
/// after [`Limits::max_layers`] + 1 layers, the pack itself counted (so that core sees
/// the chain is over the limit), on a cycle (an id already read), and after a layer
/// whose parent id more than one sibling has (all of them are read, for core to
/// report). When a parent cannot be found, the other siblings are returned as a
/// manifest with their id only and no files, for core's "did you mean" help. A
/// manifest that does not parse extends nothing here: core reports its errors.
pub fn read_parents(dir: &Path, own_manifest: &str, limits: &Limits) -> Result<Vec<PackSource>, ReadError> {
    let Some(mut wanted) = manifest_field(own_manifest, "extends") else {
        return Ok(Vec::new());
    };
    let Some((listing, shown_base)) = beside(dir)? else {
        return Ok(Vec::new());
    };
    let own = fs::canonicalize(dir).map_err(io_err(dir))?;
    let candidates = sibling_manifests(&listing, &shown_base, &own, limits)?;
    let mut chain_ids: Vec<String> = manifest_field(own_manifest, "id").into_iter().collect();
    let mut parents = Vec::new();
    let mut layers = 1usize;
    let mut missing = false;
    loop {
        if chain_ids.contains(&wanted) || layers > limits.max_layers {
            break;
        }
        let matching: Vec<&Candidate> = candidates.iter().filter(|c| c.id == wanted).collect();
        if matching.is_empty() {
            missing = true;
            break;
        }
        let mut next = None;
        for candidate in &matching {
            let pack = read_pack_at(&candidate.shown, &candidate.real, limits)?;
            next = manifest_field(&pack.manifest, "extends");
            parents.push(pack);
        }
        layers += 1;
        chain_ids.push(wanted);
        match next {
            Some(parent) if matching.len() == 1 => wanted = parent,
            _ => break,
        }
    }
    if missing {
        let mut listed: BTreeSet<&str> = BTreeSet::new();
        for candidate in &candidates {
            if chain_ids.contains(&candidate.id) || !listed.insert(candidate.id.as_str()) {
                continue;
            }
            parents.push(PackSource {
                location: display_path(&candidate.shown),
                manifest: id_manifest(&candidate.id),
                files: Vec::new(),
            });
        }
    }
    Ok(parents)
}

/// Reads the pack in `dir` ([`read_pack`]) and the packs it extends ([`read_parents`]).
pub fn read_with_parents(dir: &Path, limits: &Limits) -> Result<(PackSource, Vec<PackSource>), ReadError> {
    let pack = read_pack(dir, limits)?;
    let parents = read_parents(dir, &pack.manifest, limits)?;
    Ok((pack, parents))
}

/// Reads and compiles the pack in `dir`, with its parents from the sibling folders.
pub fn open_pack(dir: &Path, limits: &Limits) -> Result<RulePack, OpenError> {
    let (pack, parents) = read_with_parents(dir, limits)?;
    Ok(RulePack::load(&pack, &parents, limits)?)
}

/// The fixture files of the pack in `dir`: `tests/*.json`, in name order. A fixture
/// that is a symbolic link, or not a regular file, is refused; so is a `tests` folder
/// that is a symbolic link.
pub fn fixture_paths(dir: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let tests = dir.join("tests");
    match fs::symlink_metadata(&tests) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(ReadError::Symlink { path: tests }),
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Ok(Vec::new()),
        Err(err) if matches!(err.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Ok(Vec::new())
        }
        Err(source) => return Err(ReadError::Io { path: tests, source }),
    }
    let mut paths = Vec::new();
    for entry in fs::read_dir(&tests).map_err(io_err(&tests))? {
        let entry = entry.map_err(io_err(&tests))?;
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let kind = entry.file_type().map_err(io_err(&path))?;
        if kind.is_symlink() {
            return Err(ReadError::Symlink { path });
        }
        if !kind.is_file() {
            return Err(ReadError::NotRegular { path });
        }
        paths.push(path);
    }
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A temporary folder, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(what: &str) -> Scratch {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("careplan-packs-{}-{n}-{what}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).expect("a temporary folder");
            Scratch(path)
        }

        fn path(&self, relative: &str) -> PathBuf {
            self.0.join(relative)
        }

        fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
            let path = self.0.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("a folder");
            }
            fs::write(&path, bytes).expect("a file");
            path
        }

        /// A pack folder with a manifest of `id`, extending `extends`.
        fn pack(&self, relative: &str, id: &str, extends: Option<&str>) -> PathBuf {
            self.write(&format!("{relative}/pack.toml"), manifest(id, extends));
            self.path(relative)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn manifest(id: &str, extends: Option<&str>) -> String {
        let mut text =
            format!("[pack]\nid = \"{id}\"\nname = \"{id}\"\nauthority = \"careplan tests\"\nversion = \"1.0.0\"\n");
        if let Some(parent) = extends {
            text.push_str(&format!("extends = \"{parent}\"\n"));
        }
        text
    }

    /// Makes a named pipe; false when `mkfifo` is not there to make one.
    #[cfg(unix)]
    fn mkfifo(path: &Path) -> bool {
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Runs `f` on another thread and fails the test if it has not finished in 20 s: a
    /// read that hangs fails instead of hanging the test run.
    fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(f());
        });
        receive
            .recv_timeout(Duration::from_secs(20))
            .expect("the read finished instead of hanging")
    }

    fn error<T>(result: Result<T, ReadError>) -> ReadError {
        match result {
            Ok(_) => panic!("expected a read error"),
            Err(err) => err,
        }
    }

    fn paths(pack: &PackSource) -> Vec<&str> {
        pack.files.iter().map(|f| f.path.as_str()).collect()
    }

    fn ids(packs: &[PackSource]) -> Vec<String> {
        packs
            .iter()
            .map(|p| manifest_field(&p.manifest, "id").expect("an id"))
            .collect()
    }

    #[test]
    fn a_pack_is_read_without_hidden_folders_or_tests() {
        let s = Scratch::new("plain");
        let pack = s.pack("pack", "p", None);
        s.write("pack/b.rhai", "// b");
        s.write("pack/lib/util.rhai", "// util");
        s.write("pack/a/deep.rhai", "// deep");
        s.write("pack/.hidden/x.rhai", b"\xFF");
        s.write("pack/tests/x.rhai", b"\xFF");
        s.write("pack/README.md", "not read");
        let read = read_pack(&pack, &Limits::default()).expect("reads");
        assert_eq!(paths(&read), ["a/deep.rhai", "b.rhai", "lib/util.rhai"]);
        assert_eq!(read.files[1].text, "// b");
        assert_eq!(read.manifest, manifest("p", None));
        assert_eq!(read.location, display_path(&pack));
    }

    #[test]
    fn a_folder_without_a_manifest_is_not_a_pack() {
        let s = Scratch::new("not-a-pack");
        let dir = s.path("empty");
        fs::create_dir_all(&dir).expect("folder");
        assert!(matches!(
            error(read_pack(&dir, &Limits::default())),
            ReadError::NotAPack(_)
        ));
        let missing = s.path("missing");
        let err = error(read_pack(&missing, &Limits::default()));
        assert!(matches!(&err, ReadError::NotAPack(p) if *p == missing), "{err}");
        assert!(
            err.to_string().ends_with("is not a rule pack: it has no `pack.toml`"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_rule_is_refused_and_its_target_not_read() {
        let s = Scratch::new("symlink-rule");
        let secret = s.write("passwd", "root:x:0:0:SECRET-LINE\n");
        let pack = s.pack("pack", "p", None);
        s.write("pack/ok.rhai", "()");
        std::os::unix::fs::symlink(&secret, pack.join("leak.rhai")).expect("a symbolic link");
        let err = error(read_pack(&pack, &Limits::default()));
        assert!(
            matches!(&err, ReadError::Symlink { path } if path.ends_with("leak.rhai")),
            "{err}"
        );
        let message = err.to_string();
        assert!(message.contains("is a symbolic link"), "{message}");
        assert!(!message.contains("SECRET"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_folder_or_manifest_inside_is_refused_but_the_pack_may_be_a_link() {
        let s = Scratch::new("symlink-folder");
        let real = s.pack("real", "p", None);
        s.write("real/a.rhai", "// a");
        let link = s.path("link");
        std::os::unix::fs::symlink(&real, &link).expect("a symbolic link");
        let read = read_pack(&link, &Limits::default()).expect("a pack given as a link is read");
        assert_eq!(read.location, display_path(&link));
        assert_eq!(paths(&read), ["a.rhai"]);

        s.write("elsewhere/x.rhai", "// x");
        std::os::unix::fs::symlink(s.path("elsewhere"), real.join("more")).expect("a symbolic link");
        let err = error(read_pack(&real, &Limits::default()));
        assert!(
            matches!(&err, ReadError::Symlink { path } if path.ends_with("more")),
            "{err}"
        );

        let other = s.path("other");
        fs::create_dir_all(&other).expect("folder");
        std::os::unix::fs::symlink(real.join("pack.toml"), other.join("pack.toml")).expect("a symbolic link");
        let err = error(read_pack(&other, &Limits::default()));
        assert!(
            matches!(&err, ReadError::Symlink { path } if path.ends_with("pack.toml")),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn control_characters_in_names_are_escaped_in_messages() {
        let s = Scratch::new("controls");
        let pack = s.pack("pack", "p", None);
        std::os::unix::fs::symlink(s.path("nowhere"), pack.join("evil\u{1b}[2J\n.rhai")).expect("a symbolic link");
        let message = error(read_pack(&pack, &Limits::default())).to_string();
        assert!(message.contains("evil\\u{1b}[2J\\u{a}.rhai"), "{message}");
        assert!(!message.contains('\u{1b}') && !message.contains('\n'), "{message:?}");
        assert_eq!(escape_controls("a\u{0}b\u{7f}c\u{9b}é"), "a\\u{0}b\\u{7f}c\\u{9b}é");
        assert_eq!(display_path(Path::new("rules/\u{7}x/")), "rules/\\u{7}x");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_rule_or_case_is_refused_without_hanging() {
        let s = Scratch::new("fifo");
        let pack = s.pack("pack", "p", None);
        let fifo = pack.join("pipe.rhai");
        if !mkfifo(&fifo) {
            eprintln!("skipped: `mkfifo` is not available");
            return;
        }
        let dir = pack.clone();
        let err = error(within(move || read_pack(&dir, &Limits::default())));
        assert!(
            matches!(&err, ReadError::NotRegular { path } if path.ends_with("pipe.rhai")),
            "{err}"
        );
        let case = fifo.clone();
        let err = error(within(move || read_text(&case)));
        assert!(matches!(err, ReadError::NotRegular { .. }), "{err}");
        // A pipe as the manifest is refused too.
        let other = s.path("other");
        fs::create_dir_all(&other).expect("folder");
        assert!(mkfifo(&other.join("pack.toml")));
        let err = error(within(move || read_pack(&other, &Limits::default())));
        assert!(matches!(err, ReadError::NotRegular { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_without_reading_it() {
        let zero = Path::new("/dev/zero");
        if !zero.exists() {
            return;
        }
        let err = error(within(move || read_text(zero)));
        assert!(matches!(err, ReadError::NotRegular { .. }), "{err}");
    }

    #[test]
    fn read_text_reads_a_file_and_names_a_missing_one() {
        let s = Scratch::new("read-text");
        let case = s.write("case.json", "{}");
        assert_eq!(read_text(&case).expect("reads"), "{}");
        let missing = s.path("missing.json");
        let message = error(read_text(&missing)).to_string();
        assert!(message.starts_with("cannot read `"), "{message}");
        assert!(message.contains("missing.json`: "), "{message}");
        assert!(matches!(error(read_text(&s.0)), ReadError::NotRegular { .. }));
        let err = error(read_text_limited(&case, 1, "max_case_size"));
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    limit: 1,
                    limit_name: "max_case_size",
                    size: Some(2),
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn an_oversized_rule_is_refused_naming_the_limit() {
        let s = Scratch::new("big-rule");
        let pack = s.pack("pack", "p", None);
        let limits = Limits {
            max_source_size: 100,
            ..Limits::default()
        };
        s.write("pack/big.rhai", vec![b'x'; 110]);
        let err = error(read_pack(&pack, &limits));
        assert!(
            matches!(
                &err,
                ReadError::TooLarge {
                    path,
                    limit: 100,
                    limit_name: "max_source_size",
                    size: Some(110),
                } if path.ends_with("big.rhai")
            ),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.contains("`max_source_size`") && message.contains("110"),
            "{message}"
        );
        // At the limit is not over it.
        s.write("pack/big.rhai", vec![b'x'; 100]);
        let read = read_pack(&pack, &limits).expect("reads");
        assert_eq!(read.files[0].text.len(), 100);
    }

    /// A file whose metadata says it is empty (as `/proc` files do) is still read only
    /// to one byte past the limit, and refused.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_under_reports_its_size_is_read_only_to_the_limit() {
        let status = Path::new("/proc/self/status");
        let Ok(meta) = fs::metadata(status) else {
            return;
        };
        if meta.len() != 0 || !meta.is_file() {
            return;
        }
        let err = error(read_text_limited(status, 16, "test_limit"));
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    limit: 16,
                    limit_name: "test_limit",
                    size: None,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn an_oversized_manifest_is_refused_naming_the_limit() {
        let s = Scratch::new("big-manifest");
        let limits = Limits {
            max_manifest_size: 64,
            ..Limits::default()
        };
        s.write(
            "pack/pack.toml",
            format!("{}description = \"{}\"\n", manifest("p", None), "x".repeat(100)),
        );
        let err = error(read_pack(&s.path("pack"), &limits));
        assert!(
            matches!(
                &err,
                ReadError::TooLarge {
                    path,
                    limit: 64,
                    limit_name: "max_manifest_size",
                    size: Some(_),
                } if path.ends_with("pack.toml")
            ),
            "{err}"
        );
        assert!(err.to_string().contains("`max_manifest_size`"), "{err}");
    }

    #[test]
    fn folders_too_deep_or_too_full_are_refused() {
        let s = Scratch::new("bounds");
        let pack = s.pack("pack", "p", None);
        let deepest = ["d"; MAX_DEPTH].join("/");
        s.write(&format!("pack/{deepest}/ok.rhai"), "()");
        let read = read_pack(&pack, &Limits::default()).expect("16 folders deep is read");
        assert_eq!(paths(&read), [format!("{deepest}/ok.rhai").as_str()]);
        s.write(&format!("pack/{deepest}/d/too-deep.rhai"), "()");
        let err = error(read_pack(&pack, &Limits::default()));
        assert!(matches!(err, ReadError::TooDeep { limit: MAX_DEPTH, .. }), "{err}");

        let rules = s.pack("rules", "r", None);
        for name in ["a.rhai", "b.rhai", "c.rhai"] {
            s.write(&format!("rules/{name}"), "()");
        }
        let limits = Limits {
            max_rules: 2,
            ..Limits::default()
        };
        let err = error(read_pack(&rules, &limits));
        assert!(matches!(err, ReadError::TooManyRules { limit: 2, .. }), "{err}");

        let full = s.pack("full", "f", None);
        for i in 0..ENTRY_MARGIN {
            s.write(&format!("full/n{i}.txt"), "");
        }
        let limits = Limits {
            max_rules: 0,
            ..Limits::default()
        };
        // The manifest and ENTRY_MARGIN other files: one over the limit.
        let err = error(read_pack(&full, &limits));
        assert!(
            matches!(
                err,
                ReadError::TooManyEntries {
                    limit: ENTRY_MARGIN,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_pack_that_extends_nothing_reads_no_sibling() {
        let s = Scratch::new("no-extends");
        let own = s.pack("rules/own", "own", None);
        s.write("rules/own/a.rhai", "// a");
        let bad = s.pack("rules/bad", "bad", None);
        s.write("rules/bad/latin1.rhai", [b'c', b'a', b'f', 0xE9]);
        s.write("rules/huge/pack.toml", "#".repeat(200_000));
        #[cfg(unix)]
        {
            let _ = mkfifo(&s.path("rules/bad/pipe.rhai"));
            fs::create_dir_all(s.path("rules/fifo")).expect("folder");
            let _ = mkfifo(&s.path("rules/fifo/pack.toml"));
        }
        assert!(
            read_pack(&bad, &Limits::default()).is_err(),
            "the neighbour really is broken"
        );
        let (pack, parents) = within(move || read_with_parents(&own, &Limits::default())).expect("reads");
        assert_eq!(paths(&pack), ["a.rhai"]);
        assert!(parents.is_empty(), "{parents:?}");
    }

    #[test]
    fn a_pack_reads_its_parent_and_no_unrelated_sibling() {
        let s = Scratch::new("parent");
        let elmshire = s.pack("rules/elmshire", "elmshire", Some("england"));
        s.write("rules/elmshire/local.rhai", "// local");
        s.pack("rules/england", "england", None);
        s.write("rules/england/national.rhai", "// national");
        s.write("rules/england/lib/util.rhai", "// util");
        s.pack("rules/broken", "broken", None);
        s.write("rules/broken/latin1.rhai", b"\xFF\xFE");
        s.write("rules/junk/pack.toml", b"\xFF\x00\x01");
        s.write("rules/unparsable/pack.toml", "[pack\nid = ");
        // Over max_manifest_size, though its id is the one wanted: skipped unread.
        s.write(
            "rules/huge/pack.toml",
            format!("{}{}", manifest("england", None), "#".repeat(100_000)),
        );
        s.write("rules/notes.txt", "not a pack");
        #[cfg(unix)]
        {
            fs::create_dir_all(s.path("rules/fifo")).expect("folder");
            let _ = mkfifo(&s.path("rules/fifo/pack.toml"));
            // A link to the parent is not a second `england`.
            std::os::unix::fs::symlink(s.path("rules/england"), s.path("rules/england-link")).expect("a symbolic link");
        }
        let (pack, parents) = within(move || read_with_parents(&elmshire, &Limits::default())).expect("reads");
        assert_eq!(paths(&pack), ["local.rhai"]);
        assert_eq!(ids(&parents), ["england"]);
        let england = &parents[0];
        assert_eq!(england.location, display_path(&s.path("rules/england")));
        assert!(!england.location.contains(".."), "{}", england.location);
        assert_eq!(paths(england), ["lib/util.rhai", "national.rhai"]);
        assert_eq!(england.files[1].text, "// national");
    }

    #[test]
    fn a_parent_that_cannot_be_read_is_an_error() {
        let s = Scratch::new("broken-parent");
        let elmshire = s.pack("rules/elmshire", "elmshire", Some("england"));
        s.pack("rules/england", "england", None);
        s.write("rules/england/latin1.rhai", [b'x', 0xE9]);
        let err = error(read_parents(
            &elmshire,
            &manifest("elmshire", Some("england")),
            &Limits::default(),
        ));
        assert!(
            matches!(&err, ReadError::NotUtf8 { path, offset: 1 } if path.ends_with("latin1.rhai")),
            "{err}"
        );
    }

    #[test]
    fn a_chain_longer_than_max_layers_stops_reading() {
        let s = Scratch::new("layers");
        for i in 0..7 {
            let extends = (i < 6).then(|| format!("p{}", i + 1));
            s.pack(&format!("rules/p{i}"), &format!("p{i}"), extends.as_deref());
            s.write(&format!("rules/p{i}/r{i}.rhai"), "()");
        }
        // Reading p4 would fail: with max_layers = 3 it is never read.
        let broken = s.write("rules/p4/latin1.rhai", b"\xE9");
        let limits = Limits {
            max_layers: 3,
            ..Limits::default()
        };
        let own = s.path("rules/p0");
        let parents = read_parents(&own, &manifest("p0", Some("p1")), &limits).expect("reads");
        // The pack and max_layers parents: one layer over, for core to report.
        assert_eq!(ids(&parents), ["p1", "p2", "p3"]);
        assert_eq!(parents.len(), limits.max_layers);
        assert!(parents.iter().all(|p| p.files.len() == 1));

        fs::remove_file(broken).expect("removed");
        let parents = read_parents(&own, &manifest("p0", Some("p1")), &Limits::default()).expect("reads");
        assert_eq!(ids(&parents), ["p1", "p2", "p3", "p4", "p5", "p6"]);
    }

    #[test]
    fn a_cycle_stops_reading() {
        let s = Scratch::new("cycle");
        let a = s.pack("rules/a", "a", Some("b"));
        s.pack("rules/b", "b", Some("c"));
        s.pack("rules/c", "c", Some("b"));
        let parents = read_parents(&a, &manifest("a", Some("b")), &Limits::default()).expect("reads");
        assert_eq!(ids(&parents), ["b", "c"]);

        let s = Scratch::new("cycle-back");
        let a = s.pack("rules/a", "a", Some("b"));
        s.pack("rules/b", "b", Some("a"));
        let parents = read_parents(&a, &manifest("a", Some("b")), &Limits::default()).expect("reads");
        assert_eq!(ids(&parents), ["b"]);
    }

    #[test]
    fn two_siblings_with_the_parent_id_are_both_read() {
        let s = Scratch::new("ambiguous");
        let elmshire = s.pack("rules/elmshire", "elmshire", Some("england"));
        s.pack("rules/england", "england", Some("uk"));
        s.pack("rules/england-copy", "england", None);
        s.pack("rules/uk", "uk", None);
        let parents =
            read_parents(&elmshire, &manifest("elmshire", Some("england")), &Limits::default()).expect("reads");
        assert_eq!(ids(&parents), ["england", "england"]);
        assert_eq!(
            parents.iter().map(|p| p.location.clone()).collect::<Vec<_>>(),
            [
                display_path(&s.path("rules/england")),
                display_path(&s.path("rules/england-copy"))
            ]
        );
    }

    #[test]
    fn an_unknown_parent_leaves_the_neighbours_ids_for_did_you_mean() {
        let s = Scratch::new("unknown-parent");
        let elmshire = s.pack("rules/elmshire", "elmshire", Some("englnd"));
        s.pack("rules/england", "england", None);
        // Not read in full: only its id is returned.
        s.write("rules/england/latin1.rhai", b"\xE9");
        s.pack("rules/scotland", "scotland", None);
        let (pack, parents) = read_with_parents(&elmshire, &Limits::default()).expect("reads");
        assert_eq!(ids(&parents), ["england", "scotland"]);
        assert!(parents.iter().all(|p| p.files.is_empty()));
        assert_eq!(parents[0].location, display_path(&s.path("rules/england")));

        let err = RulePack::load(&pack, &parents, &Limits::default()).expect_err("the parent is unknown");
        assert!(
            err.problems().iter().any(|p| p
                .help_text()
                .is_some_and(|help| help.contains("did you mean `england`?"))),
            "{err}"
        );
    }

    #[test]
    fn a_manifest_of_an_id_only_reads_back() {
        for id in ["england", "we\"ird\\id\u{1}"] {
            assert_eq!(manifest_field(&id_manifest(id), "id").as_deref(), Some(id));
        }
        assert_eq!(
            manifest_field("\u{feff}[pack]\nextends = \"x\"\n", "extends").as_deref(),
            Some("x")
        );
        assert_eq!(manifest_field("not [ toml", "id"), None);
    }

    #[test]
    fn fixtures_are_regular_json_files() {
        let s = Scratch::new("fixtures");
        let pack = s.pack("pack", "p", None);
        assert!(fixture_paths(&pack).expect("no tests folder").is_empty());
        s.write("pack/tests/b.json", "{}");
        s.write("pack/tests/a.json", "{}");
        s.write("pack/tests/notes.txt", "");
        assert_eq!(
            fixture_paths(&pack).expect("reads"),
            [pack.join("tests/a.json"), pack.join("tests/b.json")]
        );
        fs::create_dir_all(pack.join("tests/dir.json")).expect("folder");
        let err = error(fixture_paths(&pack));
        assert!(
            matches!(&err, ReadError::NotRegular { path } if path.ends_with("dir.json")),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_fixture_is_refused() {
        let s = Scratch::new("fixture-link");
        let pack = s.pack("pack", "p", None);
        let outside = s.write("outside.json", "{}");
        s.write("pack/tests/a.json", "{}");
        std::os::unix::fs::symlink(&outside, pack.join("tests/b.json")).expect("a symbolic link");
        let err = error(fixture_paths(&pack));
        assert!(
            matches!(&err, ReadError::Symlink { path } if path.ends_with("b.json")),
            "{err}"
        );

        let linked = s.pack("linked", "l", None);
        std::os::unix::fs::symlink(pack.join("tests"), linked.join("tests")).expect("a symbolic link");
        assert!(matches!(error(fixture_paths(&linked)), ReadError::Symlink { .. }));
    }
}
