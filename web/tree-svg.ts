// Draws a laid-out tree (web/tree.ts) as SVG: a text node per label and per word, lines from each
// label to its children. Labels and words are model output, so they go in as text nodes only.
import { layoutTree, treeWords, type TreeNode } from './tree.ts';

const svgNs = 'http://www.w3.org/2000/svg';
const fontSize = 14;
const font = `${fontSize}px system-ui, sans-serif`;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** Text widths as the browser will draw them, from a canvas with the same font. */
function measurer(): (text: string) => number {
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.font = font;
  return (text) => ctx.measureText(text).width;
}

export function drawTree(target: SVGSVGElement, tree: TreeNode): void {
  const layout = layoutTree(tree, { measure: measurer(), levelHeight: 52, gap: 18 });
  const edges = svg('g', { class: 'edges' });
  const texts = svg('g', { class: 'nodes', 'font-size': fontSize });
  // Lines stop short of the text so they do not run through it.
  const pad = fontSize * 0.75;
  for (const node of layout.nodes) {
    const parent = layout.nodes[node.parent];
    if (parent) edges.append(svg('line', { x1: parent.x, y1: parent.y + pad, x2: node.x, y2: node.y - pad }));
    const text = svg('text', { class: node.kind, x: node.x, y: node.y, 'text-anchor': 'middle', 'dominant-baseline': 'central' });
    text.textContent = node.text;
    texts.append(text);
  }
  target.replaceChildren(edges, texts);
  target.setAttribute('width', String(Math.ceil(layout.width)));
  target.setAttribute('height', String(Math.ceil(layout.height)));
  target.setAttribute('viewBox', `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`);
  target.setAttribute('aria-label', `Parse tree of ${treeWords(tree).length} words`);
}
