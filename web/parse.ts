// The parse page: a sentence to /api/parse; the answer's tree drawn as SVG and shown as brackets, with
// its score and whether the server had to repair it. All of it is model output, shown as text.
import type { ParseResponse } from '../server/protocol.ts';
import { postJson } from './api.ts';
import { byId, el } from './dom.ts';
import { errorMessage, showError } from './error-box.ts';
import { fillModelPicker } from './model-picker.ts';
import { parseTree } from './tree.ts';
import { drawTree } from './tree-svg.ts';

const form = byId<HTMLFormElement>('parse-form');
const modelSelect = byId<HTMLSelectElement>('model');
const sentence = byId<HTMLInputElement>('sentence');
const errorBox = byId<HTMLElement>('error');
const busy = byId<HTMLElement>('busy');
const result = byId<HTMLElement>('result');
const facts = byId<HTMLElement>('facts');
const svgTree = document.getElementById('tree') as unknown as SVGSVGElement;
const note = byId<HTMLElement>('tree-note');
const brackets = byId<HTMLElement>('brackets');

let inFlight: AbortController | null = null;

function render(r: ParseResponse): void {
  facts.replaceChildren(
    el('dt', { text: 'score' }), el('dd', { class: 'score', text: r.score.toFixed(3) }),
    el('dt', { text: 'repaired' }),
    el('dd', { class: 'repaired', text: r.repaired ? 'yes — the model’s brackets were not a well-formed tree over the words, so the server fixed them' : 'no' }),
    el('dt', { text: 'model' }), el('dd', { text: `${r.model} · version ${r.modelVersion}` }),
  );
  brackets.textContent = r.tree;
  note.hidden = true;
  try {
    drawTree(svgTree, parseTree(r.tree));
  } catch (error) {
    // The server answers well-formed trees; say so plainly if one ever is not, and keep the text.
    svgTree.replaceChildren();
    note.hidden = false;
    note.textContent = `The tree could not be drawn: ${(error as Error).message}.`;
  }
  result.hidden = false;
}

async function parse(): Promise<void> {
  const text = sentence.value.trim();
  errorBox.hidden = true;
  if (!text) return showError(errorBox, 'Nothing to parse', 'type a sentence.');
  inFlight?.abort();
  const controller = (inFlight = new AbortController());
  busy.textContent = 'Parsing…';
  try {
    render(await postJson<ParseResponse>('/api/parse', { model: modelSelect.value || undefined, text }, controller.signal));
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    result.hidden = true;
    showError(errorBox, ...errorMessage(error));
  } finally {
    if (inFlight === controller) {
      inFlight = null;
      busy.textContent = '';
    }
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void parse();
});
void fillModelPicker(modelSelect, 'parse', errorBox, 'No parsing model');
