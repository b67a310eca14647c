// TEST ONLY: Debian's Chromium (never a downloaded browser) driven by playwright-core, with a throwaway
// profile; and the pixels of a canvas read back in the page.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1100, height: 900 }): Promise<TestBrowser> {
  if (!existsSync('/usr/bin/chromium')) throw new Error("Debian's Chromium is missing: apt-get install -y chromium (.ci/run does)");
  const userDataDir = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport,
    deviceScaleFactor: 2,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Collects what a page must never do: open dialogs (an injected alert) or throw. */
export function watchPage(page: Page): { dialogs: string[]; errors: string[] } {
  const seen = { dialogs: [] as string[], errors: [] as string[] };
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  return seen;
}

/**
 * The HSL lightness (%) at the centre of each cell of a heat map drawn by web/heatmap.ts, read from
 * the canvas pixels through the geometry it keeps in its data attributes.
 */
export function heatmapLightness(page: Page, selector: string, rows: number, cols: number): Promise<number[][]> {
  return page.locator(selector).evaluate(
    (node, [rows, cols]) => {
      const canvas = node as HTMLCanvasElement;
      const ratio = canvas.width / parseFloat(canvas.style.width);
      const { cellX, cellY, cellSize } = canvas.dataset;
      const [x0, y0, cell] = [Number(cellX), Number(cellY), Number(cellSize)];
      const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      return Array.from({ length: rows }, (_, t) =>
        Array.from({ length: cols }, (_, s) => {
          const px = Math.round((x0 + s * cell + cell / 2) * ratio);
          const py = Math.round((y0 + t * cell + cell / 2) * ratio);
          const [r, g, b] = image.data.subarray(4 * (py * image.width + px), 4 * (py * image.width + px) + 3);
          return ((Math.max(r!, g!, b!) + Math.min(r!, g!, b!)) / 2 / 255) * 100;
        }),
      );
    },
    [rows, cols] as const,
  );
}
