// The parse page in Debian's Chromium against a real server with the test models: the tree drawn as
// SVG with one text node per word and per label, brackets, score and repair shown, markup kept as
// text, refusals and undrawable answers explained; and the links between the four pages.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParseResponse } from '../../server/protocol.ts';
import { parseTree, treeWords, type TreeNode } from '../../web/tree.ts';
import { startTestServer, type TestServer } from '../server/helpers/harness.ts';
import { launchChromium, watchPage, type TestBrowser } from './helpers/chromium.ts';

const artifacts = join(process.cwd(), 'test-artifacts');
// The parse-en answer quoted in README.md, served through route() for a tree of real depth.
const shipped =
  '(ROOT (S (NP (XX We)) (VP (XX did) (XX not) (VP (XX expect) (NP (XX the) (XX results)) (VP (XX to) (VP (XX be) (NP (XX this) (XX good)))))) (XX .)))';

const labelsOf = (n: TreeNode): string[] => [n.label, ...n.children.flatMap((c) => (typeof c === 'string' ? [] : labelsOf(c)))];

describe('parse page in Chromium', () => {
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
    await page.goto(new URL('/parse.html', t.url).href);
    await page.locator('#model option[value="parser"]').waitFor({ state: 'attached' });
    return page;
  }

  async function parse(page: Page, text: string): Promise<{ status: number; body: unknown }> {
    await page.locator('#sentence').fill(text);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/parse'));
    await page.locator('#parse').click();
    const response = await answer;
    return { status: response.status(), body: await response.json().catch(() => null) };
  }

  const texts = (page: Page, kind: 'word' | 'label') => page.locator(`#tree text.${kind}`).allTextContents();

  it('draws the returned tree with a text node per word and per label, beside its brackets and score', async () => {
    const page = await open();
    const seen = watchPage(page);
    const { status, body } = await parse(page, 'the cat sat on the mat .');
    expect(status).toBe(200);
    const r = body as ParseResponse;
    expect(r.tree).toBe('(S (W the) (W cat) (W sat) (W on) (W the) (W mat) (W .))');
    await page.locator('#result').waitFor();
    expect(await texts(page, 'word')).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat', '.']);
    expect(await texts(page, 'label')).toEqual(['S', 'W', 'W', 'W', 'W', 'W', 'W', 'W']);
    expect(await page.locator('#tree text').count()).toBe(15);
    expect(await page.locator('#tree line').count()).toBe(14);
    expect(await page.locator('#brackets').textContent()).toBe(r.tree);
    expect(await page.locator('#facts .score').textContent()).toBe(r.score.toFixed(3));
    expect(await page.locator('#facts .repaired').textContent()).toBe('no');
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('lays a deep tree out in the browser: words in order on one row, apart, each label over its children', async () => {
    const page = await open();
    await page.route('**/api/parse', (route) =>
      route.fulfill({ json: { model: 'parser', modelVersion: 'x', tree: shipped, repaired: true, score: -4.59 } satisfies ParseResponse }),
    );
    await parse(page, 'We did not expect the results to be this good.');
    const tree = parseTree(shipped);
    await expect.poll(() => texts(page, 'word')).toEqual(treeWords(tree));
    expect(await texts(page, 'label')).toEqual(labelsOf(tree));
    expect(await page.locator('#facts .repaired').textContent()).toMatch(/^yes/);

    const boxes = await page.locator('#tree text.word').evaluateAll((nodes) =>
      nodes.map((n) => {
        const b = (n as SVGTextElement).getBBox();
        return { left: b.x, right: b.x + b.width, y: b.y };
      }),
    );
    for (let i = 1; i < boxes.length; i++) {
      expect(boxes[i]!.left).toBeGreaterThan(boxes[i - 1]!.right);
      expect(boxes[i]!.y).toBeCloseTo(boxes[0]!.y);
    }
    // Labels in preorder: ROOT over its one child S; S centred between its first child NP and its last, (XX .).
    const centres = await page.locator('#tree text.label').evaluateAll((nodes) =>
      nodes.map((n) => {
        const b = (n as SVGTextElement).getBBox();
        return { x: b.x + b.width / 2, y: b.y };
      }),
    );
    const [root, s, np] = centres;
    const stop = centres.at(-1)!;
    expect(root!.x).toBeCloseTo(s!.x, 0);
    expect(s!.x).toBeCloseTo((np!.x + stop.x) / 2, 0);
    expect(root!.y).toBeLessThan(s!.y);
    expect(s!.y).toBeLessThan(np!.y);
    expect(np!.y).toBeCloseTo(stop.y);
    await page.screenshot({ path: join(artifacts, 'parse.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(artifacts, 'parse-dark.png'), fullPage: true });
    await page.close();
  });

  it('shows markup in words and labels as text', async () => {
    const page = await open();
    const seen = watchPage(page);
    const { body } = await parse(page, '<img src=x onerror=alert`1`> <b>hi</b>');
    expect((body as ParseResponse).tree).toBe('(S (W <img) (W src=x) (W onerror=alert`1`>) (W <b>hi</b>))');
    await expect.poll(() => texts(page, 'word')).toEqual(['<img', 'src=x', 'onerror=alert`1`>', '<b>hi</b>']);

    await page.route('**/api/parse', (route) =>
      route.fulfill({ json: { model: 'parser', modelVersion: '<i>v</i>', tree: '(<svg/onload=alert`2`> (<b> <script>alert`3`</script>))', repaired: false, score: -1 } }),
    );
    await parse(page, 'anything');
    await expect.poll(() => texts(page, 'label')).toEqual(['<svg/onload=alert`2`>', '<b>']);
    expect(await texts(page, 'word')).toEqual(['<script>alert`3`</script>']);
    expect(await page.locator('main img, main b, main i, main script, #tree svg').count()).toBe(0);
    expect(seen).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('shows the server’s refusal, and keeps the brackets of a tree it cannot draw', async () => {
    const page = await open();
    await page.setViewportSize({ width: 390, height: 760 });
    const { status, body } = await parse(page, 'word '.repeat(500));
    expect(status).toBe(400);
    const { message } = (body as { error: { message: string } }).error;
    await expect.poll(() => page.locator('#error').textContent()).toBe(`Refused (400 invalid_input) ${message}`);
    expect(await page.locator('#result').isHidden()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'parse-error-phone.png'), fullPage: true });

    await page.route('**/api/parse', (route) =>
      route.fulfill({ json: { model: 'parser', modelVersion: 'x', tree: '(S (NP the cat', repaired: true, score: -9 } }),
    );
    await parse(page, 'the cat');
    await expect.poll(() => page.locator('#tree-note').textContent()).toBe('The tree could not be drawn: 2 brackets left open (at character 14).');
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(await page.locator('#brackets').textContent()).toBe('(S (NP the cat');
    expect(await page.locator('#tree text').count()).toBe(0);
    await page.close();
  });

  it('links the chat, translate, parse and models pages, marking the current one', async () => {
    const page = await browser.context.newPage();
    await page.goto(t.url);
    const current = () => page.locator('nav.pages a[aria-current="page"]').textContent();
    expect(await current()).toBe('Chat');
    for (const [name, path] of [['Translate', '/translate.html'], ['Parse', '/parse.html'], ['Models', '/models.html'], ['Chat', '/']] as const) {
      await page.locator('nav.pages a', { hasText: name }).click();
      await page.waitForURL((u) => u.pathname === path);
      expect(await current()).toBe(name);
    }
    await page.setViewportSize({ width: 390, height: 760 });
    await page.screenshot({ path: join(artifacts, 'chat-nav-phone.png') });
    await page.close();
  });
});
