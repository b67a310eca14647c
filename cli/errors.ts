// The sub-commands' error policy: usage mistakes exit 2 with the usage text, data and model problems
// exit 1 with one message line; never a stack trace for anything a user can cause.
import { UsageError } from './corpus-data.ts';

function isUsage(error: unknown): boolean {
  return error instanceof UsageError || Boolean((error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS'));
}

export async function runCommand(name: string, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    console.error(`parley ${name}: ${(error as Error)?.message ?? String(error)}`);
    if (isUsage(error)) {
      console.error(`\n${usage}`);
      return 2;
    }
    if (process.env.PARLEY_DEBUG === '1') console.error((error as Error)?.stack);
    return 1;
  }
}
