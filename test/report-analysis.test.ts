// The report's data shaping and page rendering, on real explorer results.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { analyse, coverageView, replayCommand, runbookOrder, timeline } from '../report/analysis.js';
import { reportHtml } from '../report/index.js';
import { ResultFileError, parseResultText } from '../report/load.js';
import { run } from '../sim/cli/program.js';
import type { ResultSet, RunResult } from '../sim/results/result.js';
import { exploreFiles, resultSet, tempDir, writeJson } from './helpers/corpus.js';

let results: RunResult[];
let set: ResultSet;

beforeAll(() => {
  results = exploreFiles(['broken-upgrade-during-rotation.yaml', 'broken-rollback-after-rotation.yaml', 'upgrade.yaml']);
  set = resultSet(results);
});

const file = (s: ResultSet = set, path = 'out/results.json') => parseResultText(JSON.stringify(s), path);

describe('analysis', () => {
  it('marks the last step of the trace as the failing column, with its event and the record it wrote', () => {
    const report = analyse([file()]);
    const v = report.runs[0].violations[0];
    expect(v.v.property).toBe('no-unknown-key-id-decrypt');
    const cols = v.timeline.columns;
    expect(cols.filter((c) => c.failing).map((c) => c.index)).toEqual([cols.length - 1]);
    const last = v.v.trace[v.v.trace.length - 1];
    expect(cols[cols.length - 1].label).toBe(`${last.event!.type} on ${last.event!.node}`);
    const records = v.timeline.rows.find((r) => r.kind === 'records')!;
    const wrote = last.world.records.find((r) => r.keyVersion === 2)!;
    expect(records.cells[cols.length - 1].lines).toContain(`v2 ${wrote.format} ×${wrote.count}`);
    expect(records.cells[cols.length - 1].changed).toBe(true);
    expect(records.cells[0].changed).toBe(false);
    // Rows: runbook, keyring, one per node, records.
    expect(v.timeline.rows.map((r) => r.label)).toEqual(['runbook', 'keyring', 'control-plane-1', 'control-plane-2', 'control-plane-3', 'records']);
    expect(v.timeline.rows.filter((r) => r.affected).map((r) => r.label)).toEqual(v.v.blast.nodes);
  });

  it('shows the keyring rotating and then the new latest version', () => {
    const v = analyse([file()]).runs[0].violations[0];
    const keyring = v.timeline.rows.find((r) => r.kind === 'keyring')!;
    const rotatingAt = v.v.trace.findIndex((t) => t.world.keyring.rotating);
    expect(keyring.cells[rotatingAt].lines).toEqual(['latest v1', 'rotating']);
    expect(keyring.cells[keyring.cells.length - 1].lines).toEqual(['latest v2']);
  });

  it('shows active/standby only where nodes differ, and the role only once the operator touched the node', () => {
    const v = structuredClone(results[0].violations[0]);
    const plain = timeline(v).rows.find((r) => r.label === 'control-plane-2')!;
    expect(plain.cells.flatMap((c) => c.lines).some((l) => l === 'active' || l === 'standby')).toBe(false);
    expect(plain.cells[0].lines[1]).toBe(v.trace[0].world.nodes[1].status);
    for (const t of v.trace) t.world.nodes.forEach((n, i) => (n.active = i === 0));
    const rows = timeline(v).rows;
    expect(rows.find((r) => r.label === 'control-plane-1')!.cells[0].lines).toContain('active');
    expect(rows.find((r) => r.label === 'control-plane-2')!.cells[0].lines).toContain('standby');
  });

  it('numbers violations across the file for replay, and quotes paths the shell would split', () => {
    const report = analyse([file()]);
    const all = report.runs.flatMap((r) => r.violations);
    expect(all.map((v) => v.number)).toEqual(all.map((_, i) => i + 1));
    expect(all[1].replay).toBe('rollsafe replay out/results.json --violation 2');
    expect(replayCommand("my results/it's.json", 3)).toBe(`rollsafe replay 'my results/it'\\''s.json' --violation 3`);
  });

  it('counts records per wire format and key version over the steps', () => {
    const v = analyse([file()]).runs[0].violations[0];
    const labels = v.records.series.map((s) => s.label);
    expect(labels).toEqual(['envelope-v1 · key v1', 'envelope-v1 · key v2']);
    const v2 = v.records.series[1].counts;
    expect(v2.slice(0, -1).every((c) => c === 0)).toBe(true);
    expect(v2[v2.length - 1]).toBeGreaterThan(0);
    expect(v.records.steps).toEqual(v.v.trace.map((t) => t.index));
  });

  it('tallies violations per property and the verdict matrix over all results', () => {
    const report = analyse([file()]);
    const count = Object.fromEntries(report.violationsPerProperty.map((p) => [p.property, p.count]));
    expect(count['no-unknown-key-id-decrypt']).toBe(2);
    expect(count['no-one-way-rollback']).toBe(1);
    expect(count['key-id-agreement']).toBe(0);
    const row = report.propertyMatrix.find((p) => p.property === 'no-unknown-key-id-decrypt')!;
    expect(row.statuses).toEqual(['violated', 'violated', 'holds']);
    expect(report.totals.states).toBe(results.reduce((n, r) => n + r.figures.states, 0));
  });

  it('calls out runbook steps never reached, and says "not computed" for coverage a result lacks', () => {
    // A result written before the explorer filled these fields in.
    const r = structuredClone(results[2]);
    r.coverage.stepsNeverReached = ['verify-key-id'];
    delete r.coverage.runbookSteps['verify-key-id'];
    const old = r as unknown as { coverage: Partial<RunResult['coverage']>; pointOfNoReturn?: unknown };
    delete old.coverage.combinations;
    delete old.coverage.faultsByStep;
    delete old.pointOfNoReturn;
    const loaded = file(resultSet([r]));
    const c = coverageView(loaded.results[0]);
    expect(c.neverReached).toEqual(['verify-key-id']);
    expect(c.steps[c.steps.length - 1]).toEqual({ step: 'verify-key-id', count: 0 });
    expect(c.combinations).toBeNull();
    expect(c.faults).toBeNull();
    const html = reportHtml([loaded]);
    expect(html).toContain('Runbook steps never reached: <code>verify-key-id</code>');
    expect(html).toContain('combinations: not computed by this result.');
    expect(html).toContain('faults by step: not computed by this result.');
    expect(html).toContain('point of no return: not computed by this result.');
  });

  it('pivots faults by runbook step and lists the combinations a running node met', () => {
    const r = structuredClone(results[2]);
    r.coverage.faultsByStep = { 'plugin-crash': { 'upgrading: stop': 3, before: 1 }, 'backend-outage': { before: 2 } };
    r.coverage.combinations = [{ release: 'v0.4.2', format: 'envelope-v2', aad: 'annotations-v1', keyVersion: 1, readable: false, states: 9 }];
    const loaded = file(resultSet([r]));
    const c = coverageView(loaded.results[0]);
    expect(c.faults).toEqual({
      positions: ['before', 'upgrading: stop'],
      rows: [
        { fault: 'backend-outage', counts: [2, 0] },
        { fault: 'plugin-crash', counts: [1, 3] },
      ],
    });
    const html = reportHtml([loaded]);
    // one AAD shape in every row: said once in the heading, not in a column that never varies
    expect(html).toContain('<th>wire format (AAD annotations-v1)</th><th>key version</th>');
    expect(html.includes('<tr class="unreadable"><td>v0.4.2</td><td>envelope-v2</td><td>v1</td><td><strong>unreadable</strong></td><td>9</td></tr>')).toBe(true);
  });

  it('orders fault positions by their structured order, never by their words; a label without one keeps its place, last', () => {
    const at = (label: string, order: number) => ({ label, phase: 'upgrading' as const, stageIndex: 0, stage: null, node: 1, nodes: 3, nodesDone: 0, stepIndex: 0, step: 'stop', order });
    // "node 1 ... start" sorts after "node 1 ... doctor" by words; the runbook ran start first
    const positions = [at('upgrading: node 1 of 3: start', 5), at('upgrading: node 1 of 3: doctor', 9), at('before', 0)];
    expect(runbookOrder(['upgrading: node 1 of 3: doctor', 'old label', 'upgrading: node 1 of 3: start', 'before'], positions)).toEqual([
      'before',
      'upgrading: node 1 of 3: start',
      'upgrading: node 1 of 3: doctor',
      'old label',
    ]);
    expect(runbookOrder(['b', 'a'], [])).toEqual(['b', 'a']);
  });

  it('renders the point of no return from the first position where rollback is refused', () => {
    const r = structuredClone(results[2]);
    r.pointOfNoReturn = [
      { position: 'after all: verify-key-id', order: 2, states: 40, rollback: 'refused', why: 'previous-reads-wire-formats' },
      { position: 'node 1 of 3: stop', order: 1, states: 12, rollback: 'safe', why: null },
    ];
    const html = reportHtml([file(resultSet([r]))]);
    expect(html).toContain('From <strong>after all: verify-key-id</strong> on, a rollback is refused by the runbook.');
    expect(html.indexOf('node 1 of 3: stop')).toBeLessThan(html.indexOf('<tr class="rb-refused first-no-return">'));
  });
});

describe('index data', () => {
  it('names each run by its scenario (stable anchors), its folder and its expectation apart from its verdict', () => {
    const report = analyse([file()]);
    expect(report.runs.map((r) => [r.id, r.folder, r.result.verdict, r.expectation])).toEqual([
      ['s-bao-kms-provider-upgrade-during-rotation', 'scenarios/bao-kms-provider', 'unsafe', 'met'],
      ['s-bao-kms-provider-rollback-after-rotation', 'scenarios/bao-kms-provider', 'unsafe', 'met'],
      ['s-bao-kms-provider-upgrade', 'scenarios/bao-kms-provider', 'safe', 'met'],
    ]);
    expect(report.runs[0].violations[0].id).toBe('s-bao-kms-provider-upgrade-during-rotation-v1');
    expect(report.folders).toEqual(['scenarios/bao-kms-provider']);
    // the same scenario twice (two files) still gets two anchors
    const twice = analyse([file(), file(set, 'out/again.json')]);
    expect(twice.runs[3].id).toBe('s-bao-kms-provider-upgrade-during-rotation-2');
  });

  it('keeps the 8 largest runs on the states-per-depth chart and says how many it left out', () => {
    const many = resultSet(Array.from({ length: 11 }, (_, i) => ({ ...structuredClone(results[2]), figures: { ...results[2].figures, states: 100 + i } })));
    const report = analyse([file(many)]);
    expect(report.statesPerDepth).toHaveLength(8);
    expect(report.statesPerDepthOmitted).toBe(3);
    expect(report.runs.map((r) => r.id).slice(0, 2)).toEqual(['s-bao-kms-provider-upgrade', 's-bao-kms-provider-upgrade-2']);
  });
});

describe('rendering', () => {
  it('escapes every string taken from a result', () => {
    const r = structuredClone(results[0]);
    r.scenario.title = '<img src=x onerror=alert(1)>';
    r.violations[0].detail = '</script><script>alert(2)</script>';
    const html = reportHtml([file(resultSet([r]))]);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('</script><script>alert(2)');
  });

  it('inlines chart.js and loads nothing from the network', () => {
    const html = reportHtml([file()]);
    // Checked as booleans: a failing toContain would print half a megabyte of page.
    // scripts run by hash only: markup that reached the page could not run
    expect(/content="default-src &#39;none&#39;; script-src &#39;sha256-[A-Za-z0-9+/]+=&#39; &#39;sha256-[A-Za-z0-9+/]+=&#39;;/.test(html)).toBe(true);
    expect(html.includes('unsafe-inline&#39;; style')).toBe(false);
    expect(/Chart\.js v4\.6\.1/.test(html)).toBe(true);
    expect(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/.test(html)).toBe(false);
  });
});

describe('loading result files', () => {
  it.each([
    ['not json', '{', /out\/x\.json: not valid JSON/],
    ['wrong schema', '{"schema":"rollsafe/other@9"}', /"schema" is "rollsafe\/other@9", expected "rollsafe\/results@1"/],
    ['a bare scrap of a result', JSON.stringify({ schema: 'rollsafe/results@1', results: [{ schema: 'rollsafe/result@1', scenario: { name: 'a' }, figures: { states: 1 }, coverage: { runbookSteps: {} }, properties: [], boundsHit: [], violations: [{ property: 'p', blast: {}, trace: [] }] }] }), /out\/x\.json: results\[0\]\.\S+: is missing/],
  ])('rejects %s naming the file and the fix', (_what, text, message) => {
    expect(() => parseResultText(text, 'out/x.json')).toThrow(ResultFileError);
    expect(() => parseResultText(text, 'out/x.json')).toThrow(message);
    expect(() => parseResultText(text, 'out/x.json')).toThrow(/pass a file written by `rollsafe check --json FILE`/);
  });

  it('accepts a bare RunResult as well as a result set', () => {
    expect(parseResultText(JSON.stringify(results[0]), 'one.json').results).toHaveLength(1);
  });
});

describe('rollsafe report on the command line', () => {
  let err = '';
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  });
  afterAll(() => vi.restoreAllMocks());

  it('writes one HTML file from a result file', async () => {
    const dir = tempDir('report-cli');
    const input = writeJson(dir, 'results.json', set);
    const out = join(dir, 'nested', 'report.html');
    await expect(run(['report', input, '-o', out])).resolves.toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('bao-kms-provider-rollback-after-rotation');
    expect(html).toContain(`rollsafe replay ${input} --violation 1`);
  });

  it('exits 2 naming the bad file and leaves no report behind', async () => {
    const dir = tempDir('report-cli');
    const good = writeJson(dir, 'results.json', set);
    const bad = writeJson(dir, 'bad.json', { schema: 'nope' });
    const out = join(dir, 'report.html');
    await expect(run(['report', good, bad, '-o', out])).resolves.toBe(2);
    expect(err).toContain(`${bad}: "schema" is "nope"`);
    expect(existsSync(out)).toBe(false);
  });
});
