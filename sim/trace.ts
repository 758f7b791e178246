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

// Names every field that tells record kinds apart: two kinds that differ only in key material,
// keyring or data key must not be merged (their counts would cancel out in the diff).
function recordKey(r: WorldView['records'][number], keyrings: number): string {
  const key = keyrings > 1 || r.keyGeneration > 1 ? `${r.keyring}${r.keyGeneration > 1 ? `#${r.keyGeneration}` : ''} ` : '';
  return `key ${key}v${r.keyVersion} ${formatLabel(r.format, r.aad)} by ${r.writer}${r.dataKey ? ` on ${r.dataKey}` : ''}`;
}

// What changed in each keyring: versions, deletion, key material, minimums and version states.
function keyringChanges(a: WorldView, b: WorldView, out: string[]): void {
  b.keyrings.forEach((kb, i) => {
    const ka = a.keyrings[i];
    const name = b.keyrings.length > 1 ? `keyring ${kb.name}` : 'keyring';
    if (ka.latest !== kb.latest) out.push(`${name} latest key version ${ka.latest} -> ${kb.latest}`);
    if (ka.rotating !== kb.rotating) out.push(kb.rotating ? `${b.keyrings.length > 1 ? `${name}: ` : ''}key rotation started` : `${b.keyrings.length > 1 ? `${name}: ` : ''}key rotation finished`);
    if (!ka.deleted && kb.deleted) out.push(`${name}: key ${kb.name} deleted`);
    if (ka.generation !== kb.generation) out.push(`${name}: key material #${ka.generation} -> #${kb.generation}${ka.deleted && !kb.deleted ? ` (key ${kb.name} re-created)` : ''}`);
    else if (ka.deleted && !kb.deleted) out.push(`${name}: key ${kb.name} restored`);
    if (ka.minDecryptionVersion !== kb.minDecryptionVersion) out.push(`${name} min decryption version ${ka.minDecryptionVersion} -> ${kb.minDecryptionVersion}`);
    if (ka.minAvailableVersion !== kb.minAvailableVersion) out.push(`${name} min available version ${ka.minAvailableVersion} -> ${kb.minAvailableVersion}`);
    for (const v of new Set([...Object.keys(ka.versionStates), ...Object.keys(kb.versionStates)])) {
      const from = ka.versionStates[v] ?? 'enabled';
      const to = kb.versionStates[v] ?? 'enabled';
      if (from !== to) out.push(`${name} ${v}: ${from} -> ${to}`);
    }
  });
}

export function changes(a: WorldView, b: WorldView): string[] {
  const out: string[] = [];
  if (a.phase !== b.phase) out.push(`runbook ${a.phase} -> ${b.phase}${b.reason && b.reason !== a.reason ? ` (${b.reason})` : ''}`);
  if (a.backend !== b.backend) out.push(`backend ${a.backend} -> ${b.backend}`);
  if (a.clock !== b.clock) out.push(`day ${a.clock} -> ${b.clock}`);
  keyringChanges(a, b, out);
  if (b.backup && (a.backup?.scope !== b.backup.scope || a.backup?.day !== b.backup.day)) out.push(`backup of ${b.backup.scope === 'both' ? 'records and keyrings' : b.backup.scope === 'data' ? 'records' : 'keyrings'} taken`);
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
  const kr = b.keyrings.length;
  const before = new Map(a.records.map((r) => [recordKey(r, kr), r.count]));
  for (const r of b.records) {
    const d = r.count - (before.get(recordKey(r, kr)) ?? 0);
    if (d !== 0) out.push(`records ${d > 0 ? '+' : ''}${d} ${recordKey(r, kr)}`);
    before.delete(recordKey(r, kr));
  }
  for (const [k, n] of before) out.push(`records -${n} ${k}`);
  return out;
}
