// The page's only way to make DOM nodes: text goes in through textContent, never as HTML.

type Attrs = Record<string, string | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: (Node | string | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

/** A canvas sized for the screen's pixel ratio; returns the context scaled to CSS pixels. */
export function sizedCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** A markdown subset (headings, lists, paragraphs, code spans shown as text) built as DOM nodes. */
export function markdown(text: string): HTMLElement {
  const root = el('div', { class: 'card-text' });
  let list: HTMLUListElement | null = null;
  let para: string[] = [];
  const flush = () => {
    if (para.length) root.append(el('p', { text: para.join(' ') }));
    para = [];
  };
  for (const line of text.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      list = null;
      root.append(el(heading[1]!.length <= 2 ? 'h3' : 'h4', { text: heading[2]! }));
    } else if (item) {
      flush();
      if (!list) root.append((list = el('ul')));
      list.append(el('li', { text: item[1]! }));
    } else if (!line.trim()) {
      flush();
      list = null;
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  flush();
  return root;
}
