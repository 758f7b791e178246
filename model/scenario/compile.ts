// A schema-valid scenario -> CompiledScenario: names resolved to indices, defaults applied,
// and the cross-references the schema cannot express checked, each with its place in the file.
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
  Snapshot,
  PreconditionName,
  Runbook,
  TriggerName,
} from '../types.js';
import { PROPERTIES, PROPERTY_NAMES } from '../properties.js';
import { type ParsedScenario, type Path, useOneOf } from './parse.js';
import { checkUses } from './uses.js';
import { checkRecordCounts, checkWorldSize } from './limits.js';
import { type StageContext, compileProcedure } from './compile-stages.js';
import { type Fleet, type SystemNames, compileFleet, compileKeyIdDerivation, compileSnapshots, compileSystemNames } from './compile-system.js';
import { checkDeletionHorizon, checkKeyMaterialUsed, checkRotationRoom, countGenerations, rollbackRestores, stepsOf, usesVersionStates } from './compile-runbook-keys.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

export const DEFAULT_BOUNDS: Bounds = { maxDepth: 80, fileMaxDepth: null, maxFaults: 2, maxStates: 5_000_000 };

// maxFaults, maxDepth: bounds that override the file's (--max-faults, --max-depth), so the
// checks that depend on them see the ones the search will use.
// Each phase refuses the file at the first problem it finds, so their order decides which of
// several problems a file is refused for: keep it when moving checks.
export function compileScenario(p: ParsedScenario, overrides: { maxFaults?: number; maxDepth?: number } = {}): CompiledScenario {
  const d: Raw = p.data;
  const s = compileSystemNames(p);
  const fleet = compileFleet(s);
  const keyIdDerivation = compileKeyIdDerivation(s, fleet.keyIdSchemes);
  const snapshots = compileSnapshots(s);
  const scope = compileRunbookScope(p, d.runbook, fleet);
  const records = compileRecords(s, fleet, fleet.components[scope.components[0]]);
  const faults = compileFaults(d.faults ?? {});
  const properties: string[] = d.properties ?? PROPERTY_NAMES;
  const bounds = compileBounds(d, overrides);
  const expect = compileExpect(p, d.expect, properties);

  // checkUses judges the formats the file declares, not the one a failed migration leaves
  const declaredFormats = s.wireFormats.length;
  const unreadableFormat = leavesDataUnreadable(d.faults) ? declaredFormats : -1;
  if (unreadableFormat >= 0) s.wireFormats.push('half-migrated (unreadable)');
  const stages: StageContext = stageContext(s, fleet, scope, snapshots);
  const upgrade = compileProcedure(d.runbook.upgrade, ['runbook', 'upgrade'], stages);
  const rollback = d.runbook.rollback ? compileProcedure(d.runbook.rollback, ['runbook', 'rollback'], stages) : null;

  const steps = [...stepsOf(upgrade), ...stepsOf(rollback)];
  const horizon: number = s.sys.clock?.['horizon-days'] ?? 0;
  const generations = countGenerations(steps, fleet.components, snapshots);
  checkRotationRoom(s, fleet.components, steps, faults, bounds);
  checkDeletionHorizon(s, steps, horizon);
  checkKeyMaterialUsed(s, fleet.components, snapshots, steps);
  checkScheduledInDays(p, d.runbook.upgrade, horizon);

  const compiled = assemble(d, s, fleet, {
    keyIdDerivation,
    snapshots,
    generations,
    usesVersionStates: usesVersionStates(s, steps),
    backsUpKeyrings: steps.some(({ step }) => step.name === 'backup' && step.scope !== 'data'),
    records,
    scope,
    upgrade,
    rollback,
    rollbackRestores: rollbackRestores(rollback),
    clockHorizonDays: horizon,
    unreadableFormat,
    faults,
    properties,
    bounds,
    expect,
  });
  checkUses(p, compiled, declaredFormats);
  // a search with no depth bound (Infinity) guards its counts as it goes (countSafeDepth)
  checkRecordCounts(p, compiled, Number.isFinite(overrides.maxDepth) ? overrides.maxDepth! : bounds.maxDepth);
  checkWorldSize(p, compiled);
  return compiled;
}

// The components the runbook touches, and per component the release upgrade.to installs
// (-1: none; a runbook that changes no release is a key rotation or a storage migration).
interface RunbookScope {
  components: number[];
  targets: number[];
}

function componentIndex(p: ParsedScenario, components: Component[], name: string, path: Path): number {
  const i = components.findIndex((c) => c.name === name);
  if (i < 0) p.fail(path, `'${name}' is not a component of the system`, useOneOf(name, components.map((c) => c.name)));
  return i;
}

function compileRunbookScope(p: ParsedScenario, rb: Raw, fleet: Fleet): RunbookScope {
  const { components, releases } = fleet;
  if (rb.component === undefined && rb.components === undefined) p.fail(['runbook'], 'the runbook names no component', "add 'component: <name>' (or 'components: [...]') to runbook");
  const touched: number[] =
    rb.components !== undefined
      ? (rb.components as string[]).map((n, i) => componentIndex(p, components, n, ['runbook', 'components', i]))
      : [componentIndex(p, components, rb.component, ['runbook', 'component'])];
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
    if (touched.length > 1) p.fail(['runbook', 'upgrade', 'to'], 'the runbook touches several components but upgrade.to names one release', 'give upgrade.to as a map: { <component>: <release>, ... }');
    setTarget(touched[0], toSpec, ['runbook', 'upgrade', 'to']);
  } else {
    for (const [name, rel] of Object.entries(toSpec as Record<string, string>)) {
      const ci = componentIndex(p, components, name, ['runbook', 'upgrade', 'to', name]);
      if (!touched.includes(ci)) p.fail(['runbook', 'upgrade', 'to', name], `upgrade.to names '${name}', which the runbook does not touch`, `add '${name}' to runbook.components`);
      setTarget(ci, rel, ['runbook', 'upgrade', 'to', name]);
    }
  }
  return { components: touched, targets };
}

// first: the first component the runbook touches, which owns a record no other serves
function compileRecords(s: SystemNames, fleet: Fleet, first: Component): InitialRecords[] {
  const { p, sys, wireFormats, keyrings, keyringIndex } = s;
  const { components, releases } = fleet;
  return ((sys.records ?? []) as Raw[]).map((r, i) => {
    const path: Path = ['system', 'records', i];
    const kv = r['key-version'] ?? 1;
    const f = s.recordFormat(r, path);
    // by default a record was written by the release its component runs
    const named = r.keyring === undefined ? -1 : keyringIndex(r.keyring, [...path, 'keyring']);
    const owner = components.find((c) => (c.formats >> f.format) & 1 && (named < 0 || c.keyring === named)) ?? first;
    const writer = r.writer === undefined ? owner.initialRelease : fleet.releaseByName.get(`${owner.name}/${r.writer}`);
    if (writer === undefined) p.fail([...path, 'writer'], `writer '${r.writer}' is not a release of '${owner.name}', which serves ${wireFormats[f.format]}`, useOneOf(r.writer, owner.releases.map((x) => releases[x].name)));
    const keyring = r.keyring === undefined ? owner.keyring : keyringIndex(r.keyring, [...path, 'keyring']);
    if (kv > keyrings[keyring].maxVersion) p.fail([...path, 'key-version'], `key-version ${kv} is above keyring '${keyrings[keyring].name}' max-version ${keyrings[keyring].maxVersion}`, 'lower it, or raise the keyring\'s max-version');
    return { keyring, keyVersion: kv, format: f.format, aad: f.aad, writer: writer!, count: r.count };
  });
}

function compileFaults(fr: Raw): FaultSpec[] {
  return FAULT_NAMES.filter((f) => fr[f] !== undefined).map((f) => ({
    name: f,
    weight: fr[f].weight ?? 1,
    duringMaintenance: fr[f]['during-maintenance'] ?? false,
    leavesDataUnreadable: fr[f]['leaves-data-unreadable'] ?? false,
  }));
}

// a failed migration, or a failed image replacement declared to, leaves records half
// converted: a format of their own that no release reads
function leavesDataUnreadable(fr: Raw): boolean {
  return fr?.['migration-fails'] !== undefined || Boolean(fr?.['image-replace-fails']?.['leaves-data-unreadable']);
}

function compileBounds(d: Raw, overrides: { maxFaults?: number }): Bounds {
  const br: Raw = d.bounds ?? {};
  return {
    maxDepth: br['max-depth'] ?? DEFAULT_BOUNDS.maxDepth,
    fileMaxDepth: br['max-depth'] ?? null,
    maxFaults: overrides.maxFaults ?? d.faults?.budget ?? DEFAULT_BOUNDS.maxFaults,
    maxStates: br['max-states'] ?? DEFAULT_BOUNDS.maxStates,
  };
}

function compileExpect(p: ParsedScenario, ex: Raw, properties: string[]): CompiledScenario['expect'] {
  if (!ex) return null;
  const fires: string[] = ex.fires ?? [];
  fires.forEach((f, i) => {
    if (!properties.includes(f)) p.fail(['expect', 'fires', i], `expect.fires names '${f}', which this scenario does not check`, `add '${f}' to properties, or remove it from expect.fires`);
    // a sometimes property holds on one example or is vacuous: nothing can make it fire
    if (PROPERTIES.find((x) => x.name === f)?.kind === 'sometimes') p.fail(['expect', 'fires', i], `expect.fires names '${f}', a sometimes property: it never fires (it holds when some run gets there, and is vacuous when none does)`, `remove '${f}' from expect.fires; to say no run gets there, name it under expect.vacuous`);
  });
  if (ex.verdict === 'unsafe' && fires.length === 0) p.fail(['expect'], 'expect.verdict is unsafe but expect.fires names no property', 'list the properties that must fire under expect.fires');
  if (ex.verdict === 'safe' && fires.length > 0) p.fail(['expect', 'fires'], 'expect.verdict is safe but expect.fires names properties', 'remove expect.fires, or make the verdict unsafe');
  const vacuous: string[] | null = ex.vacuous ?? null;
  vacuous?.forEach((v, i) => {
    if (!properties.includes(v)) p.fail(['expect', 'vacuous', i], `expect.vacuous names '${v}', which this scenario does not check`, `add '${v}' to properties, or remove it from expect.vacuous`);
    if (fires.includes(v)) p.fail(['expect', 'vacuous', i], `expect.vacuous names '${v}', which expect.fires says must fire`, `a property that fires was put to the test: remove '${v}' from one of the two lists`);
  });
  const pl = p.place(['expect']);
  return { verdict: ex.verdict, fires, vacuous, place: { file: p.file, line: pl.line, column: pl.column } };
}

function stageContext(s: SystemNames, fleet: Fleet, scope: RunbookScope, snapshots: Snapshot[]): StageContext {
  const { p, keyrings } = s;
  return {
    p,
    components: fleet.components,
    releases: fleet.releases,
    wireFormats: s.wireFormats,
    rbComponents: scope.components,
    targets: scope.targets,
    compIndex: (name, path) => componentIndex(p, fleet.components, name, path),
    lookup: s.lookup,
    keyringIndex: s.keyringIndex,
    snapshotNames: snapshots.map((x) => x.name),
    maxVersion: Math.max(...keyrings.map((x) => x.maxVersion)),
  };
}

function checkScheduledInDays(p: ParsedScenario, upgrade: Raw, horizon: number): void {
  if (upgrade['scheduled-in-days'] !== undefined && upgrade['scheduled-in-days'] > horizon) {
    p.fail(['runbook', 'upgrade', 'scheduled-in-days'], `the upgrade is scheduled ${upgrade['scheduled-in-days']} days ahead, past the clock horizon`, 'raise system.clock.horizon-days to at least the scheduled day');
  }
}

// what the phases above compiled that the system's names and the fleet do not hold
interface Parts {
  keyIdDerivation: KeyIdDerivation[];
  snapshots: Snapshot[];
  generations: number;
  usesVersionStates: boolean;
  backsUpKeyrings: boolean;
  records: InitialRecords[];
  scope: RunbookScope;
  upgrade: Procedure;
  rollback: Procedure | null;
  rollbackRestores: Runbook['rollbackRestores'];
  clockHorizonDays: number;
  unreadableFormat: number;
  faults: FaultSpec[];
  properties: string[];
  bounds: Bounds;
  expect: CompiledScenario['expect'];
}

// The compiled scenario from the phases' parts, with the defaults of the settings that name
// nothing to resolve (the workload, the runbook's maintenance window and preconditions).
function assemble(d: Raw, s: SystemNames, fleet: Fleet, x: Parts): CompiledScenario {
  const rb: Raw = d.runbook;
  return {
    file: s.p.file,
    name: d.scenario,
    title: d.title ?? d.scenario,
    follows: d.follows ?? '',
    wireFormats: s.wireFormats,
    aadShapes: s.aadShapes,
    keyStates: s.keyStates,
    keyIdSchemes: fleet.keyIdSchemes,
    keyIdDerivation: x.keyIdDerivation,
    keyrings: s.keyrings,
    snapshots: x.snapshots,
    generations: x.generations,
    usesVersionStates: x.usesVersionStates,
    backsUpKeyrings: x.backsUpKeyrings,
    components: fleet.components,
    releases: fleet.releases,
    nodeCount: fleet.nodeNames.length,
    nodeNames: fleet.nodeNames,
    nodeComponent: fleet.nodeComponent,
    nodeInitialRelease: fleet.nodeInitialRelease,
    records: x.records,
    runbook: {
      components: x.scope.components,
      maintenanceWindow: rb['maintenance-window'] ?? false,
      preconditions: (rb['before-you-start'] ?? []) as PreconditionName[],
      targets: x.scope.targets,
      scheduledInDays: rb.upgrade['scheduled-in-days'] ?? 0,
      alreadyUpgradedDaysAgo: rb['already-upgraded']?.['days-ago'] ?? -1,
      upgrade: x.upgrade,
      rollbackRestores: x.rollbackRestores,
      rollback: rb.rollback ? { triggers: rb.rollback.when as TriggerName[], guards: (rb.rollback.guards ?? []) as GuardName[], procedure: x.rollback! } : null,
    },
    clockHorizonDays: x.clockHorizonDays,
    unreadableFormat: x.unreadableFormat,
    faults: x.faults,
    workload: { writes: d.workload?.writes ?? true, batch: d.workload?.batch ?? 100 },
    properties: PROPERTY_NAMES.filter((n) => x.properties.includes(n)),
    bounds: x.bounds,
    expect: x.expect,
  };
}
