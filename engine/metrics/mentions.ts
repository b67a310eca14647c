// Does a reply use what an earlier turn said? An explicit, reproducible judge for the held-out
// dialogues: the reply names one of the facts' keywords and none of the stale or wrong ones.

/** `keyword` at the start of a word, case-insensitively; a number must also end there ("6" is not "60"). */
export function mentions(text: string, keyword: string): boolean {
  const k = keyword.trim().toLowerCase();
  if (k === '') throw new Error('mentions: empty keyword');
  const escaped = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const end = /\p{N}$/u.test(k) ? '(?!\\p{N})' : '';
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}${end}`, 'u').test(text.toLowerCase());
}

export interface ContextJudge {
  /** Any one of these shows the earlier turn was used (e.g. "peanut", "allerg"). */
  keywords: readonly string[];
  /** Any one of these shows a stale or contradicted fact (e.g. "4" when the party grew to 6). */
  avoid?: readonly string[];
}

export function usesContext(reply: string, judge: ContextJudge): boolean {
  return judge.keywords.some((k) => mentions(reply, k)) && !(judge.avoid ?? []).some((k) => mentions(reply, k));
}
