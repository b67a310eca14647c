import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { exportOnnx } from '../../engine/index.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import type { EngineFactory } from '../../server/service/model-backend.ts';
import { ModelLoader } from '../../server/service/model-loader.ts';
import { checkGenerates, checkGreedyIsDeterministic, checkHonoursAbort, checkMaxLength, type ContractOptions } from './helpers/model-contract.ts';
import { testFactory, writeTestModels } from '../../testkit/test-model.ts';

/** The contract's checks for each model, on one loader. */
function contract(title: string, setup: { write(dir: string): void; factory(): EngineFactory; models: Record<string, ContractOptions & { runtime?: RegExp }> }): void {
  describe(title, () => {
    let dir: string;
    let loader: ModelLoader;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'parley-contract-'));
      setup.write(dir);
      loader = new ModelLoader({ modelsDir: dir, factory: setup.factory(), hooks: { observeBatchSize: () => undefined } });
      await loader.loadAll();
    }, 120_000);
    afterAll(async () => {
      await loader?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const [id, o] of Object.entries(setup.models)) {
      const model = () => {
        const m = loader.get(id);
        if (!m) throw new Error(`${id} did not load`);
        return m;
      };
      if (o.runtime) it(`${id} is decoded by ${o.runtime}`, () => expect(model().runtime).toMatch(o.runtime!));
      it(`${id} returns its n-best best first, sorted, within maxLength, with attention rows summing to 1 over the source`, async () => {
        await checkGenerates(model(), o);
      });
      it(`${id} decodes greedily to the same output every time`, async () => {
        await checkGreedyIsDeterministic(model(), o);
      });
      it(`${id} stops at maxLength`, async () => {
        await checkMaxLength(model(), o);
      });
      it(`${id} rejects when its signal is aborted`, async () => {
        await checkHonoursAbort(model(), o);
      });
    }
  });
}

contract('the LoadedModel contract, on the test model', {
  write: writeTestModels,
  factory: () => testFactory(1),
  models: { 'chat-small': { input: 'the cat sat' }, 'en-fr': { input: 'the cat sat' }, parser: { input: 'the cat sat' } },
});

// The shipped models as the server loads them: tfjs where a directory has no ONNX export, ONNX Runtime
// where it has one (written here into a copy).
contract('the LoadedModel contract, on shipped models and the real engine', {
  write(dir) {
    // Only what git tracks: an ONNX export a local server wrote beside the weights would switch the runtime.
    const tracked = (src: string) => !/\.onnx$|onnx\.json$/.test(src);
    for (const id of ['translate-fr-en', 'parse-en', 'chat']) cpSync(join(repoRoot, 'models', id), join(dir, id), { recursive: true, filter: tracked });
    cpSync(join(repoRoot, 'models/translate-fr-en'), join(dir, 'translate-fr-en-onnx'), { recursive: true, filter: tracked });
    exportOnnx(join(dir, 'translate-fr-en-onnx'));
  },
  factory: () => createEngineFactory({ engine: 'auto', exportMissing: false }),
  models: {
    'translate-fr-en': { input: 'Où est la gare ?', runtime: /^tfjs-/ },
    'translate-fr-en-onnx': { input: 'Où est la gare ?', runtime: /^onnxruntime$/ },
    'parse-en': { input: 'We did not expect the results to be this good .', runtime: /^tfjs-/ },
    chat: { input: 'I just watched Star Wars.', runtime: /^tfjs-/ },
  },
});
