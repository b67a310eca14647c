// The translate and parse pages in Chromium on the shipped translate-fr-en and parse-en (real tfjs
// decoding): n-best and a heat map of the real attention over subword tokens, a tree whose drawn
// words are the sentence's treebank words, and the engine's own refusal of a too-long input.
import { cpSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { ParseResponse, TranslateResponse } from '../../server/protocol.ts';
import { createEngineFactory, MAX_SOURCE_TOKENS } from '../../server/service/engine-factory.ts';
import { cellLightness } from '../../web/heatmap.ts';
import { displayWord, parseTree, treeWords } from '../../web/tree.ts';
import { tempDir } from '../helpers/tmp.ts';
import { heatmapLightness, launchChromium, watchPage, type TestBrowser } from './helpers/chromium.ts';

describe('translate and parse pages on the shipped models', () => {
  const root = tempDir('parley-shipped-pages');
  let server: RunningServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    for (const id of ['translate-fr-en', 'parse-en']) cpSync(`models/${id}`, path.join(root, 'models', id), { recursive: true });
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      modelsDir: path.join(root, 'models'),
      dbFile: path.join(root, 'db.sqlite'),
      factory: createEngineFactory({ engine: 'tfjs', exportMissing: false }),
      logger: pino({ level: 'silent' }),
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function submit<T>(page: Page, route: string, fill: () => Promise<void>, button: string): Promise<{ status: number; body: T }> {
    await fill();
    const answer = page.waitForResponse((r) => r.url().endsWith(route));
    await page.locator(button).click();
    const response = await answer;
    return { status: response.status(), body: (await response.json()) as T };
  }

  it('translates with n-best and draws the real attention', async () => {
    const page = await browser.context.newPage();
    const seen = watchPage(page);
    await page.goto(new URL('/translate.html', server.url).href);
    await page.locator('#model option[value="translate-fr-en"]').waitFor({ state: 'attached' });
    const { status, body } = await submit<TranslateResponse>(page, '/api/translate', () => page.locator('#source').fill('Où est la gare ?'), '#translate');
    expect(status).toBe(200);
    const tr = body.translations[0]!;
    expect(tr.nBest).toHaveLength(3);
    await expect.poll(() => page.locator('.nbest .hyp').allTextContents()).toEqual(tr.nBest.map((h) => h.text));
    expect(tr.text).toBe("Where's the station?"); // the shipped translate-fr-en's answer (its README example)

    const attention = tr.attention!;
    expect(attention).toHaveLength(tr.tgtTokens!.length);
    expect(attention[0]).toHaveLength(tr.srcTokens!.length);
    for (const row of attention) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await page.locator('#attention').waitFor();
    const lightness = await heatmapLightness(page, '#heatmap', attention.length, attention[0]!.length);
    lightness.forEach((row, i) =>
      row.forEach((l, j) => expect((cellLightness(0) - l) / (cellLightness(0) - cellLightness(1))).toBeCloseTo(attention[i]![j]!, 2)),
    );

    // 700 characters outside the tokenizer's pieces fall back to bytes: over the source-token limit.
    const tooLong = await submit<{ error: { message: string } }>(page, '/api/translate', () => page.locator('#source').fill('ꙮ'.repeat(700)), '#translate');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(new RegExp(`input too long: \\d+ tokens .*at most ${MAX_SOURCE_TOKENS}`));
    await expect.poll(() => page.locator('#error').textContent()).toBe(`Refused (400 invalid_input) ${tooLong.body.error.message}`);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('parses a sentence with brackets in it and draws its treebank words', async () => {
    const page = await browser.context.newPage();
    const seen = watchPage(page);
    await page.goto(new URL('/parse.html', server.url).href);
    await page.locator('#model option[value="parse-en"]').waitFor({ state: 'attached' });
    const { status, body } = await submit<ParseResponse>(page, '/api/parse', () => page.locator('#sentence').fill("My neighbour (the old man) didn't come."), '#parse');
    expect(status).toBe(200);
    const tree = parseTree(body.tree);
    expect(treeWords(tree)).toEqual(['My', 'neighbour', '-LRB-', 'the', 'old', 'man', '-RRB-', 'did', "n't", 'come', '.']);
    await expect.poll(() => page.locator('#tree text.word').allTextContents()).toEqual(treeWords(tree).map(displayWord));
    expect(await page.locator('#tree text.label').count()).toBe((body.tree.match(/\(/g) ?? []).length);
    expect(await page.locator('#brackets').textContent()).toBe(body.tree);
    expect(await page.locator('#facts .repaired').textContent()).toMatch(body.repaired ? /^yes/ : /^no$/);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });
});
