// A line chart on canvas: one or more series over steps, with axes, ticks and a legend.
import { sizedCanvas } from './dom.ts';

export interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

/** Round tick values from min to max, about `count` steps apart. */
export function ticks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  // The slack past max is relative to the step: an absolute one (1e-9) made a metric that stays near
  // 1e-78 (an untrained model's BLEU) loop until the array overflowed.
  const first = Math.ceil(min / step);
  for (let i = first; i * step <= max + step * 1e-6; i++) out.push(Number((i * step).toPrecision(6)));
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k` : `${Number(v.toPrecision(3))}`);

export function drawChart(canvas: HTMLCanvasElement, title: string, series: Series[], width: number): void {
  const height = 220;
  const ctx = sizedCanvas(canvas, width, height);
  const pad = { left: 48, right: 12, top: 28, bottom: 30 };
  const all = series.flatMap((s) => s.points);
  const ink = getComputedStyle(canvas).color || '#222';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = ink;
  ctx.fillText(title, pad.left, 16);
  if (all.length === 0) {
    ctx.fillText('no data in the training log', pad.left, height / 2);
    return;
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const X = (x: number) => pad.left + (x1 === x0 ? w / 2 : ((x - x0) / (x1 - x0)) * w);
  const Y = (y: number) => pad.top + h - ((y - y0) / (y1 - y0)) * h;

  ctx.strokeStyle = 'rgba(127,127,127,0.25)';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of ticks(y0, y1, 4)) {
    ctx.beginPath();
    ctx.moveTo(pad.left, Y(v));
    ctx.lineTo(pad.left + w, Y(v));
    ctx.stroke();
    ctx.fillText(fmt(v), pad.left - 6, Y(v));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of ticks(x0, x1, 5)) ctx.fillText(fmt(v), X(v), pad.top + h + 8);

  let legendX = width - pad.right;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  for (const s of [...series].reverse()) {
    ctx.lineWidth = 2;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
    if (s.points.length <= 30) {
      ctx.fillStyle = s.color;
      for (const [x, y] of s.points) ctx.fillRect(X(x) - 2, Y(y) - 2, 4, 4);
    }
    ctx.fillStyle = s.color;
    ctx.fillText(s.label, legendX, 16);
    legendX -= ctx.measureText(s.label).width + 14;
  }
}
