// planReply: what follows a chat's forward search, decided before it runs (the server counts its cost
// from this plan). Only the models' presence and config.json are read, so they are stood in for here;
// the ranking itself runs on real models in test/server/retrieval and test/cli/eval-heldout-pool.
import { describe, expect, it } from 'vitest';
import { defaultRetrieved, planReply, type ReplyModels } from '../../../engine/retrieval/respond.ts';

const models = (o: { meta?: Record<string, unknown>; backward?: boolean; index?: boolean; attention?: boolean }): ReplyModels =>
  ({
    forward: { meta: o.meta ?? {}, stepModel: { vocabSize: 50 }, model: { decoder: { attention: o.attention === false ? null : {} } } },
    backward: o.backward ? {} : null,
    index: o.index ? {} : null,
  }) as unknown as ReplyModels;
const beam = { strategy: 'beam', beamSize: 4, nBest: 2 };

describe('planReply', () => {
  it('passes the options through untouched when nothing follows the search', () => {
    const options = { ...beam, returnNBest: false, nBest: 1 };
    expect(planReply(models({}), options, 0)).toEqual({ searchOptions: options, retrieved: 0, bidi: null });
    expect(planReply(models({ index: true }), options, 0)).toEqual({ searchOptions: options, retrieved: 0, bidi: null });
  });

  it('takes the pool asked for, else config.json retrieval.k, only where there is an index', () => {
    const meta = { retrieval: { k: 6 } };
    expect(planReply(models({ meta, index: true }), beam).retrieved).toBe(6);
    expect(planReply(models({ meta, index: true }), beam, 2).retrieved).toBe(2);
    expect(planReply(models({ meta }), beam).retrieved).toBe(0);
    // The pool ranks the whole n-best, so the search returns it.
    expect(planReply(models({ index: true }), beam, 3).searchOptions).toEqual({ ...beam, returnNBest: true });
  });

  it('reranks with MMI-bidi only with a backward model, which the search then does not see', () => {
    const options = { ...beam, mmiBidi: { lambda: 0.5 } };
    expect(planReply(models({ backward: true }), options)).toEqual({
      searchOptions: { ...beam, mmiBidi: null, returnNBest: true },
      retrieved: 0,
      bidi: { lambda: 0.5, pool: 2 },
    });
  });

  it('refuses options the engine refuses before anything runs', () => {
    expect(() => planReply(models({ backward: true }), { ...beam, beamSize: 0 })).toThrow(/beamSize/);
    expect(() => planReply(models({}), { ...beam, beamSize: 0 })).toThrow(/beamSize/);
  });

  it('refuses what these models cannot run, naming the option: a pool without an index, MMI-bidi without a backward model, ids outside the vocabulary, coverage without attention', () => {
    const refusal = (m: ReplyModels, options: unknown, retrieved?: number) => {
      try {
        planReply(m, options, retrieved);
      } catch (e) {
        return e as { name: string; option: string; message: string };
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    expect(refusal(models({ meta: { retrieval: { k: 6 } } }), beam, 2)).toMatchObject({ name: 'DecodingOptionsError', option: 'retrieved', message: expect.stringContaining('no retrieval index') });
    expect(refusal(models({ index: true }), { ...beam, mmiBidi: { lambda: 1 } })).toMatchObject({ option: 'mmiBidi', message: expect.stringContaining('no backward model') });
    expect(refusal(models({}), { strategy: 'sample', topK: 51 })).toMatchObject({ option: 'topK' });
    expect(refusal(models({}), { blocklist: [[3], [50]] })).toMatchObject({ option: 'blocklist.1' });
    expect(refusal(models({ attention: false }), { coveragePenalty: 0.2 })).toMatchObject({ option: 'coveragePenalty', message: expect.stringContaining('no attention') });
    expect(planReply(models({ attention: false }), { coveragePenalty: 0 }).retrieved).toBe(0);
  });
});

describe('defaultRetrieved', () => {
  it('is config.json retrieval.k when it is an integer in [0, 32], else 0', () => {
    expect([{ k: 8 }, { k: 0 }, { k: 32 }, { k: 33 }, { k: 2.5 }, { k: '8' }, {}, undefined].map((retrieval) => defaultRetrieved({ retrieval }))).toEqual([8, 0, 32, 0, 0, 0, 0, 0]);
  });
});
