import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ModelLoader, readDefaults } from '../../../server/service/model-loader.ts';
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

describe('ModelLoader defaults.json', () => {
  const translate = (dir: string, id: string) => {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'config.json'), JSON.stringify({ task: 'translate', preset: 'test-reverser' }));
  };

  it('gives a request without a model id the named default, and lists it first, whatever the ids sort as', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-defaults-'));
    try {
      writeTestModels(dir);
      translate(dir, 'de-en');
      translate(dir, 'fr-en');
      const errors: string[] = [];
      const loader = new ModelLoader({ modelsDir: dir, factory: testFactory(), hooks: { observeBatchSize: () => undefined }, onError: (id) => errors.push(id) });
      await loader.loadAll();
      // Without defaults.json the first id wins.
      expect(loader.defaultFor('translate')?.id).toBe('de-en');
      writeFileSync(join(dir, 'defaults.json'), JSON.stringify({ translate: 'fr-en' }));
      await loader.reload();
      expect(loader.defaultFor('translate')?.id).toBe('fr-en');
      expect(loader.list().filter((m) => m.task === 'translate').map((m) => m.id)).toEqual(['fr-en', 'de-en', 'en-fr']);
      expect(loader.defaultFor('chat')?.id).toBe('chat-small');
      // A broken file is reported, not fatal, and the defaults last read stay.
      writeFileSync(join(dir, 'defaults.json'), '{"translate": ');
      await loader.reload();
      expect(errors).toEqual(['defaults.json']);
      expect(loader.defaultFor('translate')?.id).toBe('fr-en');
      // A default that is not loaded falls back to the first by id, and says so.
      writeFileSync(join(dir, 'defaults.json'), JSON.stringify({ translate: 'fr-en' }));
      rmSync(join(dir, 'fr-en'), { recursive: true });
      await loader.reload();
      expect(errors).toEqual(['defaults.json', 'defaults.json']);
      expect(loader.defaultFor('translate')?.id).toBe('de-en');
      await loader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a defaults.json that names an unknown task or no id, saying which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-defaults-bad-'));
    try {
      expect(readDefaults(dir)).toEqual({});
      writeFileSync(join(dir, 'defaults.json'), JSON.stringify({ summarize: 'x' }));
      expect(() => readDefaults(dir)).toThrow('"summarize" is not a task (chat, translate, parse)');
      writeFileSync(join(dir, 'defaults.json'), JSON.stringify({ parse: 3 }));
      expect(() => readDefaults(dir)).toThrow('the parse default must be a model id');
      writeFileSync(join(dir, 'defaults.json'), '[]');
      expect(() => readDefaults(dir)).toThrow('must be an object of task → model id');
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
