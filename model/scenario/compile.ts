// A schema-valid scenario -> CompiledScenario: names resolved to indices, defaults applied,
// and the cross-references the schema cannot express checked, each with its place in the file.
import { compileKeyrings } from './compile-keyrings.js';
import { FAULT_NAMES } from '../types.js';
import type {
  Procedure,
  Bounds,
  CompiledScenario,
  Component,
  FaultSpec,
  GuardName,
  InitialRecords,
  KeyIdDerivation,
  Keyring,
  Snapshot,
  PreconditionName,
  Release,
  RecordFormat,
  TriggerName,
} from '../types.js';
import { PROPERTY_NAMES } from '../properties.js';
import { type ParsedScenario, type Path, listOf, useOneOf } from './parse.js';
import { nearestName } from './nearest.js';
import { checkUses } from './uses.js';
import { checkDependencyCycles, checkNodeCount, checkRecordCounts, checkWorldSize } from './limits.js';
import { type StageContext, compileProcedure } from './compile-stages.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

export const DEFAULT_BOUNDS: Bounds = { maxDepth: 80, maxFaults: 2, maxStates: 5_000_000 };


// maxFaults, maxDepth: bounds that override the file's (--max-faults, --max-depth), so the
// checks that depend on them see the ones the search will use.
export function compileScenario(p: ParsedScenario, overrides: { maxFaults?: number; maxDepth?: number } = {}): CompiledScenario {
  const d: Raw = p.data;
  const sys: Raw = d.system;
  const wireFormats: string[] = sys['wire-formats'];
  const aadShapes: string[] = sys['aad-shapes'] ?? ['none'];
  const keyStates: string[] = sys['key-states'] ?? ['default'];
  const keyIdSchemes: string[] = [];

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

  // ---- keyrings ----
  const keyringPath = (i: number): Path => (sys.keyrings ? ['system', 'keyrings', i] : ['system', 'keyring']);
  const keyrings = compileKeyrings(p, sys, keyringPath);
  const keyringNames = keyrings.map((k) => k.name);
  keyringNames.forEach((n, i) => {
    if (keyringNames.indexOf(n) !== i) p.fail([...keyringPath(i), 'name'], `keyring '${n}' is declared twice`, 'give each keyring a unique name');
  });
  const keyringIndex = (name: string, path: Path): number => lookup(keyringNames, name, path, 'keyring', sys.keyrings ? 'system.keyrings' : 'system.keyring');

  // ---- components and releases ----
  const components: Component[] = [];
  const releases: Release[] = [];
  const releaseByName = new Map<string, number>();
  const nodeNames: string[] = [];
  const nodeComponent: number[] = [];
  const nodeInitialRelease: number[] = [];
  const pendingUpgradesFrom: { rel: number; name: string; path: Path }[] = [];
  const componentNames = new Set<string>();
  (sys.components as Raw[]).forEach((cr, ci) => {
    const cpath: Path = ['system', 'components', ci];
    if (componentNames.has(cr.name)) p.fail([...cpath, 'name'], `component '${cr.name}' is declared twice`, 'give each component a unique name');
    componentNames.add(cr.name);
    const relIdx: number[] = [];
    (cr.releases as Raw[]).forEach((rr, ri) => {
      const rpath: Path = [...cpath, 'releases', ri];
      if (relIdx.some((r) => releases[r].name === rr.name)) p.fail([...rpath, 'name'], `release '${rr.name}' is declared twice in '${cr.name}'`, 'give each release of a component its own name');
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
        decryptsWith: rr['decrypts-with'] ?? 'by-record',
        encryptReportsKeyId: rr['encrypt-reports-key-id'] ?? 'with-ciphertext',
        oneWay: rr['one-way'] ?? false,
        upgradesFrom: -1,
        series: rr.series ?? String(rr.name).replace(/^[^0-9]*/, '').split('.')[0],
        requiresReadableData: rr['requires-readable-data'] ?? false,
        rollbackWindowDays: rr['rollback-window-days'] ?? -1,
      });
      if (rr['upgrades-from'] !== undefined) pendingUpgradesFrom.push({ rel: index, name: rr['upgrades-from'], path: [...rpath, 'upgrades-from'] });
      releaseByName.set(`${cr.name}/${rr.name}`, index);
      relIdx.push(index);
    });
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
    const firstNode = nodeNames.length;
    for (let i = 0; i < cr.nodes; i++) {
      nodeNames.push(`${cr.name}-${i + 1}`);
      nodeComponent.push(ci);
      nodeInitialRelease.push(perNode[i]);
    }
    const formats = relIdx.reduce((m, r) => {
      const rel = releases[r];
      return m | rel.readsFormats | (1 << rel.writes.format) | (rel.writesWhileMixed ? 1 << rel.writesWhileMixed.format : 0);
    }, 0);
    components.push({
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
      keyring: cr.keyring === undefined ? 0 : keyringIndex(cr.keyring, [...cpath, 'keyring']),
      formats,
    });
    if (cr['data-keys'] === 'per-node' && !cr['caches-data-keys']) {
      p.fail([...cpath, 'data-keys'], `'${cr.name}' has per-node data keys but caches no data keys`, "add 'caches-data-keys: true' (a KMS v2 API server caches the data keys it generates and reads), or remove data-keys");
    }
  });
  (sys.components as Raw[]).forEach((cr, ci) => {
    components[ci].dependsOn = ((cr['depends-on'] ?? []) as string[]).map((name, i) => {
      const d = components.findIndex((c) => c.name === name);
      if (d < 0 || d === ci) p.fail(['system', 'components', ci, 'depends-on', i], `'${cr.name}' depends on '${name}', which is not another component`, useOneOf(name, components.filter((_, j) => j !== ci).map((c) => c.name)));
      return d;
    });
  });
  checkNodeCount(p, nodeNames.length);
  checkDependencyCycles(p, components);
  for (const u of pendingUpgradesFrom) {
    const from = releaseByName.get(`${components[releases[u.rel].component].name}/${u.name}`);
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

  // ---- key_id schemes ----
  const derivations: Record<string, KeyIdDerivation> = sys['key-id-schemes'] ?? {};
  for (const name of Object.keys(derivations)) {
    if (!keyIdSchemes.includes(name)) p.fail(['system', 'key-id-schemes', name], `key-id-schemes describes '${name}', which no release uses`, `use one of: ${listOf(keyIdSchemes)}, or remove it`, true);
  }
  const keyIdDerivation = keyIdSchemes.map((name) => derivations[name] ?? 'key-material');

  // ---- snapshots from elsewhere ----
  const snapshots: Snapshot[] = ((sys.snapshots ?? []) as Raw[]).map((sn, i) => {
    const path: Path = ['system', 'snapshots', i];
    const kr = keyringIndex(sn.keyring, [...path, 'keyring']);
    if (sn.latest > keyrings[kr].maxVersion) p.fail([...path, 'latest'], `snapshot latest ${sn.latest} is above keyring '${sn.keyring}' max-version ${keyrings[kr].maxVersion}`, `raise the keyring's max-version to at least ${sn.latest}`);
    return { name: sn.name, keyring: kr, latest: sn.latest, generation: 0 };
  });

  // ---- runbook ----
  const rb: Raw = d.runbook;
  const compIndex = (name: string, path: Path): number => {
    const i = components.findIndex((c) => c.name === name);
    if (i < 0) p.fail(path, `'${name}' is not a component of the system`, useOneOf(name, components.map((c) => c.name)));
    return i;
  };
  if (rb.component === undefined && rb.components === undefined) p.fail(['runbook'], 'the runbook names no component', "add 'component: <name>' (or 'components: [...]') to runbook");
  const rbComponents: number[] =
    rb.components !== undefined
      ? (rb.components as string[]).map((n, i) => compIndex(n, ['runbook', 'components', i]))
      : [compIndex(rb.component, ['runbook', 'component'])];
  const comp = components[rbComponents[0]];
  const targets = components.map(() => -1);
  const toSpec: Raw = rb.upgrade.to;
  const setTarget = (ci: number, name: string, path: Path) => {
    const c = components[ci];
    const t = c.releases.find((r) => releases[r].name === name);
    if (t === undefined) p.fail(path, `upgrade.to '${name}' is not a release of '${c.name}'`, useOneOf(name, c.releases.map((r) => releases[r].name)));
    if (releases[t!].order <= releases[c.initialRelease].order) {
      p.fail(path, `upgrade.to '${name}' is not newer than '${releases[c.initialRelease].name}', which ${c.name} runs`, 'list releases oldest first and upgrade to a later one');
    }
    targets[ci] = t!;
  };
  if (toSpec === undefined) {
    // a runbook that changes no release: a key rotation, a storage migration
  } else if (typeof toSpec === 'string') {
    if (rbComponents.length > 1) p.fail(['runbook', 'upgrade', 'to'], 'the runbook touches several components but upgrade.to names one release', 'give upgrade.to as a map: { <component>: <release>, ... }');
    setTarget(rbComponents[0], toSpec, ['runbook', 'upgrade', 'to']);
  } else {
    for (const [name, rel] of Object.entries(toSpec as Record<string, string>)) {
      const ci = compIndex(name, ['runbook', 'upgrade', 'to', name]);
      if (!rbComponents.includes(ci)) p.fail(['runbook', 'upgrade', 'to', name], `upgrade.to names '${name}', which the runbook does not touch`, `add '${name}' to runbook.components`);
      setTarget(ci, rel, ['runbook', 'upgrade', 'to', name]);
    }
  }
  const unreadableFormat = (fr0: Raw) => (fr0?.['migration-fails'] !== undefined || fr0?.['image-replace-fails']?.['leaves-data-unreadable'] ? wireFormats.length : -1);
  const unreadable = unreadableFormat(d.faults);
  const snapshotNames = snapshots.map((x) => x.name);
  const stageContext: StageContext = { p, components, releases, wireFormats, rbComponents, targets, compIndex, lookup, keyringIndex, snapshotNames, maxVersion: Math.max(...keyrings.map((x) => x.maxVersion)) };
  const records: InitialRecords[] = ((sys.records ?? []) as Raw[]).map((r, i) => {
    const path: Path = ['system', 'records', i];
    const kv = r['key-version'] ?? 1;
    const f = recordFormat(r, path);
    // by default a record was written by the release its component runs
    const named = r.keyring === undefined ? -1 : keyringIndex(r.keyring, [...path, 'keyring']);
    const owner = components.find((c) => (c.formats >> f.format) & 1 && (named < 0 || c.keyring === named)) ?? comp;
    const writer = r.writer === undefined ? owner.initialRelease : releaseByName.get(`${owner.name}/${r.writer}`);
    if (writer === undefined) p.fail([...path, 'writer'], `writer '${r.writer}' is not a release of '${owner.name}', which serves ${wireFormats[f.format]}`, useOneOf(r.writer, owner.releases.map((x) => releases[x].name)));
    const keyring = r.keyring === undefined ? owner.keyring : keyringIndex(r.keyring, [...path, 'keyring']);
    if (kv > keyrings[keyring].maxVersion) p.fail([...path, 'key-version'], `key-version ${kv} is above keyring '${keyrings[keyring].name}' max-version ${keyrings[keyring].maxVersion}`, 'lower it, or raise the keyring\'s max-version');
    return { keyring, keyVersion: kv, format: f.format, aad: f.aad, writer: writer!, count: r.count };
  });

  // ---- faults, workload, properties, bounds, expectations ----
  const fr: Raw = d.faults ?? {};
  const faults: FaultSpec[] = FAULT_NAMES.filter((f) => fr[f] !== undefined).map((f) => ({
    name: f,
    weight: fr[f].weight ?? 1,
    duringMaintenance: fr[f]['during-maintenance'] ?? false,
    leavesDataUnreadable: fr[f]['leaves-data-unreadable'] ?? false,
  }));
  const properties: string[] = d.properties ?? PROPERTY_NAMES;
  const br: Raw = d.bounds ?? {};
  const bounds: Bounds = {
    maxDepth: br['max-depth'] ?? DEFAULT_BOUNDS.maxDepth,
    maxFaults: overrides.maxFaults ?? fr.budget ?? DEFAULT_BOUNDS.maxFaults,
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
    const vacuous: string[] | null = d.expect.vacuous ?? null;
    vacuous?.forEach((v, i) => {
      if (!properties.includes(v)) p.fail(['expect', 'vacuous', i], `expect.vacuous names '${v}', which this scenario does not check`, `add '${v}' to properties, or remove it from expect.vacuous`);
      if (fires.includes(v)) p.fail(['expect', 'vacuous', i], `expect.vacuous names '${v}', which expect.fires says must fire`, `a property that fires was put to the test: remove '${v}' from one of the two lists`);
    });
    const pl = p.place(['expect']);
    expect = { verdict: d.expect.verdict, fires, vacuous, place: { file: p.file, line: pl.line, column: pl.column } };
  }

  const declaredFormats = wireFormats.length;
  if (unreadable >= 0) wireFormats.push('half-migrated (unreadable)');
  const upgrade = compileProcedure(rb.upgrade, ['runbook', 'upgrade'], stageContext);
  const rollbackProc = rb.rollback ? compileProcedure(rb.rollback, ['runbook', 'rollback'], stageContext) : null;
  const allSteps = (proc: Procedure | null) => (proc?.stages ?? []).flatMap((st) => st.steps.map((step) => ({ step, stage: st })));
  const stepsOfBoth = [...allSteps(upgrade), ...allSteps(rollbackProc)];
  // key material a keyring can come to hold: its own, one per re-creation, one per snapshot
  const recreations = stepsOfBoth
    .filter(({ step }) => step.name === 'recreate-key')
    .reduce((n, { stage }) => n + (stage.strategy === 'once' || stage.strategy === 'all-at-once' ? 1 : stage.components.reduce((m, ci) => m + components[ci].nodes, 0)), 0);
  snapshots.forEach((sn, i) => (sn.generation = 2 + recreations + i));
  const generations = 1 + recreations + snapshots.length;
  // The model holds max-version versions per keyring: every rotation must find one. Rotation
  // faults stop there by themselves, but a rotate-keys step does not, and a rotation fault can
  // use up the room a later rotate-keys step needs; so a keyring the runbook rotates needs room
  // for each rotate-keys run, a rotation already under way and each rotation fault the budget
  // (the file's, or the one overriding it) allows.
  const rotationFaults = faults.some((f) => f.name === 'rotation-starts') ? bounds.maxFaults : 0;
  keyrings.forEach((k, i) => {
    const runs = stepsOfBoth
      .filter(({ step, stage }) => step.name === 'rotate-keys' && (step.keyring >= 0 ? step.keyring === i : stage.components.some((ci) => components[ci].keyring === i)))
      // a per-node stage runs it once per node: on a named keyring for every node, else for the nodes on keyring i
      .reduce((n, { step, stage }) => n + (stage.strategy === 'once' || stage.strategy === 'all-at-once' ? 1 : stage.components.reduce((m, ci) => m + (step.keyring >= 0 || components[ci].keyring === i ? components[ci].nodes : 0), 0)), 0);
    const need = k.latest + runs + (k.rotationInProgress ? 1 : 0) + (runs > 0 ? rotationFaults : 0);
    if (need > k.maxVersion) {
      const why = [
        ...(runs > 0 ? [`${runs} rotate-keys run${runs > 1 ? 's' : ''}`] : []),
        ...(k.rotationInProgress ? ['a rotation under way'] : []),
        ...(runs > 0 && rotationFaults ? [`${rotationFaults} rotation fault${rotationFaults > 1 ? 's' : ''}`] : []),
      ].join(', ');
      p.fail([...keyringPath(i), 'max-version'], `keyring '${k.name}' can reach key version ${need} (latest ${k.latest}, then ${why}), above its max-version ${k.maxVersion}`, `raise max-version to at least ${need}`);
    }
  });
  const horizon = sys.clock?.['horizon-days'] ?? 0;
  keyrings.forEach((k, i) => {
    const schedules = stepsOfBoth.some(({ step }) => step.name === 'schedule-key-deletion' && (step.keyring < 0 || step.keyring === i));
    if (schedules && k.deletionWaitDays > horizon) {
      p.fail([...keyringPath(i), 'deletion-wait-days'], `versions of '${k.name}' are destroyed ${k.deletionWaitDays} days after schedule-key-deletion, past the clock horizon of ${horizon} days, so the destruction is never explored`, `raise system.clock.horizon-days to at least ${k.deletionWaitDays}`);
    }
  });
  // a keyring or snapshot nothing uses makes every property about it hold vacuously
  keyrings.forEach((k, i) => {
    if (!components.some((c) => c.keyring === i)) {
      p.fail([...keyringPath(i), 'name'], `keyring '${k.name}' is used by no component`, `add 'keyring: ${k.name}' to the components whose records it encrypts, or remove it`);
    }
  });
  snapshots.forEach((sn, i) => {
    if (!stepsOfBoth.some(({ step }) => step.name === 'restore' && step.snapshot === i)) {
      p.fail(['system', 'snapshots', i, 'name'], `snapshot '${sn.name}' is restored by no step`, `add { restore: { from: ${sn.name} } } to the runbook, or remove the snapshot`);
    }
  });
  const rollbackRestores = { data: false, keyring: false };
  for (const { step } of allSteps(rollbackProc)) {
    if (step.name === 'recover-from-backup') rollbackRestores.data = rollbackRestores.keyring = true;
    if (step.name !== 'restore') continue;
    if (step.scope !== 'keyring') rollbackRestores.data = true;
    if (step.scope !== 'data' && step.snapshot < 0) rollbackRestores.keyring = true;
  }
  if (rb.upgrade['scheduled-in-days'] !== undefined && rb.upgrade['scheduled-in-days'] > (sys.clock?.['horizon-days'] ?? 0)) {
    p.fail(['runbook', 'upgrade', 'scheduled-in-days'], `the upgrade is scheduled ${rb.upgrade['scheduled-in-days']} days ahead, past the clock horizon`, 'raise system.clock.horizon-days to at least the scheduled day');
  }
  const compiled: CompiledScenario = {
    file: p.file,
    name: d.scenario,
    title: d.title ?? d.scenario,
    follows: d.follows ?? '',
    wireFormats,
    aadShapes,
    keyStates,
    keyIdSchemes,
    keyIdDerivation,
    keyrings,
    snapshots,
    generations,
    usesVersionStates:
      keyrings.some((k) => k.keepVersions > 0 || k.disabled.length > 0) ||
      stepsOfBoth.some(({ step }) => ['disable-key-version', 'enable-key-version', 'schedule-key-deletion', 'cancel-key-deletion'].includes(step.name)),
    backsUpKeyrings: stepsOfBoth.some(({ step }) => step.name === 'backup' && step.scope !== 'data'),
    components,
    releases,
    nodeCount: nodeNames.length,
    nodeNames,
    nodeComponent,
    nodeInitialRelease,
    records,
    runbook: {
      components: rbComponents,
      maintenanceWindow: rb['maintenance-window'] ?? false,
      preconditions: (rb['before-you-start'] ?? []) as PreconditionName[],
      targets,
      scheduledInDays: rb.upgrade['scheduled-in-days'] ?? 0,
      alreadyUpgradedDaysAgo: rb['already-upgraded']?.['days-ago'] ?? -1,
      upgrade,
      rollbackRestores,
      rollback: rb.rollback ? { triggers: rb.rollback.when as TriggerName[], guards: (rb.rollback.guards ?? []) as GuardName[], procedure: rollbackProc! } : null,
    },
    clockHorizonDays: sys.clock?.['horizon-days'] ?? 0,
    unreadableFormat: unreadable,
    faults,
    workload: { writes: d.workload?.writes ?? true, batch: d.workload?.batch ?? 100 },
    properties: PROPERTY_NAMES.filter((n) => properties.includes(n)),
    bounds,
    expect,
  };
  checkUses(p, compiled, declaredFormats);
  checkRecordCounts(p, compiled, overrides.maxDepth ?? bounds.maxDepth);
  checkWorldSize(p, compiled);
  return compiled;
}
