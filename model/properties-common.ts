// Shapes shared by the property catalogue: what a failed property reports and how.
import type { Ctx } from './semantics.js';
import { liveCount, totalRecords } from './semantics.js';
import type { World } from './world.js';

export interface BlastRadius {
  recordsAffected: number;
  recordsTotal: number;
  nodes: number[]; // node indices
}

export interface PropertyHit {
  property: string;
  detail: string; // what is wrong in this world, in the runbook's words
  blast: BlastRadius;
}

export type PropertyKind = 'always' | 'eventually';
export type Category = 'safety' | 'liveness' | 'availability';

// What must happen in some explored run before the property can fail: a property whose trigger
// no run reached held only vacuously. Judged after the search from what every engine already
// reports (the result's coverage), so no engine knows about properties. The lists are
// alternatives: any one covered reaches the trigger; with none, every explored state does.
export interface Trigger {
  text: string; // in the runbook's words: "a rollback reinstalls a release"
  steps?: string[]; // runbook steps run, in any phase (coverage.runbookSteps)
  stepsIn?: Record<string, string[]>; // runbook steps run in a phase (coverage.stepsByPhase)
  events?: string[]; // events taken (coverage.events)
  // what a listed event also needs of the scenario to have the effect the property is about
  eventIf?: Record<string, (s: Ctx['s']) => boolean>;
  entered?: string[]; // phases the runbook moved into (coverage.phasesEntered)
  recordsMet?: boolean; // a running node met a live record (coverage.combinations)
}

export interface PropertyDef {
  name: string;
  kind: PropertyKind;
  category: Category;
  explanation: string;
  trigger: Trigger;
  // false when nothing in this scenario could make it fail (no shared store, no tiers...):
  // it then holds trivially (vacuously) and is not evaluated
  applies?: (s: Ctx['s']) => boolean;
  state?: (c: Ctx, w: World) => PropertyHit | null;
  edge?: (c: Ctx, prev: World, next: World) => PropertyHit | null;
}

export function names(c: Ctx, nodes: number[]): string {
  return nodes.map((n) => c.s.nodeNames[n]).join(', ');
}

export function kindsLabel(c: Ctx, kinds: number[]): string {
  return kinds
    .map((k) => `key v${c.kindVersion[k]} ${formatLabel(c.s.wireFormats[c.kindFormat[k]], c.s.aadShapes[c.kindAad[k]])} (written by ${c.s.releases[k % c.L.R].name})`)
    .join('; ');
}

export function hit(property: string, detail: string, c: Ctx, w: World, kinds: number[], nodes: number[]): PropertyHit {
  return {
    property,
    detail,
    blast: { recordsAffected: kinds.reduce((a, k) => a + liveCount(c, w, k), 0), recordsTotal: totalRecords(c, w), nodes },
  };
}


// "envelope-v1/annotations-v1", or just the format when the scenario declares no AAD shapes
export function formatLabel(format: string, aad: string): string {
  return aad === 'none' ? format : `${format}/${aad}`;
}
