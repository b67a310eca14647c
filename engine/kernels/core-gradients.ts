// Registers tfjs-core's gradient functions. The package's Node bundle (dist/tf-core.node.js) ships
// without them, and its ESM dist/register_all_gradients.js uses extensionless and directory imports
// that Node cannot load, so it is bundled once with esbuild into a cached .mjs. The bundled copy of
// core shares the engine and the gradient registry (both process globals) with the main instance.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

interface Esbuild {
  build(options: object): Promise<unknown>;
}

async function bundle(entry: string, outfile: string): Promise<void> {
  const esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  const tmp = `${outfile}.${process.pid}.tmp.mjs`;
  await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: tmp, logLevel: 'error' });
  renameSync(tmp, outfile); // atomic: concurrent test workers never import a half-written file
}

/** Makes tf.grad & co. work for core ops; a no-op once the gradients are registered. */
export async function registerCoreGradients(): Promise<void> {
  if (tf.getGradient(tf.BatchMatMul)) return;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const cacheDir = process.env.PARLEY_CACHE_DIR ?? path.join(os.tmpdir(), 'parley-cache');
  const outfile = path.join(cacheDir, `tfjs-core-${tf.version_core}-gradients.mjs`);
  if (!existsSync(outfile)) {
    mkdirSync(cacheDir, { recursive: true });
    await bundle(entry, outfile);
  }
  await import(pathToFileURL(outfile).href);
  if (!tf.getGradient(tf.BatchMatMul)) throw new Error(`tfjs-core gradients did not register from ${outfile}`);
}
