// Line diffs: the edit script between two texts (a longest common subsequence, which for files
// of a few hundred lines is cheap enough as a table) and its unified-diff rendering, with the
// line numbers `patch` and `git apply` read.

export type LineOp = { op: 'same' | 'del' | 'add'; line: string; a: number; b: number }; // a, b: 0-based lines

export function lineDiff(a: string[], b: string[]): LineOp[] {
  // common head and tail first: an edit touches a few lines of a long file
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: the longest common subsequence of x[i..] and y[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: LineOp[] = [];
  for (let k = 0; k < head; k++) out.push({ op: 'same', line: a[k], a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ op: 'same', line: x[i], a: head + i++, b: head + j++ });
    } else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) {
      out.push({ op: 'add', line: y[j], a: head + i, b: head + j++ });
    } else {
      out.push({ op: 'del', line: x[i], a: head + i++, b: head + j });
    }
  }
  for (let k = 0; k < tail; k++) out.push({ op: 'same', line: a[a.length - tail + k], a: a.length - tail + k, b: b.length - tail + k });
  return out;
}

const splitLines = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
};

// `--- a/<file>` / `+++ b/<file>` and hunks with `context` lines around each change.
export function unifiedDiff(before: string, after: string, file: string, context = 3): string {
  const ops = lineDiff(splitLines(before), splitLines(after));
  const changed = ops.map((o, k) => (o.op !== 'same' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= end + 1) end = Math.min(ops.length - 1, changed[++k] + context);
    k++;
    const hunk = ops.slice(start, end + 1);
    const aLines = hunk.filter((o) => o.op !== 'add').length;
    const bLines = hunk.filter((o) => o.op !== 'del').length;
    // a hunk with no old (or new) lines names the line before it, as diff -u does
    const aStart = aLines === 0 ? hunk[0].a : hunk[0].a + 1;
    const bStart = bLines === 0 ? hunk[0].b : hunk[0].b + 1;
    out.push(`@@ -${aStart},${aLines} +${bStart},${bLines} @@`);
    for (const o of hunk) out.push(`${o.op === 'same' ? ' ' : o.op === 'del' ? '-' : '+'}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
