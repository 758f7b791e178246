// Runbook positions carried as data in results (coverage.positions, pointOfNoReturn[].at, a
// trace event's `at`), and the readers that order and render by them instead of parsing labels.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageView } from '../report/analysis.js';
import { parseResultText } from '../report/load.js';
import { check } from '../sim/check.js';
import type { RunResult } from '../sim/results/result.js';
import { resultSet } from './helpers/corpus.js';
import { BAO, ROOT } from './helpers.js';

let bao: RunResult;
let k8s: RunResult;

beforeAll(() => {
  [bao, k8s] = check([join(BAO, 'upgrade.yaml'), join(ROOT, 'scenarios/runbooks/kubernetes-one-minor-at-a-time.yaml')]);
});

const loaded = (r: RunResult) => parseResultText(JSON.stringify(resultSet([r])), 'r.json').results[0];

describe('coverage.positions', () => {
  it('holds each position faultsByStep names once, in runbook order, decoded into its parts', () => {
    const labels = new Set(Object.values(bao.coverage.faultsByStep).flatMap((m) => Object.keys(m)));
    const ps = bao.coverage.positions;
    expect(new Set(ps.map((p) => p.label))).toEqual(labels);
    expect(ps.length).toBe(labels.size);
    for (let i = 1; i < ps.length; i++) expect(ps[i].order).toBeGreaterThan(ps[i - 1].order);
    expect(ps.find((p) => p.label === 'upgrading: node 2 of 3: replace-image')).toMatchObject({
      phase: 'upgrading',
      stageIndex: 0,
      stage: null,
      node: 2,
      nodes: 3,
      nodesDone: 1,
      stepIndex: 2,
      step: 'replace-image',
    });
    expect(ps.find((p) => p.label === 'upgrading: after all: verify-key-id')).toMatchObject({ stageIndex: 1, stage: 'after all', node: null, nodes: null, step: 'verify-key-id' });
    expect(ps[0]).toEqual({ label: 'before', phase: 'before', stageIndex: null, stage: null, node: null, nodes: null, nodesDone: null, stepIndex: null, step: null, order: 0 });
  });
});

describe('the faults-by-step table', () => {
  it('follows the runbook step order within a node, which sorting the labels does not give', () => {
    const positions = coverageView(loaded(bao)).faults!.positions;
    const node1 = positions.filter((p) => p.startsWith('upgrading: node 1 of 3: '));
    // each-node: [doctor, stop, replace-image, start, verify-ready, verify-key-id]
    const steps = ['doctor', 'stop', 'replace-image', 'start', 'verify-ready', 'verify-key-id'];
    expect(node1).toEqual(steps.map((s) => `upgrading: node 1 of 3: ${s}`));
    expect([...node1].sort()).not.toEqual(node1);
    expect(positions.slice(0, 1)).toEqual(['before']);
    expect(positions.indexOf('upgrading: after all: verify-key-id')).toBe(positions.indexOf('upgrading: node 3 of 3: verify-key-id') + 1);
  });

  it('runs stage by stage, where the node numbers in the labels would interleave stages 1 and 3, 2 and 4', () => {
    expect(coverageView(loaded(k8s)).faults!.positions).toEqual([
      'upgrading: stage 1 (control-plane, 1 node, to v1.28): node 1 of 3: verify-ready',
      'upgrading: stage 2 (control-plane, rest, to v1.28): node 2 of 3: verify-ready',
      'upgrading: stage 2 (control-plane, rest, to v1.28): node 3 of 3: verify-ready',
      'upgrading: stage 3 (control-plane, 1 node): node 1 of 3: verify-ready',
      'upgrading: stage 4 (control-plane, rest): node 2 of 3: verify-ready',
      'upgrading: stage 4 (control-plane, rest): node 3 of 3: verify-ready',
    ]);
    expect(k8s.coverage.positions.map((p) => p.stageIndex)).toEqual([0, 1, 1, 2, 3, 3]);
  });

  it('keeps the order a file lists labels in when it was written before positions existed', () => {
    const old = structuredClone(bao) as unknown as { coverage: Partial<RunResult['coverage']> };
    delete old.coverage.positions;
    const r = loaded(old as unknown as RunResult);
    const inFile = [...new Set(Object.values(bao.coverage.faultsByStep).flatMap((m) => Object.keys(m)))];
    expect(coverageView(r).faults!.positions).toEqual(inFile);
  });
});

describe('positions in the point of no return and in traces', () => {
  it('gives every point of no return its position as data, matching its label and order', () => {
    expect(bao.pointOfNoReturn.length).toBeGreaterThan(0);
    for (const p of bao.pointOfNoReturn) expect(p.at).toMatchObject({ label: p.position, order: p.order });
    expect(bao.pointOfNoReturn.find((p) => p.position === 'upgrading: node 3 of 3: start')!.at).toMatchObject({ node: 3, step: 'start', stepIndex: 3 });
  });

  it('says where each trace event happened: a step event at the step it ran', () => {
    const [r] = check(join(BAO, 'broken-rollback-after-rotation.yaml'));
    const events = r.violations.flatMap((v) => v.trace.slice(1).map((t) => t.event!));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.at).toBeDefined();
      if (e.type === 'step' && e.step !== 'begin') expect(e.at!.step).toBe(e.step);
    }
  });
});
