// Vacuous properties: a property that held only because what it guards against never happened
// is reported as such, beside a verdict that stays safe, in every place that shows the verdict.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { exploreScenario } from '../sim/check.js';
import { diffExitCode, diffResults, formatDiffMarkdown, formatDiffText } from '../sim/results/diff.js';
import { toJUnit } from '../sim/results/junit.js';
import { mergeResultSets } from '../sim/results/merge.js';
import { formatResult, tallyLine } from '../sim/results/text.js';
import { vacuityProblems } from '../sim/results/vacuity.js';
import { passed as passedOf } from '../sim/results/verdict.js';
import type { RunResult } from '../sim/results/result.js';
import { reportHtml } from '../report/index.js';
import { parseResultText } from '../report/load.js';
import { ROOT, rollsafe } from './helpers.js';
import { resultSet } from './helpers/corpus.js';

const OUT = join(ROOT, 'test-output/vacuity');
const NO_ROLLBACK = 'test/fixtures/vacuous/no-rollback.yaml';
const WITH_ROLLBACK = 'test/fixtures/vacuous/with-rollback.yaml';
const fixture = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const statusOf = (r: RunResult, name: string) => r.properties.find((p) => p.name === name)!.status;
const vacuousIn = (r: RunResult) => r.properties.filter((p) => p.status === 'vacuous').map((p) => p.name);

// What no-rollback.yaml leaves untested: the rollback it does not have, the key retirement and
// restore it never does. What a single plain component inside a maintenance window cannot do at
// all (tiers, a shared store, a standby, availability...) is not-applicable, not vacuous.
const NO_ROLLBACK_VACUOUS = ['no-one-way-rollback', 'no-unreadable-record', 'no-premature-retirement'];
const NOT_APPLICABLE = ['no-key-id-reuse', 'status-encrypt-agreement', 'reads-served', 'upgrade-order', 'compatible-releases', 'no-mixed-release-writers', 'no-failover-to-older', 'availability', 'rollback-can-start'];

let without: RunResult;
let withRb: RunResult;
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  without = exploreScenario(loadScenarioText(fixture(NO_ROLLBACK), NO_ROLLBACK));
  withRb = exploreScenario(loadScenarioText(fixture(WITH_ROLLBACK), WITH_ROLLBACK));
});

describe('a scenario with no rollback section', () => {
  test('check prints the verdict safe and no-one-way-rollback as vacuous, with the trigger no run reached', () => {
    const json = join(OUT, 'no-rollback.json');
    const r = rollsafe(['check', NO_ROLLBACK, '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('safe (expected safe) · 16 states');
    expect(r.stdout).toContain('     vacuous: 3 of 8 applicable properties held without being put to the test:\n');
    expect(r.stdout).toMatch(/^ {7}no-one-way-rollback {6}never reached: a rollback reinstalls a release$/m);
    const res = JSON.parse(readFileSync(json, 'utf8')).results[0];
    expect(res.verdict).toBe('safe');
    expect(res.expect).toEqual({ verdict: 'safe', fires: [], vacuous: null, met: true, problems: [] });
    expect(res.properties.find((p: { name: string }) => p.name === 'no-one-way-rollback')).toMatchObject({ status: 'vacuous', trigger: 'a rollback reinstalls a release' });
    expect(res.coverage.stepsByPhase['rolling-back']).toBeUndefined();
  });

  test('exactly the properties nothing explored could break are vacuous; what nothing in it could break is not-applicable; the rest hold', () => {
    expect(vacuousIn(without)).toEqual(NO_ROLLBACK_VACUOUS);
    expect(without.properties.filter((p) => p.status === 'not-applicable').map((p) => p.name)).toEqual(NOT_APPLICABLE);
    expect(statusOf(without, 'key-id-agreement')).toBe('holds');
    expect(statusOf(without, 'supported-path')).toBe('holds');
  });

  test('the check table gives the count in its vacuous column and says where the names are', () => {
    const r = rollsafe(['check', 'test/fixtures/vacuous']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+test\/fixtures\/vacuous\/no-rollback\.yaml\s+safe\s+safe\s+-\s+3 of 8\s/m);
    expect(r.stdout).toMatch(/^ok\s+test\/fixtures\/vacuous\/with-rollback\.yaml\s+safe\s+safe\s+-\s+2 of 9\s/m);
    expect(r.stdout).toContain('vacuous: properties that held only because what they guard against never happened; check one file to list them');
  });
});

describe('a scenario whose rollback is reachable', () => {
  test('no-one-way-rollback holds and is put to the test: a reinstall ran while rolling back', () => {
    expect(withRb.verdict).toBe('safe');
    expect(statusOf(withRb, 'no-one-way-rollback')).toBe('holds');
    expect(withRb.coverage.stepsByPhase['rolling-back']['replace-image']).toBeGreaterThan(0);
    expect(withRb.coverage.phasesEntered['rolled-back']).toBeGreaterThan(0);
    expect(vacuousIn(withRb)).toEqual(NO_ROLLBACK_VACUOUS.filter((p) => p !== 'no-one-way-rollback'));
  });

  test('check does not list it as vacuous', () => {
    const r = rollsafe(['check', WITH_ROLLBACK]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('vacuous: 2 of 9 applicable properties');
    expect(r.stdout).not.toMatch(/no-one-way-rollback +never reached/);
  });
});

describe('expect.vacuous pins the list', () => {
  const pinned = (names: string[]) => fixture(NO_ROLLBACK).replace('expect:\n  verdict: safe\n', `expect:\n  verdict: safe\n  vacuous: [${names.join(', ')}]\n`);
  const run = (names: string[]) => exploreScenario(loadScenarioText(pinned(names), 'pinned.yaml'));

  test('the exact list is met, and the result records it', () => {
    const r = run(NO_ROLLBACK_VACUOUS);
    expect(r.expect).toEqual({ verdict: 'safe', fires: [], vacuous: NO_ROLLBACK_VACUOUS, met: true, problems: [] });
  });

  test('an unexpected vacuous property and a pinned one that was put to the test are unmet', () => {
    const r = run([...NO_ROLLBACK_VACUOUS.filter((p) => p !== 'no-one-way-rollback'), 'key-id-agreement']);
    expect(r.verdict).toBe('safe');
    expect(r.expect!.met).toBe(false);
    expect(r.expect!.problems).toEqual([
      'expected key-id-agreement to hold vacuously, but its trigger was reached (the runbook ends (upgraded or rolled back))',
      'no-one-way-rollback holds only vacuously (never reached: a rollback reinstalls a release) but expect.vacuous does not name it',
    ]);
  });

  test('a pinned property the scenario does not check is refused at load', () => {
    const text = pinned(['no-one-way-rollback']).replace('expect:', 'properties: [no-unknown-key-id-decrypt]\n\nexpect:');
    let err: unknown;
    try {
      loadScenarioText(text, 'pinned.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err).toMatchObject({ line: 36, column: 13, problem: "expect.vacuous names 'no-one-way-rollback', which this scenario does not check", fix: "add 'no-one-way-rollback' to properties, or remove it from expect.vacuous" });
  });

  test('a property both pinned vacuous and expected to fire is refused at load', () => {
    const text = fixture(NO_ROLLBACK).replace('expect:\n  verdict: safe\n', 'expect:\n  verdict: unsafe\n  fires: [availability]\n  vacuous: [availability]\n');
    let err: unknown;
    try {
      loadScenarioText(text, 'pinned.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ line: 35, column: 13, problem: "expect.vacuous names 'availability', which expect.fires says must fire", fix: "a property that fires was put to the test: remove 'availability' from one of the two lists" });
  });

  test('the corpus pins one: the guarded rollback of incident #9 never runs', () => {
    const r = rollsafe(['check', 'scenarios/incidents/09-safe-guarded-rollback.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('vacuous: 6 of 8 applicable properties held without being put to the test (expect.vacuous pins them):');
    expect(r.stdout).toMatch(/no-one-way-rollback +never reached: a rollback reinstalls a release/);
  });
});

describe('vacuity in JUnit, the report, diff and merge', () => {
  test('JUnit: a vacuous property is a skipped case; unpinned-but-expected pins make it a failure', () => {
    const xml = toJUnit([without], { name: 'rollsafe check' });
    expect(xml).toContain('skipped="3"');
    expect(xml).toContain('<property name="vacuous" value="no-one-way-rollback, no-unreadable-record, no-premature-retirement"/>');
    expect(xml).toContain('<skipped message="no-one-way-rollback held only vacuously: no run reached its trigger (a rollback reinstalls a release)"/>');
    const r = structuredClone(without);
    r.expect = { verdict: 'safe', fires: [], vacuous: ['no-unreadable-record'], met: false, problems: [] };
    const pinnedXml = toJUnit([r], { name: 'rollsafe check' });
    expect(pinnedXml).toContain('<failure message="no-one-way-rollback held only vacuously: no run reached its trigger (a rollback reinstalls a release)" type="unexpected-vacuity">expect.vacuous does not name it</failure>');
    expect(pinnedXml).toContain('skipped="1"');
    expect(xml).toContain('not applicable: nothing in this scenario could make availability fail');
  });

  test('the report shows a vacuous badge beside the verdict, the list with triggers, and the matrix status', () => {
    const html = reportHtml([parseResultText(JSON.stringify(resultSet([without, withRb])), 'out/results.json')]);
    expect(html).toContain('>3 vacuous</span>');
    expect(html).toContain('>2 vacuous</span>');
    expect(html).toContain('<span class="badge muted">n/a</span>');
    expect(html).toContain('which is:</p><ul><li><code>no-one-way-rollback</code>: a rollback reinstalls a release');
    expect(html).toContain('2 with vacuous properties');
    expect(html).toContain('<span class="badge warn">vacuous</span>');
  });

  test('diff: dropping the rollback makes no-one-way-rollback newly vacuous, a warning with exit 0', () => {
    const d = diffResults(withRb, without);
    expect(d.newlyVacuous.map((p) => p.name)).toEqual(['no-one-way-rollback']);
    expect(diffExitCode(d)).toBe(0);
    const text = formatDiffText(d);
    expect(text).toContain('ok   no change in reachable unsafe states, but 1 property is no longer put to the test');
    expect(text).toContain('  ~ no-one-way-rollback: never reached: a rollback reinstalls a release');
    expect(text).toContain(`head ${NO_ROLLBACK}: safe (vacuous: ${NO_ROLLBACK_VACUOUS.join(', ')}), 0 violations, 16 states`);
    expect(diffResults(without, withRb).noLongerVacuous.map((p) => p.name)).toEqual(['no-one-way-rollback']);
  });

  test('merge: a property stays vacuous only if no side reached its trigger', () => {
    const a = structuredClone(withRb);
    const b = structuredClone(withRb);
    b.properties.find((p) => p.name === 'no-one-way-rollback')!.status = 'vacuous';
    const [m] = mergeResultSets([resultSet([a]), resultSet([b])], 'rollsafe merge').results;
    expect(statusOf(m, 'no-one-way-rollback')).toBe('holds');
    expect(statusOf(m, 'no-unreadable-record')).toBe('vacuous');
    expect(statusOf(m, 'availability')).toBe('not-applicable');
    expect(m.coverage.phasesEntered['rolled-back']).toBe(2 * withRb.coverage.phasesEntered['rolled-back']);
  });
});

// Sometimes properties: what some run must be able to do. A runbook whose before-you-start check
// refuses every run is "safe" about an upgrade that never happens; that must not pass.
describe('sometimes properties: upgrade-can-finish and rollback-can-start', () => {
  // v2 is not the latest release of a latest-only component, so upgrade-to-latest refuses to start
  const neverStarts = fixture(WITH_ROLLBACK)
    .replace('      runs: v1\n', '      runs: v1\n      latest-only: true\n')
    .replace(/( +- \{ name: v2, .*\n)/, '$1        - { name: v3, reads: { formats: [envelope-v1, envelope-v2] }, writes: { format: envelope-v2 } }\n')
    .replace('before-you-start: [backend-healthy]', 'before-you-start: [backend-healthy, upgrade-to-latest]');
  const NEVER = 'never-starts.yaml';

  test('both hold where some run reaches them; rollback-can-start is not applicable without a rollback', () => {
    expect(statusOf(withRb, 'upgrade-can-finish')).toBe('holds');
    expect(statusOf(withRb, 'rollback-can-start')).toBe('holds');
    expect(statusOf(without, 'upgrade-can-finish')).toBe('holds');
    expect(statusOf(without, 'rollback-can-start')).toBe('not-applicable');
    expect(withRb.properties.find((p) => p.name === 'upgrade-can-finish')).toMatchObject({ kind: 'sometimes', category: 'reachability', trigger: 'a run finishes the upgrade' });
  });

  test('a runbook that never starts is safe but fails check, naming what no run reached and how to fix it', () => {
    const dir = join(OUT, 'never');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, NEVER);
    writeFileSync(file, neverStarts);
    const r = rollsafe(['check', file, '--junit', join(dir, 'junit.xml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL');
    expect(r.stdout).toContain('safe (expected safe) · 2 states');
    expect(r.stdout).toContain(
      'expectation not met: upgrade-can-finish: no explored run gets there (a run finishes the upgrade), so the safe verdict never tested it: fix the runbook, or name upgrade-can-finish under expect.vacuous if that is intended',
    );
    expect(r.stdout).toMatch(/^ {7}rollback-can-start +never reached: a run starts the rollback$/m);
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(xml).toContain('<failure message="upgrade-can-finish: no explored run gets there (a run finishes the upgrade)" type="unexpected-vacuity">');
  });

  test('without an expect block it fails all the same; an unsafe verdict does not rest on it', () => {
    const bare = exploreScenario(loadScenarioText(neverStarts.replace(/\nexpect:[\s\S]*$/, '\n'), NEVER));
    expect(bare.verdict).toBe('safe');
    expect(passedOf(bare)).toBe(false);
    expect(formatResult(bare)).toContain('     never reached: upgrade-can-finish: no explored run gets there');
    expect(tallyLine([bare])).toBe('1 safe (FAIL: the runbook never got there)');
    const unsafe = structuredClone(bare);
    unsafe.verdict = 'unsafe';
    expect(vacuityProblems(null, unsafe.properties, 'unsafe')).toEqual([]);
  });

  test('expect.fires may not name one: a sometimes property never fires', () => {
    const text = fixture(WITH_ROLLBACK).replace('expect:\n  verdict: safe\n', 'expect:\n  verdict: unsafe\n  fires: [upgrade-can-finish]\n');
    let err: unknown;
    try {
      loadScenarioText(text, 'fires.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err).toMatchObject({
      problem: "expect.fires names 'upgrade-can-finish', a sometimes property: it never fires (it holds when some run gets there, and is vacuous when none does)",
      fix: "remove 'upgrade-can-finish' from expect.fires; to say no run gets there, name it under expect.vacuous",
    });
  });

  test('pinned under expect.vacuous it passes', () => {
    const pins = ['no-one-way-rollback', 'no-unreadable-record', 'no-premature-retirement', 'key-id-agreement', 'supported-path', 'upgrade-can-finish', 'rollback-can-start'];
    const r = exploreScenario(loadScenarioText(neverStarts.replace('expect:\n  verdict: safe\n', `expect:\n  verdict: safe\n  vacuous: [${pins.join(', ')}]\n`), NEVER));
    expect(r.expect).toMatchObject({ met: true, problems: [] });
  });

  test('one example proves it even in a cut search or a random campaign; unreached there it is unknown', () => {
    const cut = exploreScenario(loadScenarioText(fixture(WITH_ROLLBACK), WITH_ROLLBACK), { maxStates: 3 });
    expect(cut.verdict).toBe('inconclusive');
    expect(statusOf(cut, 'upgrade-can-finish')).toBe('unknown');
    expect(statusOf(cut, 'no-one-way-rollback')).toBe('unknown');
    const deeper = exploreScenario(loadScenarioText(fixture(WITH_ROLLBACK), WITH_ROLLBACK), { maxStates: withRb.figures.states - 1 });
    expect(deeper.complete).toBe(false);
    expect(statusOf(deeper, 'upgrade-can-finish')).toBe('holds');
    const json = join(OUT, 'chaos-sometimes.json');
    const c = rollsafe(['chaos', WITH_ROLLBACK, '--runs', '200', '--seed', '1', '--json', json]);
    expect(c.code).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')).results[0] as RunResult;
    expect(statusOf(res, 'upgrade-can-finish')).toBe('holds');
    expect(statusOf(res, 'no-one-way-rollback')).toBe('unknown');
  });

  test('diff: a change after which no run finishes the upgrade fails, though head is safe', () => {
    const head = exploreScenario(loadScenarioText(neverStarts, NEVER));
    const d = diffResults(withRb, head);
    expect(d.head.verdict).toBe('safe');
    expect(diffExitCode(d)).toBe(1);
    const text = formatDiffText(d);
    expect(text).toContain('FAIL safe only because no run of head gets where base did: upgrade-can-finish (a run finishes the upgrade), rollback-can-start (a run starts the rollback)');
    expect(formatDiffMarkdown(d)).toContain('### ❌ rollsafe: safe only because no run of head gets where base did');
    expect(diffExitCode(diffResults(head, withRb))).toBe(0);
  });

  test('merge: an example on either side proves it', () => {
    const a = structuredClone(withRb);
    const b = structuredClone(withRb);
    a.properties.find((p) => p.name === 'rollback-can-start')!.status = 'unknown';
    const [m] = mergeResultSets([resultSet([a]), resultSet([b])], 'rollsafe merge').results;
    expect(statusOf(m, 'rollback-can-start')).toBe('holds');
  });
});
