// `parley export --model DIR`: write encoder.onnx, decoder.onnx and onnx.json into a saved model's
// directory, so the server can decode it on ONNX Runtime.
import { parseArgs } from 'node:util';
import { exportOnnx, initBackend } from '../engine/index.ts';

const usage = 'usage: parley export --model DIR';

export async function run(args: string[]): Promise<number> {
  let model: string | undefined;
  try {
    ({ values: { model } } = parseArgs({ args, options: { model: { type: 'string' } }, strict: true }));
  } catch (e) {
    console.error(`parley export: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  if (!model) {
    console.error(`parley export: --model is required\n${usage}`);
    return 2;
  }
  await initBackend({ quiet: true });
  try {
    const m = exportOnnx(model);
    console.log(JSON.stringify({ model, files: [m.files.encoder, m.files.decoder, 'onnx.json'], opset: m.opset, weightsSha256: m.weightsSha256 }));
    return 0;
  } catch (e) {
    console.error(`parley export: ${(e as Error).message}`);
    return 1;
  }
}
