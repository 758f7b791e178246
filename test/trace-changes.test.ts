// Traces say what changed: each step's change list names what moved in the keyring, caches,
// backups, records and nodes, and where and why a runbook stopped short; a step that moved
// anything never reads "no visible change"; and the world view is complete (two different
// worlds never decode to the same view), which is what makes that last promise hold.
import { describe, expect, test } from 'vitest';
import { Model, type Ev, type World } from '../model/model.js';
import type { WorldView } from '../model/world.js';
import { buildTrace } from '../sim/engines/trace.js';
import { check } from '../sim/check.js';
import { formatViolation } from '../sim/results/text.js';
import type { TraceStep } from '../sim/results/result.js';
import { count } from '../sim/results/words.js';
import { join } from 'node:path';
import { ROOT, scenarioWith } from './helpers.js';

// The first step, in breadth-first order over concrete worlds, that `hit` accepts; returned as
// the trace a reader would see.
function firstStep(model: Model, hit: (a: WorldView, b: WorldView, label: TraceStep['event']) => boolean, maxDepth = 40): TraceStep[] {
  const seen = new Set([model.key(model.initial())]);
  let level: [World, Ev[]][] = [[model.initial(), []]];
  for (let depth = 0; depth < maxDepth && level.length; depth++) {
    const next: [World, Ev[]][] = [];
    for (const [w, path] of level) {
      const a = model.decode(w);
      for (const e of model.enabledEvents(w)) {
        const nw = model.next(w, e);
        const step = model.stepName(w, e);
        const label = step ? { ...model.label(e), step } : model.label(e);
        if (hit(a, model.decode(nw), label)) return buildTrace(model, [...path, e]);
        const k = model.key(nw);
        if (!seen.has(k)) {
          seen.add(k);
          next.push([nw, [...path, e]]);
        }
      }
    }
    level = next;
  }
  throw new Error('no such step');
}
const lastChanges = (t: TraceStep[]) => t[t.length - 1].changes;
const stepNamed = (name: string) => (_a: WorldView, _b: WorldView, e: TraceStep['event']) => e?.step === name;

describe('keyring', () => {
  test('retiring old keys after a rotation moves both minimum versions', () => {
    const m = new Model(scenarioWith('incidents/01-safe-rewrite-before-removing-old-key.yaml', []));
    expect(lastChanges(firstStep(m, stepNamed('rotate-keys')))).toEqual([
      'keyring latest key version 1 -> 2',
      'kube-apiserver-1: key_id encryption-config:v1@default -> encryption-config:v2@default',
    ]);
    expect(lastChanges(firstStep(m, stepNamed('retire-old-keys')))).toEqual(['runbook upgrading -> upgraded', 'min decryption version 1 -> 2', 'min available version 1 -> 2']);
  });

  test('raise-min-decryption-version names the versions', () => {
    const m = new Model(scenarioWith('incidents/02-safe-verify-rewrap-first.yaml', []));
    expect(lastChanges(firstStep(m, stepNamed('raise-min-decryption-version')))).toContain('min decryption version 1 -> 3');
  });
});

describe('backups and restores', () => {
  const m = new Model(scenarioWith('runbooks/keystone-db-sync-interrupted.yaml', []));

  test('a backup says when it was taken and what it holds', () => {
    expect(lastChanges(firstStep(m, stepNamed('backup')))).toEqual(['backup taken on day 0: 20,001 records, keyring at latest key version 1']);
  });

  test('an interrupted migration says where the runbook waits; a restore says what came back', () => {
    const interrupted = lastChanges(firstStep(m, (_a, _b, e) => e?.type === 'migration-interrupted'));
    expect(interrupted).toEqual([
      'migrate to schema-pike interrupted part-way: the runbook waits at it until it is resumed or rolled back',
      'records -10000 key v1 schema-ocata by ocata',
      'records +10000 key v1 schema-pike by pike',
    ]);
    expect(lastChanges(firstStep(m, stepNamed('restore')))).toEqual([
      'restored the records of day 0 (20,001 records)',
      'records +10000 key v1 schema-ocata by ocata',
      'records -10000 key v1 schema-pike by pike',
    ]);
    expect(lastChanges(firstStep(m, (_a, _b, e) => e?.type === 'remediate'))).toEqual([
      'the interrupted step resumed and finished',
      'records +10001 key v1 schema-pike by pike',
      'records -10001 key v1 schema-ocata by ocata',
    ]);
  });
});

describe('caches, per node', () => {
  const m = new Model(scenarioWith('bao-kms-provider/upgrade.yaml', []));

  test('a record written under a new key fills the caches of the nodes that read it', () => {
    const t = firstStep(m, (a, b) => a.keyring.latest === 2 && b.records.length > a.records.length);
    const last = lastChanges(t);
    expect(last[0]).toMatch(/^records \+50 key v2 envelope-v1\/annotations-v1 by v0\.4\.2$/);
    expect(last[1]).toMatch(/^control-plane-\d(, control-plane-\d)*: cache filled with key v2 envelope-v1\/annotations-v1 by v0\.4\.2$/);
  });

  test('an API server restart that loses a data key says so', () => {
    const t = firstStep(m, (a, b, e) => e?.type === 'api-server-restart' && a.nodes.some((n, i) => n.cached.length > b.nodes[i].cached.length));
    expect(lastChanges(t)).toEqual([`${t.at(-1)!.event!.node}: cache flushed; it no longer holds key v1 envelope-v1/annotations-v1 by v0.4.2`]);
  });
});

describe('a runbook that stops short says where and why', () => {
  test('deferred at begin, with the precondition', () => {
    const m = new Model(scenarioWith('bao-kms-provider/upgrade.yaml', []));
    const t = firstStep(m, (_a, b) => b.phase === 'deferred');
    expect(t.map((x) => x.event?.type)).toEqual([undefined, 'backend-outage', 'step']);
    expect(lastChanges(t)).toEqual(['runbook before -> deferred at begin (deferred before starting: precondition backend-healthy does not hold)']);
  });

  test('halted when the rollback was decided, with the stage, node, step and guard', () => {
    const m = new Model(scenarioWith('bao-kms-provider/upgrade.yaml', []));
    const t = firstStep(m, (_a, b) => b.phase === 'halted');
    expect(lastChanges(t)[0]).toMatch(
      /^runbook upgrading -> halted when the rollback was decided at upgrading: control-plane-\d: start \(rollback refused by guard previous-reads-wire-formats: patch forward instead\)$/,
    );
  });

  test('halted at a reinstall, naming the node the operator had picked', () => {
    const m = new Model(scenarioWith('bao-kms-provider/broken-rollback-after-rotation.yaml', []));
    const t = firstStep(m, (_a, b) => b.phase === 'halted' && b.reason!.startsWith('rollback halted'));
    expect(lastChanges(t)[0]).toMatch(/^runbook rolling-back -> halted at rolling-back: control-plane-\d: replace-image \(rollback halted before reinstalling the previous release: guard \S+ no longer holds\)$/);
  });
});

describe('nothing moves unsaid', () => {
  test('time passing is a change', () => {
    const m = new Model(scenarioWith('alibaba-kms/broken-rollback-after-window.yaml', []));
    expect(lastChanges(firstStep(m, (_a, _b, e) => e?.type === 'time-passes'))).toEqual(['day 0 -> 1']);
  });

  test('a step that moves only the runbook says where it is now', () => {
    const m = new Model(scenarioWith('bao-kms-provider/upgrade.yaml', []));
    const t = firstStep(m, stepNamed('doctor'));
    expect(lastChanges(t)).toEqual([`runbook at upgrading: ${t.at(-1)!.event!.node}: stop`]);
  });

  test('every step of every corpus counterexample that changed the world says what changed', () => {
    const results = check(join(ROOT, 'scenarios'));
    let steps = 0;
    for (const r of results) {
      for (const v of r.violations) {
        for (let i = 1; i < v.trace.length; i++) {
          const moved = JSON.stringify(v.trace[i - 1].world) !== JSON.stringify(v.trace[i].world);
          expect(v.trace[i].changes.length > 0, `${r.scenario.file} ${v.property} step ${i}`).toBe(moved);
          steps++;
        }
        expect(formatViolation(v, 1)).not.toContain('(no visible change)');
      }
    }
    expect(steps).toBeGreaterThan(300);
  });

  // A different world must decode to a different view: otherwise a step could move the world
  // and the trace, which reads views, would have nothing to say.
  const complete: [string, [string, string][]][] = [
    ['bao-kms-provider/upgrade.yaml', [['nodes: 3', 'nodes: 2'], ['budget: 2', 'budget: 1']]],
    ['runbooks/keystone-first-and-other-nodes.yaml', [['migration-fails: {} # db_sync fails half-way', 'migration-interrupted: {}'], ['budget: 1', 'budget: 2']]],
    ['runbooks/kubernetes-one-minor-at-a-time.yaml', []],
    ['alibaba-kms/broken-rollback-after-window.yaml', []],
    ['keystone/fernet-rotation.yaml', []],
  ];
  for (const [file, edits] of complete) {
    test(`the view of ${file} tells every reachable world apart`, () => {
      const m = new Model(scenarioWith(file, edits));
      const views = new Map<string, string>();
      let level = [m.initial()];
      views.set(JSON.stringify(m.decode(level[0])), m.key(level[0]));
      const seen = new Set([m.key(level[0])]);
      while (level.length) {
        const next: World[] = [];
        for (const w of level) {
          for (const e of m.enabledEvents(w)) {
            const nw = m.next(w, e);
            const k = m.key(nw);
            if (seen.has(k)) continue;
            seen.add(k);
            const v = JSON.stringify(m.decode(nw));
            expect(views.get(v) ?? k, file).toBe(k);
            views.set(v, k);
            next.push(nw);
          }
        }
        level = next;
      }
      expect(seen.size).toBeGreaterThan(40);
    });
  }
});

describe('counts agree with their nouns', () => {
  test('one step, two steps', () => {
    expect([count(1, 'step'), count(2, 'step'), count(1200, 'record'), count(1, 'property', 'properties')]).toEqual(['1 step', '2 steps', '1,200 records', '1 property']);
  });

  test('a one-step counterexample reads "1 step"', () => {
    const [r] = check(join(ROOT, 'scenarios/incidents/08a-alibaba-upgrade-from-old-image.yaml'));
    const text = formatViolation(r.violations[0], 1);
    expect(text).toContain('shortest trace (1 step):');
    expect(text).not.toMatch(/\b1 steps\b/);
  });
});
