// Tests and benchmarks only: the model directories the decoding-option tests and bench:hostile run on
// the real engine: "chat" (a forward model, its backward model and a retrieval index over the MMI
// pairs), "plain" (the same forward model without either) and "global" (a model without attention).
import { cpSync } from 'node:fs';
import path from 'node:path';
import { embedSources, loadPipeline, ReplyIndex } from '../engine/index.ts';
import { mmiPairs, nameBackward, writeChatModel, writeMmiModels } from './chat-models.ts';

/** A reply much longer than any search of the tests here, indexed under the first MMI prompt too. */
export const LONG_REPLY = Array.from({ length: 30 }, (_, i) => mmiPairs[i % mmiPairs.length]!.target).join(' ');

/** Writes the three model directories under `modelsDir`; `reply` replaces the indexed reply of pair i. */
export async function writeOptionModels(modelsDir: string, reply: (i: number) => string = (i) => mmiPairs[i]!.target): Promise<void> {
  const chat = path.join(modelsDir, 'chat');
  await writeMmiModels(chat, { forwardSteps: 20, backwardSteps: 20 });
  cpSync(chat, path.join(modelsDir, 'plain'), { recursive: true });
  nameBackward(path.join(modelsDir, 'plain'), null);
  const forward = await loadPipeline(chat);
  try {
    const vectors = embedSources(forward.model, mmiPairs.map((p) => forward.encodeInput(p.input)));
    const replies = mmiPairs.map((_, i) => ({ text: reply(i), source: `mmi:${i}` }));
    ReplyIndex.build([...vectors, vectors[0]!], [...replies, { text: LONG_REPLY, source: 'long' }]).save(chat);
  } finally {
    forward.dispose();
  }
  await writeChatModel(path.join(modelsDir, 'global'), { pairs: mmiPairs, steps: 5, seed: 3, preset: 'nrm-global' });
}
