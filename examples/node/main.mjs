// Evaluates a case with the careplan component, transpiled to JavaScript by jco, and
// prints the evaluation JSON exactly as `careplan eval` does.
//
//   npx jco transpile careplan.wasm -o generated     (once per component)
//   node main.mjs rules/england rules/england/cases/sample.json 2025-06-02
//
// Paths are taken relative to the working directory; the pack folder is read exactly as
// the CLI reads it, with its sibling folders as the packs it may extend.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GENERATED = new URL('./generated/careplan.js', import.meta.url);

const usage = 'usage: node main.mjs <pack-dir> <case.json> <as-of YYYY-MM-DD>';

// Rust's `String::from_utf8`: strict, and a byte order mark is kept as text.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a UTF-8 text file, with errors that name it. */
function readText(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read \`${path}\`: ${err.message}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error(`\`${path}\` is not UTF-8 text`);
  }
}

/** Names in a folder in byte order, as Rust sorts `OsString`s. */
function sortedEntries(dir) {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );
}

/** A path as the CLI shows it: `/` separators, no trailing slash. */
function displayPath(path) {
  const text = path.replaceAll('\\', '/');
  const trimmed = text.replace(/\/+$/, '');
  return trimmed === '' ? text : trimmed;
}

/** Rust's `Path::parent`: `''` for a bare name, `null` for a root. */
function parentOf(path) {
  let text = path.replace(/(\/\.?)+$/, '');
  if (text === '' || text === '.') return text === '.' ? '' : null;
  const slash = text.lastIndexOf('/');
  if (slash < 0) return '';
  const parent = text.slice(0, slash).replace(/\/+$/, '');
  return parent === '' ? '/' : parent;
}

function joinPath(parent, name) {
  return parent.endsWith('/') ? parent + name : `${parent}/${name}`;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The pack in `dir` as the component's `pack-source`: `pack.toml` and every `.rhai`
 * file outside `tests/` and hidden folders, sorted by path. */
export function readPack(dir) {
  const manifestPath = joinPath(dir, 'pack.toml');
  if (!isFile(manifestPath)) throw new Error(`\`${dir}\` is not a rule pack: it has no \`pack.toml\``);
  const manifest = readText(manifestPath);
  const files = [];
  const collect = (folder, prefix) => {
    for (const entry of sortedEntries(folder)) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const path = joinPath(folder, name);
      if (entry.isDirectory()) {
        if (prefix === '' && name === 'tests') continue;
        collect(path, `${prefix}${name}/`);
      } else if (name.endsWith('.rhai')) {
        files.push({ path: prefix + name, text: readText(path) });
      }
    }
  };
  collect(dir, '');
  files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return { location: displayPath(dir), manifest, files };
}

/** The packs beside `dir` (sibling folders with a `pack.toml`): where the packs it
 * extends are looked for. */
export function readSiblings(dir) {
  const parent = parentOf(dir);
  const folder = parent === null || parent === '' ? '.' : parent;
  const own = realpathSync(dir);
  const siblings = [];
  for (const entry of sortedEntries(folder)) {
    const path = joinPath(folder, entry.name);
    if (!isFile(joinPath(path, 'pack.toml')) || realpathSync(path) === own) continue;
    siblings.push(readPack(parent === null || parent === '' ? entry.name : path));
  }
  return siblings;
}

async function main(args) {
  if (args.length !== 3) {
    console.error(usage);
    return 2;
  }
  const [packDir, casePath, asOf] = args;
  if (!existsSync(GENERATED)) {
    const folder = fileURLToPath(new URL('.', GENERATED));
    console.error(
      `${fileURLToPath(GENERATED)} is missing: transpile the component into ${folder} first ` +
        `(\`npx jco transpile careplan.wasm -o ${folder}\`), or use \`npm run example\``,
    );
    return 2;
  }
  // jco's ES module compiles `careplan.core.wasm` beside it when first imported.
  const { engine } = await import(GENERATED.href);

  let pack, available, caseJson;
  try {
    pack = readPack(packDir);
    available = readSiblings(packDir);
    caseJson = readText(casePath);
  } catch (err) {
    console.error(`error: ${err.message}`);
    return 2;
  }

  // `result<T, error>` returns T or throws a ComponentError whose `payload` is the
  // `error` record: `code` ('invalid-case', ...), and `message`, `text` and `json` as
  // careplan-core renders them, with the `diagnostics` or `caseProblems` behind them.
  try {
    const rulePack = engine.RulePack.load(pack, available);
    try {
      process.stdout.write(rulePack.evaluateJson(caseJson, asOf));
    } finally {
      rulePack[Symbol.dispose]();
    }
  } catch (err) {
    if (typeof err?.payload?.text !== 'string') throw err;
    process.stderr.write(err.payload.text);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
