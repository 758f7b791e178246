// HTML built so that escaping cannot be forgotten: every ${} in an html`...` template is
// escaped, whatever its type (a number from a damaged file may well be a string of markup),
// unless it is itself an Html fragment, i.e. built by html`...` or marked trusted() on
// purpose. The report once wrote numbers raw, and a result file could run script in the page.
import esc from 'escape-html';

export class Html {
  constructor(readonly text: string) {}
  // A fragment turned into a plain string (`a` + html`b`, or ${frag} in an untagged template)
  // would be escaped again, or worse, mixed with unescaped text: fail loudly instead.
  toString(): string {
    throw new Error('an Html fragment was used as a string: put it in an html`` template, or read .text at the edge');
  }
}

// A value that may sit in a template: fragments, plain values (escaped), lists of either, and
// nothing (null, undefined, false) for the `cond && html`...`` idiom.
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Html(out);
}

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(String(v));
}

// Only for text that is ours and must not be escaped: the stylesheet and the inlined scripts.
export function trusted(text: string): Html {
  return new Html(text);
}

export function joinHtml(items: readonly HtmlValue[], separator: HtmlValue): Html {
  return new Html(items.map(render).join(render(separator)));
}
