import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ModelLoader } from '../../../server/service/model-loader.ts';
import { testFactory, writeTestModels } from '../../../testkit/test-model.ts';

describe('ModelLoader', () => {
  it('loads each directory with a config.json, skips broken ones, and picks defaults per task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-loader-'));
    try {
      writeTestModels(dir);
      writeFileSync(join(dir, 'not-a-model.txt'), '');
      const errors: string[] = [];
      const factory = testFactory();
      const broken: typeof factory = Object.assign(async (...args: Parameters<typeof factory>) => {
        if (args[0].id === 'parser') throw new Error('bad weights');
        return factory(...args);
      }, { created: factory.created });
      const loader = new ModelLoader({ modelsDir: dir, factory: broken, hooks: { observeBatchSize: () => undefined }, onError: (id) => errors.push(id) });
      await loader.loadAll();
      expect(loader.list().map((m) => m.id)).toEqual(['chat-small', 'en-fr']);
      expect(errors).toEqual(['parser']);
      expect(loader.defaultFor('translate')?.id).toBe('en-fr');
      expect(loader.defaultFor('parse')).toBeUndefined();
      expect(await loader.reload()).toEqual([]);
      rmSync(join(dir, 'en-fr'), { recursive: true });
      await loader.reload();
      expect(loader.list().map((m) => m.id)).toEqual(['chat-small']);
      expect(factory.created.get('en-fr')![0]!.disposed).toBe(true);
      await loader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ModelLoader watching', () => {
  it('reloads a model when a file in its directory changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-watch-'));
    try {
      writeTestModels(dir);
      const factory = testFactory();
      const loader = new ModelLoader({ modelsDir: dir, factory, hooks: { observeBatchSize: () => undefined } });
      await loader.loadAll();
      const before = loader.get('en-fr')!.version;
      loader.watch(50);
      writeFileSync(join(dir, 'en-fr', 'weights.bin'), Buffer.alloc(16));
      await expect.poll(() => loader.get('en-fr')!.version, { timeout: 5000 }).not.toBe(before);
      expect(loader.get('chat-small')).toBe(factory.created.get('chat-small')![0]);
      await loader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ModelLoader closing', () => {
  it('waits for every model to finish disposing, and reports a disposal that fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-close-'));
    try {
      writeTestModels(dir);
      const factory = testFactory();
      const closed: string[] = [];
      const errors: string[] = [];
      // Disposal that takes 50 ms (fake time), as closing a decode worker thread takes a while.
      const slow: typeof factory = Object.assign(async (...args: Parameters<typeof factory>) => {
        const model = await factory(...args);
        return Object.assign(model, {
          dispose: async () => {
            await new Promise((r) => setTimeout(r, 50));
            if (model.id === 'parser') throw new Error('worker would not stop');
            closed.push(model.id);
          },
        });
      }, { created: factory.created });
      const loader = new ModelLoader({ modelsDir: dir, factory: slow, hooks: { observeBatchSize: () => undefined }, onError: (id) => errors.push(id) });
      await loader.loadAll();
      vi.useFakeTimers();
      let settled = false;
      const closing = loader.close().then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(49);
      expect(settled).toBe(false);
      expect(closed).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await closing;
      expect(closed.sort()).toEqual(['chat-small', 'en-fr']);
      expect(errors).toEqual(['parser']);
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
