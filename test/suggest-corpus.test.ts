// rollsafe suggest on the broken variants of the four real runbooks: each gets an edit set of
// at most two edits that makes it safe; where its safe counterpart differs from it by runbook
// vocabulary, that edit is among the suggestions; and every suggestion, written out, passes
// `check`. One search per variant, shared by its tests.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { check, passed } from '../sim/check.js';
import { type SuggestRun, suggest } from '../sim/suggest/suggest.js';
import { ROOT } from './helpers.js';

const OUT = join(ROOT, 'test-output/suggest-corpus');
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

interface Case {
  file: string; // under scenarios/
  safe: string; // its safe counterpart
  expected: string[]; // the ids of one suggestion: the counterpart's edit, or the part of it that is minimal
  // the patched runbook and faults are the counterpart's (lists of names compared as sets); when
  // not, why not
  same: true | string;
}

// How each variant differs from its counterpart (their headers, and diff of the two files).
const CASES: Case[] = [
  { file: 'bao-kms-provider/broken-all-nodes-at-once.yaml', safe: 'bao-kms-provider/upgrade.yaml', expected: ['strategy:upgrade:one-node-at-a-time'], same: true },
  {
    file: 'bao-kms-provider/broken-no-key-id-check.yaml',
    safe: 'bao-kms-provider/upgrade.yaml',
    // the counterpart has four key_id checks; these two of them are enough
    expected: ['verify:upgrade.each-node[5]:verify-key-id', 'verify:rollback.each-node[4]:verify-key-id'],
    same: 'the counterpart also checks key-id-stable before starting and verify-key-id after all nodes: not needed for safety',
  },
  { file: 'bao-kms-provider/broken-rollback-after-new-wire-format.yaml', safe: 'bao-kms-provider/upgrade.yaml', expected: ['rollback-guard:previous-reads-wire-formats'], same: true },
  { file: 'bao-kms-provider/broken-rollback-after-rotation.yaml', safe: 'bao-kms-provider/upgrade.yaml', expected: ['rollback-guard:previous-promoted-active-key'], same: true },
  { file: 'bao-kms-provider/broken-upgrade-during-rotation.yaml', safe: 'bao-kms-provider/upgrade.yaml', expected: ['before-you-start:not-mid-rotation'], same: true },
  { file: 'alibaba-kms/broken-no-backup.yaml', safe: 'alibaba-kms/upgrade.yaml', expected: ['backup:upgrade.stages[0]'], same: true },
  { file: 'alibaba-kms/broken-rollback-after-window.yaml', safe: 'alibaba-kms/upgrade.yaml', expected: ['rollback-guard:within-rollback-window'], same: true },
  // the counterpart's instance runs dkms-1.3.1 (a system change): on dkms-1.2.9 the check it adds
  // refuses to start, which is the only safe runbook there is (a refusal)
  { file: 'alibaba-kms/broken-upgrade-from-old-image.yaml', safe: 'alibaba-kms/upgrade.yaml', expected: ['before-you-start:supported-upgrade-path'], same: true },
  {
    file: 'alibaba-kms/broken-upgrade-to-non-latest.yaml',
    safe: 'alibaba-kms/upgrade.yaml',
    expected: ['upgrade-to-newest:kms-instance:dkms-1.4.0'],
    same: 'the counterpart also checks upgrade-to-latest before starting, which the new target passes anyway',
  },
  { file: 'intel-secl/broken-cross-major-mix.yaml', safe: 'intel-secl/upgrade.yaml', expected: ['include-components:isecl-controller,ihub,isecl-scheduler'], same: true },
  { file: 'intel-secl/broken-kbs-without-upgrade-job.yaml', safe: 'intel-secl/upgrade.yaml', expected: ['migrate:upgrade.stages[3].steps[1]:kbs-data-v4'], same: true },
  { file: 'intel-secl/broken-rollback-without-restore.yaml', safe: 'intel-secl/upgrade.yaml', expected: ['restore:rollback.stages[1]'], same: true },
  // the counterpart moves CMS/AAS and SCS/SHVS ahead of KBS; moving KBS and SQVS behind them is
  // the same order, and the search keeps the first set that yields it
  { file: 'intel-secl/broken-tier-out-of-order.yaml', safe: 'intel-secl/upgrade.yaml', expected: ['move:upgrade.stages[1]->[5]', 'move:upgrade.stages[2]->[5]'], same: true },
  { file: 'keystone/broken-contract-too-early.yaml', safe: 'keystone/rolling-upgrade.yaml', expected: ['move:upgrade.stages[2]->end'], same: true },
  { file: 'keystone/broken-no-backup.yaml', safe: 'keystone/upgrade.yaml', expected: ['backup:upgrade.stages[1]'], same: true },
  {
    file: 'keystone/broken-nodes-not-stopped.yaml',
    safe: 'keystone/upgrade.yaml',
    expected: ['stop-first:upgrade.stages[1]:stage'],
    same: 'the counterpart stops every node before the backup and also replaces the images all at once; stopping them first is enough',
  },
  {
    file: 'keystone/broken-second-rotation-too-soon.yaml',
    safe: 'keystone/fernet-rotation.yaml',
    expected: ['verify:upgrade.stages[1].steps[1]:verify-key-id', 'verify:upgrade.stages[3].steps[1]:verify-key-id'],
    same: true,
  },
];

const runs = new Map<string, SuggestRun>();
function run(file: string): SuggestRun {
  if (!runs.has(file)) runs.set(file, suggest(readFileSync(join(ROOT, 'scenarios', file), 'utf8'), `scenarios/${file}`));
  return runs.get(file)!;
}

// The runbook and faults of a scenario text, lists of names as sets.
function runbookOf(text: string): unknown {
  const d = parseDocument(text).toJS() as Record<string, Record<string, unknown>>;
  const rb = structuredClone(d.runbook) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const sortIn = (o: Record<string, unknown> | undefined, k: string) => Array.isArray(o?.[k]) && (o![k] as string[]).sort();
  sortIn(rb, 'before-you-start');
  sortIn(rb.rollback, 'guards');
  sortIn(rb.rollback, 'when');
  return { runbook: rb, faults: d.faults };
}

describe('rollsafe suggest on the broken variants of the four runbooks', () => {
  test('the corpus has exactly these broken variants', () => {
    const listed = CASES.map((c) => c.file).sort();
    const onDisk = ['bao-kms-provider', 'alibaba-kms', 'intel-secl', 'keystone'].flatMap((d) =>
      readdirSync(join(ROOT, 'scenarios', d))
        .filter((f) => f.startsWith('broken-'))
        .map((f) => `${d}/${f}`),
    );
    expect(listed).toEqual(onDisk.sort());
  });

  test.each(CASES)('$file: an edit set of at most 2 makes it safe, the expected one among them', (c) => {
    const r = run(c.file);
    expect(r.outcome).toBe('found');
    const sets = r.result.suggestions!.map((s) => s.edits.map((e) => e.id));
    expect(sets[0].length).toBeLessThanOrEqual(2);
    expect(sets).toContainEqual(c.expected);
    const k = sets.findIndex((s) => JSON.stringify(s) === JSON.stringify(c.expected));
    const patched = r.patched[k];
    if (c.same === true) expect(runbookOf(patched)).toEqual(runbookOf(readFileSync(join(ROOT, 'scenarios', c.safe), 'utf8')));
    else expect(runbookOf(patched)).not.toEqual(runbookOf(readFileSync(join(ROOT, 'scenarios', c.safe), 'utf8')));
  });

  test.each(CASES)('$file: minimal sets only, runbook fixes before assumptions before refusals, smaller first', (c) => {
    const items = run(c.file).result.suggestions!;
    const sets = items.map((s) => s.edits.map((e) => e.id));
    for (const a of sets) for (const b of sets) if (a !== b) expect(a.every((id) => b.includes(id)), `${a} is part of ${b}`).toBe(false);
    const order = { fix: 0, assumption: 1, refusal: 2 };
    const keys = items.map((s) => order[s.class] * 10 + s.edits.length);
    expect(keys).toEqual([...keys].sort((x, y) => x - y));
    for (const s of items) {
      expect(s.class === 'assumption').toBe(s.class !== 'refusal' && s.edits.some((e) => e.assumption));
      expect(s.fixes).toEqual([...new Set(run(c.file).result.violations.map((v) => v.property))]);
    }
    // a refusal is shown only when nothing else makes the runbook safe
    if (items.some((s) => s.class === 'refusal')) expect(items.every((s) => s.class === 'refusal')).toBe(true);
  });

  test.each(CASES)('$file: every suggestion, written out, passes check', (c) => {
    const r = run(c.file);
    r.patched.forEach((text, i) => {
      const out = join(OUT, `${c.file.replace('/', '--').replace(/\.yaml$/, '')}.fix-${i + 1}.yaml`);
      writeFileSync(out, text);
      const [checked] = check(out);
      expect({ file: out, verdict: checked.verdict, passed: passed(checked), problems: checked.expect?.problems }).toEqual({ file: out, verdict: 'safe', passed: true, problems: checked.expect ? [] : undefined });
      expect(checked.figures.states).toBe(r.result.suggestions![i].figures.states);
    });
  });
});
