// The edit catalog: every change to a runbook that `suggest` may propose, generated from the
// scenario itself and the runbook vocabulary (model/types.ts, the scenario schema), each as
// operations on the scenario's tree (ops.ts). Catalog order is the order of EDIT_KINDS, then
// the order of the file: it breaks ties in the ranking, so the same file always gets the same
// suggestions in the same order. docs/suggest.md describes each kind and why it is there.
import { GUARD_NAMES, PRECONDITION_NAMES, TRIGGER_NAMES, type CompiledScenario } from '../../model/types.js';
import { EDIT_KINDS, type EditKind } from '../results/result.js';
import type { Op, Path } from './ops.js';

export { EDIT_KINDS, type EditKind };

export interface Edit {
  id: string; // stable and unique within a scenario, e.g. before-you-start:not-mid-rotation
  kind: EditKind;
  assumption: boolean; // a stated assumption about the environment, not a change to the runbook
  label: string; // what a reviewer reads
  ops: Op[];
  // two edits that share a slot change the same thing (a stage's strategy twice): never together
  slots: string[];
  // the runbook place it acts on, "upgrade:2" (procedure, 0-based stage), for ordering the
  // search near a counterexample's steps; null when it acts on the runbook as a whole
  near: string | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

const PROCEDURES = ['upgrade', 'rollback'] as const;
type ProcName = (typeof PROCEDURES)[number];

// What each verification checks, by the step whose effect it checks: a verification goes
// right after such a step, where a runbook author would put it.
const VERIFIES_AFTER: Record<string, string[]> = {
  start: ['verify-ready', 'verify-crypto', 'verify-key-id'],
  'replace-image': ['verify-ready', 'verify-crypto', 'verify-key-id'],
  migrate: ['verify-migrated', 'verify-crypto'],
  rewrap: ['verify-rewrapped', 'verify-crypto'],
  'rotate-keys': ['verify-key-id', 'verify-crypto'],
  'distribute-keys': ['verify-key-id', 'verify-crypto'],
  restore: ['verify-crypto', 'verify-key-id'],
  'recover-from-backup': ['verify-crypto', 'verify-key-id'],
};
const AFTER_ALL_CHECKS = ['verify-key-id', 'verify-crypto'];

// Steps after which the data or the keys cannot simply be put back: a backup goes before them.
const ONE_WAY_STEPS = new Set(['replace-image', 'migrate', 'rewrap', 'rotate-keys', 'raise-min-decryption-version', 'trim-key-versions', 'retire-old-keys', 'delete-key', 'recreate-key', 'disable-key-version', 'schedule-key-deletion']);
const NODE_STRATEGIES = ['one-node-at-a-time', 'standbys-first', 'all-at-once'];

// "upgrade.stages[2].steps" for ['runbook', 'upgrade', 'stages', 2, 'steps']: how ids name a place
export const pathId = (path: Path): string => path.slice(1).map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
export const stepName = (st: Raw): string => (typeof st === 'string' ? st : Object.keys(st ?? {})[0] ?? '');
const stepText = (st: Raw): string => (typeof st === 'string' ? st : `{ ${stepName(st)}: ${JSON.stringify(st[stepName(st)]).replace(/"/g, '')} }`);

// One list of steps of a procedure, with how a reader names it.
interface StepList {
  proc: ProcName;
  path: Path;
  steps: Raw[];
  where: string; // "upgrade.each-node", "upgrade stage 3"
  stage: number | null; // index in stages (null: each-node / after-all)
  strategy: string;
  components: string[] | null; // the stage's own components
  near: string; // proc:stage index as the compiled procedure numbers it
}

function stepLists(rb: Raw, proc: ProcName): StepList[] {
  const p = rb[proc];
  if (!p) return [];
  const base: Path = ['runbook', proc];
  if (!Array.isArray(p.stages)) {
    const out: StepList[] = [{ proc, path: [...base, 'each-node'], steps: p['each-node'] ?? [], where: `${proc}.each-node`, stage: null, strategy: p.strategy, components: null, near: `${proc}:0` }];
    if (Array.isArray(p['after-all'])) out.push({ proc, path: [...base, 'after-all'], steps: p['after-all'], where: `${proc}.after-all`, stage: null, strategy: 'once', components: null, near: `${proc}:1` });
    return out;
  }
  return p.stages.map((st: Raw, i: number) => ({
    proc,
    path: [...base, 'stages', i, 'steps'],
    steps: st.steps ?? [],
    where: `${proc} stage ${i + 1}`,
    stage: i,
    strategy: st.strategy,
    components: st.components ?? (st.component !== undefined ? [st.component] : null),
    near: `${proc}:${i}`,
  }));
}

export function editCatalog(data: Raw, s: CompiledScenario): Edit[] {
  const rb = data.runbook ?? {};
  const out: Edit[] = [];
  const add = (e: Omit<Edit, 'assumption' | 'slots' | 'near'> & Partial<Pick<Edit, 'slots' | 'near'>>) =>
    out.push({ assumption: false, slots: [], near: null, ...e });
  const lists = PROCEDURES.flatMap((p) => stepLists(rb, p));
  const allSteps = lists.flatMap((l) => l.steps.map(stepName));
  const names = (xs: unknown) => (Array.isArray(xs) ? (xs as string[]) : []);

  for (const c of PRECONDITION_NAMES) {
    if (names(rb['before-you-start']).includes(c)) continue;
    add({ id: `before-you-start:${c}`, kind: 'before-you-start', label: `add the before-you-start check ${c}`, ops: [{ op: 'append', path: ['runbook', 'before-you-start'], value: c, before: 'upgrade' }] });
  }
  if (rb.rollback) {
    for (const g of GUARD_NAMES) {
      if (names(rb.rollback.guards).includes(g)) continue;
      add({ id: `rollback-guard:${g}`, kind: 'rollback-guard', label: `add the rollback guard ${g}`, ops: [{ op: 'append', path: ['runbook', 'rollback', 'guards'], value: g, before: 'strategy' }] });
    }
    for (const t of TRIGGER_NAMES) {
      if (names(rb.rollback.when).includes(t)) continue;
      add({ id: `rollback-trigger:${t}`, kind: 'rollback-trigger', label: `add the rollback trigger ${t}`, ops: [{ op: 'append', path: ['runbook', 'rollback', 'when'], value: t }] });
    }
  }
  verifyEdits(rb, lists, allSteps).forEach((e) => add(e));
  stopFirstEdits(rb, lists).forEach((e) => add(e));
  migrateEdits(s, lists).forEach((e) => add(e));
  backupEdits(lists, allSteps).forEach((e) => add(e));
  restoreEdits(rb, lists).forEach((e) => add(e));
  strategyEdits(rb, s, lists).forEach((e) => add(e));
  moveEdits(rb).forEach((e) => add(e));
  retargetEdits(rb, s).forEach((e) => add(e));
  includeEdits(rb, s).forEach((e) => add(e));
  out.push(...assumptionEdits(data));
  const seen = new Set<string>();
  for (const e of out) {
    if (seen.has(e.id)) throw new Error(`internal: two edits are named ${e.id}`);
    seen.add(e.id);
  }
  return out;
}

type Draft = Omit<Edit, 'assumption' | 'slots' | 'near'> & Partial<Pick<Edit, 'slots' | 'near'>>;

function verifyEdits(rb: Raw, lists: StepList[], allSteps: string[]): Draft[] {
  const out: Draft[] = [];
  const useful = (v: string) => (v === 'verify-migrated' ? allSteps.includes('migrate') : v === 'verify-rewrapped' ? allSteps.includes('rewrap') : true);
  for (const l of lists) {
    l.steps.forEach((st: Raw, j: number) => {
      const after = stepName(st);
      // after replace-image, a node that the next step starts is not up yet to be verified
      if (after === 'replace-image' && stepName(l.steps[j + 1]) === 'start') return;
      // the new check goes after the checks already there (verify-ready, then verify-key-id)
      let end = j;
      while (end + 1 < l.steps.length && stepName(l.steps[end + 1]).startsWith('verify-')) end++;
      const there = l.steps.slice(j + 1, end + 1).map(stepName);
      for (const v of VERIFIES_AFTER[after] ?? []) {
        if (!useful(v) || there.includes(v)) continue;
        out.push({
          id: `verify:${pathId(l.path)}[${end + 1}]:${v}`,
          kind: 'verify-step',
          label: `insert ${v} in ${l.where} after ${stepText(l.steps[end])} (step ${end + 1})`,
          ops: [{ op: 'insert', path: l.path, index: end + 1, value: v }],
          near: l.near,
        });
      }
    });
  }
  // a check once every node is done, where the procedure has none yet
  for (const proc of PROCEDURES) {
    const p = rb[proc];
    if (!p || Array.isArray(p.stages) || p['after-all'] !== undefined) continue;
    for (const v of AFTER_ALL_CHECKS) {
      out.push({ id: `verify:${proc}.after-all:${v}`, kind: 'verify-step', label: `add after-all: [${v}] to the ${proc} (once every node is done)`, ops: [{ op: 'set', path: ['runbook', proc, 'after-all'], value: [v] }], near: `${proc}:1` });
    }
  }
  return out;
}

// A replace-image on a running node restarts it on the new release while the others still run
// the old one; stopping first is the runbook's way to keep releases from running together.
function stopFirstEdits(rb: Raw, lists: StepList[]): Draft[] {
  const out: Draft[] = [];
  for (const l of lists) {
    if (l.proc !== 'upgrade' || l.strategy === 'once') continue;
    const j = l.steps.findIndex((st: Raw) => stepName(st) === 'replace-image');
    if (j < 0 || l.steps.slice(0, j).some((st: Raw) => stepName(st) === 'stop')) continue;
    const stoppedBefore = l.stage !== null && rb.upgrade.stages.slice(0, l.stage).some((st: Raw) => (st.steps ?? []).some((x: Raw) => stepName(x) === 'stop'));
    if (stoppedBefore) continue;
    out.push({ id: `stop-first:${pathId(l.path)}[${j}]`, kind: 'stop-first', label: `insert stop before replace-image (step ${j + 1}) in ${l.where}`, ops: [{ op: 'insert', path: l.path, index: j, value: 'stop' }], near: l.near });
    if (l.stage !== null) {
      const stage: Record<string, unknown> = { strategy: 'all-at-once', steps: ['stop'] };
      if (l.components) stage.components = l.components;
      out.push({ id: `stop-first:upgrade.stages[${l.stage}]:stage`, kind: 'stop-first', label: `add a stage before ${l.where} that stops every node (strategy: all-at-once, steps: [stop])`, ops: [{ op: 'restage', path: ['runbook', 'upgrade', 'stages'], to: l.stage, value: orderStage(stage) }], near: l.near });
    }
  }
  return out;
}

// Keys in the order the corpus writes a stage: components, strategy, steps.
function orderStage(st: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['components', 'strategy', 'steps']) if (st[k] !== undefined) out[k] = st[k];
  return out;
}

// A release that writes a new format needs the stored data migrated to it (an upgrade job,
// db_sync) before it runs.
function migrateEdits(s: CompiledScenario, lists: StepList[]): Draft[] {
  const out: Draft[] = [];
  const migrated = new Set(lists.flatMap((l) => l.steps.filter((st: Raw) => stepName(st) === 'migrate').map((st: Raw) => st.migrate)));
  for (const l of lists) {
    if (l.proc !== 'upgrade') continue;
    const j = l.steps.findIndex((st: Raw) => stepName(st) === 'replace-image');
    if (j < 0) continue;
    const comps = (l.components ?? s.runbook.components.map((ci) => s.components[ci].name)).map((n) => s.components.findIndex((c) => c.name === n));
    const formats = new Set<string>();
    for (const ci of comps) {
      const target = s.runbook.targets[ci];
      if (ci < 0 || target < 0) continue;
      const now = s.releases[s.components[ci].initialRelease].writes.format;
      const next = s.releases[target].writes.format;
      if (next !== now) formats.add(s.wireFormats[next]);
    }
    for (const f of [...formats].sort()) {
      if (migrated.has(f)) continue;
      out.push({ id: `migrate:${pathId(l.path)}[${j}]:${f}`, kind: 'migrate-step', label: `insert { migrate: ${f} } before replace-image (step ${j + 1}) in ${l.where}`, ops: [{ op: 'insert', path: l.path, index: j, value: { migrate: f } }], near: l.near });
    }
  }
  return out;
}

function backupEdits(lists: StepList[], allSteps: string[]): Draft[] {
  const out: Draft[] = [];
  const up = lists.filter((l) => l.proc === 'upgrade');
  if (allSteps.includes('backup')) return out;
  const first = up.findIndex((l) => l.steps.some((st: Raw) => ONE_WAY_STEPS.has(stepName(st))));
  if (first < 0) return out;
  const l = up[first];
  if (l.stage !== null) {
    // before the first stage that cannot be undone, or at the very start
    for (const at of [...new Set([0, l.stage])]) {
      out.push({ id: `backup:upgrade.stages[${at}]`, kind: 'backup', label: `add a backup stage (strategy: once, steps: [backup]) before upgrade stage ${at + 1}`, ops: [{ op: 'restage', path: ['runbook', 'upgrade', 'stages'], to: at, value: { strategy: 'once', steps: ['backup'] } }], near: `upgrade:${at}` });
    }
  } else {
    const j = l.steps.findIndex((st: Raw) => ONE_WAY_STEPS.has(stepName(st)));
    out.push({ id: `backup:${pathId(l.path)}[${j}]`, kind: 'backup', label: `insert backup before ${stepText(l.steps[j])} (step ${j + 1}) in ${l.where}`, ops: [{ op: 'insert', path: l.path, index: j, value: 'backup' }], near: l.near });
  }
  return out;
}

// A rollback that reinstalls older images over migrated data needs the data back too.
function restoreEdits(rb: Raw, lists: StepList[]): Draft[] {
  const out: Draft[] = [];
  const back = lists.filter((l) => l.proc === 'rollback');
  if (back.length === 0 || back.some((l) => l.steps.some((st: Raw) => ['restore', 'recover-from-backup'].includes(stepName(st))))) return out;
  if (Array.isArray(rb.rollback.stages)) {
    const n = rb.rollback.stages.length;
    for (let at = 0; at <= n; at++) {
      const where = at === n ? 'at the end of the rollback' : `before rollback stage ${at + 1}`;
      out.push({ id: `restore:rollback.stages[${at === n ? 'end' : at}]`, kind: 'restore', label: `add a restore stage (strategy: once, steps: [restore]) ${where}`, ops: [{ op: 'restage', path: ['runbook', 'rollback', 'stages'], to: at === n ? null : at, value: { strategy: 'once', steps: ['restore'] } }], near: `rollback:${Math.min(at, n - 1)}` });
    }
    return out;
  }
  for (const l of back) {
    const j = l.steps.findIndex((st: Raw) => stepName(st) === 'replace-image');
    if (j < 0) continue;
    out.push({ id: `restore:${pathId(l.path)}[${j + 1}]`, kind: 'restore', label: `insert recover-from-backup after replace-image (step ${j + 1}) in ${l.where}`, ops: [{ op: 'insert', path: l.path, index: j + 1, value: 'recover-from-backup' }], near: l.near });
  }
  return out;
}

function strategyEdits(rb: Raw, s: CompiledScenario, lists: StepList[]): Draft[] {
  const out: Draft[] = [];
  const activePassive = s.components.some((c) => c.activePassive);
  const choices = NODE_STRATEGIES.filter((x) => x !== 'standbys-first' || activePassive);
  for (const proc of PROCEDURES) {
    const p = rb[proc];
    if (!p) continue;
    if (!Array.isArray(p.stages)) {
      for (const x of choices) {
        if (x === p.strategy) continue;
        out.push({ id: `strategy:${proc}:${x}`, kind: 'strategy', label: `change the ${proc} strategy from ${p.strategy} to ${x}`, ops: [{ op: 'set', path: ['runbook', proc, 'strategy'], value: x }], slots: [`strategy:${proc}`], near: `${proc}:0` });
      }
      continue;
    }
    for (const l of lists.filter((x) => x.proc === proc && x.stage !== null)) {
      // a stage of fleet-level steps (backup, migrate) has nothing to do node by node
      if (l.strategy === 'once') continue;
      for (const x of choices) {
        if (x === l.strategy) continue;
        out.push({ id: `strategy:${proc}.stages[${l.stage}]:${x}`, kind: 'strategy', label: `change the strategy of ${l.where} from ${l.strategy} to ${x}`, ops: [{ op: 'set', path: ['runbook', proc, 'stages', l.stage!, 'strategy'], value: x }], slots: [`strategy:${proc}.stages[${l.stage}]`], near: l.near });
      }
    }
  }
  return out;
}

// Every order one move reaches: stage i put before stage j (or last). Moving i just before
// i + 1 changes nothing, and moving i before i + 2 is the same order as moving i + 1 before i:
// only the first of two moves with the same outcome is kept.
function moveEdits(rb: Raw): Draft[] {
  const out: Draft[] = [];
  for (const proc of PROCEDURES) {
    const stages = rb[proc]?.stages;
    if (!Array.isArray(stages) || stages.length < 2) continue;
    const n = stages.length;
    const seen = new Set<string>();
    const brief = (i: number) => {
      const st = stages[i];
      const comps = st.components ? `${st.components.join(', ')}: ` : st.component ? `${st.component}: ` : '';
      return `${comps}${(st.steps ?? []).map(stepText).join(', ')}`;
    };
    for (let i = 0; i < n; i++) {
      for (let to = 0; to <= n; to++) {
        if (to === i || to === i + 1) continue;
        const order = [...Array(n).keys()].filter((k) => k !== i);
        order.splice(to > i ? to - 1 : to, 0, i);
        const key = order.join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        const where = to === n ? 'to the end' : `before ${proc} stage ${to + 1}`;
        out.push({
          id: `move:${proc}.stages[${i}]->${to === n ? 'end' : `[${to}]`}`,
          kind: 'move-stage',
          label: `move ${proc} stage ${i + 1} (${brief(i)}) ${where}`,
          ops: [{ op: 'restage', path: ['runbook', proc, 'stages'], from: i, to: to === n ? null : to }],
          slots: [`move:${proc}.stages[${i}]`],
          near: `${proc}:${i}`,
        });
      }
    }
  }
  return out;
}

// A vendor that supports upgrading only to its newest image (latest-only): target that one.
function retargetEdits(rb: Raw, s: CompiledScenario): Draft[] {
  const out: Draft[] = [];
  const to = rb.upgrade?.to;
  for (const ci of s.runbook.components) {
    const c = s.components[ci];
    const target = s.runbook.targets[ci];
    const newest = c.releases[c.releases.length - 1];
    if (!c.latestOnly || target < 0 || target === newest) continue;
    const name = s.releases[newest].name;
    const path: Path = typeof to === 'string' ? ['runbook', 'upgrade', 'to'] : ['runbook', 'upgrade', 'to', c.name];
    out.push({ id: `upgrade-to-newest:${c.name}:${name}`, kind: 'upgrade-to-newest', label: `upgrade ${c.name} to ${name}, its newest release (the vendor supports no other), instead of ${s.releases[target].name}`, ops: [{ op: 'set', path, value: name }], slots: [`to:${c.name}`] });
  }
  return out;
}

// Components the runbook leaves on the old series beside ones it moves to a new series: the
// runbook widened to upgrade them too, in one stage after the rest, as its last stage does.
function includeEdits(rb: Raw, s: CompiledScenario): Draft[] {
  const stages = rb.upgrade?.stages;
  if (!Array.isArray(rb.components) || !Array.isArray(stages) || typeof rb.upgrade.to !== 'object' || rb.upgrade.to === null) return [];
  const targetSeries = new Set(s.runbook.components.filter((ci) => s.runbook.targets[ci] >= 0).map((ci) => s.releases[s.runbook.targets[ci]].series));
  if (targetSeries.size !== 1) return [];
  const series = [...targetSeries][0];
  const left: { name: string; release: string }[] = [];
  s.components.forEach((c, ci) => {
    if (s.runbook.components.includes(ci) || s.releases[c.initialRelease].series === series) return;
    const r = c.releases.find((x) => s.releases[x].series === series && s.releases[x].order > s.releases[c.initialRelease].order);
    if (r !== undefined) left.push({ name: c.name, release: s.releases[r].name });
  });
  const model = [...stages].reverse().find((st: Raw) => (st.steps ?? []).some((x: Raw) => stepName(x) === 'replace-image'));
  if (left.length === 0 || !model) return [];
  const ops: Op[] = [];
  for (const l of left) {
    ops.push({ op: 'append', path: ['runbook', 'components'], value: l.name });
    ops.push({ op: 'set', path: ['runbook', 'upgrade', 'to', l.name], value: l.release });
  }
  ops.push({ op: 'restage', path: ['runbook', 'upgrade', 'stages'], to: null, value: { components: left.map((l) => l.name), strategy: model.strategy, steps: model.steps } });
  const list = left.map((l) => l.name).join(', ');
  return [{ id: `include-components:${list.replace(/, /g, ',')}`, kind: 'include-components', label: `also upgrade ${list} to ${series}, in a last stage like the one before (they stay on an older series beside ${series} otherwise)`, ops, near: `upgrade:${stages.length - 1}` }];
}

// Assumptions: the runbook is unchanged; the scenario states something about the environment
// it runs in (what the corpus's own files state in their headers), ranked after every edit.
function assumptionEdits(data: Raw): Edit[] {
  const out: Edit[] = [];
  const faults = data.faults ?? {};
  const rotation = faults['rotation-starts'];
  if (rotation && rotation['during-maintenance'] === true) {
    out.push({ id: 'freeze:rotation-starts', kind: 'freeze-rotations', assumption: true, label: 'assume key rotations are frozen while the runbook runs (rotation-starts.during-maintenance: false)', ops: [{ op: 'set', path: ['faults', 'rotation-starts', 'during-maintenance'], value: false }], slots: ['fault:rotation-starts'], near: null });
  }
  for (const f of Object.keys(faults)) {
    if (f === 'budget') continue;
    out.push({ id: `assume-no-fault:${f}`, kind: 'assume-no-fault', assumption: true, label: `assume ${f} never happens (the fault is taken out of the scenario)`, ops: [{ op: 'delete', path: ['faults', f] }], slots: [`fault:${f}`], near: null });
  }
  return out;
}
