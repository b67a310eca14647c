// One way for the translate and parse pages to say a request failed: a heading and the server's message.
import { ApiError } from './api.ts';
import { el } from './dom.ts';

/** A heading and a detail for any thrown value; the server's own message when it sent one. */
export function errorMessage(error: unknown): [title: string, detail: string] {
  if (error instanceof ApiError) {
    if (error.status === 0) return ['No answer', `${error.message}.`];
    return [`Refused (${error.status} ${error.code})`, error.message];
  }
  return ['Something went wrong', error instanceof Error ? error.message : String(error)];
}

export function showError(box: HTMLElement, title: string, detail: string): void {
  box.replaceChildren(el('strong', { text: title }), el('span', { text: ` ${detail}` }));
  box.hidden = false;
}
