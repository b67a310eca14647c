// Checks a corpus directory against the manifest's sha256 checksums, streaming each file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { CorpusError, unreadable } from './errors.ts';
import { corpusEntry } from './manifest.ts';
import { resolveCorporaDir } from './paths.ts';

export class CorpusChecksumError extends CorpusError {
  override name = 'CorpusChecksumError';
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    throw unreadable(file, error);
  }
  return hash.digest('hex');
}

export interface VerifyResult {
  corpus: string;
  dir: string;
  files: number;
}

/** Throws CorpusChecksumError naming every missing or changed file; resolves when all match. */
export async function verifyCorpus(name: string, options: { dir?: string } = {}): Promise<VerifyResult> {
  const entry = corpusEntry(name);
  const dir = resolveCorporaDir(options.dir);
  const problems: string[] = [];
  for (const [path, expected] of Object.entries(entry.checksums)) {
    let actual: string;
    try {
      actual = await sha256File(join(dir, path));
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
      continue;
    }
    if (actual !== expected) problems.push(`${path}: sha256 ${actual}, manifest says ${expected}`);
  }
  if (Object.keys(entry.checksums).length === 0) problems.push('the manifest lists no files');
  if (problems.length > 0) {
    throw new CorpusChecksumError(`corpus ${name} in ${dir} does not match its manifest:\n  ${problems.join('\n  ')}`);
  }
  return { corpus: name, dir, files: Object.keys(entry.checksums).length };
}
