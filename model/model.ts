// The one interface every engine steps: initial world, enabled events, next world, canonical
// key, property checks and labels. Built from a compiled scenario; pure and deterministic.
import type { CompiledScenario } from './types.js';
import { type Ctx, decryptableKinds, makeCtx, keyIdLabel, knownVersion, nodeReads, position, stageNodes, stageOf } from './semantics.js';
import type { Step } from './types.js';
import { type Ev, type EventKind, EVENT_KINDS, FAULT_KINDS, KEYRING_EVENTS, OPERATOR_KINDS, alphabet, apply, applyInto, enabled, evKeyring, evKind, evNode, reasonText, ev } from './events.js';
import { PROPERTIES, type PropertyDef, type PropertyHit } from './properties.js';
import { formatLabel } from './properties-common.js';
import { CHECK_FAILED, INTERRUPTED, refusingGuard } from './steps.js';
import { GUARD_REFUSES } from './checks.js';
import { countSafeDepth } from './scenario/limits.js';
import {
  type Layout,
  type World,
  type WorldView,
  BACKEND_DOWN,
  CLOCK,
  FAULTS,
  K_DELETED,
  K_GEN,
  K_LATEST,
  K_MIN_AVAILABLE,
  K_MIN_DECRYPT,
  K_ROTATING,
  K_VERSIONS,
  N_DRIFT,
  N_GEN,
  N_PENDING,
  N_KNOWN,
  N_RELEASE,
  N_ROLE,
  N_STATUS,
  PC,
  PHASE,
  PHASE_NAMES,
  type PhaseName,
  Phase,
  REASON,
  ROLE_NAMES,
  Role,
  STAGE,
  DATA_BACKUP,
  KEYS_BACKUP,
  BACKUP_AT,
  UPGRADED_AT,
  WORK_DONE,
  N_ACTIVE,
  STATUS_NAMES,
  type KeyringView,
  VersionState,
  keyringAt,
  VERIFY_FAILED,
  canonicalize,
  canonicalizeInto,
  kindOf,
  layoutFor,
  initialWorld,
  nodeAt,
  worldKey,
  isEndedPhase,
  Status,
} from './world.js';

export type { Ev, World, PropertyHit, PropertyDef };
// the vocabulary engines count by: event kinds (evKind's values index it) and phases
export { EVENT_KINDS, PHASE_NAMES };

const NONE: readonly PropertyHit[] = Object.freeze([]);
const UNROLLED = 6; // properties of each kind called from call sites of their own
const K_STEP = EVENT_KINDS.indexOf('step');
const K_DECIDE_ROLLBACK = EVENT_KINDS.indexOf('decide-rollback');

// Who makes an event happen: what a trace's actor column says.
export const ACTORS = ['operator', 'fault', 'environment'] as const;
export type Actor = (typeof ACTORS)[number];

export interface EventLabel {
  type: EventKind;
  node?: string;
  keyring?: string; // rotation events: the keyring rotated (named when the scenario has several)
  actor: Actor;
}

// A runbook position as data, decoded from positionCode: what positionLabel says in words, so
// readers never parse the words back. Outside upgrading and rolling-back only phase (and label,
// order) is set.
export interface Position {
  label: string; // positionLabel's text: "upgrading:: node 2 of 3: replace-image", "upgraded"
  phase: PhaseName;
  stageIndex: number | null; // 0-based stage of the procedure under way
  stage: string | null; // that stage's label (null: unlabelled, or past the last stage)
  node: number | null; // a node-by-node stage: the 1-based node under way ("node 2 of 3")
  nodes: number | null; // nodes the stage acts on (null: a stage run once, not per node)
  nodesDone: number | null; // nodes the stage has finished
  stepIndex: number | null; // 0-based step within the stage
  step: string | null; // that step's name (null: past the stage's last step, "end" in the label)
  order: number; // sorts one scenario's positions in runbook order (it is positionCode)
}

export class Model {
  readonly s: CompiledScenario;
  readonly L: Layout;
  readonly c: Ctx;
  readonly events: Ev[];
  readonly stateProps: PropertyDef[];
  readonly edgeProps: PropertyDef[];
  readonly checked: PropertyDef[];
  readonly eventually: PropertyDef[]; // checked eventually properties, judged by the engines by kind
  // the deepest run whose record counts are sure to fit their slots: a search with no depth
  // bound of its own stops there (model/scenario/limits.ts says why it is finite)
  readonly countSafeDepth: number;

  // `run`: the options of this run that change the model itself (the fault budget); the
  // compiled scenario is never changed, so one can serve runs with different options
  constructor(s: CompiledScenario, run: { maxFaults?: number } = {}) {
    this.s = s;
    this.L = layoutFor(s);
    this.c = makeCtx(s, this.L, run.maxFaults ?? s.bounds.maxFaults);
    this.events = alphabet(this.c);
    this.checked = PROPERTIES.filter((p) => s.properties.includes(p.name));
    const live = this.checked.filter((p) => !p.applies || p.applies(s));
    this.stateProps = live.filter((p) => p.state);
    this.edgeProps = live.filter((p) => p.edge);
    this.eventually = live.filter((p) => p.kind === 'eventually');
    this.countSafeDepth = countSafeDepth(s);
  }

  // With no before-you-start checks and no schedule there is nothing to decide before the
  // runbook starts: it starts in the initial world, and traces do not spend a step on it.
  initial(): World {
    const w = initialWorld(this.s, this.L);
    const r = this.s.runbook;
    if (r.preconditions.length === 0 && r.scheduledInDays === 0 && r.alreadyUpgradedDaysAgo < 0) return apply(this.c, w, ev(0));
    return w;
  }

  isEnabled(w: World, e: Ev): boolean {
    return enabled(this.c, w, e);
  }

  enabledEvents(w: World): Ev[] {
    const out: Ev[] = [];
    for (const e of this.events) if (enabled(this.c, w, e)) out.push(e);
    return out;
  }

  next(w: World, e: Ev): World {
    return apply(this.c, w, e);
  }

  canonical(w: World, perm?: number[]): World {
    return canonicalize(this.s, this.L, w, perm);
  }

  // Hot-loop forms: write into a caller's buffer. canonicalInto may return w itself.
  nextInto(w: World, e: Ev, out: World): World {
    return applyInto(this.c, w, e, out);
  }

  canonicalInto(w: World, out: World): World {
    return canonicalizeInto(this.s, this.L, w, out);
  }

  key(w: World): string {
    return worldKey(w);
  }

  private readonly faultKind = EVENT_KINDS.map((k) => FAULT_KINDS.has(k));

  isFault(e: Ev): boolean {
    return this.faultKind[evKind(e)];
  }

  // an event kind (an index of EVENT_KINDS) is a fault's
  isFaultKind(kind: number): boolean {
    return this.faultKind[kind];
  }

  // The runbook has ended: upgraded, rolled back, deferred or halted with a reason.
  isEnded(w: World): boolean {
    return isEndedPhase(w[PHASE]);
  }

  // What engines may read of an event and a world: they never decode slots themselves.
  kindOf(e: Ev): number {
    return evKind(e);
  }
  nodeOf(e: Ev): number {
    return evNode(e);
  }
  keyringOf(e: Ev): number {
    return evKeyring(e);
  }
  isOperatorStep(e: Ev): boolean {
    return evKind(e) === K_STEP;
  }
  isRollbackDecision(e: Ev): boolean {
    return evKind(e) === K_DECIDE_ROLLBACK;
  }
  phaseOf(w: World): number {
    return w[PHASE];
  }
  // why the runbook stopped short (0: it did not); reasonText() words it
  reasonOf(w: World): number {
    return w[REASON];
  }

  // Meetings of a running node and a live record kind, counted per (release, kind, readable)
  // into a flat array (meetingCounts() sizes it): what the coverage's combinations list reports.
  meetingCounts(): Float64Array {
    return new Float64Array(this.s.releases.length * this.L.kinds * 2);
  }
  countMeetings(w: World, into: Float64Array): void {
    const { c, L, s } = this;
    // nodeReads(n, k) is the release's read mask at what the node knows, and decryptable
    const avail = c.scratchKinds;
    decryptableKinds(c, w, avail);
    for (let n = 0; n < s.nodeCount; n++) {
      const b = nodeAt(L, n);
      if (w[b + N_STATUS] !== Status.Running) continue;
      const rel = w[b + N_RELEASE];
      const base = rel * L.kinds;
      const known = w[b + N_KNOWN + c.releaseKeyState[rel]];
      const readable = known >= 0 && known <= L.V ? c.readMask[rel][known] : null;
      for (let k = 0; k < L.kinds; k++) {
        if (w[L.recordBase + k] === 0) continue;
        const word = (k / 31) | 0;
        const bit = 1 << k % 31;
        const reads = readable ? (readable[word] & avail[word] & bit) !== 0 : nodeReads(c, w, n, k);
        into[((base + k) << 1) | (reads ? 1 : 0)]++;
      }
    }
  }

  // An eventually property's goal holds in w.
  reachedGoal(p: PropertyDef, w: World): boolean {
    return p.goal!(this.c, w);
  }

  // Per phase (phaseOf), whether an eventually property's goal holds, when the phase alone
  // decides it; null when the world must be asked (reachedGoal).
  goalByPhase(p: PropertyDef): Uint8Array | null {
    if (!p.goalInPhase) return null;
    return Uint8Array.from(PHASE_NAMES, (_, phase) => (p.goalInPhase!(phase) ? 1 : 0));
  }

  // What an eventually property reports for a world from which its goal cannot be reached.
  stuckHit(p: PropertyDef): PropertyHit {
    return { property: p.name, detail: p.stuck ?? `from this state ${p.name} can no longer hold`, blast: { recordsAffected: 0, recordsTotal: 0, nodes: [] } };
  }

  // Both return one shared empty array when nothing fails: they run on every step. The first
  // properties are called from call sites of their own, each of which meets one predicate in a
  // search (a loop's one call site meets them all, and V8 then neither inlines nor caches the
  // call); past UNROLLED, a loop asks the rest. Hits come in the properties' order either way.
  stateViolations(w: World): readonly PropertyHit[] {
    const ps = this.stateProps;
    const c = this.c;
    const n = ps.length;
    let out: PropertyHit[] | null = null;
    let hit: PropertyHit | null;
    if (n > 0 && (hit = ps[0].state!(c, w))) (out ??= []).push(hit);
    if (n > 1 && (hit = ps[1].state!(c, w))) (out ??= []).push(hit);
    if (n > 2 && (hit = ps[2].state!(c, w))) (out ??= []).push(hit);
    if (n > 3 && (hit = ps[3].state!(c, w))) (out ??= []).push(hit);
    if (n > 4 && (hit = ps[4].state!(c, w))) (out ??= []).push(hit);
    if (n > 5 && (hit = ps[5].state!(c, w))) (out ??= []).push(hit);
    for (let i = UNROLLED; i < n; i++) if ((hit = ps[i].state!(c, w))) (out ??= []).push(hit);
    return out ?? NONE;
  }

  edgeViolations(prev: World, next: World): readonly PropertyHit[] {
    const ps = this.edgeProps;
    const c = this.c;
    const n = ps.length;
    let out: PropertyHit[] | null = null;
    let hit: PropertyHit | null;
    if (n > 0 && (hit = ps[0].edge!(c, prev, next))) (out ??= []).push(hit);
    if (n > 1 && (hit = ps[1].edge!(c, prev, next))) (out ??= []).push(hit);
    if (n > 2 && (hit = ps[2].edge!(c, prev, next))) (out ??= []).push(hit);
    if (n > 3 && (hit = ps[3].edge!(c, prev, next))) (out ??= []).push(hit);
    if (n > 4 && (hit = ps[4].edge!(c, prev, next))) (out ??= []).push(hit);
    if (n > 5 && (hit = ps[5].edge!(c, prev, next))) (out ??= []).push(hit);
    for (let i = UNROLLED; i < n; i++) if ((hit = ps[i].edge!(c, prev, next))) (out ??= []).push(hit);
    return out ?? NONE;
  }

  label(e: Ev): EventLabel {
    const type = EVENT_KINDS[evKind(e)];
    const n = evNode(e);
    const actor = OPERATOR_KINDS.has(type) ? 'operator' : FAULT_KINDS.has(type) ? 'fault' : 'environment';
    const out: EventLabel = n >= 0 ? { type, node: this.s.nodeNames[n], actor } : { type, actor };
    if (KEYRING_EVENTS.has(type) && this.s.keyrings.length > 1) out.keyring = this.s.keyrings[evKeyring(e)].name;
    return out;
  }

  // The runbook step a `step` event runs in world w ('begin' before the runbook starts).
  stepName(w: World, e: Ev): string | undefined {
    if (evKind(e) !== 0) return undefined;
    if (w[PHASE] === Phase.Before) return 'begin';
    return stepLabel(this.s, position(this.c, w)?.step);
  }

  reasonText(code: number): string | null {
    return reasonText(this.c, code);
  }

  // The guard that refused a rollback decision (a reason code from reasonOf) and when it refuses.
  refusal(code: number): { guard: string; condition: string } | null {
    const guard = refusingGuard(this.c, code);
    return guard ? { guard, condition: GUARD_REFUSES[guard] } : null;
  }

  // A number naming where the runbook is: phase, stage, nodes done in the stage, step.
  positionCode(w: World): number {
    const phase = w[PHASE];
    if (phase !== Phase.Upgrading && phase !== Phase.RollingBack) return phase << 16;
    const stage = stageOf(this.c, w);
    let done = 0;
    if (stage) for (const node of stageNodes(this.c, stage)) if (w[nodeAt(this.L, node) + N_ROLE] === Role.Done) done++;
    return (phase << 16) | (w[STAGE] << 10) | (Math.min(done, 31) << 5) | w[PC];
  }

  positionLabel(code: number): string {
    return this.positionOf(code).label;
  }

  // The one decode of a position code: the label is built from the same fields it returns.
  positionOf(code: number): Position {
    const phase = code >> 16;
    const name = PHASE_NAMES[phase];
    const at: Position = { label: name, phase: name, stageIndex: null, stage: null, node: null, nodes: null, nodesDone: null, stepIndex: null, step: null, order: code };
    if (phase !== Phase.Upgrading && phase !== Phase.RollingBack) return at;
    const proc = phase === Phase.Upgrading ? this.s.runbook.upgrade : this.s.runbook.rollback!.procedure;
    const si = (code >> 10) & 63;
    at.stageIndex = si;
    const stage = proc.stages[si];
    if (!stage) return at;
    const done = (code >> 5) & 31;
    const pc = code & 31;
    at.stage = stage.label || null;
    at.nodesDone = done;
    at.stepIndex = pc;
    at.step = stepLabel(this.s, stage.steps[pc]) ?? null;
    const step = at.step ?? 'end';
    const where = stage.label ? ` ${stage.label}` : '';
    if (stage.strategy === 'once') {
      at.label = `${name}:${where}: ${step}`;
      return at;
    }
    const total = stageNodes(this.c, stage).length;
    at.nodes = total;
    if (stage.strategy !== 'all-at-once') at.node = Math.min(done + 1, total);
    const who = at.node === null ? 'all nodes' : `node ${at.node} of ${total}`;
    at.label = `${name}:${where ? `${where}:` : ''} ${who}: ${step}`;
    return at;
  }

  // Inverse of label, for replaying a saved trace.
  parseEvent(l: { type: string; node?: string; keyring?: string }): Ev | null {
    const kind = EVENT_KINDS.indexOf(l.type as (typeof EVENT_KINDS)[number]);
    if (kind < 0) return null;
    const kr = l.keyring === undefined ? 0 : this.s.keyrings.findIndex((k) => k.name === l.keyring);
    if (kr < 0) return null;
    if (l.node === undefined) return ev(kind, -1, kr);
    const n = this.s.nodeNames.indexOf(l.node);
    return n < 0 ? null : ev(kind, n, kr);
  }

  // Remap an event's node through a canonicalization permutation (canonical index -> concrete).
  remap(e: Ev, perm: number[]): Ev {
    const n = evNode(e);
    return n < 0 ? e : ev(evKind(e), perm[n], evKeyring(e));
  }

  // Where the operator is, in words: "upgrading: stage 2 (keystone, 1 node): keystone-1: stop".
  positionText(w: World): string {
    const phase = PHASE_NAMES[w[PHASE]];
    const pos = position(this.c, w);
    if (!pos) return phase;
    const parts: string[] = [phase];
    if (pos.stage.label) parts.push(pos.stage.label);
    if (pos.perNode) parts.push(pos.targets === 'choose' ? 'next node' : pos.targets.map((n) => this.s.nodeNames[n]).join(', '));
    parts.push(stepLabel(this.s, pos.step)!);
    return parts.join(': ');
  }

  // Everything in the world, by name: two different worlds never decode to the same view, so a
  // trace can say what every step changed.
  decode(w: World): WorldView {
    const { s, L, c } = this;
    const recordsAt = (base: number) => {
      const out = [];
      for (let k = 0; k < L.kinds; k++) {
        const count = w[base + k];
        if (!count) continue;
        const kd = kindOf(L, k);
        out.push({
          keyring: s.keyrings[kd.keyring].name,
          keyGeneration: kd.gen,
          dataKey: L.D > 1 ? s.nodeNames[kd.dataKey] : null,
          keyVersion: kd.keyVersion,
          format: s.wireFormats[kd.format],
          aad: s.aadShapes[kd.aad],
          writer: s.releases[kd.writer].name,
          count,
        });
      }
      return out;
    };
    const records = recordsAt(L.recordBase);
    const keyrings = s.keyrings.map((kr, i) => keyringView(L, w, kr.name, i, s.usesVersionStates));
    return {
      phase: PHASE_NAMES[w[PHASE]],
      position: this.positionText(w),
      stage: w[STAGE],
      step: w[PC],
      workDone: w[WORK_DONE] === 1,
      faultsUsed: w[FAULTS],
      clock: w[CLOCK],
      backend: w[BACKEND_DOWN] ? 'down' : 'up',
      keyring: keyrings[0],
      keyrings,
      reason: reasonText(c, w[REASON]),
      verificationFailed: w[VERIFY_FAILED] === CHECK_FAILED,
      interrupted: w[VERIFY_FAILED] === INTERRUPTED,
      backup:
        w[DATA_BACKUP] || w[KEYS_BACKUP]
          ? {
              day: w[BACKUP_AT],
              scope: w[DATA_BACKUP] && w[KEYS_BACKUP] ? 'both' : w[DATA_BACKUP] ? 'data' : 'keyring',
              keyrings: w[KEYS_BACKUP] ? s.keyrings.map((kr, i) => keyringView(L, w, kr.name, i, s.usesVersionStates, true)) : null,
              records: w[DATA_BACKUP] ? backupRecords(L, w) : null,
              contents: w[DATA_BACKUP] ? recordsAt(L.backupBase) : null,
            }
          : null,
      upgradedOnDay: w[UPGRADED_AT] >= 0 ? w[UPGRADED_AT] : null,
      nodes: s.nodeNames.map((name, n) => {
        const b = nodeAt(L, n);
        const keyVersions: Record<string, number> = {};
        s.keyStates.forEach((ks, i) => (keyVersions[ks] = w[b + N_KNOWN + i]));
        const cached: string[] = [];
        for (let k = 0; k < L.kinds; k++) if ((w[b + L.cacheOffset + ((k / 31) | 0)] >> k % 31) & 1) cached.push(kindText(s, L, k));
        return {
          name,
          component: s.components[s.nodeComponent[n]].name,
          release: s.releases[w[b + N_RELEASE]].name,
          status: STATUS_NAMES[w[b + N_STATUS]],
          role: ROLE_NAMES[w[b + N_ROLE]],
          configDrift: w[b + N_DRIFT] === 1,
          active: w[b + N_ACTIVE] === 1,
          keyVersions,
          keyGeneration: w[b + N_GEN],
          keyId: keyIdLabel(c, w, n),
          activeKeyVersion: knownVersion(c, w, n),
          cachedKinds: cached.length,
          cached,
          takenByStage: L.taken >= 0 && w[b + L.taken] !== 0 ? w[b + L.taken] : null,
          pendingEncrypt: w[b + N_PENDING] !== 0 ? w[b + N_PENDING] : null,
        };
      }),
      records,
    };
  }
}

// "migrate to X" for parameterised steps, the step name otherwise.
export function stepLabel(s: CompiledScenario, step: Step | undefined): string | undefined {
  if (!step) return undefined;
  return step.name === 'migrate' ? `migrate to ${s.wireFormats[step.format]}` : step.name;
}

function keyringView(L: Layout, w: World, name: string, kr: number, usesVersionStates: boolean, backup = false): KeyringView {
  const b = keyringAt(L, kr, backup);
  const versionStates: Record<string, string> = {};
  for (let v = 1; v <= L.V; v++) {
    const st = usesVersionStates ? w[b + K_VERSIONS + v - 1] : VersionState.Enabled;
    if (st === VersionState.Enabled) continue;
    versionStates[`v${v}`] = st === VersionState.Disabled ? 'disabled' : st === VersionState.Destroyed ? 'destroyed' : `scheduled for deletion on day ${st - VersionState.Scheduled}`;
  }
  return {
    name,
    latest: w[b + K_LATEST],
    rotating: w[b + K_ROTATING] === 1,
    minDecryptionVersion: w[b + K_MIN_DECRYPT],
    minAvailableVersion: w[b + K_MIN_AVAILABLE],
    generation: w[b + K_GEN],
    deleted: w[b + K_DELETED] === 1,
    versionStates,
  };
}

// "key v1 envelope-v1/annotations-v1 by v0.4.2": how traces name a kind of record (with the
// keyring and key material when there are several, and the data key's node when per node)
export function kindText(s: CompiledScenario, L: Layout, k: number): string {
  const kd = kindOf(L, k);
  const key = s.keyrings.length > 1 || kd.gen > 1 ? `key ${s.keyrings[kd.keyring].name}${kd.gen > 1 ? `#${kd.gen}` : ''} v${kd.keyVersion}` : `key v${kd.keyVersion}`;
  const dk = L.D > 1 && s.components[s.releases[kd.writer].component].dataKeys === 'per-node' ? ` under ${s.nodeNames[kd.dataKey]}'s data key` : '';
  return `${key} ${formatLabel(s.wireFormats[kd.format], s.aadShapes[kd.aad])} by ${s.releases[kd.writer].name}${dk}`;
}

function backupRecords(L: Layout, w: World): number {
  let t = 0;
  for (let k = 0; k < L.kinds; k++) t += w[L.backupBase + k];
  return t;
}
