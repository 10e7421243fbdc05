/**
 * HTML built by a tagged template that escapes every interpolated value unless it is already
 * {@link SafeHtml}. Names come from the shared disk and the network: escaping by default means a
 * forgotten call can't turn a file name into markup.
 */

/** Markup that is already escaped (built by {@link html}); interpolated as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
}

/** What may be interpolated: text (escaped), markup, lists of either, or nothing. */
type HtmlValue = SafeHtml | string | number | boolean | undefined | null | HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an element's content and for a quoted attribute value alike. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function interpolate(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  // false/undefined/null render nothing so `${cond && html`…`}` reads naturally.
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** A template literal tag: `html\`<a href="${href}">${name}</a>\`` escapes href and name. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += interpolate(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}
