// Evaluates a case with the careplan component, transpiled to JavaScript by jco, and
// prints the evaluation JSON exactly as `careplan eval` does.
//
//   npx jco transpile careplan.wasm -o generated     (once per component)
//   node main.mjs rules/england rules/england/cases/sample.json 2025-06-02
//
// Paths are taken relative to the working directory; the pack folder is read exactly as
// the CLI reads it, with its sibling folders as the packs it may extend.
//
// jco's JavaScript has neither fuel nor epochs, so nothing inside the component can stop
// a call that runs too long. The engine's work budget stops every rule within about a
// second of CPU, but a host that needs a hard wall-clock bound must be able to stop the
// call from outside: here the component runs in a `worker_threads` Worker, which is
// terminated when it has not answered within the deadline (CAREPLAN_DEADLINE_MS,
// 10,000 ms unless set), and the example fails with exit 1.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

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

/** The deadline of one load and evaluation, in milliseconds. */
function deadlineMs() {
  const text = process.env.CAREPLAN_DEADLINE_MS;
  if (text === undefined || text === '') return 10_000;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`CAREPLAN_DEADLINE_MS must be a whole number of milliseconds above 0, not \`${text}\``);
  }
  return ms;
}

/** In the worker: loads the pack, evaluates the case, and posts the evaluation JSON
 * (`{ json }`) or the error text the component gave (`{ text }`). */
async function work({ pack, available, caseJson, asOf }) {
  // jco's ES module compiles `careplan.core.wasm` beside it when first imported.
  const { engine } = await import(GENERATED.href);
  // `result<T, error>` returns T or throws a ComponentError whose `payload` is the
  // `error` record: `code` ('invalid-case', ...), and `message`, `text` and `json` as
  // careplan-core renders them, with the `diagnostics` or `caseProblems` behind them.
  try {
    const rulePack = engine.RulePack.load(pack, available);
    try {
      parentPort.postMessage({ json: rulePack.evaluateJson(caseJson, asOf) });
    } finally {
      rulePack[Symbol.dispose]();
    }
  } catch (err) {
    if (typeof err?.payload?.text !== 'string') throw err;
    parentPort.postMessage({ text: err.payload.text });
  }
}

/** Runs `work` in a Worker: its message, or `{ timedOut: true }` when it has not
 * answered within `ms` (the worker is terminated then, wherever it is). */
function inWorker(data, ms) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    let settled = false;
    const settle = (finish) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
      worker.terminate();
    };
    const timer = setTimeout(() => settle(() => resolve({ timedOut: true })), ms);
    worker.once('message', (message) => settle(() => resolve(message)));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the worker exited with ${code} before answering`))));
  });
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

  let pack, available, caseJson, ms;
  try {
    ms = deadlineMs();
    pack = readPack(packDir);
    available = readSiblings(packDir);
    caseJson = readText(casePath);
  } catch (err) {
    console.error(`error: ${err.message}`);
    return 2;
  }

  const answer = await inWorker({ pack, available, caseJson, asOf }, ms);
  if (answer.timedOut) {
    console.error(`error: the evaluation did not finish within ${ms} ms; its worker was stopped`);
    return 1;
  }
  if (answer.text !== undefined) {
    process.stderr.write(answer.text);
    return 1;
  }
  process.stdout.write(answer.json);
  return 0;
}

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  await work(workerData);
}
