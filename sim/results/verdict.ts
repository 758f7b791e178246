import type { RunResult } from './result.js';
import { vacuityProblems } from './vacuity.js';

// A scenario passes when it meets its expectation, or, having none, is safe with a runbook that
// can do what it is for (the exhaustive engine: no sometimes property left unreached) or found
// nothing after running at all (a random campaign, which cannot prove safety).
export function passed(r: RunResult): boolean {
  if (r.expect) return r.expect.met;
  return r.engine === 'explore' ? r.verdict === 'safe' && vacuityProblems(null, r.properties, r.verdict).length === 0 : r.violations.length === 0 && r.figures.transitions > 0;
}
