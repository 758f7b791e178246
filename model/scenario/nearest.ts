// "Did you mean": the declared or allowed name nearest a misspelt one, by edit distance with
// adjacent transpositions (stpo -> stop is one edit), when it is near enough to be a typo.
// Offering the one likely name beats a list of nineteen.

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost 1.
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// The nearest name, if it is within a third of the typed name's length (at least 1, at most 3
// edits) and nearer than any other; null when nothing is close or two are equally close.
export function nearestName(typed: unknown, names: readonly unknown[]): string | null {
  if (typeof typed !== 'string' || typed.length === 0 || typed.length > 200) return null;
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: string | null = null;
  let bestD = Infinity;
  let tie = false;
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const d = editDistance(typed.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      best = n;
      bestD = d;
      tie = false;
    } else if (d === bestD) tie = true;
  }
  return best !== null && bestD <= limit && !tie ? best : null;
}
