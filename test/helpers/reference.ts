// Loads reference values computed by PyTorch and NLTK, from PARLEY_REFERENCE_DIR or the shared folder.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function referenceDir(): string {
  return process.env.PARLEY_REFERENCE_DIR ?? path.resolve(repoRoot, '../shared/fixtures/reference');
}

export function loadReference<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(referenceDir(), `${name}.json`), 'utf8')) as T;
}
