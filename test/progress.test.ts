// One progress shape for every engine, one reporter for it (sim/cli/progress.ts): a line for
// an exhaustive search, a bar for a campaign on a terminal; a line every 10 s off a terminal.
import { describe, expect, test } from 'vitest';
import type { Progress } from '../sim/progress.js';
import { startProgress } from '../sim/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 120, write: (s: string) => (out.push(s), true), on: () => undefined, removeListener: () => undefined, cursorTo: () => true, clearLine: () => true } as unknown as NodeJS.WriteStream };
}

const explore: Progress = { engine: 'explore', scenario: 'scenarios/a.yaml', index: 1, count: 3, states: 12_345, steps: 40_000, depth: 7, runs: 0, totalRuns: null, found: 1, elapsedMs: 0, budgetMs: null };

describe('progress', () => {
  test('a search on a terminal: one line, rewritten in place, cleared at the end', () => {
    const ci = process.env.CI;
    delete process.env.CI;
    try {
      const { out, stream } = fakeStream(true);
      const p = startProgress('check', () => 0, stream);
      p.update(explore);
      p.note('scenarios/a.yaml: unsafe: x');
      p.stop();
      expect(out[0]).toBe('\r  check: 2/3 scenarios/a.yaml: depth 7, 12,345 states, 1 property violated\x1b[K');
      // a note clears the live line first, so the two never share a line
      expect(out[1]).toBe('\r\x1b[Kscenarios/a.yaml: unsafe: x\n');
      expect(out.at(-1)).toBe('\r\x1b[K');
    } finally {
      if (ci !== undefined) process.env.CI = ci;
    }
  });

  test('a search on a terminal names the scenario and k/N as soon as it starts, before its first depth', () => {
    const ci = process.env.CI;
    delete process.env.CI;
    try {
      const { out, stream } = fakeStream(true);
      const p = startProgress('check', () => 0, stream);
      p.scenarioStarted({ file: 'scenarios/keys/01-safe-rotate-key.yaml', index: 2, count: 73 });
      expect(out).toEqual(['\r  check: 3/73 scenarios/keys/01-safe-rotate-key.yaml: starting\x1b[K']);
      p.stop();
      expect(out.at(-1)).toBe('\r\x1b[K');
      // off a terminal nothing is written for it: a log gets a line every 10 s
      const off = fakeStream(false);
      startProgress('check', () => 0, off.stream).scenarioStarted({ file: 'a.yaml', index: 0, count: 1 });
      expect(off.out).toEqual([]);
    } finally {
      if (ci !== undefined) process.env.CI = ci;
    }
  });

  test('off a terminal: a line every 10 s with rate, elapsed and budget left, for searches and campaigns alike', () => {
    let t = 0;
    const { out, stream } = fakeStream(false);
    const p = startProgress('check', () => t, stream);
    p.update(explore);
    expect(out).toEqual([]);
    t = 9_000;
    p.update(explore);
    expect(out).toEqual([]);
    t = 11_000;
    p.update({ ...explore, elapsedMs: 5_000, budgetMs: 65_000 });
    expect(out).toEqual(['check: 2/3 scenarios/a.yaml: depth 7, 12,345 states, 1 property violated, 2,469 states/s, 5s elapsed, 1m00s of the time budget left\n']);
    p.note('scenarios/a.yaml: unsafe: x');
    expect(out[1]).toBe('scenarios/a.yaml: unsafe: x\n');
    t = 130_000;
    p.update({ ...explore, engine: 'chaos', runs: 500, totalRuns: 1000, depth: null, steps: 10_000 });
    expect(out[2]).toMatch(/^check: scenarios\/a\.yaml \(2\/3\): 500 runs, 1 property violated, [\d,]+ steps\/s, [\dhms]+ left\n$/);
  });
});
