#!/usr/bin/env node
// The `vigil` command. It runs the compiled CLI (dist/, which the Docker image ships) when dist/ is
// there and no source file is newer; in a clone where dist/ is missing or older than src/ (right
// after `npm ci`, or after a `git pull`), it runs src/ through tsx, a dev dependency, instead.
//
// Why not a `prepare` script that builds dist/ during `npm ci`: the Dockerfile runs `npm ci` before
// it copies the sources (to cache the dependency layer), a production install (`--omit=dev`) has no
// tsc to build with, and a dist/ built once goes stale on the next `git pull`, silently running old
// code. The check below costs one stat per source file, a few milliseconds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const distCli = new URL('../dist/cli.js', import.meta.url);
const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

/** Newest modification time (ms) of the files under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** tsx's scoped importer, or undefined when tsx is not installed (a production install). */
async function loadTsImport() {
  try {
    return (await import('tsx/esm/api')).tsImport;
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function loadCli() {
  const hasDist = existsSync(distCli);
  const hasSrc = existsSync(join(srcDir, 'cli.ts'));
  if (hasDist && (!hasSrc || statSync(distCli).mtimeMs >= newestMtime(srcDir))) return import(distCli.href);
  const tsImport = hasSrc ? await loadTsImport() : undefined;
  if (tsImport) return tsImport('../src/cli.ts', import.meta.url);
  if (hasDist) {
    process.stderr.write('vigil: dist/ is older than src/ and tsx is not installed; running dist/ (npm run build)\n');
    return import(distCli.href);
  }
  process.stderr.write('vigil: dist/cli.js is missing and tsx is not installed: run `npm ci && npm run build`\n');
  process.exit(1);
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
