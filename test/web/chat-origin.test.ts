// The chat page says where a reply came from, in Debian's Chromium against a real server on the real
// engine: a tiny chat model with a retrieval index (its pool on by config.json) and a copy without one.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedSources, initBackend, loadPipeline, ReplyIndex } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { mmiPairs, writeMmiModels } from '../helpers/mmi-models.ts';
import { tempDir } from '../helpers/tmp.ts';
import { launchChromium, watchPage, type TestBrowser } from './helpers/chromium.ts';

const artifacts = path.join(process.cwd(), 'test-artifacts');
const indexed = new Set(mmiPairs.map((p) => p.target));
/** One per indexed prompt: markup, an entity, a handler, a lone tag, bidi override and a newline. */
const hostileReplies = [
  '<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '"><svg onload=alert(3)>', '&lt;b&gt;bold&lt;/b&gt;',
  '<a href="javascript:alert(4)">link</a>', '</div><div onclick=alert(5)>', '\u202eevil <b>', '<iframe srcdoc="<p>x">',
];

/** Sets config.json keys of a model directory. */
function configure(dir: string, keys: Record<string, unknown>): void {
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...keys }, null, 2));
}

describe('chat page: the origin of a reply', () => {
  const root = tempDir('parley-chat-origin');
  const models = path.join(root, 'models');
  let server: RunningServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await initBackend({ backend: 'wasm', quiet: true });
    const pooled = path.join(models, 'chat-pool');
    await writeMmiModels(pooled, { forwardSteps: 150, backwardSteps: 1 });
    // A one-token search cannot end where the two-word indexed replies do, so the pool's retrieved
    // replies win under the forward model's full log-probability: the page is sure to get one.
    configure(pooled, { decoding: { maxLength: 1 } });
    cpSync(pooled, path.join(models, 'chat-plain'), { recursive: true });
    configure(pooled, { retrieval: { k: 8 } });
    // The same model over an index of replies that are markup: the page must show them as text.
    const hostile = path.join(models, 'chat-hostile');
    cpSync(pooled, hostile, { recursive: true });
    const forward = await loadPipeline(pooled);
    try {
      const vectors = embedSources(forward.model, mmiPairs.map((p) => forward.encodeInput(p.input)));
      ReplyIndex.build(vectors, mmiPairs.map((p, i) => ({ text: p.target, source: `mmi:${i}` }))).save(pooled);
      ReplyIndex.build(vectors, hostileReplies.map((text, i) => ({ text, source: `hostile:${i}` }))).save(hostile);
    } finally {
      forward.dispose();
    }
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: models, dbFile: path.join(root, 'db.sqlite'), factory: createEngineFactory({ engine: 'tfjs', exportMissing: false }), logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }) });
    browser = await launchChromium({ width: 390, height: 760 });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('marks a retrieved reply "retrieved" (as text), a generated one not, and again after a reload', async () => {
    const page = await browser.context.newPage();
    const seen = watchPage(page);
    await page.goto(server.url);
    await page.locator('#model option[value="chat-pool"]').waitFor({ state: 'attached' });
    const bots = page.locator('.msg.bot');
    const ask = async (model: string, text: string, replies: number) => {
      await page.locator('#model').selectOption(model);
      await page.locator('#message').fill(text);
      await page.locator('#message').press('Enter');
      await expect.poll(() => page.locator('.msg.bot .meta').count(), { timeout: 60_000 }).toBe(replies);
    };

    await ask('chat-pool', 'the teal one', 1);
    const retrieved = bots.nth(0);
    expect(indexed.has((await retrieved.locator('.text').textContent())!)).toBe(true);
    expect(await retrieved.locator('.meta .badge').evaluate((b) => [b.textContent, b.innerHTML, b.children.length])).toEqual(['retrieved', 'retrieved', 0]);
    // The alternatives say which of them came from the index too.
    await retrieved.locator('.alternatives summary').click();
    const alternatives = retrieved.locator('.nbest li');
    for (let i = 0; i < (await alternatives.count()); i++) {
      const item = alternatives.nth(i);
      const text = (await item.locator('span').first().textContent())!;
      expect(await item.locator('.badge').count(), text).toBe(indexed.has(text) ? 1 : 0);
    }
    await page.screenshot({ path: path.join(artifacts, 'chat-retrieved.png') });

    await ask('chat-plain', 'the teal one', 2);
    expect(await bots.nth(1).locator('.badge').count()).toBe(0);
    expect(indexed.has((await bots.nth(1).locator('.text').textContent())!)).toBe(false);

    // The stored replies keep their origin: the history shows the same badges.
    await page.reload();
    await expect.poll(() => page.locator('.msg.bot .meta').count()).toBe(2);
    expect(await bots.nth(0).locator('.meta .badge').textContent()).toBe('retrieved');
    expect(await bots.nth(1).locator('.badge').count()).toBe(0);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  }, 180_000);

  it('shows retrieved replies that are markup as text, with their badge, and runs none of it', async () => {
    const page = await browser.context.newPage();
    const seen = watchPage(page);
    // A new session: the context's localStorage still holds the first test's conversation.
    await page.addInitScript(() => localStorage.clear());
    await page.goto(server.url);
    await page.locator('#model option[value="chat-hostile"]').waitFor({ state: 'attached' });
    await page.locator('#model').selectOption('chat-hostile');
    await page.locator('#message').fill('the teal one');
    await page.locator('#message').press('Enter');
    await expect.poll(() => page.locator('.msg.bot .meta').count(), { timeout: 60_000 }).toBe(1);
    const bot = page.locator('.msg.bot').first();
    await bot.locator('.alternatives summary').click();
    const items = bot.locator('.nbest li');
    const shown = new Map<string, number>();
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i);
      shown.set((await item.locator('span').first().textContent())!, await item.locator('.badge').count());
    }
    // Every indexed reply is in the pool (k 8 of 8 prompts), character for character, marked retrieved.
    for (const text of hostileReplies) expect(shown.get(text), text).toBe(1);
    const top = (await bot.locator('.text').textContent())!;
    expect(shown.has(top)).toBe(true);
    // Nothing of the replies became markup: the message holds text nodes and the page's own elements only.
    expect(await page.locator('.msg img, .msg script, .msg svg, .msg iframe, .msg a[href^="javascript"], .msg [onclick], .msg [onerror], .msg [onload]').count()).toBe(0);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  }, 180_000);
});
