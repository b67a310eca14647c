import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ModelLoader } from '../../server/service/model-loader.ts';
import { checkGenerates, checkHonoursAbort } from './helpers/model-contract.ts';
import { testFactory, writeTestModels } from '../../testkit/test-model.ts';

describe('the LoadedModel contract, on the test model', () => {
  let dir: string;
  let loader: ModelLoader;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-contract-'));
    writeTestModels(dir);
    loader = new ModelLoader({ modelsDir: dir, factory: testFactory(1), hooks: { observeBatchSize: () => undefined } });
    await loader.loadAll();
  });
  afterAll(async () => {
    await loader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const id of ['chat-small', 'en-fr', 'parser']) {
    it(`${id} returns text, n-best best first, attention rows over the source`, async () => {
      await checkGenerates(loader.get(id)!, { input: 'the cat sat' });
    });
    it(`${id} rejects when its signal is aborted`, async () => {
      await checkHonoursAbort(loader.get(id)!, { input: 'the cat sat' });
    });
  }
});
