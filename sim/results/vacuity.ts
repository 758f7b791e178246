// Vacuity: a property that held only because what it guards against never happened in any
// explored run. Judged from the result's coverage, which every engine reports, against each
// property's trigger (model/properties-common.ts), so no engine needs per-property code; the
// readers below take only the result format, for the CLI and the report.
import type { PropertyDef, Trigger } from '../../model/properties.js';
import type { CompiledScenario } from '../../model/types.js';
import type { Coverage, PropertyStatus, Verdict } from './result.js';

const ran = (counts: Record<string, number> | undefined, steps: string[]) =>
  // "migrate to <format>" is the migrate step
  Object.entries(counts ?? {}).some(([label, n]) => n > 0 && steps.includes(label.split(' ')[0]));

export function triggerReached(t: Trigger, cov: Coverage, s: CompiledScenario): boolean {
  const alternatives = [t.steps, t.stepsIn, t.events, t.entered, t.recordsMet].filter((x) => x !== undefined);
  if (alternatives.length === 0) return true;
  if (t.steps && ran(cov.runbookSteps, t.steps)) return true;
  for (const [phase, steps] of Object.entries(t.stepsIn ?? {})) if (ran(cov.stepsByPhase[phase], steps)) return true;
  if (t.events?.some((e) => (cov.events[e] ?? 0) > 0 && (t.eventIf?.[e]?.(s) ?? true))) return true;
  if (t.entered?.some((ph) => (cov.phasesEntered[ph] ?? 0) > 0)) return true;
  return t.recordsMet === true && cov.combinations.length > 0;
}

// Something in the scenario could make it fail, but nothing explored did. (A property nothing
// in the scenario could make fail is not-applicable, not vacuous: see sim/engines/outcome.ts.)
export function heldVacuously(p: PropertyDef, s: CompiledScenario, cov: Coverage): boolean {
  return !triggerReached(p.trigger, cov, s);
}

export function vacuousProperties(r: { properties: PropertyStatus[] }): PropertyStatus[] {
  return r.properties.filter((p) => p.status === 'vacuous');
}

// Sometimes properties the whole search never reached: the runbook cannot do what they name
// (finish the upgrade, start its rollback) on any run, so every verdict about that part of it
// is empty. Unlike a vacuous always property this fails the check unless expect.vacuous says it
// is meant (a guard that is there to refuse every rollback).
export function neverReached(properties: PropertyStatus[]): PropertyStatus[] {
  return properties.filter((p) => p.kind === 'sometimes' && p.status === 'vacuous');
}

// expect.vacuous, when the scenario pins it, must name exactly the vacuous properties; without
// it, a safe verdict may not rest on a sometimes property never reached (an unsafe one does not
// rest on it: the harm was found all the same).
export function vacuityProblems(pinned: string[] | null | undefined, properties: PropertyStatus[], verdict: Verdict): string[] {
  if (!pinned) {
    if (verdict !== 'safe') return [];
    return neverReached(properties).map(
      (p) => `${p.name}: no explored run gets there (${p.trigger}), so the safe verdict never tested it: fix the runbook, or name ${p.name} under expect.vacuous if that is intended`,
    );
  }
  const problems: string[] = [];
  for (const name of pinned) {
    const p = properties.find((x) => x.name === name);
    // a violated one fails through expect.fires, an unknown one through the bound
    if (p?.status === 'holds') problems.push(`expected ${name} to hold vacuously, but its trigger was reached (${p.trigger})`);
    if (p?.status === 'not-applicable') problems.push(`expect.vacuous names ${name}, but nothing in this scenario could make it fail (not applicable): remove it from the list`);
  }
  for (const p of vacuousProperties({ properties })) {
    if (!pinned.includes(p.name)) problems.push(`${p.name} holds only vacuously (never reached: ${p.trigger}) but expect.vacuous does not name it`);
  }
  return problems;
}
