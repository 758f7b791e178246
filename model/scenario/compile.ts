// A schema-valid scenario -> CompiledScenario: names resolved to indices, defaults applied,
// and the cross-references the schema cannot express checked, each with its place in the file.
import type {
  Bounds,
  CompiledScenario,
  Component,
  FaultName,
  FaultSpec,
  GuardName,
  InitialRecords,
  PreconditionName,
  Procedure,
  Release,
  RecordFormat,
  StepName,
  TriggerName,
  Strategy,
} from '../types.js';
import { PROPERTY_NAMES } from '../properties.js';
import type { ParsedScenario, Path } from './parse.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

export const DEFAULT_BOUNDS: Bounds = { maxDepth: 80, maxFaults: 2, maxStates: 5_000_000 };

const FAULT_NAMES: FaultName[] = [
  'plugin-crash',
  'api-server-restart',
  'image-replace-fails',
  'config-drift',
  'backend-outage',
  'rotation-starts',
];

export function compileScenario(p: ParsedScenario): CompiledScenario {
  const d: Raw = p.data;
  const sys: Raw = d.system;
  const wireFormats: string[] = sys['wire-formats'];
  const aadShapes: string[] = sys['aad-shapes'] ?? ['none'];
  const keyStates: string[] = sys['key-states'] ?? ['default'];
  const keyIdSchemes: string[] = [];

  const lookup = (list: string[], value: string, path: Path, what: string, listPath: string): number => {
    const i = list.indexOf(value);
    if (i < 0) p.fail(path, `unknown ${what} '${value}'`, `declare it in ${listPath} (known: ${list.join(', ')})`);
    return i;
  };
  const mask = (values: string[] | undefined, list: string[], path: Path, what: string, listPath: string): number =>
    (values ?? list.slice(0, 1)).reduce((m, v, i) => m | (1 << lookup(list, v, [...path, i], what, listPath)), 0);
  const recordFormat = (f: Raw, path: Path): RecordFormat => ({
    format: lookup(wireFormats, f.format, [...path, 'format'], 'wire format', 'system.wire-formats'),
    aad: f.aad === undefined ? 0 : lookup(aadShapes, f.aad, [...path, 'aad'], 'AAD shape', 'system.aad-shapes'),
  });

  // ---- components and releases ----
  const components: Component[] = [];
  const releases: Release[] = [];
  const releaseByName = new Map<string, number>();
  const nodeNames: string[] = [];
  const nodeComponent: number[] = [];
  const pendingUpgradesFrom: { rel: number; name: string; path: Path }[] = [];
  const componentNames = new Set<string>();
  (sys.components as Raw[]).forEach((cr, ci) => {
    const cpath: Path = ['system', 'components', ci];
    if (componentNames.has(cr.name)) p.fail([...cpath, 'name'], `component '${cr.name}' is declared twice`, 'give each component a unique name');
    componentNames.add(cr.name);
    const relIdx: number[] = [];
    (cr.releases as Raw[]).forEach((rr, ri) => {
      const rpath: Path = [...cpath, 'releases', ri];
      if (releaseByName.has(rr.name)) p.fail([...rpath, 'name'], `release '${rr.name}' is declared twice`, 'release names must be unique across the system');
      const scheme = rr['key-id-scheme'] ?? 'default';
      if (!keyIdSchemes.includes(scheme)) keyIdSchemes.push(scheme);
      const index = releases.length;
      releases.push({
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
        keyIdScheme: keyIdSchemes.indexOf(scheme),
        oneWay: rr['one-way'] ?? false,
        upgradesFrom: -1,
      });
      if (rr['upgrades-from'] !== undefined) pendingUpgradesFrom.push({ rel: index, name: rr['upgrades-from'], path: [...rpath, 'upgrades-from'] });
      releaseByName.set(rr.name, index);
      relIdx.push(index);
    });
    const initial = relIdx.find((r) => releases[r].name === cr.runs);
    if (initial === undefined) {
      p.fail([...cpath, 'runs'], `component '${cr.name}' runs '${cr.runs}', which is not one of its releases`, `use one of: ${relIdx.map((r) => releases[r].name).join(', ')}`);
    }
    const firstNode = nodeNames.length;
    for (let i = 0; i < cr.nodes; i++) {
      nodeNames.push(`${cr.name}-${i + 1}`);
      nodeComponent.push(ci);
    }
    components.push({ name: cr.name, firstNode, nodes: cr.nodes, releases: relIdx, initialRelease: initial! });
  });
  if (nodeNames.length > 250) p.fail(['system', 'components'], `the system has ${nodeNames.length} nodes`, 'model at most 250 nodes in all');
  for (const u of pendingUpgradesFrom) {
    const from = releaseByName.get(u.name);
    if (from === undefined || releases[from].component !== releases[u.rel].component) {
      p.fail(u.path, `upgrades-from names '${u.name}', which is not a release of the same component`, 'name an older release of this component');
    }
    releases[u.rel].upgradesFrom = releases[from!].order;
  }
  // a format that is written but never readable is a typo or a missing reads entry
  releases.forEach((r, i) => {
    const cr = sys.components[r.component];
    const rpath: Path = ['system', 'components', r.component, 'releases', r.order];
    for (const [key, f] of [['writes', r.writes], ['writes-while-mixed', r.writesWhileMixed]] as const) {
      if (!f) continue;
      const readers = components[r.component].releases.filter((x) => (releases[x].readsFormats >> f.format) & 1);
      if (readers.length === 0) {
        p.fail([...rpath, key, 'format'], `release '${r.name}' writes wire format '${wireFormats[f.format]}', which no release of '${cr.name}' reads`, `add '${wireFormats[f.format]}' to reads.formats of the releases that must decrypt it`);
      }
    }
    void i;
  });

  // ---- keyring and records ----
  const kr: Raw = sys.keyring;
  const latest = kr.latest ?? 1;
  const keyring = {
    name: kr.name,
    latest,
    maxVersion: kr['max-version'] ?? latest,
    minDecryption: kr['min-decryption-version'] ?? 1,
    minAvailable: kr['min-available-version'] ?? 1,
  };
  if (keyring.maxVersion < latest) p.fail(['system', 'keyring', 'max-version'], `max-version ${keyring.maxVersion} is below latest ${latest}`, `set max-version to at least ${latest}`);

  // ---- runbook ----
  const rb: Raw = d.runbook;
  const component = components.findIndex((c) => c.name === rb.component);
  if (component < 0) p.fail(['runbook', 'component'], `runbook.component '${rb.component}' is not a component of the system`, `use one of: ${components.map((c) => c.name).join(', ')}`);
  const comp = components[component];
  const target = comp.releases.find((r) => releases[r].name === rb.upgrade.to);
  if (target === undefined) p.fail(['runbook', 'upgrade', 'to'], `upgrade.to '${rb.upgrade.to}' is not a release of '${comp.name}'`, `use one of: ${comp.releases.map((r) => releases[r].name).join(', ')}`);
  if (releases[target!].order <= releases[comp.initialRelease].order) {
    p.fail(['runbook', 'upgrade', 'to'], `upgrade.to '${rb.upgrade.to}' is not newer than '${releases[comp.initialRelease].name}', which the nodes run`, 'list releases oldest first and upgrade to a later one');
  }
  const procedure = (x: Raw): Procedure => ({
    strategy: x.strategy as Strategy,
    eachNode: (x['each-node'] ?? []) as StepName[],
    afterAll: (x['after-all'] ?? []) as StepName[],
  });
  const records: InitialRecords[] = ((sys.records ?? []) as Raw[]).map((r, i) => {
    const path: Path = ['system', 'records', i];
    const kv = r['key-version'] ?? 1;
    if (kv > keyring.maxVersion) p.fail([...path, 'key-version'], `key-version ${kv} is above the keyring's max-version ${keyring.maxVersion}`, 'lower it, or raise system.keyring.max-version');
    const writer = r.writer === undefined ? comp.initialRelease : releaseByName.get(r.writer);
    if (writer === undefined) p.fail([...path, 'writer'], `writer '${r.writer}' is not a release`, `use one of: ${releases.map((x) => x.name).join(', ')}`);
    const f = recordFormat(r, path);
    return { keyVersion: kv, format: f.format, aad: f.aad, writer: writer!, count: r.count };
  });

  // ---- faults, workload, properties, bounds, expectations ----
  const fr: Raw = d.faults ?? {};
  const faults: FaultSpec[] = FAULT_NAMES.filter((f) => fr[f] !== undefined).map((f) => ({
    name: f,
    weight: fr[f].weight ?? 1,
    duringMaintenance: fr[f]['during-maintenance'] ?? false,
  }));
  const properties: string[] = d.properties ?? PROPERTY_NAMES;
  const br: Raw = d.bounds ?? {};
  const bounds: Bounds = {
    maxDepth: br['max-depth'] ?? DEFAULT_BOUNDS.maxDepth,
    maxFaults: fr.budget ?? DEFAULT_BOUNDS.maxFaults,
    maxStates: br['max-states'] ?? DEFAULT_BOUNDS.maxStates,
  };
  let expect: CompiledScenario['expect'] = null;
  if (d.expect) {
    const fires: string[] = d.expect.fires ?? [];
    fires.forEach((f, i) => {
      if (!properties.includes(f)) p.fail(['expect', 'fires', i], `expect.fires names '${f}', which this scenario does not check`, `add '${f}' to properties, or remove it from expect.fires`);
    });
    if (d.expect.verdict === 'unsafe' && fires.length === 0) p.fail(['expect'], 'expect.verdict is unsafe but expect.fires names no property', 'list the properties that must fire under expect.fires');
    if (d.expect.verdict === 'safe' && fires.length > 0) p.fail(['expect', 'fires'], 'expect.verdict is safe but expect.fires names properties', 'remove expect.fires, or make the verdict unsafe');
    const pl = p.place(['expect']);
    expect = { verdict: d.expect.verdict, fires, place: { file: p.file, line: pl.line, column: pl.column } };
  }

  return {
    file: p.file,
    name: d.scenario,
    title: d.title ?? d.scenario,
    follows: d.follows ?? '',
    wireFormats,
    aadShapes,
    keyStates,
    keyIdSchemes,
    keyring,
    components,
    releases,
    nodeCount: nodeNames.length,
    nodeNames,
    nodeComponent,
    records,
    runbook: {
      component,
      maintenanceWindow: rb['maintenance-window'] ?? false,
      preconditions: (rb['before-you-start'] ?? []) as PreconditionName[],
      target: target!,
      upgrade: procedure(rb.upgrade),
      rollback: rb.rollback
        ? { triggers: rb.rollback.when as TriggerName[], guards: (rb.rollback.guards ?? []) as GuardName[], procedure: procedure(rb.rollback) }
        : null,
    },
    faults,
    faultBudget: bounds.maxFaults,
    workload: { writes: d.workload?.writes ?? true, batch: d.workload?.batch ?? 100 },
    properties: PROPERTY_NAMES.filter((n) => properties.includes(n)),
    bounds,
    expect,
  };
}
