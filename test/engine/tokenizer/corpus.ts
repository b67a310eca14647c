// Test helpers for the tokenizer: sentences from the shared Tatoeba corpus (PARLEY_CORPORA, default
// ../shared/corpora beside the repository), a unicode-heavy sample, and Google's spm_encode.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function corporaDir(): string {
  return process.env.PARLEY_CORPORA ?? path.resolve(repoRoot, '../shared/corpora');
}

/** English and French sentences of Tatoeba fra-eng lines [from, to), in file order (English first). */
export function tatoebaSentences(from: number, to: number): string[] {
  const file = path.join(corporaDir(), 'translation/tatoeba-anki-fra-eng/fra.txt');
  const lines = readFileSync(file, 'utf8').split('\n').slice(from, to);
  return lines.flatMap((line) => line.split('\t').slice(0, 2));
}

/** Chinese conversation turns from KdConv (dev/test release), conversations [from, to). */
export function kdconvTurns(from: number, to: number): string[] {
  const file = path.join(corporaDir(), 'chinese/kdconv-devtest/kdconv_devtest.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(from, to);
  return lines.flatMap((line) => (JSON.parse(line) as { turns: string[] }).turns);
}

/** Text SentencePiece setups often get wrong: scripts, emoji sequences, both Unicode normal forms, spacing. */
export const UNICODE_SAMPLE: readonly string[] = [
  '我们明天去北京吧。你觉得怎么样？',
  '東京は日本の首都です',
  'emoji 😀 family 👨‍👩‍👧‍👦 flag 🇫🇷🇯🇵 skin 👍🏽 keycap 1️⃣',
  'NFC: café déjà vu naïve Ångström',
  'NFD: cafe\u0301 de\u0301ja\u0300 vu nai\u0308ve A\u030angstro\u0308m',
  'tabs\there\t\tand\tthere',
  'repeated   spaces    inside',
  '   leading and trailing spaces   ',
  ' ',
  '\t',
  'Привет, мир! Γειά σου κόσμε! שלום עולם مرحبا',
  'mixed F1 2024 x²  ½ ⅓ ①',
  'the lower block \u2581 is not a space',
  'turn one<sep>turn two <s> </s> <pad> <unk> <0x41>',
  'zero\u200bwidth and\u00a0no-break and\u3000ideographic',
  '',
];

/** Runs a SentencePiece command-line tool (spm_encode, spm_decode, spm_train) on stdin. */
export function spm(tool: string, args: string[], input = ''): string {
  const result = spawnSync(tool, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${tool} did not run (${result.error.message}); install it: apt-get install sentencepiece`);
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
  return result.stdout;
}
