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

// "key v2 ...", naming the keyring (and its key material, once replaced) as the properties do
function recordKey(r: WorldView['records'][number], severalKeyrings: boolean): string {
  const gen = r.keyGeneration > 1 ? `#${r.keyGeneration}` : '';
  const name = severalKeyrings || gen ? `${r.keyring}${gen} ` : '';
  return `key ${name}v${r.keyVersion} ${formatLabel(r.format, r.aad)} by ${r.writer}`;
}

// What a step did to each keyring: versions, minimums, version states, key material.
function keyringChanges(a: WorldView['keyring'], b: WorldView['keyring'], severalKeyrings: boolean): string[] {
  const out: string[] = [];
  const kr = severalKeyrings ? `keyring ${b.name}` : 'keyring';
  if (a.generation !== b.generation) out.push(`${kr} key material replaced (#${a.generation} -> #${b.generation})`);
  if (a.deleted !== b.deleted) out.push(b.deleted ? `${kr} key deleted` : `${kr} key exists again`);
  if (a.latest !== b.latest) out.push(`${kr} latest key version ${a.latest} -> ${b.latest}`);
  if (a.rotating !== b.rotating) out.push(`${severalKeyrings ? `${b.name}: ` : ''}${b.rotating ? 'key rotation started' : 'key rotation finished'}`);
  if (a.minDecryptionVersion !== b.minDecryptionVersion) out.push(`${kr} min decryption version ${a.minDecryptionVersion} -> ${b.minDecryptionVersion}`);
  if (a.minAvailableVersion !== b.minAvailableVersion) out.push(`${kr} min available version ${a.minAvailableVersion} -> ${b.minAvailableVersion}`);
  for (const v of new Set([...Object.keys(a.versionStates), ...Object.keys(b.versionStates)])) {
    const from = a.versionStates[v] ?? 'enabled';
    const to = b.versionStates[v] ?? 'enabled';
    if (from !== to) out.push(`${kr} ${v} ${from} -> ${to}`);
  }
  return out;
}

export function changes(a: WorldView, b: WorldView): string[] {
  const out: string[] = [];
  const several = b.keyrings.length > 1;
  if (a.phase !== b.phase) out.push(`runbook ${a.phase} -> ${b.phase}${b.reason && b.reason !== a.reason ? ` (${b.reason})` : ''}`);
  if (a.backend !== b.backend) out.push(`backend ${a.backend} -> ${b.backend}`);
  b.keyrings.forEach((kb, i) => out.push(...keyringChanges(a.keyrings[i], kb, several)));
  if (b.backup && (!a.backup || a.backup.scope !== b.backup.scope || a.backup.day !== b.backup.day || a.backup.keyringLatest !== b.backup.keyringLatest || a.backup.records !== b.backup.records)) {
    out.push(`backup holds ${b.backup.scope === 'both' ? 'records and keyrings' : b.backup.scope === 'data' ? 'records' : 'keyrings'} (day ${b.backup.day})`);
  }
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
  const before = new Map<string, number>();
  for (const r of a.records) before.set(recordKey(r, several), (before.get(recordKey(r, several)) ?? 0) + r.count);
  const after = new Map<string, number>();
  for (const r of b.records) after.set(recordKey(r, several), (after.get(recordKey(r, several)) ?? 0) + r.count);
  for (const [k, n] of after) {
    const d = n - (before.get(k) ?? 0);
    if (d !== 0) out.push(`records ${d > 0 ? '+' : ''}${d} ${k}`);
    before.delete(k);
  }
  for (const [k, n] of before) out.push(`records -${n} ${k}`);
  return out;
}
