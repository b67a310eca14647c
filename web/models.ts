// The models page: each loaded model's card and its training curves (loss, validation metrics,
// throughput over steps) drawn from the training log in its directory.
import type { ModelDetails, ModelInfo, TrainingPoint } from '../server/protocol.ts';
import { drawChart, type Series } from './chart.ts';
import { byId, el, markdown } from './dom.ts';

const palette = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2'];
const root = byId<HTMLElement>('models');

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function charts(training: TrainingPoint[]): { title: string; series: Series[] }[] {
  const pick = (f: (p: TrainingPoint) => number | undefined): [number, number][] =>
    training.flatMap((p) => (f(p) === undefined ? [] : [[p.step, f(p)!] as [number, number]]));
  const out: { title: string; series: Series[] }[] = [];
  const loss = pick((p) => p.loss);
  const validLoss = pick((p) => p.valid?.loss);
  out.push({
    title: 'Loss',
    series: [
      { label: 'train', color: palette[0]!, points: loss },
      ...(validLoss.length ? [{ label: 'valid', color: palette[1]!, points: validLoss }] : []),
    ],
  });
  const metrics = [...new Set(training.flatMap((p) => Object.keys(p.valid ?? {})))].filter((k) => k !== 'loss');
  metrics.forEach((name, i) => {
    out.push({ title: `Validation ${name}`, series: [{ label: name, color: palette[(i + 1) % palette.length]!, points: pick((p) => p.valid?.[name]) }] });
  });
  const tps = pick((p) => p.tokensPerSecond);
  if (tps.length) out.push({ title: 'Training tokens/s', series: [{ label: 'tokens/s', color: palette[2]!, points: tps }] });
  return out;
}

function render(model: ModelDetails): HTMLElement {
  const section = el('section', { class: 'model', 'aria-labelledby': `m-${model.id}` }, [
    el('h2', { id: `m-${model.id}`, text: model.id }),
    el('dl', { class: 'facts' }, [
      el('dt', { text: 'task' }), el('dd', { text: model.task }),
      el('dt', { text: 'preset' }), el('dd', { text: model.preset }),
      el('dt', { text: 'size' }), el('dd', { text: `${mib(model.bytes)}${model.parameters ? ` · ${model.parameters.toLocaleString()} parameters` : ''}` }),
      el('dt', { text: 'runtime' }), el('dd', { text: model.runtime ?? '—' }),
      el('dt', { text: 'version' }), el('dd', { text: model.version }),
    ]),
    model.card ? markdown(model.card) : el('p', { class: 'hint', text: 'This model has no card.' }),
  ]);
  const grid = el('div', { class: 'charts' });
  section.append(grid);
  requestAnimationFrame(() => {
    for (const c of charts(model.training)) {
      const canvas = el('canvas', { role: 'img', 'aria-label': `${c.title} over training steps` });
      grid.append(canvas);
      drawChart(canvas, c.title, c.series, Math.max(260, Math.min(grid.clientWidth, 460)));
    }
  });
  return section;
}

async function main(): Promise<void> {
  const { models } = (await (await fetch('/api/models')).json()) as { models: ModelInfo[] };
  if (models.length === 0) root.append(el('p', { text: 'No models are loaded.' }));
  for (const m of models) {
    const details = (await (await fetch(`/api/models/${encodeURIComponent(m.id)}`)).json()) as ModelDetails;
    root.append(render(details));
  }
}

void main();
