// The system section: the names every later reference is resolved against (wire formats, AAD
// shapes, key states, keyrings), the components with their releases and nodes, key-id schemes
// and snapshots from elsewhere, each cross-reference checked with its place in the file.
import { compileKeyrings } from './compile-keyrings.js';
import type { Component, KeyIdDerivation, Keyring, RecordFormat, Release, Snapshot } from '../types.js';
import { type ParsedScenario, type Path, listOf, useOneOf } from './parse.js';
import { nearestName } from './nearest.js';
import { checkDependencyCycles, checkNodeCount } from './limits.js';

// the schema-valid YAML data, as compile.ts reads it
/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

// What a name in the rest of the file can refer to, and how a miss is reported: at its place,
// with the names it could have been.
export interface SystemNames {
  p: ParsedScenario;
  sys: Raw;
  // the file's own list: a half-migrated format is appended to it once the faults are read
  wireFormats: string[];
  aadShapes: string[];
  keyStates: string[];
  keyrings: Keyring[];
  keyringPath: (i: number) => Path;
  lookup: (list: string[], value: string, path: Path, what: string, listPath: string) => number;
  // a set of names as bits; none given is the list's first
  mask: (values: string[] | undefined, list: string[], path: Path, what: string, listPath: string) => number;
  recordFormat: (f: Raw, path: Path) => RecordFormat;
  keyringIndex: (name: string, path: Path) => number;
}

export function compileSystemNames(p: ParsedScenario): SystemNames {
  const sys: Raw = (p.data as Raw).system;
  const wireFormats: string[] = sys['wire-formats'];
  const aadShapes: string[] = sys['aad-shapes'] ?? ['none'];
  const keyStates: string[] = sys['key-states'] ?? ['default'];
  const lookup = (list: string[], value: string, path: Path, what: string, listPath: string): number => {
    const i = list.indexOf(value);
    if (i < 0) {
      const near = nearestName(value, list);
      p.fail(path, `unknown ${what} '${value}'`, near !== null ? `did you mean '${near}'? (or declare '${value}' in ${listPath})` : list.length ? `declare it in ${listPath} (known: ${listOf(list)})` : `declare it in ${listPath} (none is declared yet)`);
    }
    return i;
  };
  const mask = (values: string[] | undefined, list: string[], path: Path, what: string, listPath: string): number =>
    (values ?? list.slice(0, 1)).reduce((m, v, i) => m | (1 << lookup(list, v, [...path, i], what, listPath)), 0);
  const recordFormat = (f: Raw, path: Path): RecordFormat => ({
    format: lookup(wireFormats, f.format, [...path, 'format'], 'wire format', 'system.wire-formats'),
    aad: f.aad === undefined ? 0 : lookup(aadShapes, f.aad, [...path, 'aad'], 'AAD shape', 'system.aad-shapes'),
  });
  const keyringPath = (i: number): Path => (sys.keyrings ? ['system', 'keyrings', i] : ['system', 'keyring']);
  const keyrings = compileKeyrings(p, sys, keyringPath);
  const keyringNames = keyrings.map((k) => k.name);
  keyringNames.forEach((n, i) => {
    if (keyringNames.indexOf(n) !== i) p.fail([...keyringPath(i), 'name'], `keyring '${n}' is declared twice`, 'give each keyring a unique name');
  });
  const keyringIndex = (name: string, path: Path): number => lookup(keyringNames, name, path, 'keyring', sys.keyrings ? 'system.keyrings' : 'system.keyring');
  return { p, sys, wireFormats, aadShapes, keyStates, keyrings, keyringPath, lookup, mask, recordFormat, keyringIndex };
}

// The components, their releases and their nodes, numbered in the order the file declares them.
export interface Fleet {
  components: Component[];
  releases: Release[];
  releaseByName: Map<string, number>; // 'component/release' -> index in releases
  nodeNames: string[];
  nodeComponent: number[];
  nodeInitialRelease: number[];
  keyIdSchemes: string[]; // in the order the releases first name them
}

// upgrades-from may name a release declared after the one that names it
interface PendingUpgradesFrom {
  rel: number;
  name: string;
  path: Path;
}

export function compileFleet(s: SystemNames): Fleet {
  const { p, sys } = s;
  const fleet: Fleet = { components: [], releases: [], releaseByName: new Map(), nodeNames: [], nodeComponent: [], nodeInitialRelease: [], keyIdSchemes: [] };
  const pendingUpgradesFrom: PendingUpgradesFrom[] = [];
  const componentNames = new Set<string>();
  (sys.components as Raw[]).forEach((cr, ci) => {
    if (componentNames.has(cr.name)) p.fail(['system', 'components', ci, 'name'], `component '${cr.name}' is declared twice`, 'give each component a unique name');
    componentNames.add(cr.name);
    compileComponent(s, fleet, cr, ci, pendingUpgradesFrom);
  });
  // depends-on may name a component declared after the one that names it
  const { components, releases } = fleet;
  (sys.components as Raw[]).forEach((cr, ci) => {
    components[ci].dependsOn = ((cr['depends-on'] ?? []) as string[]).map((name, i) => {
      const d = components.findIndex((c) => c.name === name);
      if (d < 0 || d === ci) p.fail(['system', 'components', ci, 'depends-on', i], `'${cr.name}' depends on '${name}', which is not another component`, useOneOf(name, components.filter((_, j) => j !== ci).map((c) => c.name)));
      return d;
    });
  });
  checkNodeCount(p, fleet.nodeNames.length);
  checkDependencyCycles(p, components);
  for (const u of pendingUpgradesFrom) {
    const from = fleet.releaseByName.get(`${components[releases[u.rel].component].name}/${u.name}`);
    if (from === undefined || releases[from].component !== releases[u.rel].component) {
      p.fail(u.path, `upgrades-from names '${u.name}', which is not a release of the same component`, 'name an older release of this component');
    }
    releases[u.rel].upgradesFrom = releases[from!].order;
  }
  checkWrittenFormatsRead(s, fleet);
  return fleet;
}

function compileComponent(s: SystemNames, fleet: Fleet, cr: Raw, ci: number, pendingUpgradesFrom: PendingUpgradesFrom[]): void {
  const { p } = s;
  const { releases, nodeNames } = fleet;
  const cpath: Path = ['system', 'components', ci];
  const relIdx: number[] = [];
  (cr.releases as Raw[]).forEach((rr, ri) => {
    const rpath: Path = [...cpath, 'releases', ri];
    if (relIdx.some((r) => releases[r].name === rr.name)) p.fail([...rpath, 'name'], `release '${rr.name}' is declared twice in '${cr.name}'`, 'give each release of a component its own name');
    const index = releases.length;
    releases.push(compileRelease(s, fleet, rr, rpath, ci, ri));
    if (rr['upgrades-from'] !== undefined) pendingUpgradesFrom.push({ rel: index, name: rr['upgrades-from'], path: [...rpath, 'upgrades-from'] });
    fleet.releaseByName.set(`${cr.name}/${rr.name}`, index);
    relIdx.push(index);
  });
  const { perNode, initial } = nodeReleases(p, cr, cpath, relIdx, releases);
  const firstNode = nodeNames.length;
  for (let i = 0; i < cr.nodes; i++) {
    nodeNames.push(`${cr.name}-${i + 1}`);
    fleet.nodeComponent.push(ci);
    fleet.nodeInitialRelease.push(perNode[i]);
  }
  const formats = relIdx.reduce((m, r) => {
    const rel = releases[r];
    return m | rel.readsFormats | (1 << rel.writes.format) | (rel.writesWhileMixed ? 1 << rel.writesWhileMixed.format : 0);
  }, 0);
  fleet.components.push({
    name: cr.name,
    firstNode,
    nodes: cr.nodes,
    releases: relIdx,
    initialRelease: initial,
    dependsOn: [],
    latestOnly: cr['latest-only'] ?? false,
    activePassive: cr['active-passive'] ?? false,
    sharedStore: cr['shared-store'] ?? false,
    cachesDataKeys: cr['caches-data-keys'] ?? false,
    dataKeys: cr['data-keys'] ?? 'shared',
    keyring: cr.keyring === undefined ? 0 : s.keyringIndex(cr.keyring, [...cpath, 'keyring']),
    formats,
  });
  if (cr['data-keys'] === 'per-node' && !cr['caches-data-keys']) {
    p.fail([...cpath, 'data-keys'], `'${cr.name}' has per-node data keys but caches no data keys`, "add 'caches-data-keys: true' (a KMS v2 API server caches the data keys it generates and reads), or remove data-keys");
  }
}

// relIdx: the component's releases, oldest first
function nodeReleases(p: ParsedScenario, cr: Raw, cpath: Path, relIdx: number[], releases: Release[]): { perNode: number[]; initial: number } {
  // runs: one release for every node, or a list, one per node (a fleet already mid-upgrade)
  const runs: string[] = Array.isArray(cr.runs) ? cr.runs : Array.from({ length: cr.nodes }, () => cr.runs);
  if (runs.length !== cr.nodes) p.fail([...cpath, 'runs'], `runs lists ${runs.length} releases for ${cr.nodes} nodes`, 'give one release per node, or a single release for all');
  const perNode = runs.map((name, i) => {
    const r = relIdx.find((x) => releases[x].name === name);
    if (r === undefined) {
      p.fail(Array.isArray(cr.runs) ? [...cpath, 'runs', i] : [...cpath, 'runs'], `component '${cr.name}' runs '${name}', which is not one of its releases`, useOneOf(name, relIdx.map((x) => releases[x].name)));
    }
    return r!;
  });
  // the release a rollback returns to: `previous`, else the oldest the fleet runs
  let initial = perNode.reduce((a, b) => (releases[b].order < releases[a].order ? b : a));
  if (cr.previous !== undefined) {
    const prev = relIdx.find((x) => releases[x].name === cr.previous);
    if (prev === undefined) p.fail([...cpath, 'previous'], `previous '${cr.previous}' is not a release of '${cr.name}'`, useOneOf(cr.previous, relIdx.map((x) => releases[x].name)));
    initial = prev!;
  }
  return { perNode, initial };
}

function compileRelease(s: SystemNames, fleet: Fleet, rr: Raw, rpath: Path, ci: number, ri: number): Release {
  const { wireFormats, aadShapes, keyStates, lookup, mask, recordFormat } = s;
  const scheme = rr['key-id-scheme'] ?? 'default';
  if (!fleet.keyIdSchemes.includes(scheme)) fleet.keyIdSchemes.push(scheme);
  return {
    name: rr.name,
    component: ci,
    order: ri,
    readsFormats: mask(rr.reads.formats, wireFormats, [...rpath, 'reads', 'formats'], 'wire format', 'system.wire-formats'),
    readsAad: mask(rr.reads.aad, aadShapes, [...rpath, 'reads', 'aad'], 'AAD shape', 'system.aad-shapes'),
    writes: recordFormat(rr.writes, [...rpath, 'writes']),
    writesWhileMixed: rr['writes-while-mixed'] ? recordFormat(rr['writes-while-mixed'], [...rpath, 'writes-while-mixed']) : null,
    keyState: rr['key-state'] === undefined ? 0 : lookup(keyStates, rr['key-state'], [...rpath, 'key-state'], 'key state', 'system.key-states'),
    importsKeyState: rr['imports-key-state'] ? mask(rr['imports-key-state'], keyStates, [...rpath, 'imports-key-state'], 'key state', 'system.key-states') : 0,
    promotesRotations: rr['promotes-rotations'] ?? true,
    keyIdScheme: fleet.keyIdSchemes.indexOf(scheme),
    decryptsWith: rr['decrypts-with'] ?? 'by-record',
    encryptReportsKeyId: rr['encrypt-reports-key-id'] ?? 'with-ciphertext',
    oneWay: rr['one-way'] ?? false,
    upgradesFrom: -1,
    series: rr.series ?? String(rr.name).replace(/^[^0-9]*/, '').split('.')[0],
    requiresReadableData: rr['requires-readable-data'] ?? false,
    rollbackWindowDays: rr['rollback-window-days'] ?? -1,
  };
}

// a format that is written but never readable is a typo or a missing reads entry
function checkWrittenFormatsRead(s: SystemNames, fleet: Fleet): void {
  const { p, sys, wireFormats } = s;
  const { components, releases } = fleet;
  for (const r of releases) {
    const cr = sys.components[r.component];
    const rpath: Path = ['system', 'components', r.component, 'releases', r.order];
    for (const [key, f] of [['writes', r.writes], ['writes-while-mixed', r.writesWhileMixed]] as const) {
      if (!f) continue;
      const readers = components[r.component].releases.filter((x) => (releases[x].readsFormats >> f.format) & 1);
      if (readers.length === 0) {
        p.fail([...rpath, key, 'format'], `release '${r.name}' writes wire format '${wireFormats[f.format]}', which no release of '${cr.name}' reads`, `add '${wireFormats[f.format]}' to reads.formats of the releases that must decrypt it`);
      }
    }
  }
}

// how each key-id scheme the releases name derives its key ids (key material by default)
export function compileKeyIdDerivation(s: SystemNames, keyIdSchemes: string[]): KeyIdDerivation[] {
  const derivations: Record<string, KeyIdDerivation> = s.sys['key-id-schemes'] ?? {};
  for (const name of Object.keys(derivations)) {
    if (!keyIdSchemes.includes(name)) s.p.fail(['system', 'key-id-schemes', name], `key-id-schemes describes '${name}', which no release uses`, `use one of: ${listOf(keyIdSchemes)}, or remove it`, true);
  }
  return keyIdSchemes.map((name) => derivations[name] ?? 'key-material');
}

// keyring snapshots taken elsewhere that a restore step can bring in; their generation is
// numbered once the runbook's re-creations are counted
export function compileSnapshots(s: SystemNames): Snapshot[] {
  return ((s.sys.snapshots ?? []) as Raw[]).map((sn, i) => {
    const path: Path = ['system', 'snapshots', i];
    const kr = s.keyringIndex(sn.keyring, [...path, 'keyring']);
    if (sn.latest > s.keyrings[kr].maxVersion) s.p.fail([...path, 'latest'], `snapshot latest ${sn.latest} is above keyring '${sn.keyring}' max-version ${s.keyrings[kr].maxVersion}`, `raise the keyring's max-version to at least ${sn.latest}`);
    return { name: sn.name, keyring: kr, latest: sn.latest, generation: 0 };
  });
}
