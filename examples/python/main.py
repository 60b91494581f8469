"""Evaluate a case with the careplan component from Python, through wasmtime.

    python main.py careplan.wasm rules/england rules/england/cases/sample.json 2025-06-02

prints the evaluation JSON exactly as `careplan eval` does. Paths are taken relative to
the working directory; the pack folder is read exactly as the CLI reads it, with its
sibling folders as the packs it may extend.

wasmtime's component API is dynamic: exports are looked up by name, records are objects
whose attributes are the WIT field names, and a `result` comes back as its value (the
`ok` payload, or the `err` payload: here a `Record` of the WIT `error`, whose `code`,
`message`, `text` and `json` careplan-core renders, the same in every host).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from wasmtime import Config, Engine, Store, WasmtimeError
from wasmtime.component import Component, Func, Instance, Linker, Record

INTERFACE = "careplan:engine/engine@0.4.0"

# The bound on each call, in WebAssembly fuel (about one unit per instruction): the same
# on every machine, as careplan-host's default. The engine's own work budget stops a
# runaway rule long before; fuel stops anything else. Set before each call.
FUEL = 20_000_000_000

USAGE = "usage: python main.py <careplan.wasm> <pack-dir> <case.json> <as-of YYYY-MM-DD>"


class ReadError(Exception):
    """A pack or case could not be read from disk."""


def read_text(path: str) -> str:
    """A UTF-8 text file, as is: no newline translation, a byte order mark kept."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ReadError(f"cannot read `{path}`: {err.strerror}") from err
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ReadError(f"`{path}` is not UTF-8 text (invalid byte at offset {err.start})") from err


def display_path(path: str) -> str:
    """A path as the CLI shows it: `/` separators, no trailing slash."""
    text = path.replace("\\", "/")
    trimmed = text.rstrip("/")
    return trimmed or text


def parent_of(path: str) -> str | None:
    """Rust's `Path::parent`: `''` for a bare name, `None` for a root."""
    text = path
    while text.endswith(("/", "/.")):
        text = text[:-1] if text.endswith("/") else text[:-2]
    if text in ("", "."):
        return "" if text == "." else None
    slash = text.rfind("/")
    if slash < 0:
        return ""
    return text[:slash].rstrip("/") or "/"


def join(parent: str, name: str) -> str:
    return parent + name if parent.endswith("/") else f"{parent}/{name}"


def sorted_entries(folder: str) -> list[os.DirEntry[str]]:
    """A folder's entries in byte order of their names, as Rust sorts `OsString`s."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: os.fsencode(e.name))
    except OSError as err:
        raise ReadError(f"cannot read `{folder}`: {err.strerror}") from err


def record(**fields: Any) -> Record:
    """A WIT record: wasmtime reads its fields as attributes."""
    value = Record()
    for name, field in fields.items():
        setattr(value, name, field)
    return value


def read_pack(folder: str) -> Record:
    """The pack in `folder` as a `pack-source`: `pack.toml` and every `.rhai` file
    outside `tests/` and hidden folders, sorted by path."""
    manifest_path = join(folder, "pack.toml")
    if not os.path.isfile(manifest_path):
        raise ReadError(f"`{folder}` is not a rule pack: it has no `pack.toml`")
    manifest = read_text(manifest_path)
    files: list[tuple[str, str]] = []

    def collect(current: str, prefix: str) -> None:
        for entry in sorted_entries(current):
            if entry.name.startswith("."):
                continue
            path = join(current, entry.name)
            if entry.is_dir(follow_symlinks=False):
                if prefix == "" and entry.name == "tests":
                    continue
                collect(path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".rhai"):
                files.append((prefix + entry.name, read_text(path)))

    collect(folder, "")
    files.sort(key=lambda f: f[0].encode("utf-8"))
    sources = [record(path=path, text=text) for path, text in files]
    return record(location=display_path(folder), manifest=manifest, files=sources)


def read_siblings(folder: str) -> list[Record]:
    """The packs beside `folder` (sibling folders with a `pack.toml`): where the packs
    it extends are looked for."""
    parent = parent_of(folder)
    where = parent or "."
    own = os.path.realpath(folder)
    siblings = []
    for entry in sorted_entries(where):
        path = join(where, entry.name)
        if not os.path.isfile(join(path, "pack.toml")) or os.path.realpath(path) == own:
            continue
        siblings.append(read_pack(path if parent else entry.name))
    return siblings


def engine_func(instance: Instance, store: Store, name: str) -> Func:
    interface = instance.get_export_index(store, INTERFACE)
    index = instance.get_export_index(store, name, interface) if interface else None
    func = instance.get_func(store, index) if index else None
    if func is None:
        raise LookupError(f"the component exports no `{INTERFACE}#{name}`")
    return func


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(USAGE, file=sys.stderr)
        return 2
    wasm, pack_dir, case_path, as_of = argv
    try:
        pack = read_pack(pack_dir)
        available = read_siblings(pack_dir)
        case_json = read_text(case_path)
    except ReadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    config = Config()
    config.consume_fuel = True
    engine = Engine(config)
    try:
        component = Component.from_file(engine, wasm)
    except (OSError, WasmtimeError) as err:
        print(f"error: cannot load the component `{wasm}`: {err}", file=sys.stderr)
        return 2
    store = Store(engine)
    # Instantiating runs the component's start-up code, which burns fuel too.
    store.set_fuel(FUEL)
    # The component imports nothing, so an empty linker instantiates it.
    instance = Linker(engine).instantiate(store, component)
    load = engine_func(instance, store, "[static]rule-pack.load")
    evaluate_json = engine_func(instance, store, "[method]rule-pack.evaluate-json")

    # `result<T, error>` comes back as T or as the `error` record. Out of fuel, a call
    # raises a trap (WasmtimeError): a typed failure, never a hang.
    store.set_fuel(FUEL)
    rule_pack = load(store, pack, available)
    if isinstance(rule_pack, Record):
        sys.stderr.write(rule_pack.text)
        return 1
    try:
        store.set_fuel(FUEL)
        result = evaluate_json(store, rule_pack, case_json, as_of)
    finally:
        rule_pack.drop(store)
    if isinstance(result, Record):
        sys.stderr.write(result.text)
        return 1
    # The JSON already ends with a newline; write it byte for byte.
    sys.stdout.buffer.write(result.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
