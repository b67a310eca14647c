// The chat page in Debian's Chromium, driven by playwright-core: a reply streams in, hostile text
// stays text, the session token is kept, the models page draws its charts. Screenshots go to test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/helpers/harness.ts';

const artifacts = join(process.cwd(), 'test-artifacts');

describe('chat page in Chromium', () => {
  let t: TestServer;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    if (!existsSync('/usr/bin/chromium')) throw new Error("Debian's Chromium is missing: apt-get install -y chromium (.ci/run does)");
    mkdirSync(artifacts, { recursive: true });
    t = await startTestServer({ tickMs: 15 });
    userDataDir = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      viewport: { width: 390, height: 760 },
      deviceScaleFactor: 2,
    });
  });
  afterAll(async () => {
    await context?.close();
    await t?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('streams a reply, shows hostile text as text, resumes after reload', async () => {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(t.url);
    await page.locator('#model option').first().waitFor({ state: 'attached' });

    const input = page.locator('#message');
    await input.fill('the quick brown fox jumps over the lazy dog');
    await input.press('Enter');
    // The bubble is marked streaming while partial text arrives, then gets its final text and meta.
    await page.locator('.msg.bot.streaming').waitFor();
    const bot = page.locator('.msg.bot').last();
    await expect.poll(() => bot.locator('.text').textContent()).toBe('dog lazy the over jumps fox brown quick the');
    await bot.locator('.meta').waitFor();

    const hostile = '<img src=x onerror=alert(1)>';
    await input.fill(hostile);
    await page.locator('#send').click();
    await expect.poll(() => page.locator('.msg.bot .meta').count()).toBe(2);
    expect(await page.locator('.msg.user .text').last().textContent()).toBe(hostile);
    expect(await page.locator('.msg.bot .text').last().textContent()).toBe('onerror=alert(1)> src=x <img');
    expect(await page.locator('#log img').count()).toBe(0);

    await page.locator('.msg.bot .feedback[aria-label="Good reply"]').first().click();
    await expect.poll(() => page.locator('.feedback[aria-pressed="true"]').count()).toBe(1);
    await page.locator('.alternatives summary').first().click();
    await page.screenshot({ path: join(artifacts, 'chat-phone.png') });

    await page.locator('.msg.bot .link').first().click();
    await page.locator('#attention-dialog[open]').waitFor();
    const canvasWidth = await page.locator('#heatmap').evaluate((c) => (c as HTMLCanvasElement).width);
    expect(canvasWidth).toBeGreaterThan(100);
    await page.screenshot({ path: join(artifacts, 'chat-attention.png') });
    await page.keyboard.press('Escape');

    const model = t.factory.created.get('chat-small')!.at(-1)!;
    expect(model.stats.lastOptions).toMatchObject({ strategy: 'beam', beamSize: 5, nBest: 3, returnAttention: true, lengthPenalty: { kind: 'gnmt', alpha: 0.6 } });
    await page.locator('#options summary').click();
    await page.locator('select[name=strategy]').selectOption('sample');
    await page.locator('input[name=temperature]').fill('0.7');
    await page.locator('input[name=mmi]').check();
    await page.screenshot({ path: join(artifacts, 'chat-options.png') });
    await input.fill('sampled please');
    await input.press('Enter');
    await expect.poll(() => page.locator('.msg.bot .meta').count()).toBe(3);
    expect(model.stats.lastOptions).toEqual({
      strategy: 'sample',
      returnAttention: true,
      noRepeatNgram: 3,
      temperature: 0.7,
      topK: 0,
      topP: 1,
      mmiAntiLm: { lambda: 0.5, gamma: 5 },
    });

    await page.reload();
    await expect.poll(() => page.locator('.msg').count()).toBe(6);
    expect(await page.locator('.feedback[aria-pressed="true"]').count()).toBe(1);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(artifacts, 'chat-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('#new-conversation').click();
    await expect.poll(() => page.locator('.msg').count()).toBe(0);

    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('keeps the token the server issued, and replaces one the server does not know', async () => {
    const page = await context.newPage();
    await page.goto(t.url);
    const token = () => page.evaluate(() => localStorage.getItem('parley.session'));
    await expect.poll(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A guessed or stale id (e.g. kept across a new database) is refused; the page asks for a new session.
    await page.evaluate(() => localStorage.setItem('parley.session', '1'));
    await page.reload();
    await expect.poll(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => page.locator('.msg').count()).toBe(0);
    await page.locator('#message').fill('fresh start');
    await page.locator('#message').press('Enter');
    await expect.poll(() => page.locator('.msg.bot .text').last().textContent()).toBe('start fresh');
    await page.close();
  });

  it('draws each model card and training curves on the models page', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(new URL('/models.html', t.url).href);
    await expect.poll(() => page.locator('.model').count()).toBe(3);
    await expect.poll(() => page.locator('.charts canvas').count()).toBe(12);
    expect(await page.locator('.model h3').first().textContent()).toBe('chat-small');
    await page.screenshot({ path: join(artifacts, 'models.png'), fullPage: true });
    await page.close();
  });
});
