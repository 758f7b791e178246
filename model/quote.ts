// How a value the user gave is shown inside an error message: quoted, with control characters
// made visible (a terminal must not obey an escape sequence hidden in a scenario or a result
// file), and cut to a length a person reads (a 7 MB value echoed whole buries the message).
export const QUOTE_MAX = 60;

export function quoteValue(value: unknown, max = QUOTE_MAX): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'bigint') text = `${value}n`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  // JSON.stringify leaves U+007F-U+009F, the line/paragraph separators and bidi controls as they are
  text = text.replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (text.length <= max) return text;
  const keep = Math.max(8, max - 20);
  return `${text.slice(0, keep)}… (${text.length.toLocaleString('en-US')} characters)`;
}
