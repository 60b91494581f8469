// `npm run example -- <careplan.wasm> <pack-dir> <case.json> <as-of>`: transpiles the
// component with jco into ./generated (git ignores it), then runs main.mjs on it.
// Paths are relative to the folder npm was started in.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const cwd = process.env.INIT_CWD ?? process.cwd();
const [wasm, ...args] = process.argv.slice(2);
if (wasm === undefined || args.length !== 3) {
  console.error('usage: npm run example -- <careplan.wasm> <pack-dir> <case.json> <as-of YYYY-MM-DD>');
  process.exit(2);
}

function run(command, commandArgs, options) {
  const child = spawnSync(process.execPath, [command, ...commandArgs], options);
  if (child.error) throw child.error;
  if (child.status !== 0) process.exit(child.status ?? 1);
}

// jco's own messages go to stderr, so stdout holds the evaluation JSON alone.
const jcoPackage = new URL('./node_modules/@bytecodealliance/jco/', import.meta.url);
const jcoBin = JSON.parse(readFileSync(new URL('package.json', jcoPackage), 'utf8')).bin.jco;
const jco = fileURLToPath(new URL(jcoBin, jcoPackage));
run(jco, ['transpile', '--quiet', resolve(cwd, wasm), '-o', resolve(here, 'generated')], {
  stdio: ['ignore', process.stderr, 'inherit'],
});
run(resolve(here, 'main.mjs'), args, { cwd, stdio: 'inherit' });
