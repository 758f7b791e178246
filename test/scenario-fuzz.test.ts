// Mutated corpus scenarios through the built CLI (test/fuzz-inputs/scenarios.ts): every case
// ends in a verdict or in a refusal at file:line:column, never in an exception, a hang or a
// runaway process. `npm run fuzz-inputs` runs the same with 10,000 cases and more.
import { expect, test } from 'vitest';
import { runScenarioCases } from './fuzz-inputs/scenarios.js';

const CASES = 300;

test(`${CASES} mutated scenarios: no crash, no hang, no runaway memory, every refusal at its place`, async () => {
  const lines: string[] = [];
  const counts = await runScenarioCases({ cases: CASES, seed: 20_240_609, log: (l) => lines.push(l), timeoutMs: 60_000 });
  const bad = { crash: counts.crash, hang: counts.hang, memory: counts.memory, noLocation: counts.noLocation };
  expect(bad, lines.join('\n')).toEqual({ crash: 0, hang: 0, memory: 0, noLocation: 0 });
  // every case was classified, and the mutants reach both the loader's refusals and the explorer
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(CASES);
  expect(counts.rejected).toBeGreaterThan(CASES / 4);
  expect(counts.safe + counts.unsafe + counts.inconclusive).toBeGreaterThan(10);
}, 300_000);
