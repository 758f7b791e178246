// What one step changed, in words, from the views of the world before and after it. Every field
// of the view that moved is described: the keyring, backups, caches, records, each node, and
// where a runbook that stopped short stopped and why. Fields no sentence below covers are named
// with their old and new values, so a trace never says nothing changed when something did.
import type { NodeView, WorldView } from '../../model/world.js';
import { formatLabel } from '../../model/properties-common.js';
import type { TraceStep } from './result.js';
import { count } from './words.js';

type Event = TraceStep['event'];

export function changes(a: WorldView, b: WorldView, event: Event = null): string[] {
  const out: string[] = [];
  if (a.phase !== b.phase) out.push(phaseChange(a, b, event));
  if (a.clock !== b.clock) out.push(`day ${a.clock} -> ${b.clock}`);
  if (a.backend !== b.backend) out.push(`backend ${a.backend} -> ${b.backend}`);
  keyringChanges(a, b, out);
  if (a.verificationFailed !== b.verificationFailed) out.push(b.verificationFailed ? 'verification failed' : 'verification failure cleared');
  if (a.interrupted !== b.interrupted) out.push(interruption(a, b, event));
  out.push(...backupChanges(a, b, event));
  out.push(...grouped(a, b, (na, nb) => nodeParts(na, nb)));
  out.push(...recordChanges(a, b));
  out.push(...grouped(a, b, (na, nb) => cacheParts(na, nb, event)));
  out.push(...unnamed(a, b, COVERED));
  if (out.length > 0) return out;
  // Only the operator's place in the runbook moved (or the fault budget): say where it is now.
  if (a.position !== b.position) return [`runbook at ${b.position}`];
  return unnamed(a, b, new Set());
}

// What changed in each keyring: versions, deletion, key material, minimums and version states.
function keyringChanges(a: WorldView, b: WorldView, out: string[]): void {
  const many = b.keyrings.length > 1;
  b.keyrings.forEach((kb, i) => {
    const ka = a.keyrings[i];
    const name = many ? `keyring ${kb.name}` : 'keyring';
    const of = many ? `${name}: ` : '';
    if (ka.latest !== kb.latest) out.push(`${name} latest key version ${ka.latest} -> ${kb.latest}`);
    if (ka.rotating !== kb.rotating) out.push(`${of}key rotation ${kb.rotating ? 'started' : 'finished'}`);
    if (!ka.deleted && kb.deleted) out.push(`${of}key ${kb.name} deleted`);
    if (ka.generation !== kb.generation) out.push(`${of}key material #${ka.generation} -> #${kb.generation}${ka.deleted && !kb.deleted ? ` (key ${kb.name} re-created)` : ''}`);
    else if (ka.deleted && !kb.deleted) out.push(`${of}key ${kb.name} restored`);
    if (ka.minDecryptionVersion !== kb.minDecryptionVersion) out.push(`${of}min decryption version ${ka.minDecryptionVersion} -> ${kb.minDecryptionVersion}`);
    if (ka.minAvailableVersion !== kb.minAvailableVersion) out.push(`${of}min available version ${ka.minAvailableVersion} -> ${kb.minAvailableVersion}`);
    for (const v of new Set([...Object.keys(ka.versionStates), ...Object.keys(kb.versionStates)])) {
      const from = ka.versionStates[v] ?? 'enabled';
      const to = kb.versionStates[v] ?? 'enabled';
      if (from !== to) out.push(`${of}${v} ${from} -> ${to}`);
    }
  });
}

function phaseChange(a: WorldView, b: WorldView, event: Event): string {
  let text = `runbook ${a.phase} -> ${b.phase}`;
  if (b.phase === 'halted' || b.phase === 'deferred') text += ` ${stoppedAt(a, event)}`;
  if (b.reason && b.reason !== a.reason) text += ` (${b.reason})`;
  return text;
}

// Where a runbook that stopped short was: the position before the step, with the node the
// operator had just picked.
function stoppedAt(a: WorldView, event: Event): string {
  let at = a.position;
  if (event?.node) at = at.replace(': next node:', `: ${event.node}:`);
  if (event?.type === 'decide-rollback') return at === a.phase ? `when the rollback was decided (${a.phase})` : `when the rollback was decided at ${at}`;
  return at === a.phase ? `at ${event?.step ?? event?.type ?? a.phase}` : `at ${at}`;
}

function interruption(a: WorldView, b: WorldView, event: Event): string {
  if (b.interrupted) return `${stepOf(a.position)} interrupted part-way: the runbook waits at it until it is resumed or rolled back`;
  return event?.type === 'remediate' ? 'the interrupted step resumed and finished' : 'the interrupted step was left unfinished';
}

// The step named at the end of a position ("upgrading: stage 4 (db): migrate to x").
function stepOf(position: string): string {
  return position.slice(position.lastIndexOf(': ') + 2);
}

function backupChanges(a: WorldView, b: WorldView, event: Event): string[] {
  const out: string[] = [];
  const bb = b.backup;
  if (bb && JSON.stringify(a.backup) !== JSON.stringify(bb)) {
    out.push(`backup ${a.backup ? 'taken again' : 'taken'} on day ${bb.day}: ${backupHolds(bb)}`);
  } else if (!bb && a.backup) {
    out.push('backup gone');
  }
  const restoring = event?.step === 'restore' || event?.step === 'recover-from-backup';
  const records = JSON.stringify(a.records) !== JSON.stringify(b.records);
  const keys = JSON.stringify(a.keyrings) !== JSON.stringify(b.keyrings);
  if (restoring && (records || keys)) {
    const what = [records && bb?.records !== null && bb ? `the records of day ${bb.day} (${count(bb.records!, 'record')})` : '', keys ? 'the keyring' : ''].filter(Boolean).join(' and ');
    out.push(`restored ${what}`);
  }
  return out;
}

function backupHolds(bb: NonNullable<WorldView['backup']>): string {
  const parts: string[] = [];
  if (bb.records !== null) parts.push(count(bb.records, 'record'));
  if (bb.keyrings) parts.push(bb.keyrings.map((k) => `${bb.keyrings!.length > 1 ? `keyring ${k.name}` : 'keyring'} at latest key version ${k.latest}`).join(', '));
  return parts.join(', ');
}

// Nodes whose changes read the same share one line ("node-1, node-2: running -> stopped").
function grouped(a: WorldView, b: WorldView, partsOf: (na: NodeView, nb: NodeView) => string[]): string[] {
  const lines = new Map<string, string[]>();
  b.nodes.forEach((nb, i) => {
    const parts = partsOf(a.nodes[i], nb);
    if (parts.length === 0) return;
    const text = parts.join(', ');
    lines.set(text, [...(lines.get(text) ?? []), nb.name]);
  });
  return [...lines].map(([text, names]) => `${names.join(', ')}: ${text}`);
}

function nodeParts(na: NodeView, nb: NodeView): string[] {
  const parts: string[] = [];
  if (na.release !== nb.release) parts.push(`release ${na.release} -> ${nb.release}`);
  if (na.status !== nb.status) parts.push(`${na.status} -> ${nb.status}`);
  if (na.keyId !== nb.keyId) parts.push(`key_id ${na.keyId} -> ${nb.keyId}`);
  for (const [state, v] of Object.entries(nb.keyVersions)) {
    const before = na.keyVersions[state];
    // the key_id already shows the version the node's own key state promoted
    if (before !== v && !(na.keyId !== nb.keyId && v === nb.activeKeyVersion)) parts.push(`key state ${state} v${before} -> v${v}`);
  }
  if (na.configDrift !== nb.configDrift) parts.push(nb.configDrift ? 'config drifted from the fleet' : 'config back in line with the fleet');
  if (na.active !== nb.active) parts.push(nb.active ? 'now the active node' : 'now a standby');
  if (na.pendingEncrypt !== nb.pendingEncrypt) {
    parts.push(nb.pendingEncrypt !== null ? `encrypted under v${nb.pendingEncrypt}, key_id not reported yet` : `reported key_id ${nb.keyId} for its encrypt under v${na.pendingEncrypt}`);
  }
  if (na.takenByStage !== nb.takenByStage) parts.push(nb.takenByStage ? `taken by stage ${nb.takenByStage}` : 'no longer counted as taken');
  return parts;
}

// What a node's reader (a KMS v2 API server) holds in its cache of data keys.
function cacheParts(na: NodeView, nb: NodeView, event: Event): string[] {
  const parts: string[] = [];
  const gone = na.cached.filter((k) => !nb.cached.includes(k));
  const added = nb.cached.filter((k) => !na.cached.includes(k));
  const restartFault = event?.type === 'api-server-restart' && event.node === nb.name;
  const flushed = restartFault || event?.step === 'restart-api-server';
  if (gone.length) parts.push(`${flushed ? 'cache flushed; it no longer holds' : 'cache no longer holds'} ${gone.join('; ')}`);
  else if (restartFault) parts.push('cache flushed and refilled at once from what its plugin reads');
  if (added.length) parts.push(`cache filled with ${added.join('; ')}`);
  return parts;
}

// Names every field that tells record kinds apart: two kinds that differ only in key material,
// keyring or data key must not be merged (their counts would cancel out in the diff).
function recordKey(r: WorldView['records'][number], keyrings: number): string {
  const key = keyrings > 1 || r.keyGeneration > 1 ? `${r.keyring}${r.keyGeneration > 1 ? `#${r.keyGeneration}` : ''} ` : '';
  return `key ${key}v${r.keyVersion} ${formatLabel(r.format, r.aad)} by ${r.writer}${r.dataKey ? ` under ${r.dataKey}'s data key` : ''}`;
}

function recordChanges(a: WorldView, b: WorldView): string[] {
  const out: string[] = [];
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

// Fields the sentences above describe; the runbook's bookkeeping (its position, the nodes'
// roles, the fault budget) is named only when nothing else moved.
const COVERED = new Set([
  'phase', 'reason', 'position', 'stage', 'step', 'workDone', 'faultsUsed', 'clock', 'backend', 'keyring', 'keyrings', 'verificationFailed',
  'interrupted', 'backup', 'upgradedOnDay', 'records', 'node.release', 'node.status', 'node.keyId', 'node.activeKeyVersion',
  'node.keyVersions', 'node.keyGeneration', 'node.configDrift', 'node.active', 'node.takenByStage', 'node.pendingEncrypt', 'node.cached', 'node.cachedKinds', 'node.role',
]);

// "<field> <before> -> <after>" for every leaf of the view that moved and is not covered.
function unnamed(a: WorldView, b: WorldView, covered: Set<string>): string[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: string[] = [];
  for (const [path, { field, value }] of fb) {
    const before = fa.get(path)?.value;
    if (before !== value && !covered.has(field)) out.push(`${path.replace(/^faultsUsed$/, 'faults used')} ${before ?? '(none)'} -> ${value}`);
  }
  for (const [path, { field, value }] of fa) if (!fb.has(path) && !covered.has(field)) out.push(`${path} ${value} -> (none)`);
  return out;
}

// Leaves of a view keyed by a readable path ("node-1 role"); `field` is the top-level key,
// or "node.<key>" inside a node, which is what COVERED lists.
function flatten(v: WorldView): Map<string, { field: string; value: string }> {
  const out = new Map<string, { field: string; value: string }>();
  const walk = (x: unknown, path: string, field: string) => {
    if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) walk(y, `${path} ${k}`, field);
    } else out.set(path, { field, value: typeof x === 'string' ? x : JSON.stringify(x) });
  };
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'nodes') walk(x, k, k);
  }
  for (const n of v.nodes) for (const [k, x] of Object.entries(n)) walk(x, `${n.name} ${k}`, `node.${k}`);
  return out;
}
