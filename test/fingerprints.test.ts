// `check --fingerprints`: a search that keeps a 64-bit fingerprint per state finds what the
// exact search finds (every safety violation, with the same shortest trace, over the same
// states and transitions), and never reads as safe: the caveat is in the verdict, the CLI's
// lines, the JSON, JUnit, SARIF, the diff's Markdown and the HTML report.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { exploreScenario } from '../sim/check.js';
import type { RunResult } from '../sim/results/result.js';
import { type Golden, goldenCases, goldenOf } from './helpers/golden.js';
import { ROOT, baoWith, rollsafe } from './helpers.js';

const OUT = join(ROOT, 'test-output/fingerprints');
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

const golden = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/golden-results.json'), 'utf8')) as Record<string, Golden>;
// what only the whole state graph shows: the fingerprint search leaves it out
const GRAPH_ONLY = ['runbook-terminates'];

describe('a fingerprint search finds what the exact search finds', () => {
  for (const c of goldenCases()) {
    test(c.name, () => {
      const s = c.load();
      const fp = exploreScenario(s, { symmetry: c.symmetry, fingerprints: true });
      const exact = exploreScenario(c.load(), { symmetry: c.symmetry });
      const want = golden[c.name];
      const got = goldenOf(fp);
      // the same space, level by level
      expect([got.states, got.transitions, got.depth]).toEqual([want.states, want.transitions, want.depth]);
      expect(fp.figures.statesPerDepth).toEqual(exact.figures.statesPerDepth);
      // every violation but those judged over the graph, with the same trace, event by event
      const wantTraces = Object.fromEntries(Object.entries(want.traces).filter(([p]) => !GRAPH_ONLY.includes(p)));
      expect(got.traces).toEqual(wantTraces);
      expect(fp.violations).toEqual(exact.violations.filter((v) => !GRAPH_ONLY.includes(v.property)));
      // unsafe when it found something; otherwise never safe
      expect(fp.verdict).toBe(Object.keys(wantTraces).length > 0 ? 'unsafe' : 'inconclusive');
      expect(fp.complete).toBe(false);
      // coverage counted as states are added equals the exact search's
      expect(fp.coverage).toEqual(exact.coverage);
      // statuses as the exact search's, but for what it does not check
      for (const p of fp.properties) {
        const e = exact.properties.find((x) => x.name === p.name)!;
        if (GRAPH_ONLY.includes(p.name)) expect(p.status).toBe('unknown');
        else expect([p.name, p.status]).toEqual([e.name, e.status]);
      }
      expect(fp.pointOfNoReturn).toEqual([]);
      expect(fp.fingerprints).toMatchObject({ bits: 64, notChecked: GRAPH_ONLY });
      expect(fp.fingerprints!.collisionProbability).toBeLessThan(1e-6);
      expect(fp.boundsHit.at(-1)).toMatch(/^fingerprints: states kept as 64-bit fingerprints, so a collision \(probability ≤ [0-9.e-]+\) may have hidden some; not checked: runbook-terminates and the point of no return$/);
      expect(fp.options).toMatchObject({ fingerprints: true });
    }, 120_000);
  }
});

describe('a fingerprint search at its memory budget', () => {
  test('ends between two states, inconclusive, with the bound and the caveat', () => {
    const s = baoWith('upgrade', [['budget: 2', 'budget: 3']]); // 171,015 states without symmetry
    // room for the levels' 4 MiB chunks (five) and the first doublings: the table's doubling is refused
    let granted = 0;
    const limits = { check: () => null, allocate: (bytes: number) => (granted + bytes <= 22 * 2 ** 20 ? ((granted += bytes), true) : false), memoryBound: 'max-memory 22 MiB' };
    const r = exploreScenario(s, { symmetry: false, fingerprints: true }, limits);
    expect(r.verdict).toBe('inconclusive');
    expect(r.boundsHit).toEqual(['max-memory 22 MiB', expect.stringMatching(/^fingerprints: /)]);
    // the table's 131,072 slots hold 98,304 at 3/4 full
    expect(r.figures.states).toBeGreaterThan(90_000);
    expect(r.figures.states).toBeLessThanOrEqual(98_304);
    expect(r.expect?.problems[0]).toBe('the search was cut by a bound before it could show the scenario safe');
    expect(r.properties.filter((p) => p.kind === 'always' && p.status === 'holds')).toEqual([]);
  });
});

const only = (json: string) => JSON.parse(readFileSync(json, 'utf8')).results[0] as RunResult;

describe('a fingerprint search never reads as safe', () => {
  test('a safe scenario: inconclusive with the caveat in the CLI, the JSON, JUnit, SARIF and the report; the expectation is not met', () => {
    const json = join(OUT, 'safe.json');
    const xml = join(OUT, 'safe.xml');
    const sarif = join(OUT, 'safe.sarif');
    const r = rollsafe(['check', 'scenarios/bao-kms-provider/upgrade.yaml', '--fingerprints', '--json', json, '--junit', xml, '--sarif', sarif]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL scenarios\/bao-kms-provider\/upgrade\.yaml/m);
    expect(r.stdout).toMatch(/^ {5}inconclusive \(expected safe\) · [\d,]+ states · .* · 64-bit fingerprints, collision probability ≤ \d(\.\d)?e-\d+$/m);
    expect(r.stdout).not.toMatch(/bound hit/);
    expect(r.stdout).toContain('expectation not met: a fingerprint search cannot show a scenario safe: it found no violation, but a collision may have hidden states and it does not check runbook-terminates and the point of no return; check without --fingerprints for the proof');
    expect(r.stdout).toContain('inconclusive: no property failed in any state reached, up to a fingerprint collision; not a proof of safety');
    expect(r.stdout).toMatch(/\n1 inconclusive \(NOT as expected\)\nfingerprints: the search kept 64-bit fingerprints, not states: violations found are real; nothing is shown safe \(collision probability ≤ [^)]+; not checked: runbook-terminates and the point of no return\)\n/);
    expect(r.stdout).not.toMatch(/^(ok|\s+safe)\b/m);

    const res = only(json);
    expect(res.verdict).toBe('inconclusive');
    expect(res.complete).toBe(false);
    expect(res.options).toMatchObject({ fingerprints: true });
    expect(res.fingerprints).toMatchObject({ bits: 64, notChecked: ['runbook-terminates'] });
    expect(res.fingerprints!.collisionProbability).toBeGreaterThan(0);
    expect(res.fingerprints!.collisionProbability).toBeLessThan(1e-8);
    expect(res.boundsHit).toEqual([expect.stringMatching(/^fingerprints: /)]);
    expect(res.properties.find((p) => p.name === 'runbook-terminates')!.status).toBe('unknown');
    expect(res.pointOfNoReturn).toEqual([]);
    expect(res.expect?.met).toBe(false);

    const junit = readFileSync(xml, 'utf8');
    expect(junit).toContain('<property name="verdict" value="inconclusive"/>');
    expect(junit).toMatch(/<property name="fingerprints" value="64-bit fingerprints, collision probability ≤ [^"]+; not a proof of safety"\/>/);
    expect(junit).toContain('type="not-checked"');
    expect(junit).toContain('held in every state the fingerprint search reached; a fingerprint collision');

    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    const notes = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: 'warning', descriptor: { id: 'fingerprints' } });
    expect(notes[0].message.text).toMatch(/^scenarios\/bao-kms-provider\/upgrade\.yaml: inconclusive: no property failed in any state reached, up to a fingerprint collision; not a proof of safety/);

    const html = join(OUT, 'safe.html');
    expect(rollsafe(['report', json, '-o', html]).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Fingerprint search (64-bit, TLC-style): no property failed in any state reached, up to a fingerprint collision; not a proof of safety');
    expect(page).toMatch(/<span class="badge verdict warn">inconclusive<\/span> <span class="badge warn fingerprints" title="[^"]+">64-bit fingerprints, collision probability ≤ [^<]+<\/span>/);
    expect(page).toContain('Not worked out: a fingerprint search keeps no state graph to work it out from.');
  });

  test('without an expect block it fails for what it is, not for what it found', () => {
    const file = join(OUT, 'no-expect.yaml');
    writeFileSync(file, readFileSync(join(ROOT, 'scenarios/bao-kms-provider/upgrade.yaml'), 'utf8').replace(/\nexpect:[\s\S]*$/, '\n'));
    const r = rollsafe(['check', file, '--fingerprints']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\n1 inconclusive (FAIL: a fingerprint search is no proof)\n');
  });

  test('violations it finds are real: an unsafe scenario meets its expectation, runbook-terminates aside, and the caveat is said', () => {
    const json = join(OUT, 'unsafe.json');
    const r = rollsafe(['check', 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml', '--fingerprints', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fingerprint search: its violations are real (each trace replays on the model), but it is not a proof of the rest');
    expect(r.stdout).toMatch(/\n1 unsafe \(as expected\)\nfingerprints: the search kept 64-bit fingerprints/);
    const res = only(json);
    expect(res.verdict).toBe('unsafe');
    expect(res.violations.map((v) => v.property)).toEqual(['no-unknown-key-id-decrypt', 'no-one-way-rollback']);
    expect(res.expect).toMatchObject({ met: true, problems: [] });
    // and each trace replays as recorded
    const replay = rollsafe(['replay', json]);
    expect(replay.code).toBe(0);
    expect(replay.stdout.match(/: ok: /g)).toHaveLength(2);
  });

  test('diff --fingerprints: no new violation is no pass, and the Markdown says why', () => {
    const md = join(OUT, 'diff.md');
    const file = 'scenarios/bao-kms-provider/upgrade.yaml';
    const r = rollsafe(['diff', file, file, '--fingerprints', '--markdown', md]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL inconclusive: nothing new was found, but the head's search is no proof (fingerprints: states kept as 64-bit fingerprints");
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/\| head \| `scenarios\/bao-kms-provider\/upgrade\.yaml` \| inconclusive .*\(bound hit: fingerprints: states kept as 64-bit fingerprints/);
  });

  test('--help documents it for check and diff', () => {
    for (const command of ['check', 'diff']) expect(rollsafe([command, '--help']).stdout).toContain('--fingerprints');
    expect(rollsafe(['suggest', '--help']).stdout).not.toContain('--fingerprints');
  });
});
