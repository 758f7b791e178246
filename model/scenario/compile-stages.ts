// Runbook procedures: `each-node` / `after-all` or ordered `stages`, with each stage's node
// selection (`nodes: N` canaries, `nodes: rest`) and release (`to:`) checked against the
// components, so that a runbook that cannot mean anything is refused before it is explored.
import { REST_OF_NODES } from '../types.js';
import type { BackupScope, Component, Procedure, Release, Stage, Step, StepName, Strategy, VersionSelector } from '../types.js';
import { type ParsedScenario, type Path, listOf, quoteName, useOneOf } from './parse.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

export interface StageContext {
  p: ParsedScenario;
  components: Component[];
  releases: Release[];
  wireFormats: string[];
  rbComponents: number[];
  targets: number[]; // per component: the release upgrade.to installs (-1: none)
  compIndex: (name: string, path: Path) => number;
  lookup: (list: string[], value: string, path: Path, what: string, listPath: string) => number;
  keyringIndex: (name: string, path: Path) => number;
  snapshotNames: string[];
  maxVersion: number; // the largest max-version of any keyring
}

const VERSION_STEPS = ['disable-key-version', 'enable-key-version', 'schedule-key-deletion', 'cancel-key-deletion'];

export function compileProcedure(x: Raw, path: Path, k: StageContext): Procedure {
  const { p, rbComponents } = k;
  const rollback = path[path.length - 1] === 'rollback';
  if (x.stages === undefined) {
    if (x['each-node'] === undefined) p.fail(path, `${path[path.length - 1]} has neither each-node nor stages`, 'add each-node: [steps] with a strategy, or a list of stages');
    if (x.strategy === undefined) p.fail(path, `${path[path.length - 1]} has each-node but no strategy`, 'add strategy: one-node-at-a-time or all-at-once');
    const stages: Stage[] = [{ label: '', components: rbComponents, strategy: x.strategy as Strategy, steps: compileSteps(x['each-node'], [...path, 'each-node'], rbComponents, k), nodes: 0, round: 0, to: null }];
    if (x['after-all']?.length) {
      stages.push({ label: 'after all', components: rbComponents, strategy: 'once', steps: compileSteps(x['after-all'], [...path, 'after-all'], rbComponents, k), nodes: 0, round: 0, to: null });
    }
    return { stages };
  }
  for (const key of ['strategy', 'each-node', 'after-all']) {
    if (x[key] !== undefined) p.fail([...path, key], `${key} and stages cannot be used together`, `move ${key} into a stage, or remove stages`, true);
  }
  // nodes of each component that counted stages have taken since the last `rest`
  const taken = new Map<number, number>();
  // newest release order a stage of this procedure has installed, per component
  const installed = new Map<number, number>();
  let round = 0;
  return {
    stages: (x.stages as Raw[]).map((st, i) => {
      const sp: Path = [...path, 'stages', i];
      const names: string[] | undefined = st.components ?? (st.component !== undefined ? [st.component] : undefined);
      const comps = names ? names.map((n, j) => k.compIndex(n, st.components ? [...sp, 'components', j] : [...sp, 'component'])) : rbComponents;
      for (const ci of comps) if (!rbComponents.includes(ci)) p.fail(sp, `stage ${i + 1} acts on '${k.components[ci].name}', which the runbook does not touch`, `add it to runbook.components`);
      const steps = compileSteps(st.steps, [...sp, 'steps'], comps, k);
      const strategy = st.strategy as Strategy;
      const nodes = st.nodes === undefined ? 0 : selection(st.nodes, i, strategy, comps, [...sp, 'nodes'], taken, k);
      const to = st.to === undefined ? null : stageReleases(st.to, i, comps, steps, rollback, [...sp, 'to'], k);
      if (!rollback) {
        const at = (ci: number): Path => (st.to === undefined ? [...sp, 'steps'] : typeof st.to === 'string' ? [...sp, 'to'] : [...sp, 'to', k.components[ci].name]);
        checkHops(i, comps, steps, to, installed, at, k);
      }
      const stage: Stage = { label: stageLabel(i, comps, nodes, to, k), components: comps, strategy, steps, nodes, round, to };
      if (nodes === REST_OF_NODES) round = i + 1;
      return stage;
    }),
  };
}

// A step is a name, or a one-key map naming the step and its argument (docs/scenario-format.md).
function compileSteps(list: Raw[], path: Path, comps: number[], k: StageContext): Step[] {
  const { p, components } = k;
  return list.map((st, i) => {
    const base: Step = { name: 'doctor', format: -1, keyring: -1, versions: 'latest', scope: 'both', snapshot: -1 };
    if (typeof st === 'string') {
      if (VERSION_STEPS.includes(st)) p.fail([...path, i], `${st} needs the key versions it acts on`, `write { ${st}: previous } (or latest, all-but-latest, a version number)`);
      return { ...base, name: st as StepName };
    }
    const name = Object.keys(st)[0] as StepName;
    const arg: Raw = st[name];
    const at: Path = [...path, i, name];
    if (name === 'migrate') {
      const format = k.lookup(k.wireFormats, arg, at, 'wire format', 'system.wire-formats');
      if (!comps.some((ci) => (components[ci].formats >> format) & 1)) {
        p.fail(at, `migrate to '${arg}', a format no release of ${listOf(comps.map((ci) => components[ci].name))} reads or writes`, "migrate to a format the component's releases read");
      }
      return { ...base, name, format };
    }
    if (name === 'backup') return { ...base, name, scope: arg as BackupScope };
    if (name === 'restore') {
      if (typeof arg === 'string') return { ...base, name, scope: arg as BackupScope };
      const snapshot = arg.from === undefined ? -1 : k.lookup(k.snapshotNames, arg.from, [...at, 'from'], 'snapshot', 'system.snapshots');
      if (snapshot >= 0 && arg.scope === 'data') p.fail([...at, 'scope'], 'a restore from a keyring snapshot cannot restore data only', 'use scope: keyring or both, or remove from');
      return { ...base, name, scope: (arg.scope ?? (snapshot >= 0 ? 'keyring' : 'both')) as BackupScope, snapshot };
    }
    const versionStep = VERSION_STEPS.includes(name);
    const krName: string | undefined = versionStep ? (typeof arg === 'object' ? arg.keyring : undefined) : arg;
    const keyring = krName === undefined ? -1 : k.keyringIndex(krName, versionStep ? [...at, 'keyring'] : at);
    if (keyring >= 0 && !comps.some((ci) => components[ci].keyring === keyring)) {
      p.fail(at, `${name} acts on keyring '${krName}', which no component of this stage uses`, `use the keyring of ${listOf(comps.map((ci) => components[ci].name))}, or move the step to a stage on a component that uses '${krName}'`);
    }
    const versions: VersionSelector = versionStep ? (typeof arg === 'object' ? arg.versions : arg) : 'latest';
    if (typeof versions === 'number' && versions > k.maxVersion) {
      p.fail(typeof arg === 'object' ? [...at, 'versions'] : at, `${name} names key version ${versions}, above every keyring's max-version`, `name a version from 1 to ${k.maxVersion}`);
    }
    return { ...base, name, keyring, versions };
  });
}

// `nodes: N` takes N untaken nodes of each component; `nodes: rest` takes what the counted
// stages before it left, and ends the round (a later `nodes: N` may take any node again).
function selection(raw: Raw, i: number, strategy: Strategy, comps: number[], path: Path, taken: Map<number, number>, k: StageContext): number {
  const { p } = k;
  const name = (ci: number) => k.components[ci].name;
  if (raw !== 'rest' && typeof raw !== 'number') p.fail(path, `stage ${i + 1} has nodes: ${quoteName(raw)}`, "give a number of nodes (a canary the operator picks one at a time) or 'rest'");
  if (strategy === 'once') p.fail(path, `stage ${i + 1} runs once for the fleet, so it cannot pick nodes`, 'remove nodes:, or make the stage one-node-at-a-time');
  if (raw === 'rest') {
    for (const ci of comps) {
      const before = taken.get(ci) ?? 0;
      if (before === 0) p.fail(path, `stage ${i + 1} takes the rest of '${name(ci)}', but no earlier stage of this procedure took a number of its nodes`, `add nodes: <N> to an earlier stage on '${name(ci)}', or remove nodes: rest to act on every node`);
      if (before >= k.components[ci].nodes) p.fail(path, `stage ${i + 1} takes the rest of '${name(ci)}', but earlier stages already took all ${k.components[ci].nodes} of its nodes`, 'take fewer nodes in the earlier stages, or remove this stage');
      taken.set(ci, 0);
    }
    return REST_OF_NODES;
  }
  const n = raw as number;
  if (!Number.isInteger(n) || n < 1) p.fail(path, `stage ${i + 1} takes ${n} nodes`, "take at least 1 node, or use nodes: rest");
  if (strategy === 'all-at-once') p.fail(path, `stage ${i + 1} takes ${n} of its nodes all at once, but the operator picks counted nodes one at a time`, 'use strategy: one-node-at-a-time (or standbys-first) for a counted stage');
  for (const ci of comps) {
    const before = taken.get(ci) ?? 0;
    const total = k.components[ci].nodes;
    if (before + n > total) {
      const left = before ? `only ${total - before} of its ${total} are left untaken by earlier stages` : `it has ${total}`;
      p.fail(path, `stage ${i + 1} takes ${n} nodes of '${name(ci)}', but ${left}`, `take at most ${total - before}, or use nodes: rest for the remaining ones`);
    }
    taken.set(ci, before + n);
  }
  return n;
}

function stageReleases(raw: Raw, i: number, comps: number[], steps: Step[], rollback: boolean, path: Path, k: StageContext): number[] {
  const { p } = k;
  if (rollback) p.fail(path, `rollback stage ${i + 1} names a release with to:, but a rollback returns every node to its previous release`, "remove to: (set system.components[].previous to choose the release a rollback returns to)");
  if (!steps.some((s) => s.name === 'replace-image')) p.fail(path, `stage ${i + 1} names a release with to: but has no replace-image step to install it`, 'add replace-image to its steps, or remove to:');
  const to = k.components.map(() => -1);
  const set = (ci: number, rel: string, at: Path) => {
    const c = k.components[ci];
    const r = c.releases.find((x) => k.releases[x].name === rel);
    if (r === undefined) p.fail(at, `stage ${i + 1} to '${rel}' is not a release of '${c.name}'`, useOneOf(rel, c.releases.map((x) => k.releases[x].name)));
    to[ci] = r!;
  };
  if (typeof raw === 'string') {
    if (comps.length > 1) p.fail(path, `stage ${i + 1} acts on several components but to: names one release`, 'give to: as a map: { <component>: <release>, ... }');
    set(comps[0], raw, path);
  } else {
    for (const [name, rel] of Object.entries(raw as Record<string, string>)) {
      const ci = k.compIndex(name, [...path, name]);
      if (!comps.includes(ci)) p.fail([...path, name], `stage ${i + 1} to: names '${name}', which the stage does not act on`, `add '${name}' to the stage's components, or remove it from to:`);
      set(ci, rel, [...path, name]);
    }
  }
  return to;
}

// The releases the upgrade's stages install go forward, one stage after another, and end at
// upgrade.to: a stage never reinstalls an older release than an earlier stage installed.
function checkHops(i: number, comps: number[], steps: Step[], to: number[] | null, installed: Map<number, number>, at: (ci: number) => Path, k: StageContext): void {
  if (!steps.some((s) => s.name === 'replace-image')) return;
  const { p, releases } = k;
  for (const ci of comps) {
    const c = k.components[ci];
    const last = k.targets[ci];
    const own = to?.[ci] ?? -1;
    const where = at(ci);
    if (own >= 0 && last < 0) p.fail(where, `stage ${i + 1} installs ${releases[own].name} on '${c.name}', but upgrade.to names no release for it`, `name the last release the runbook installs on '${c.name}' in upgrade.to`);
    const t = own >= 0 ? own : last;
    if (t < 0) continue;
    if (releases[t].order <= releases[c.initialRelease].order) {
      p.fail(where, `stage ${i + 1} to '${releases[t].name}' is not newer than '${releases[c.initialRelease].name}', which ${c.name} runs`, 'install a later release, oldest first');
    }
    if (releases[t].order > releases[last].order) {
      p.fail(where, `stage ${i + 1} installs ${releases[t].name} on '${c.name}', past upgrade.to (${releases[last].name})`, `make upgrade.to the last release the runbook installs, or install ${releases[last].name} or older here`);
    }
    const before = installed.get(ci);
    if (before !== undefined && releases[t].order < before) {
      const earlier = releases[c.releases[before]].name;
      p.fail(where, `stage ${i + 1} installs ${releases[t].name} on '${c.name}' after an earlier stage installed ${earlier}`, `order the stages oldest release first (${releases[t].name} before ${earlier}), or give this stage to: ${earlier}`);
    }
    installed.set(ci, releases[t].order);
  }
}

function stageLabel(i: number, comps: number[], nodes: number, to: number[] | null, k: StageContext): string {
  const parts = [comps.map((ci) => k.components[ci].name).join(', ')];
  if (nodes === REST_OF_NODES) parts.push('rest');
  else if (nodes > 0) parts.push(`${nodes} node${nodes === 1 ? '' : 's'}`);
  if (to) parts.push(`to ${[...new Set(to.filter((r) => r >= 0).map((r) => k.releases[r].name))].join('/')}`);
  return `stage ${i + 1} (${listOf(parts)})`;
}
