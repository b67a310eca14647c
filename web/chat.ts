// The chat page: a socket.io client speaking server/protocol.ts, streaming replies into the log,
// n-best, feedback and attention heat maps. All user and model text goes into the DOM as text.
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  DecodingOptionsInput,
  Hypothesis,
  MessageView,
  ModelInfo,
  ServerToClientEvents,
} from '../server/protocol.ts';
import { byId, el } from './dom.ts';
import { drawHeatmap } from './heatmap.ts';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// The session token the server issued (session:state); the only way back to this conversation.
const tokenKey = 'parley.session';

const log = byId<HTMLElement>('log');
const status = byId<HTMLElement>('status');
const input = byId<HTMLTextAreaElement>('message');
const modelSelect = byId<HTMLSelectElement>('model');
const optionsForm = byId<HTMLFormElement>('options-form');
const dialog = byId<HTMLDialogElement>('attention-dialog');
const pending = new Map<string, HTMLElement>();
let requestCounter = 0;
const nextRequestId = () => `${Date.now().toString(36)}-${++requestCounter}`;
let resumeRequestId: string | null = null;

const socket: ChatSocket = io({ transports: ['websocket', 'polling'] });

/** Resumes the kept session, or asks for a new one when there is none. */
function resume(): void {
  resumeRequestId = nextRequestId();
  const token = localStorage.getItem(tokenKey);
  socket.emit('session:resume', token ? { requestId: resumeRequestId, sessionId: token } : { requestId: resumeRequestId });
}

function readOptions(): DecodingOptionsInput {
  const data = new FormData(optionsForm);
  const num = (name: string) => Number(data.get(name));
  const strategy = data.get('strategy') as 'beam' | 'greedy' | 'sample';
  const options: DecodingOptionsInput = { strategy, returnAttention: true, noRepeatNgram: num('noRepeatNgram') };
  if (strategy === 'beam') {
    options.beamSize = num('beamSize');
    options.nBest = Math.min(num('nBest'), options.beamSize);
    options.lengthPenalty = num('alpha') > 0 ? { kind: 'gnmt', alpha: num('alpha') } : { kind: 'none' };
  }
  if (strategy === 'sample') {
    options.temperature = num('temperature');
    options.topK = num('topK');
    options.topP = num('topP');
  }
  // Li et al. (2016) apply the anti-LM penalty to the first few tokens only, where generic replies begin.
  if (data.get('mmi') === 'on') options.mmiAntiLm = { lambda: num('mmiLambda'), gamma: 5 };
  return options;
}

function saveOptions(): void {
  const saved: Record<string, string> = {};
  for (const field of Array.from(optionsForm.elements) as HTMLInputElement[]) {
    if (field.name) saved[field.name] = field.type === 'checkbox' ? (field.checked ? 'on' : '') : field.value;
  }
  localStorage.setItem('parley.options', JSON.stringify(saved));
}

function restoreOptions(): void {
  const saved = JSON.parse(localStorage.getItem('parley.options') ?? '{}') as Record<string, string>;
  for (const field of Array.from(optionsForm.elements) as HTMLInputElement[]) {
    if (!field.name) continue;
    if (field.type === 'checkbox') field.checked = saved[field.name] === 'on';
    else if (saved[field.name] !== undefined) field.value = saved[field.name]!;
  }
  syncOptionFields();
}

/** Disables the knobs the chosen strategy does not use, so the form says what will happen. */
function syncOptionFields(): void {
  const strategy = (optionsForm.elements.namedItem('strategy') as HTMLSelectElement).value;
  const uses: Record<string, string[]> = {
    beam: ['beamSize', 'nBest', 'alpha'],
    sample: ['temperature', 'topK', 'topP'],
    greedy: [],
  };
  for (const name of ['beamSize', 'nBest', 'alpha', 'temperature', 'topK', 'topP']) {
    (optionsForm.elements.namedItem(name) as HTMLInputElement).disabled = !uses[strategy]!.includes(name);
  }
  const mmi = (optionsForm.elements.namedItem('mmi') as HTMLInputElement).checked;
  (optionsForm.elements.namedItem('mmiLambda') as HTMLInputElement).disabled = !mmi;
}

function scrollToEnd(): void {
  log.scrollTop = log.scrollHeight;
}

function bubble(role: 'user' | 'bot', text: string): HTMLElement {
  const node = el('article', { class: `msg ${role}`, 'aria-label': role === 'user' ? 'You' : 'Parley' }, [
    el('p', { class: 'text', text }),
  ]);
  log.append(node);
  scrollToEnd();
  return node;
}

function feedbackButton(replyId: number, rating: 'up' | 'down', current: string | null): HTMLButtonElement {
  const button = el('button', {
    type: 'button',
    class: 'feedback',
    'aria-label': rating === 'up' ? 'Good reply' : 'Bad reply',
    'aria-pressed': String(current === rating),
    text: rating === 'up' ? '👍' : '👎',
  });
  button.addEventListener('click', () => socket.emit('feedback:send', { requestId: nextRequestId(), replyId, rating }));
  return button;
}

/** A reply taken from the training corpora (the retrieved pool) rather than generated says so. */
function originBadge(origin: Hypothesis['origin']): HTMLElement | null {
  if (origin !== 'retrieved') return null;
  return el('span', { class: 'badge', title: 'A reply from the training corpora, to a message like yours', text: 'retrieved' });
}

/** Fills a bot bubble with the final reply: text, where it came from, score, n-best, feedback and attention buttons. */
function renderReply(node: HTMLElement, message: MessageView): void {
  const reply = message.reply;
  node.replaceChildren(el('p', { class: 'text', text: message.text }));
  node.classList.remove('streaming', 'failed');
  node.removeAttribute('aria-busy');
  node.dataset.replyId = String(message.id);
  if (!reply) return;
  const meta = el('div', { class: 'meta' }, [
    el('span', { class: 'score', text: `score ${reply.score.toFixed(2)} · ${reply.modelId} · ${Math.round(reply.timingMs)} ms` }),
    originBadge(reply.nBest[0]?.origin),
    feedbackButton(message.id, 'up', reply.rating),
    feedbackButton(message.id, 'down', reply.rating),
  ]);
  const attention = el('button', { type: 'button', class: 'link', text: 'attention' });
  attention.addEventListener('click', () => socket.emit('reply:details', { requestId: nextRequestId(), replyId: message.id }));
  meta.append(attention);
  node.append(meta);
  if (reply.nBest.length > 1) {
    const list = el('ol', { class: 'nbest' }, reply.nBest.map((h) => el('li', {}, [el('span', { text: h.text }), originBadge(h.origin), el('span', { class: 'score', text: h.score.toFixed(2) })])));
    node.append(el('details', { class: 'alternatives' }, [el('summary', { text: `${reply.nBest.length} alternatives` }), list]));
  }
}

function showHistory(messages: MessageView[]): void {
  log.replaceChildren();
  if (messages.length === 0) {
    log.append(el('p', { class: 'empty', text: 'Say hello — replies appear word by word as the model decodes them.' }));
  }
  for (const m of messages) {
    const node = bubble(m.role, m.text);
    if (m.role === 'bot') renderReply(node, m);
  }
}

function send(): void {
  const text = input.value.trim();
  if (!text) return;
  const requestId = nextRequestId();
  log.querySelector('.empty')?.remove();
  bubble('user', text);
  const bot = bubble('bot', '…');
  bot.classList.add('streaming');
  // Screen readers announce the reply once it is complete, not every partial.
  bot.setAttribute('aria-busy', 'true');
  pending.set(requestId, bot);
  socket.emit('chat:send', { requestId, text, model: modelSelect.value || undefined, options: readOptions() });
  input.value = '';
  input.style.height = '';
}

socket.on('connect', () => {
  status.textContent = '';
  resume();
});
socket.on('disconnect', () => {
  status.textContent = 'Disconnected — reconnecting…';
});
socket.on('session:state', (s) => {
  localStorage.setItem(tokenKey, s.sessionId);
  showHistory(s.messages);
});
socket.on('chat:partial', (p) => {
  const node = pending.get(p.requestId);
  if (!node) return;
  node.querySelector('.text')!.textContent = p.text;
  scrollToEnd();
});
socket.on('chat:reply', (r) => {
  const node = pending.get(r.requestId);
  pending.delete(r.requestId);
  if (node) renderReply(node, r.message);
  scrollToEnd();
});
socket.on('feedback:saved', (f) => {
  const node = log.querySelector(`[data-reply-id="${f.replyId}"]`);
  node?.querySelectorAll<HTMLButtonElement>('.feedback').forEach((b) => {
    b.setAttribute('aria-pressed', String((b.textContent === '👍') === (f.rating === 'up')));
  });
});
socket.on('reply:details', (d) => {
  const canvas = byId<HTMLCanvasElement>('heatmap');
  if (!d.attention || !d.srcTokens || !d.tgtTokens) {
    status.textContent = 'This model returned no attention for that reply.';
    return;
  }
  dialog.showModal();
  drawHeatmap(canvas, d.attention, d.srcTokens, d.tgtTokens);
});
socket.on('request:error', (e) => {
  // A kept token this server does not know (a new database): start a new session instead.
  if (e.requestId !== null && e.requestId === resumeRequestId && e.code === 'not_found') {
    localStorage.removeItem(tokenKey);
    resume();
    return;
  }
  const node = e.requestId ? pending.get(e.requestId) : undefined;
  if (node) {
    pending.delete(e.requestId!);
    node.classList.remove('streaming');
    node.removeAttribute('aria-busy');
    node.classList.add('failed');
    node.querySelector('.text')!.textContent = `⚠ ${e.message}`;
  } else {
    status.textContent = e.message;
  }
});

async function loadModels(): Promise<void> {
  const { models } = (await (await fetch('/api/models')).json()) as { models: ModelInfo[] };
  const chat = models.filter((m) => m.task === 'chat');
  modelSelect.replaceChildren(...chat.map((m) => el('option', { value: m.id, title: m.preset, text: m.id })));
  if (chat.length === 0) status.textContent = 'No chat model is loaded on this server.';
  const saved = localStorage.getItem('parley.model');
  if (saved && chat.some((m) => m.id === saved)) modelSelect.value = saved;
}

byId<HTMLFormElement>('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
input.addEventListener('input', () => {
  input.style.height = '';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
});
byId('new-conversation').addEventListener('click', () => {
  pending.clear();
  socket.emit('conversation:new', { requestId: nextRequestId() });
  input.focus();
});
modelSelect.addEventListener('change', () => localStorage.setItem('parley.model', modelSelect.value));
optionsForm.addEventListener('change', () => {
  syncOptionFields();
  saveOptions();
});
restoreOptions();
void loadModels();
input.focus();
