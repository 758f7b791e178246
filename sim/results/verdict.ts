import type { RunResult } from './result.js';

// A scenario passes when it meets its expectation, or, having none, is safe (the exhaustive
// engine) or found nothing after running at all (a random campaign, which cannot prove safety).
export function passed(r: RunResult): boolean {
  if (r.expect) return r.expect.met;
  return r.engine === 'explore' ? r.verdict === 'safe' : r.violations.length === 0 && r.figures.transitions > 0;
}
