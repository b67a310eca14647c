// The translate page: source lines to /api/translate with beam, n-best and length-penalty controls;
// each text's n-best list with scores, and the attention heat map of the translation picked.
// Model output is untrusted: it reaches the DOM as text only (dom.ts), the heat map as canvas text.
import type { TranslateResponse, Translation } from '../server/protocol.ts';
import { postJson } from './api.ts';
import { byId, el } from './dom.ts';
import { errorMessage, showError } from './error-box.ts';
import { fillModelPicker } from './model-picker.ts';
import { drawHeatmap } from './heatmap.ts';
import { lengthPenaltyPresets, maxBeam, sourceTexts, translateOptions, type LengthPenaltyPreset } from './translate-options.ts';

const form = byId<HTMLFormElement>('translate-form');
const modelSelect = byId<HTMLSelectElement>('model');
const source = byId<HTMLTextAreaElement>('source');
const errorBox = byId<HTMLElement>('error');
const busy = byId<HTMLElement>('busy');
const results = byId<HTMLElement>('results');
const attentionPanel = byId<HTMLElement>('attention');
const caption = byId<HTMLElement>('attention-caption');
const canvas = byId<HTMLCanvasElement>('heatmap');
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
const penaltySelect = byId<HTMLSelectElement>('length-penalty');

let inFlight: AbortController | null = null;
let shown: Translation[] = [];

penaltySelect.replaceChildren(
  ...Object.entries(lengthPenaltyPresets).map(([value, p]) => el('option', { value, text: p.label })),
);

/** N-best can be at most the beam: the field's limit follows the beam size. */
function syncNBest(): void {
  const beam = Math.min(maxBeam, Math.max(1, Number(field('beamSize').value) || 1));
  field('nBest').max = String(beam);
  if (Number(field('nBest').value) > beam) field('nBest').value = String(beam);
}

function hypothesisList(t: Translation): HTMLOListElement {
  const hyps = t.nBest.length ? t.nBest : [{ text: t.text, score: t.score }];
  return el(
    'ol',
    { class: 'nbest' },
    hyps.map((h, rank) =>
      el('li', { class: rank === 0 ? 'best' : undefined }, [
        el('span', { class: 'hyp', text: h.text }),
        el('span', { class: 'score', text: h.score.toFixed(3), title: 'log-probability score (after any length penalty)' }),
      ]),
    ),
  );
}

function card(t: Translation, index: number): HTMLElement {
  const pick = el('button', { type: 'button', class: 'link', 'aria-pressed': 'false', text: 'attention', disabled: !t.attention });
  pick.addEventListener('click', () => showAttention(index));
  return el('article', { class: 'translation', 'data-index': String(index) }, [
    el('p', { class: 'src', text: t.src }),
    hypothesisList(t),
    el('div', { class: 'meta' }, [el('span', { text: `${t.tokens} tokens · ${t.nBest.length || 1} shown` }), pick]),
  ]);
}

function showAttention(index: number): void {
  const t = shown[index];
  results.querySelectorAll('.translation .link').forEach((b, i) => b.setAttribute('aria-pressed', String(i === index)));
  if (!t?.attention || !t.srcTokens || !t.tgtTokens) {
    attentionPanel.hidden = true;
    return;
  }
  attentionPanel.hidden = false;
  caption.textContent =
    `Text ${index + 1}, best hypothesis (the one the server returns attention for): rows are its ${t.tgtTokens.length} ` +
    `target tokens, columns the ${t.srcTokens.length} source tokens; darker = more attention.`;
  canvas.setAttribute('aria-label', `Attention of text ${index + 1}: ${t.tgtTokens.length} target by ${t.srcTokens.length} source tokens`);
  drawHeatmap(canvas, t.attention, t.srcTokens, t.tgtTokens);
}

function render(response: TranslateResponse): void {
  shown = response.translations;
  results.replaceChildren(
    el('p', { class: 'hint', text: `${response.model} · version ${response.modelVersion}` }),
    ...shown.map(card),
  );
  const first = shown.findIndex((t) => t.attention);
  if (first >= 0) showAttention(first);
  else {
    attentionPanel.hidden = true;
    results.append(el('p', { class: 'hint', text: 'This model returned no attention (it has none, or decodes without it).' }));
  }
}

async function translate(): Promise<void> {
  const texts = sourceTexts(source.value);
  errorBox.hidden = true;
  if (texts.length === 0) return showError(errorBox, 'Nothing to translate', 'type a text, one per line.');
  inFlight?.abort();
  const controller = (inFlight = new AbortController());
  const options = translateOptions({
    beamSize: Number(field('beamSize').value),
    nBest: Number(field('nBest').value),
    lengthPenalty: penaltySelect.value as LengthPenaltyPreset,
  });
  busy.textContent = `Translating ${texts.length} text${texts.length === 1 ? '' : 's'}…`;
  results.setAttribute('aria-busy', 'true');
  try {
    render(await postJson<TranslateResponse>('/api/translate', { model: modelSelect.value || undefined, texts, options }, controller.signal));
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    results.replaceChildren();
    attentionPanel.hidden = true;
    showError(errorBox, ...errorMessage(error));
  } finally {
    if (inFlight === controller) {
      inFlight = null;
      busy.textContent = '';
      results.removeAttribute('aria-busy');
    }
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void translate();
});
source.addEventListener('keydown', (e) => {
  // Enter makes another line (another text); Ctrl/⌘+Enter translates.
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    form.requestSubmit();
  }
});
field('beamSize').addEventListener('input', syncNBest);
// The map's labels take the page's text colour when drawn; draw it again when the colour scheme flips.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  const pressed = results.querySelector('.translation .link[aria-pressed="true"]');
  if (pressed) showAttention(Number(pressed.closest<HTMLElement>('.translation')!.dataset.index));
});
syncNBest();
void fillModelPicker(modelSelect, 'translate', errorBox, 'No translation model');
