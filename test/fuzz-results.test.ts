// Damaged result files, generated (test/fuzz-inputs/results.ts): report, merge, replay and
// serve may only accept or refuse them by name, never crash, hang or let markup through.
// `npm run fuzz-inputs` runs the same with thousands of cases.
import { describe, expect, it } from 'vitest';
import { runResultCases } from './fuzz-inputs/results.js';

describe('readers of damaged result files (fast-check)', () => {
  it('300 damaged files: exit 0/1/2 or HTTP 200/413/422 only, refusals naming the file, no markup in a page', async () => {
    const problems: string[] = [];
    const counts = await runResultCases({ cases: 300, seed: 9, log: (line) => problems.push(line) });
    expect(problems).toEqual([]);
    expect(counts.crash).toBe(0);
    expect(counts.hang).toBe(0);
    expect(counts.unnamed).toBe(0);
    expect(counts.injected).toBe(0);
    // the plans both break files and leave some loadable, so the renderers are exercised too
    expect(counts.rejected).toBeGreaterThan(100);
    expect(counts.ok).toBeGreaterThan(10);
  }, 120_000);
});
