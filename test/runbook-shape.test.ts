// The runbook's shape a result carries (RunResult.runbook) and the path a violation's trace
// draws on it: read off the same machine `rollsafe graph` draws, indexed by each event's `at`.
import { describe, expect, test } from 'vitest';
import { diagramPath, pathKey, positionKey } from '../report/render-diagram.js';
import { runbookMachineConfig } from '../model/machine-config.js';
import { loadScenarioFile } from '../model/scenario/load.js';
import { check } from '../sim/check.js';
import { machineGraph } from '../sim/results/graph.js';
import { shapeOf } from '../sim/results/runbook-shape.js';

const FILE = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';
const GUARDS = 'previous-reads-wire-formats, previous-reads-aad-shapes, previous-promoted-active-key, not-one-way';

describe('the runbook shape in a result', () => {
  const [r] = check(FILE);

  test('lists the phases, stages and steps in runbook order and one line per rollback decision', () => {
    expect(r.runbook).toEqual({
      phases: [
        { name: 'before' },
        {
          name: 'upgrading',
          stages: [
            { name: 'each-node', label: 'each-node (one-node-at-a-time)', steps: ['doctor', 'stop', 'replace-image', 'start', 'verify-ready', 'verify-key-id'] },
            { name: 'after-all', label: 'after-all (once)', steps: ['verify-key-id'] },
          ],
        },
        { name: 'upgraded' },
        { name: 'rolling-back', stages: [{ name: 'each-node', label: 'each-node (one-node-at-a-time)', steps: ['stop', 'replace-image', 'doctor', 'start', 'verify-key-id'] }] },
        { name: 'rolled-back' },
        { name: 'deferred' },
        { name: 'halted' },
      ],
      rollback: [
        { from: ['upgrading', 'upgraded'], to: ['rolling-back.each-node.stop', 'rolled-back'], label: `decide-rollback when verification-fails or operator-decides if ${GUARDS}` },
        { from: ['upgrading', 'upgraded'], to: ['halted'], label: `decide-rollback refused by a guard (${GUARDS})` },
      ],
    });
    // the same graph `rollsafe graph` draws: every rollback edge there is in the shape
    const s = loadScenarioFile(FILE);
    const g = machineGraph(runbookMachineConfig(s), s);
    expect(shapeOf(g)).toEqual(r.runbook);
    for (const e of g.edges.filter((x) => x.rollback)) expect(r.runbook!.rollback.some((x) => x.from.includes(e.from) && x.to.includes(e.to) && x.label === e.labels[0])).toBe(true);
    // small: names and edges only
    expect(JSON.stringify(r.runbook).length).toBeLessThan(1_200);
  });

  test("a violation's path is the box of each event's position, in trace order, the last one where it holds", () => {
    const shape = r.runbook!;
    expect(diagramPath(shape, r.violations[0].trace)).toEqual({
      visits: [
        ['0', [1, 2]],
        ['1.0.0', [3]],
        ['1.0.1', [4]],
        ['1.0.2', [5]],
        ['1.0.3', [6, 7]],
        ['1.0.4', [8]],
      ],
      at: '1.0.4',
    });
    expect(pathKey(shape, 'rolling-back.each-node.stop')).toBe('3.0.0');
    expect(pathKey(shape, 'halted')).toBe('6');
    // past a stage's last step the runbook is between stages: the stage's own box
    expect(positionKey(shape, { phase: 'upgrading', stageIndex: 0, stepIndex: 6 })).toBe('1.0');
    // a trace written before events carried `at` draws no path
    const old = r.violations[0].trace.map((t) => (t.event ? { ...t, event: { ...t.event, at: undefined } } : t));
    expect(diagramPath(shape, old)).toBeNull();
  });

  test('a trace that decides a rollback lights the edge it took', () => {
    const [rb] = check('scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml');
    const paths = rb.violations.map((v) => diagramPath(rb.runbook!, v.trace)!);
    const decided = rb.violations.map((v) => v.trace.find((t) => t.event?.type === 'decide-rollback')?.index);
    const withEdge = paths.map((p) => p.visits.find(([k]) => k === 'r0')?.[1]);
    expect(decided.some((d) => d !== undefined)).toBe(true);
    // each decide-rollback that led into the rollback procedure is on r0, at its own index
    paths.forEach((p, i) => {
      if (decided[i] === undefined) return;
      expect(withEdge[i]).toEqual([decided[i]]);
      expect(p.visits.findIndex(([k]) => k.startsWith('3.'))).toBeGreaterThan(p.visits.findIndex(([k]) => k === 'r0'));
    });
  });
});
