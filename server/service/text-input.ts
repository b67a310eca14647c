// Cleans user text at the edge: well-formed Unicode (no lone surrogates), NFC, no control characters
// other than newline and tab, bounded length. Returns a reason instead of text when it must refuse.

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 and C1 controls except \t and \n, plus bidi overrides and isolates that can disguise text.
const controls = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

export function cleanText(raw: string, maxChars: number): { ok: true; text: string } | { ok: false; reason: string } {
  if (loneSurrogate.test(raw)) return { ok: false, reason: 'text is not valid UTF-8 / well-formed Unicode' };
  const text = raw.normalize('NFC').replace(/\r\n?/g, '\n').replace(controls, '').trim();
  if (text.length === 0) return { ok: false, reason: 'text is empty' };
  if ([...text].length > maxChars) return { ok: false, reason: `text is longer than ${maxChars} characters` };
  return { ok: true, text };
}

/** Throws when a request body is not valid UTF-8 (express's json parser would silently replace bytes). */
export function assertUtf8(buffer: Buffer): void {
  new TextDecoder('utf-8', { fatal: true }).decode(buffer);
}
