// The model picker the translate and parse pages share: the server's loaded models of one task as
// <option>s, or a plain error in the page's error box when there are none or the list cannot be read.
import type { ModelTask } from '../server/protocol.ts';
import { ApiError, modelsFor } from './api.ts';
import { el } from './dom.ts';
import { errorMessage, showError } from './error-box.ts';

export async function fillModelPicker(select: HTMLSelectElement, task: ModelTask, errorBox: HTMLElement, noneTitle: string): Promise<void> {
  try {
    const models = await modelsFor(task);
    select.replaceChildren(...models.map((m) => el('option', { value: m.id, title: m.preset, text: m.id })));
    if (models.length === 0) showError(errorBox, noneTitle, `this server has no ${task} model loaded.`);
  } catch (error) {
    showError(errorBox, ...errorMessage(error instanceof ApiError ? error : new ApiError('could not list the models', 0, 'network')));
  }
}
