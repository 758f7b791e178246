// rollsafe suggest as a user runs it (exit codes, the patch, --apply, --json, bad input), the
// PR comment of diff --markdown, and the parts under it: the line diff, the patched text, the
// time budget, the same answer on every run.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, test } from 'vitest';
import { makeLimits } from '../sim/engines/limits.js';
import { suggest } from '../sim/suggest/suggest.js';
import { unifiedDiff } from '../sim/suggest/diff-text.js';
import { renderPatched } from '../sim/suggest/render.js';
import { ROOT, rollsafe } from './helpers.js';

const OUT = join(ROOT, 'test-output/suggest-cli');
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('rollsafe suggest', () => {
  test('an unsafe runbook: the smallest edit as a patch with line numbers, written by --apply, checked safe', () => {
    const fixed = join(OUT, 'during-rotation.fixed.yaml');
    const json = join(OUT, 'during-rotation.json');
    const r = rollsafe(['suggest', 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml', '--apply', fixed, '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1. fix (1 edit): add the before-you-start check not-mid-rotation');
    expect(r.stdout).toContain('fixes: no-unknown-key-id-decrypt · the patched file checks safe over 11,906 states');
    expect(r.stdout).toContain('2. assumption (1 edit): assume rotation-starts never happens (the fault is taken out of the scenario)');
    expect(r.stdout).toMatch(/--- a\/scenarios\/bao-kms-provider\/broken-upgrade-during-rotation\.yaml\n\s+\+\+\+ b\/scenarios\/bao-kms-provider\/broken-upgrade-during-rotation\.yaml\n\s+@@ -43,6 \+43,7 @@\n/);
    expect(r.stdout).toContain(`verify: rollsafe check ${fixed}`);
    // the author's comments and layout stay; only the check and the expect block change
    const text = readFileSync(fixed, 'utf8');
    expect(text).toContain('    - doctor # doctor passes\n    - not-mid-rotation\n  upgrade:');
    expect(text).toContain('  rotation-starts: { during-maintenance: false }');
    expect(text).toContain('expect:\n  verdict: safe\n');
    expect(rollsafe(['check', fixed]).code).toBe(0);
    // the result set, with its suggestions, as the schema documents them
    const set = JSON.parse(readFileSync(json, 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(read('docs/result.schema.json')));
    expect(validate(set), JSON.stringify(validate.errors)).toBe(true);
    const [res] = set.results;
    expect(res.suggestions.map((s: { class: string; edits: { id: string }[] }) => [s.class, s.edits.map((e) => e.id)])).toEqual([
      ['fix', ['before-you-start:not-mid-rotation']],
      ['assumption', ['assume-no-fault:rotation-starts']],
    ]);
    expect(res.suggestSearch).toMatchObject({ maxEdits: 2, complete: true });
    expect(set.partial).toBe(false);
  });

  test('--pick chooses the suggestion --apply writes; --apply refuses the scenario itself', () => {
    const fixed = join(OUT, 'during-rotation.assumed.yaml');
    const r = rollsafe(['suggest', 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml', '--max-edits', '1', '--apply', fixed, '--pick', '2']);
    expect(r.code).toBe(0);
    expect(readFileSync(fixed, 'utf8')).not.toContain('rotation-starts');
    const original = read('scenarios/keystone/broken-no-backup.yaml');
    const same = rollsafe(['suggest', 'scenarios/keystone/broken-no-backup.yaml', '--apply', './scenarios/keystone/broken-no-backup.yaml']);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('is the scenario itself');
    expect(read('scenarios/keystone/broken-no-backup.yaml')).toBe(original);
    expect(rollsafe(['suggest', 'scenarios/keystone/broken-no-backup.yaml', '--pick', '2']).code).toBe(2);
  });

  test('a safe scenario: nothing to fix, exit 0', () => {
    const r = rollsafe(['suggest', 'scenarios/keystone/upgrade.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to fix: every property holds');
  });

  test('nothing in the catalog fixes it: says so, with what it tried, exit 1', () => {
    // the fix is in the system (a key_id scheme that names key material), not the runbook
    const r = rollsafe(['suggest', 'scenarios/keys/01-broken-recreate-key-same-name.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no set of up to 2 edits makes every property hold');
    expect(r.stdout).toMatch(/searched 10 candidate edits in 55 sets of up to 2 edits \(10 of 1 edit, 45 of 2 edits\)/);
    expect(r.stdout).toContain('tried: 7 before-you-start, 1 verify-step, 1 backup, 1 assume-no-fault');
  });

  test('bad input exits 2 at its file, line and column', () => {
    const r = rollsafe(['suggest', 'test/fixtures/bad/unknown-step.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("test/fixtures/bad/unknown-step.yaml:57:31: unknown step 'swap-binary'");
    expect(rollsafe(['suggest', 'scenarios/keystone/upgrade.yaml', '--max-edits', '4']).code).toBe(2);
  });
});

describe('rollsafe diff --markdown', () => {
  test('says what broke and the smallest edit that fixes it', () => {
    const md = join(OUT, 'pr.md');
    const r = rollsafe(['diff', 'scenarios/keystone/upgrade.yaml', 'scenarios/keystone/broken-no-backup.yaml', '--markdown', md]);
    expect(r.code).toBe(1);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('Fix: add a backup stage (strategy: once, steps: [backup]) before upgrade stage 1 (below).');
    expect(text).toContain('#### How to fix it');
    expect(text).toContain('**Smallest fix** (1 edit)');
    expect(text).toMatch(/```diff\n--- a\/scenarios\/keystone\/broken-no-backup\.yaml\n\+\+\+ b\/scenarios\/keystone\/broken-no-backup\.yaml\n@@ -29,6 \+29,7 @@/);
    expect(text).toContain('+      - { strategy: once, steps: [backup] }');
  });

  test('a head with nothing new gets no suggestion', () => {
    const md = join(OUT, 'same.md');
    expect(rollsafe(['diff', 'scenarios/keystone/upgrade.yaml', 'scenarios/keystone/upgrade.yaml', '--markdown', md]).code).toBe(0);
    expect(readFileSync(md, 'utf8')).not.toContain('How to fix it');
  });
});

describe('the parts of suggest', () => {
  test('the same scenario gets the same suggestions in the same order', () => {
    const text = read('scenarios/keystone/broken-nodes-not-stopped.yaml');
    const a = suggest(text, 'x.yaml');
    const b = suggest(text, 'x.yaml');
    expect(a.result.suggestions).toEqual(b.result.suggestions);
    expect(a.result.suggestSearch).toEqual(b.result.suggestSearch);
    expect(a.patched).toEqual(b.patched);
  });

  test('--time reaches the search as injected limits: a cut search says so and keeps what it found', () => {
    let t = 0;
    const r = suggest(read('scenarios/keystone/broken-no-backup.yaml'), 'x.yaml', { now: () => t, limits: makeLimits({ now: () => t++, deadline: 40, time: '1s' }) });
    expect(r.result.suggestSearch!.complete).toBe(false);
    expect(r.result.suggestSearch!.boundsHit).toEqual(['time 1s']);
    expect(r.result.suggestSearch!.sets).toBeLessThan(44);
  });

  test('a unified diff numbers its hunks as patch reads them', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';
    const b = ['a', 'b', 'c', 'd', 'X', 'e', 'f', 'g', 'h', 'i'].join('\n') + '\n';
    expect(unifiedDiff(a, b, 'f.yaml')).toBe(['--- a/f.yaml', '+++ b/f.yaml', '@@ -2,9 +2,9 @@', ' b', ' c', ' d', '+X', ' e', ' f', ' g', ' h', ' i', '-j', ''].join('\n'));
    expect(unifiedDiff(a, a, 'f.yaml')).toBe('');
  });

  test('a patched file keeps what the edit did not touch, in the author\'s style', () => {
    const text = 'a: 1 # one\nlist:   [x, y]   # spaced\nm: { k: 1 }\nstages:\n  - { strategy: once, steps: [backup] } # first\n';
    const out = renderPatched(text, [
      { op: 'restage', path: ['stages'], to: 0, value: { strategy: 'all-at-once', steps: ['stop'] } },
      { op: 'set', path: ['m', 'k'], value: 2 },
    ]);
    expect(out).toBe('a: 1 # one\nlist:   [x, y]   # spaced\nm: { k: 2 }\nstages:\n  - { strategy: all-at-once, steps: [stop] }\n  - { strategy: once, steps: [backup] } # first\n');
    expect(existsSync(OUT)).toBe(true);
    writeFileSync(join(OUT, 'render.yaml'), out);
  });
});
