// Turning a path of events into the trace a reader sees: concrete node names, the world after
// each step, and what changed. Shared by every engine.
import type { Ev, Model, World } from '../model/model.js';
import type { WorldView } from '../model/world.js';
import type { TraceStep } from './result.js';
import { formatLabel } from '../model/properties-common.js';

// Replays `events` (given in canonical coordinates of each canonical parent) from the concrete
// initial world, mapping nodes through each canonicalization so names stay stable.
export function concretePath(model: Model, canonicalEvents: Ev[]): Ev[] {
  let w = model.initial();
  const out: Ev[] = [];
  const perm: number[] = [];
  for (const e of canonicalEvents) {
    model.canonical(w, perm);
    const ce = model.remap(e, perm);
    out.push(ce);
    w = model.next(w, ce);
  }
  return out;
}

// Steps through concrete events; returns the worlds visited (initial included).
export function runPath(model: Model, events: Ev[]): World[] {
  const worlds = [model.initial()];
  for (const e of events) worlds.push(model.next(worlds[worlds.length - 1], e));
  return worlds;
}

export function buildTrace(model: Model, events: Ev[]): TraceStep[] {
  const worlds = runPath(model, events);
  const views = worlds.map((w) => model.decode(w));
  return views.map((world, i) => {
    if (i === 0) return { index: 0, event: null, world, changes: [] };
    const e = events[i - 1];
    const step = model.stepName(worlds[i - 1], e);
    return { index: i, event: step ? { ...model.label(e), step } : model.label(e), world, changes: changes(views[i - 1], world) };
  });
}

function recordKey(r: WorldView['records'][number]): string {
  return `key v${r.keyVersion} ${formatLabel(r.format, r.aad)} by ${r.writer}`;
}

export function changes(a: WorldView, b: WorldView): string[] {
  const out: string[] = [];
  if (a.phase !== b.phase) out.push(`runbook ${a.phase} -> ${b.phase}${b.reason && b.reason !== a.reason ? ` (${b.reason})` : ''}`);
  if (a.backend !== b.backend) out.push(`backend ${a.backend} -> ${b.backend}`);
  if (a.keyring.latest !== b.keyring.latest) out.push(`keyring latest key version ${a.keyring.latest} -> ${b.keyring.latest}`);
  if (a.keyring.rotating !== b.keyring.rotating) out.push(b.keyring.rotating ? 'key rotation started' : 'key rotation finished');
  if (a.verificationFailed !== b.verificationFailed) out.push(b.verificationFailed ? 'verification failed' : 'verification failure cleared');
  b.nodes.forEach((nb, i) => {
    const na = a.nodes[i];
    const parts: string[] = [];
    if (na.release !== nb.release) parts.push(`release ${na.release} -> ${nb.release}`);
    if (na.status !== nb.status) parts.push(`${na.status} -> ${nb.status}`);
    if (na.keyId !== nb.keyId) parts.push(`key_id ${na.keyId} -> ${nb.keyId}`);
    if (na.cachedKinds > nb.cachedKinds) parts.push('cache flushed');
    if (parts.length) out.push(`${nb.name}: ${parts.join(', ')}`);
  });
  const before = new Map(a.records.map((r) => [recordKey(r), r.count]));
  for (const r of b.records) {
    const d = r.count - (before.get(recordKey(r)) ?? 0);
    if (d !== 0) out.push(`records ${d > 0 ? '+' : ''}${d} ${recordKey(r)}`);
    before.delete(recordKey(r));
  }
  for (const [k, n] of before) out.push(`records -${n} ${k}`);
  return out;
}
