// `rollsafe diff`: the safe seed runbook against each broken variant, and the matching rule.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadScenarioFile } from '../model/scenario/load.js';
import { exploreScenario } from '../sim/check.js';
import { run } from '../sim/cli/program.js';
import { diffExitCode, diffResults, formatDiffMarkdown, traceShape } from '../sim/results/diff.js';
import type { RunResult, Violation } from '../sim/results/result.js';
import { BAO, tempDir } from './helpers/corpus.js';

const SAFE = join(BAO, 'upgrade.yaml');
const BROKEN = [
  'broken-all-nodes-at-once.yaml',
  'broken-no-key-id-check.yaml',
  'broken-rollback-after-new-wire-format.yaml',
  'broken-rollback-after-rotation.yaml',
  'broken-upgrade-during-rotation.yaml',
];

let safe: RunResult;
const explore = (file: string) => exploreScenario(loadScenarioFile(file));

beforeAll(() => {
  safe = explore(SAFE);
});

// What each broken variant says it must fire, read from its own expect block.
function expectedFires(file: string): string[] {
  return loadScenarioFile(file).expect!.fires;
}

describe('diff of the safe runbook against each broken variant', () => {
  it.each(BROKEN)('%s: exactly the variant\'s own violations are new, nothing removed, exit 1', (name) => {
    const file = join(BAO, name);
    const d = diffResults(safe, explore(file));
    expect(d.added.map((a) => a.violation.property).sort()).toEqual([...expectedFires(file)].sort());
    expect(d.removed).toEqual([]);
    expect(d.kept).toEqual([]);
    expect(diffExitCode(d)).toBe(1);
  });

  it('run the other way, the fix removes those violations and exits 0', () => {
    const file = join(BAO, 'broken-upgrade-during-rotation.yaml');
    const d = diffResults(explore(file), safe);
    expect(d.added).toEqual([]);
    expect(d.removed.map((r) => r.violation.property)).toEqual(['no-unknown-key-id-decrypt']);
    expect(diffExitCode(d)).toBe(0);
  });
});

describe('matching by property and trace shape', () => {
  let broken: RunResult;
  beforeAll(() => {
    broken = explore(join(BAO, 'broken-upgrade-during-rotation.yaml'));
  });
  const withViolations = (r: RunResult, vs: Violation[]): RunResult => ({ ...r, violations: vs });

  it('ignores node names, detail text and counts', () => {
    const v = broken.violations[0];
    const renamed: Violation = {
      ...v,
      detail: 'worded differently',
      blast: { ...v.blast, recordsAffected: 7 },
      trace: v.trace.map((t) => ({ ...t, event: t.event && t.event.node ? { ...t.event, node: t.event.node.replace('control-plane', 'cp') } : t.event })),
    };
    const d = diffResults(withViolations(broken, [v]), withViolations(broken, [renamed]));
    expect(d.added).toEqual([]);
    expect(d.kept).toHaveLength(1);
    expect(traceShape(renamed)).toEqual(traceShape(v));
  });

  it('counts the same trace shape under another property as new', () => {
    const v = broken.violations[0];
    const d = diffResults(withViolations(broken, [v]), withViolations(broken, [{ ...v, property: 'no-one-way-rollback' }]));
    expect(d.added.map((a) => a.violation.property)).toEqual(['no-one-way-rollback']);
    expect(d.removed.map((a) => a.violation.property)).toEqual(['no-unknown-key-id-decrypt']);
  });

  it('counts the same property reached by a different sequence of steps as new', () => {
    const v = broken.violations[0];
    const shorter: Violation = { ...v, trace: v.trace.slice(0, -1) };
    const d = diffResults(withViolations(broken, [v]), withViolations(broken, [shorter]));
    expect(d.added).toHaveLength(1);
    expect(d.removed).toHaveLength(1);
    expect(formatDiffMarkdown(d)).toContain('base reached this property by another path');
  });

  it('does not pass a head whose search stopped at a bound', () => {
    const d = diffResults(safe, { ...safe, complete: false, boundsHit: ['max-states 10'] });
    expect(d.added).toEqual([]);
    expect(diffExitCode(d)).toBe(1);
    expect(formatDiffMarkdown(d)).toContain('inconclusive');
  });
});

describe('rollsafe diff on the command line', () => {
  let out: string;
  let err: string;
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  afterEach(() => {
    out = '';
    err = '';
  });
  out = '';
  err = '';

  it('exits 1 for a broken variant and writes a Markdown PR comment naming the new violation', async () => {
    const md = join(tempDir('diff'), 'comment.md');
    const code = await run(['diff', SAFE, join(BAO, 'broken-no-key-id-check.yaml'), '--markdown', md]);
    expect(code).toBe(1);
    expect(out).toContain('FAIL the change makes 1 unsafe state newly reachable');
    expect(out).toContain('+ key-id-agreement [safety]');
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^### ❌ rollsafe: the change makes 1 unsafe state newly reachable/);
    expect(text).toContain('**`key-id-agreement`** (safety)');
    expect(text).toContain('<details><summary>Shortest trace:');
  });

  it('exits 0 and reports nothing for two identical files', async () => {
    const copy = join(tempDir('diff'), 'upgrade-copy.yaml');
    copyFileSync(SAFE, copy);
    const code = await run(['diff', SAFE, copy]);
    expect(code).toBe(0);
    expect(out).toContain('ok   no change in reachable unsafe states');
    expect(out).not.toContain('newly reachable in head');
  });

  it('exits 2 naming the file when the head does not exist, writing no Markdown', async () => {
    const dir = tempDir('diff');
    const code = await run(['diff', SAFE, join(dir, 'missing.yaml'), '--markdown', join(dir, 'comment.md')]);
    expect(code).toBe(2);
    expect(err).toContain(join(dir, 'missing.yaml'));
    expect(() => readFileSync(join(dir, 'comment.md'))).toThrow();
  });
});
