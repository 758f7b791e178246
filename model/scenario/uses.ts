// Cross-checks that catch a scenario which would check less than it says: initial records no
// release can decrypt, names declared in system that nothing uses, faults that can never strike
// and a rollback trigger that can never fire. Each makes some property hold vacuously without
// any sign in the verdict, so each is an input error with its place in the file.
import type { CompiledScenario, FaultName, StepName } from '../types.js';
import { type ParsedScenario, listOf } from './parse.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

// `declared`: how many wire formats the file declares (compile may append its own).
export function checkUses(p: ParsedScenario, s: CompiledScenario, declared: number): void {
  checkRecords(p, s);
  checkDeclaredNames(p, s, declared);
  checkFaults(p, s);
  checkRollbackTrigger(p, s);
}

function checkRecords(p: ParsedScenario, s: CompiledScenario): void {
  const raw: Raw[] = ((p.data.system as Raw).records ?? []) as Raw[];
  const many = (p.data.system as Raw).keyrings !== undefined;
  s.records.forEach((r, i) => {
    const kr = s.keyrings[r.keyring];
    const where = many ? `system.keyrings[${r.keyring}]` : 'system.keyring';
    const path = ['system', 'records', i];
    const comp = s.components[s.releases[r.writer].component];
    const rels = comp.releases.map((x) => s.releases[x]);
    const format = s.wireFormats[r.format];
    const readers = rels.filter((rel) => (rel.readsFormats >> r.format) & 1);
    if (readers.length === 0) {
      p.fail([...path, 'format'], `records[${i}] are in wire format '${format}', which no release of '${comp.name}' reads`, `add '${format}' to reads.formats of the releases of '${comp.name}' that serve these records, or store them in a format they read`);
    }
    if (!readers.some((rel) => (rel.readsAad >> r.aad) & 1)) {
      const aad = s.aadShapes[r.aad];
      p.fail(raw[i].aad === undefined ? path : [...path, 'aad'], `records[${i}] have AAD shape '${aad}', which no release of '${comp.name}' that reads '${format}' reads`, `add '${aad}' to reads.aad of the releases that read '${format}', or give the records an AAD shape they read`);
    }
    const kv = r.keyVersion;
    const at = raw[i]['key-version'] === undefined ? path : [...path, 'key-version'];
    if (kv < kr.minDecryption) {
      p.fail(at, `records[${i}] are under key version ${kv}, below the keyring's min-decryption-version ${kr.minDecryption}: nothing can decrypt them`, `set key-version to at least ${kr.minDecryption}, or lower ${where}.min-decryption-version`);
    }
    if (kv < kr.minAvailable) {
      p.fail(at, `records[${i}] are under key version ${kv}, below the keyring's min-available-version ${kr.minAvailable}: that version was trimmed`, `set key-version to at least ${kr.minAvailable}, or lower ${where}.min-available-version`);
    }
    if (kv > kr.latest) {
      p.fail(at, `records[${i}] are under key version ${kv}, but the keyring's latest version is ${kr.latest}: the keyring has no such version`, `set key-version to at most ${kr.latest}, or raise ${where}.latest`);
    }
    if (kr.disabled.includes(kv)) {
      p.fail(at, `records[${i}] are under key version ${kv}, which ${where}.disabled-versions disables: nothing can decrypt them at the start`, `remove ${kv} from disabled-versions, or store the records under an enabled version`);
    }
  });
}

const stepsOf = (s: CompiledScenario) =>
  [s.runbook.upgrade, s.runbook.rollback?.procedure].flatMap((proc) => proc?.stages.flatMap((st) => st.steps) ?? []);

function checkDeclaredNames(p: ParsedScenario, s: CompiledScenario, declared: number): void {
  const sys: Raw = p.data.system;
  let formats = 0;
  let aads = 0;
  let keyStates = 0;
  for (const rel of s.releases) {
    formats |= rel.readsFormats | (1 << rel.writes.format) | (rel.writesWhileMixed ? 1 << rel.writesWhileMixed.format : 0);
    aads |= rel.readsAad | (1 << rel.writes.aad) | (rel.writesWhileMixed ? 1 << rel.writesWhileMixed.aad : 0);
    keyStates |= (1 << rel.keyState) | rel.importsKeyState;
  }
  for (const r of s.records) {
    formats |= 1 << r.format;
    aads |= 1 << r.aad;
  }
  for (const st of stepsOf(s)) if (st.name === 'migrate') formats |= 1 << st.format;
  // defaults the file did not write (one AAD shape 'none', one key state) are never unused
  const unused = (list: string[], used: number, key: string, what: string, why: string, fix: string) => {
    if (sys[key] === undefined) return;
    list.forEach((name, i) => {
      if (!((used >> i) & 1)) p.fail(['system', key, i], `${what} '${name}' is declared in system.${key} but nothing uses it: ${why}`, fix.replace('NAME', name));
    });
  };
  unused(s.wireFormats.slice(0, declared), formats, 'wire-formats', 'wire format', 'no release reads or writes it, no record is stored in it, no migrate step targets it', "remove it, or add 'NAME' to the reads/writes of the releases that handle it");
  unused(s.aadShapes, aads, 'aad-shapes', 'AAD shape', 'no release reads or writes it and no record has it', "remove it, or add 'NAME' to reads.aad / writes.aad of the releases that handle it");
  unused(s.keyStates, keyStates, 'key-states', 'key state', 'no release keeps its key versions there or imports them from there', 'remove it, or set key-state: NAME on the releases that use it');
}

// What a fault strikes, and why it could not in this scenario (null: it can strike).
function whyFaultCannotStrike(s: CompiledScenario, f: FaultName): string | null {
  const steps = new Set<StepName>(stepsOf(s).map((st) => st.name));
  const needsStep = (step: StepName) => (steps.has(step) ? null : `it strikes a ${step} step and the runbook has none`);
  switch (f) {
    case 'api-server-restart':
      return s.components.some((c) => c.cachesDataKeys) ? null : 'it flushes a data-key cache and no component has caches-data-keys: true';
    case 'forced-failover':
      return s.components.some((c) => c.activePassive) ? null : 'it hands over an active node and no component is active-passive';
    case 'rotation-starts':
      return s.keyrings.some((k) => k.maxVersion > k.latest) ? null : `no keyring's max-version leaves room above its latest version for a new key version`;
    case 'plugin-crash': {
      const perNode = [s.runbook.upgrade, s.runbook.rollback?.procedure].some((proc) => proc?.stages.some((st) => st.strategy !== 'once'));
      return perNode ? null : 'it crashes the node under the operator\'s hands and every stage runs once for the whole fleet';
    }
    case 'image-replace-fails':
      return needsStep('replace-image');
    case 'config-drift':
      return needsStep('start');
    case 'migration-fails':
    case 'migration-interrupted':
      return needsStep('migrate');
    case 'rewrap-interrupted':
      return needsStep('rewrap');
    case 'distribution-incomplete':
      return needsStep('distribute-keys');
    case 'backend-outage':
      return null;
  }
}

function checkFaults(p: ParsedScenario, s: CompiledScenario): void {
  if (s.faults.length === 0) return;
  // the file's own budget: a --max-faults 0 on the command line asks for a run without faults
  const budget = (p.data.faults as { budget?: number } | undefined)?.budget;
  if (budget === 0) {
    p.fail(['faults', 'budget'], `faults.budget is 0, so none of the faults listed (${listOf(s.faults.map((f) => f.name))}) can strike`, 'raise faults.budget to at least 1, or remove the faults');
  }
  for (const f of s.faults) {
    const why = whyFaultCannotStrike(s, f.name);
    if (why) p.fail(['faults', f.name], `fault '${f.name}' can never strike: ${why}`, `remove '${f.name}' from faults, or model what it needs`, true);
  }
}

// A failed check (or a failed migration, which leaves its check failed) is what
// verification-fails waits for.
function checkRollbackTrigger(p: ParsedScenario, s: CompiledScenario): void {
  const rb = s.runbook.rollback;
  const i = rb?.triggers.indexOf('verification-fails') ?? -1;
  if (!rb || i < 0) return;
  const upgradeSteps = s.runbook.upgrade.stages.flatMap((st) => st.steps.map((x) => x.name));
  const migrationCanFail = upgradeSteps.includes('migrate') && s.faults.some((f) => f.name === 'migration-fails');
  if (upgradeSteps.some((n) => n.startsWith('verify-')) || migrationCanFail) return;
  p.fail(['runbook', 'rollback', 'when', i], "rollback.when names verification-fails, but no step of the upgrade verifies anything, so it can never fire", 'add a verify-* step to the upgrade, or use operator-decides');
}
