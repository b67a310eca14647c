// `parley quantize --model DIR`: rewrite a model directory's weights as float16 (TensorFlow.js weight
// quantization), halving the size of shipped models; loading turns them back into float32.
import { parseArgs } from 'node:util';
import { initBackend, loadModel, saveModel } from '../engine/index.ts';
import { UsageError } from './corpus-data.ts';
import { runCommand } from './errors.ts';

const usage = 'usage: parley quantize --model DIR';

export async function run(args: string[]): Promise<number> {
  return runCommand('quantize', usage, async () => {
    const { values } = parseArgs({ args, options: { model: { type: 'string' } }, strict: true });
    if (!values.model) throw new UsageError('--model DIR is required');
    await initBackend({ quiet: true });
    const { model, meta } = loadModel(values.model);
    await saveModel(values.model, model, meta, 'float16');
    model.dispose();
    console.log(JSON.stringify({ model: values.model, weights: 'float16' }));
    return 0;
  });
}
