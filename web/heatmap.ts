// Draws an attention matrix ([tgtLen][srcLen], rows sum to 1) as a heat map with token labels.
import { sizedCanvas } from './dom.ts';

/** Where the cells lie, in CSS pixels: cell [t][s] has its top-left corner at (x + s*cell, y + t*cell). */
export interface HeatmapGeometry {
  x: number;
  y: number;
  cell: number;
}

/** Lightness (HSL, %) of a cell of weight w in [0, 1]: a perceptual ramp from pale to deep blue. */
export const cellLightness = (w: number): number => 96 - (Number.isFinite(w) ? Math.max(0, Math.min(1, w)) : 0) * 62;

/** Cells shrink for long sequences, so a 400-token map stays far inside what a canvas can hold. */
export const cellSize = (tokens: number): number => Math.max(6, Math.min(28, Math.floor(2400 / Math.max(1, tokens))));

export function drawHeatmap(canvas: HTMLCanvasElement, attention: number[][], src: string[], tgt: string[]): HeatmapGeometry {
  const cols = attention[0]?.length ?? 0;
  const cell = cellSize(Math.max(cols, attention.length));
  // Cells narrower than a line of text get a label every few tokens, not overlapping ones.
  const every = Math.ceil(14 / cell);
  const font = '12px system-ui, sans-serif';
  const probe = canvas.getContext('2d')!;
  probe.font = font;
  const labelW = Math.min(140, Math.max(30, ...tgt.map((t) => probe.measureText(t).width)) + 10);
  const labelH = Math.min(140, Math.max(30, ...src.map((t) => probe.measureText(t).width)) + 10);
  // Source labels slant up to the right at 60°: room for the last one's run past the grid (cos 60° = 1/2).
  const ctx = sizedCanvas(canvas, labelW + cols * cell + 4 + Math.ceil(labelH / 2), labelH + attention.length * cell + 4);
  ctx.font = font;
  const ink = getComputedStyle(canvas).color || '#222';
  ctx.fillStyle = ink;
  ctx.textBaseline = 'middle';
  attention.forEach((row, t) => {
    ctx.textAlign = 'right';
    if (t % every === 0) ctx.fillText(tgt[t] ?? `${t}`, labelW - 6, labelH + t * cell + cell / 2, labelW - 8);
    row.forEach((w, s) => {
      ctx.fillStyle = `hsl(215 80% ${cellLightness(w)}%)`;
      ctx.fillRect(labelW + s * cell, labelH + t * cell, cell - 1, cell - 1);
    });
    ctx.fillStyle = ink;
  });
  src.forEach((token, s) => {
    if (s % every !== 0) return;
    ctx.save();
    ctx.translate(labelW + s * cell + cell / 2, labelH - 6);
    ctx.rotate(-Math.PI / 3);
    ctx.textAlign = 'left';
    ctx.fillText(token, 0, 0, labelH - 8);
    ctx.restore();
  });
  // Kept on the element so tools and tests can read a cell's colour back.
  Object.assign(canvas.dataset, { cellX: String(labelW), cellY: String(labelH), cellSize: String(cell) });
  return { x: labelW, y: labelH, cell };
}
