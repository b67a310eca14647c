// `--options JSON`: any decoding options (engine/decoding/options.ts names) on top of the flags; the
// engine validates them and refuses unknown names or values.
import { UsageError } from './corpus-data.ts';

export function decodingJson(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new UsageError(`--options is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--options must be a JSON object');
  return parsed as Record<string, unknown>;
}
