// --sarif: valid SARIF 2.1.0 (checked against the schema), one result per violation, located at
// the scenario line of the runbook step or fault declaration that completes it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log, Result } from 'sarif';
import { beforeAll, describe, expect, test } from 'vitest';
import { toSarif } from '../sim/results/sarif.js';
import type { RunResult } from '../sim/results/result.js';
import { ROOT, rollsafe } from './helpers.js';

const OUT = join(ROOT, 'test-output/sarif');
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

// The schema is draft-04: ajv 8 reads it once `id` is `$id` and the draft-04 $schema is gone.
// Its `language` pattern has a stray ']' that only a non-unicode RegExp accepts (as a literal).
const { id, $schema: _draft, ...schema } = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
addFormats(ajv);
const validate = ajv.compile({ $id: id, ...schema });

function valid(log: unknown): Log {
  const ok = validate(log);
  expect(ok ? [] : validate.errors).toEqual([]);
  return log as Log;
}

function sarifOf(args: string[], name: string, cwd = ROOT): { log: Log; code: number | null; stdout: string } {
  const file = join(OUT, `${name}.sarif`);
  const r = rollsafe([...args, '--sarif', file], cwd);
  return { log: valid(JSON.parse(readFileSync(file, 'utf8'))), code: r.code, stdout: r.stdout };
}

const where = (x: Result) => {
  const p = x.locations![0].physicalLocation!;
  return `${p.artifactLocation!.uri}:${p.region?.startLine}:${p.region?.startColumn}-${p.region?.endColumn}`;
};
const textAt = (file: string, x: Result) => {
  const r = x.locations![0].physicalLocation!.region!;
  return readFileSync(join(ROOT, file), 'utf8').split('\n')[r.startLine! - 1].slice(r.startColumn! - 1, r.endColumn! - 1);
};

describe('rollsafe check --sarif', () => {
  const BROKEN = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';

  test('the violation sits on the step that completes it, the earlier steps are related locations', () => {
    const { log, code } = sarifOf(['check', BROKEN], 'rotation');
    expect(code).toBe(0);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('rollsafe');
    expect(run.automationDetails?.id).toBe('rollsafe/check/');
    expect(run.results).toHaveLength(1);
    const [x] = run.results!;
    expect(x.ruleId).toBe('no-unknown-key-id-decrypt');
    expect(run.tool.driver.rules![x.ruleIndex!].id).toBe('no-unknown-key-id-decrypt');
    // the scenario expects this violation: a note, not an error
    expect(x.level).toBe('note');
    // step 7, `start` in each-node (line 49), brings up v0.5.0 on the snapshot that predates
    // the key version the rotation completed at step 6; the write at step 8 only shows it
    expect(where(x)).toBe(`${BROKEN}:49:46-51`);
    expect(textAt(BROKEN, x)).toBe('start');
    expect(x.properties?.completingStep).toBe(7);
    // steps 1-5 are written in the file: the fault declaration, the before-you-start list, and
    // the each-node steps; step 6 (an environment event) is not
    const related = x.relatedLocations!.map((l) => [l.id, l.physicalLocation!.region!.startLine, l.physicalLocation!.region!.startColumn]);
    expect(related).toEqual([
      [1, 69, 3],
      [2, 43, 5],
      [3, 49, 17],
      [4, 49, 25],
      [5, 49, 31],
    ]);
    expect(x.relatedLocations![0].message!.text).toBe('step 1 (faults.rotation-starts): fault rotation-starts: key rotation started; control-plane-1, control-plane-2, control-plane-3: cache filled with key v1 envelope-v1/annotations-v1 by v0.4.2');
    // the message is the trace, linking each written step to its related location
    const lines = x.message.text!.split('\n');
    expect(lines[0]).toBe('no-unknown-key-id-decrypt: control-plane-1 cannot decrypt key v2 envelope-v1/annotations-v1 (written by v0.4.2)');
    expect(lines[1]).toBe('blast radius: 50 of 1,250 records unreadable on control-plane-1');
    expect(lines).toContain('  4. operator stop: control-plane-1: running -> stopped [line 49](4)');
    expect(lines).toContain('  7. operator start: control-plane-1: stopped -> running  <- here');
    expect(lines[lines.length - 1]).toMatch(/^ {2}8\. environment write on control-plane-2: records \+50 .*  <- violation$/);
    // the code flow walks the written steps in order
    expect(x.codeFlows![0].threadFlows[0].locations.map((l) => l.executionOrder)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(x.partialFingerprints!['rollsafeTrace/v1']).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a harm a cache hides is located where it is done, not where it shows', () => {
    const file = 'scenarios/keys/05-broken-min-decryption-hidden-by-dek-cache.yaml';
    const { log } = sarifOf(['check', file], 'latent');
    const x = log.runs[0].results!.find((r) => r.ruleId === 'no-unreadable-record')!;
    expect(where(x)).toBe(`${file}:49:13-41`);
    expect(textAt(file, x)).toBe('raise-min-decryption-version');
    expect(x.message.text).toContain('latent from step 3');
  });

  test('stages of a rollback, and fault declarations, are located too', () => {
    const intel = 'scenarios/intel-secl/broken-rollback-without-restore.yaml';
    const a = sarifOf(['check', intel], 'intel').log.runs[0].results!.find((r) => r.ruleId === 'no-one-way-rollback')!;
    expect(where(a)).toBe(`${intel}:104:42-55`);
    expect(a.codeFlows![0].threadFlows[0].locations.at(-1)!.location!.message!.text).toMatch(/^step 15 \(runbook\.rollback\.stages\[1\]\.steps\[0\]\): operator replace-image/);
    const failover = 'scenarios/incidents/06-openbao-failover-to-older.yaml';
    const b = sarifOf(['check', failover], 'failover').log.runs[0].results!.find((r) => r.ruleId === 'no-failover-to-older')!;
    expect(where(b)).toBe(`${failover}:33:3-18`);
    expect(textAt(failover, b)).toBe('forced-failover');
  });

  test('a violation the scenario does not expect is an error', () => {
    const src = readFileSync(join(ROOT, 'scenarios/bao-kms-provider/broken-all-nodes-at-once.yaml'), 'utf8');
    writeFileSync(join(OUT, 'no-expect.yaml'), src.replace(/expect:[\s\S]*$/, ''));
    const { log, code } = sarifOf(['check', 'test-output/sarif/no-expect.yaml'], 'no-expect');
    expect(code).toBe(1);
    const [x] = log.runs[0].results!;
    expect(x.level).toBe('error');
    expect(where(x)).toBe('test-output/sarif/no-expect.yaml:50:25-29');
  });

  test('a fingerprint search: no alert is no clean bill, a warning notification says why (valid SARIF)', () => {
    const safe = sarifOf(['check', 'scenarios/bao-kms-provider/upgrade.yaml', '--fingerprints'], 'fingerprints-safe');
    expect(safe.log.runs[0].results).toEqual([]);
    const [note] = safe.log.runs[0].invocations![0].toolExecutionNotifications!;
    expect(note).toMatchObject({ level: 'warning', descriptor: { id: 'fingerprints' } });
    expect(note.message.text).toContain('not a proof of safety');
    const unsafe = sarifOf(['check', 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml', '--fingerprints'], 'fingerprints-unsafe');
    expect(unsafe.log.runs[0].results!.map((x) => x.ruleId)).toEqual(['no-unknown-key-id-decrypt']);
    expect(unsafe.log.runs[0].invocations![0].toolExecutionNotifications![0].message.text).toContain('its violations are real');
    // without the mode, no notification
    expect(sarifOf(['check', 'scenarios/bao-kms-provider/upgrade.yaml'], 'exact-safe').log.runs[0].invocations![0].toolExecutionNotifications).toBeUndefined();
  });

  test('an output that cannot be written is refused before the run: exit 2, nothing written', () => {
    const r = rollsafe(['check', BROKEN, '--sarif', 'test-output/sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rollsafe: --sarif test-output/sarif: it is a folder, not a file rollsafe can replace');
    expect(r.stdout).toBe('');
  });
});

describe('--sarif on diff, chaos and merge', () => {
  test('diff marks each head violation new or unchanged against the base', () => {
    const bao = 'scenarios/bao-kms-provider';
    const d = sarifOf(['diff', `${bao}/upgrade.yaml`, `${bao}/broken-no-key-id-check.yaml`], 'diff');
    expect(d.code).toBe(1);
    const [x] = d.log.runs[0].results!;
    expect([x.ruleId, x.baselineState, x.level]).toEqual(['key-id-agreement', 'new', 'note']);
    // one category per changed runbook: a pull request's files do not replace each other's alerts
    expect(d.log.runs[0].automationDetails?.id).toBe(`rollsafe/diff/${bao}/broken-no-key-id-check.yaml/`);
    expect(where(x)).toBe(`${bao}/broken-no-key-id-check.yaml:67:3-15`);
    const same = sarifOf(['diff', `${bao}/broken-no-key-id-check.yaml`, `${bao}/broken-no-key-id-check.yaml`], 'diff-same');
    expect(same.code).toBe(0);
    expect(same.log.runs[0].results!.map((r) => r.baselineState)).toEqual(['unchanged']);
  });

  test('chaos writes SARIF, and merge finds the scenarios from where the results say their run started', () => {
    const file = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';
    const json = join(OUT, 'chaos.json');
    const c = sarifOf(['chaos', file, '--seed', '7', '--runs', '3000', '--json', json], 'chaos');
    const [x] = c.log.runs[0].results!;
    expect(x.ruleId).toBe('no-unknown-key-id-decrypt');
    expect(x.message.text).toContain('re-run the run that found it: rollsafe chaos');
    // merged from inside test-output: the scenario is still found, and named from where merge ran
    const m = sarifOf(['merge', 'chaos.json', '--json', 'merged.json', '--junit', 'merged.xml'], 'merged', OUT);
    // JUnit's file attribute names the scenario from where merge ran, too
    expect(readFileSync(join(OUT, 'merged.xml'), 'utf8')).toContain(`file="../../${file}"`);
    const [y] = m.log.runs[0].results!;
    expect(y.locations![0].physicalLocation!.artifactLocation!.uri).toBe(`file://${join(ROOT, file)}`);
    expect(y.locations![0].physicalLocation!.region).toEqual(x.locations![0].physicalLocation!.region);
  });
});

describe('toSarif', () => {
  const result = (): RunResult => JSON.parse(readFileSync(join(OUT, 'merged.json'), 'utf8')).results[0];

  test('a scenario that can no longer be read still gets its results, at the file alone', () => {
    const log = valid(toSarif([result()], { category: 'merge', commandLine: 'rollsafe merge', sources: () => ({ uri: 'gone.yaml', text: null }) }));
    const x = log.runs[0].results![0];
    expect(x.locations![0].physicalLocation).toEqual({ artifactLocation: { uri: 'gone.yaml', uriBaseId: '%SRCROOT%' } });
    expect(x.relatedLocations).toBeUndefined();
  });

  test('brackets in result text are escaped so that only our links are links', () => {
    const r = result();
    r.violations[0].detail = 'a [bracketed](1) detail';
    const log = valid(toSarif([r], { category: 'check', commandLine: 'x', sources: () => ({ uri: 'a.yaml', text: null }) }));
    expect(log.runs[0].results![0].message.text).toContain('a \\[bracketed\\](1) detail');
  });
});
