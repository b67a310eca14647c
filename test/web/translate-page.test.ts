// The translate page in Debian's Chromium against a real server with the test models: n-best lists and
// scores as returned, a heat map whose cells are the returned attention, the server's refusals shown,
// hostile model output kept as text. Screenshots go to test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranslateResponse } from '../../server/protocol.ts';
import { cellLightness } from '../../web/heatmap.ts';
import { startTestServer, type TestServer } from '../server/helpers/harness.ts';
import { heatmapLightness, launchChromium, watchPage, type TestBrowser } from './helpers/chromium.ts';

const artifacts = join(process.cwd(), 'test-artifacts');

describe('translate page in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    t = await startTestServer({ tickMs: 5 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(new URL('/translate.html', t.url).href);
    await page.locator('#model option[value="en-fr"]').waitFor({ state: 'attached' });
    return page;
  }

  async function translate(page: Page, text: string): Promise<{ status: number; body: unknown }> {
    await page.locator('#source').fill(text);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/translate'));
    await page.locator('#translate').click();
    const response = await answer;
    return { status: response.status(), body: await response.json() };
  }

  /** The heat map's cells turned back into weights, to compare with the attention the server sent. */
  async function drawnWeights(page: Page, attention: number[][]): Promise<number[][]> {
    const lightness = await heatmapLightness(page, '#heatmap', attention.length, attention[0]!.length);
    return lightness.map((row) => row.map((l) => (cellLightness(0) - l) / (cellLightness(0) - cellLightness(1))));
  }

  it('shows each text’s n-best list with scores, and a heat map of the returned attention', async () => {
    const page = await open();
    const seen = watchPage(page);
    await page.locator('input[name=beamSize]').fill('4');
    await page.locator('input[name=nBest]').fill('3');
    await page.locator('#length-penalty').selectOption('gnmt-1');
    const { status, body } = await translate(page, 'the quick brown fox jumps\n\n  hello world  ');
    expect(status).toBe(200);
    const r = body as TranslateResponse;
    expect(t.factory.created.get('en-fr')!.at(-1)!.stats.lastOptions).toEqual({
      strategy: 'beam',
      beamSize: 4,
      nBest: 3,
      returnNBest: true,
      returnAttention: true,
      lengthPenalty: { kind: 'gnmt', alpha: 1 },
    });

    const cards = page.locator('.translation');
    await expect.poll(() => cards.count()).toBe(2);
    expect(await cards.locator('.src').allTextContents()).toEqual(['the quick brown fox jumps', 'hello world']);
    for (const [i, tr] of r.translations.entries()) {
      expect(tr.nBest).toHaveLength(3);
      expect(await cards.nth(i).locator('.nbest .hyp').allTextContents()).toEqual(tr.nBest.map((h) => h.text));
      expect(await cards.nth(i).locator('.nbest .score').allTextContents()).toEqual(tr.nBest.map((h) => h.score.toFixed(3)));
    }
    expect(await cards.first().locator('.hyp').first().textContent()).toBe('jumps fox brown quick the');

    // The first text's map is drawn at once: 5 target rows by 5 source columns, each cell its weight.
    const first = r.translations[0]!;
    await page.locator('#attention').waitFor();
    expect(first.attention).toHaveLength(5);
    const weights = await drawnWeights(page, first.attention!);
    weights.forEach((row, i) => row.forEach((w, j) => expect(w).toBeCloseTo(first.attention![i]![j]!, 2)));
    expect(await page.locator('#attention-caption').textContent()).toContain('Text 1');
    await page.screenshot({ path: join(artifacts, 'translate.png'), fullPage: true });

    // Picking the second text redraws the map with its 2×2 attention.
    await cards.nth(1).locator('button', { hasText: 'attention' }).click();
    await expect.poll(() => cards.nth(1).locator('button').getAttribute('aria-pressed')).toBe('true');
    const second = r.translations[1]!;
    const weights2 = await drawnWeights(page, second.attention!);
    weights2.forEach((row, i) => row.forEach((w, j) => expect(w).toBeCloseTo(second.attention![i]![j]!, 2)));
    expect(second.attention![0]).toEqual([0.3, 0.7]);
    expect(await page.locator('#attention-caption').textContent()).toContain('Text 2');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(artifacts, 'translate-dark.png'), fullPage: true });
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('draws a 400-token map inside the canvas limits, odd weights clamped, every cell its weight', async () => {
    const page = await open();
    const seen = watchPage(page);
    const [rows, cols] = [300, 400];
    // Deterministic weights over the whole ramp, plus values a broken or hostile answer could carry.
    const attention = Array.from({ length: rows }, (_, t) => Array.from({ length: cols }, (_, s) => ((t * 31 + s * 17) % 101) / 100));
    attention[0]![0] = Number.NaN;
    attention[1]![1] = -3;
    attention[2]![2] = 7;
    const tokens = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}<b>`);
    const answer: TranslateResponse = {
      model: 'en-fr',
      modelVersion: 'x',
      translations: [{ src: 'long', text: 'long', score: -1, tokens: rows, nBest: [{ text: 'long', score: -1 }], attention, srcTokens: tokens(cols, 's'), tgtTokens: tokens(rows, 't') }],
    };
    // JSON has no NaN: the raw body carries null there, as a hand-made answer might.
    await page.route('**/api/translate', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(answer) }));
    await page.locator('#source').fill('long');
    await page.locator('#translate').click();
    await page.locator('#attention').waitFor();
    const size = await page.locator('#heatmap').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(Math.max(...size)).toBeLessThan(8192);
    const weights = await drawnWeights(page, attention);
    const expected = attention.map((row) => row.map((w) => (Number.isFinite(w) ? Math.max(0, Math.min(1, w)) : 0)));
    let worst = 0;
    weights.forEach((row, i) => row.forEach((w, j) => (worst = Math.max(worst, Math.abs(w - expected[i]![j]!)))));
    expect(worst).toBeLessThan(0.01);
    await page.screenshot({ path: join(artifacts, 'translate-long-attention.png') });
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('keeps n-best within the beam size', async () => {
    const page = await open();
    await page.locator('input[name=nBest]').fill('5');
    await page.locator('input[name=beamSize]').fill('2');
    expect(await page.locator('input[name=nBest]').inputValue()).toBe('2');
    const { status } = await translate(page, 'un deux trois');
    expect(status).toBe(200);
    expect(t.factory.created.get('en-fr')!.at(-1)!.stats.lastOptions).toMatchObject({ beamSize: 2, nBest: 2 });
    await expect.poll(() => page.locator('.nbest li').count()).toBe(2);
    await page.close();
  });

  it('shows markup in model output as text', async () => {
    const page = await open();
    const seen = watchPage(page);
    const { body } = await translate(page, '<img src=x onerror=alert(1)> <b>bold</b>');
    const best = (body as TranslateResponse).translations[0]!.text;
    expect(best).toBe('<b>bold</b> onerror=alert(1)> src=x <img');
    await expect.poll(() => page.locator('.translation .hyp').first().textContent()).toBe(best);
    expect(await page.locator('.translation .src').textContent()).toBe('<img src=x onerror=alert(1)> <b>bold</b>');
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('shows the server’s message for a refused request, and clears it on the next success', async () => {
    const page = await open();
    await page.setViewportSize({ width: 390, height: 760 });
    const { status, body } = await translate(page, 'a'.repeat(2500));
    expect(status).toBe(400);
    const { message, code } = (body as { error: { message: string; code: string } }).error;
    expect(code).toBe('invalid_input');
    const box = page.locator('#error');
    await box.waitFor();
    expect(await box.textContent()).toBe(`Refused (400 invalid_input) ${message}`);
    expect(await page.locator('.translation').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'translate-error-phone.png'), fullPage: true });

    const tooMany = await translate(page, Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n'));
    expect(tooMany.status).toBe(400);
    await expect.poll(() => box.textContent()).toContain('texts');

    await translate(page, 'ok then');
    await expect.poll(() => box.isHidden()).toBe(true);
    await expect.poll(() => page.locator('.translation .hyp').first().textContent()).toBe('then ok');
    await page.close();
  });

  it('says what happened when the answer is not the server’s JSON, without showing its body', async () => {
    const page = await open();
    const seen = watchPage(page);
    await page.route('**/api/translate', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1><img src=x onerror=alert(2)>' }),
    );
    await page.locator('#source').fill('hello');
    await page.locator('#translate').click();
    await expect.poll(() => page.locator('#error').textContent()).toBe('Refused (502 http) the server answered 502 Bad Gateway');
    await page.route('**/api/translate', (route) => route.abort('connectionrefused'));
    await page.locator('#translate').click();
    await expect.poll(() => page.locator('#error').textContent()).toBe('No answer could not reach the server.');
    expect(await page.locator('img').count()).toBe(0);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });
});
