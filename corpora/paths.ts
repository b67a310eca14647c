// Where the corpora live: an explicit directory (--corpora) wins, then PARLEY_CORPORA, then
// ../shared/corpora next to the repository (found from this file, so the working directory is irrelevant).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function resolveCorporaDir(explicit?: string): string {
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const fromEnv = process.env.PARLEY_CORPORA;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(repoRoot, '../shared/corpora');
}
