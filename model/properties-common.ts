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
  // the harm is real but a cache still hides it: it becomes visible at the next restart or
  // cache expiry (the runbook is unsafe from here on all the same)
  latent?: boolean;
}

// Stateright's three kinds: always (every reachable state or step), eventually (from every
// reachable state a goal stays reachable) and sometimes (some explored run gets there: an
// example, not a proof obligation on every run).
export const PROPERTY_KINDS = ['always', 'eventually', 'sometimes'] as const;
export type PropertyKind = (typeof PROPERTY_KINDS)[number];
export const CATEGORIES = ['safety', 'liveness', 'availability', 'reachability'] as const;
export type Category = (typeof CATEGORIES)[number];

// What a violation of the property harms, which is what its blast radius counts: records no
// node can read any more, reads refused, nodes that disagree, a service with no node up, a
// runbook that can no longer end, a fleet left in a combination its vendor does not support.
export const HARMS = ['records-unreadable', 'reads-refused', 'nodes-disagree', 'service-down', 'runbook-stuck', 'unsupported-fleet'] as const;
export type Harm = (typeof HARMS)[number];

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
  harm: Harm;
  explanation: string;
  trigger: Trigger;
  // false when nothing in this scenario could make it fail (no shared store, no tiers...):
  // it then holds trivially (vacuously) and is not evaluated
  applies?: (s: Ctx['s']) => boolean;
  // always properties: judged on every state (state) or every step (edge)
  state?: (c: Ctx, w: World) => PropertyHit | null;
  edge?: (c: Ctx, prev: World, next: World) => PropertyHit | null;
  // eventually properties: from every reachable state some state where `goal` holds must be
  // reachable; a state from which none is reachable is reported with `stuck` as its detail.
  // Engines judge them by kind (the explorer over its graph, the others by a closure search).
  goal?: (c: Ctx, w: World) => boolean;
  // when the goal depends on the runbook phase alone: that answer per phase (goal must agree),
  // so a search that keeps each state's phase judges the goal without decoding the world
  goalInPhase?: (phase: number) => boolean;
  stuck?: string;
  // sometimes properties have no predicate: their trigger is what some run must reach, judged
  // from the result's coverage like vacuity. Reached, they hold (one example suffices, even in
  // a cut search); never reached in a complete search, they are vacuous and make the verdicts
  // that rest on them vacuous too: a runbook that cannot finish is "safe" for nothing.
}

export function names(c: Ctx, nodes: number[]): string {
  return nodes.map((n) => c.s.nodeNames[n]).join(', ');
}

export function kindsLabel(c: Ctx, kinds: number[]): string {
  return kinds
    .map((k) => `${keyLabel(c, k)} ${formatLabel(c.s.wireFormats[c.kindFormat[k]], c.s.aadShapes[c.kindAad[k]])} (written by ${c.s.releases[c.kindWriter[k]].name}${perNodeKey(c, k) ? ` under ${c.s.nodeNames[c.kindDataKey[k]]}'s data key` : ''})`)
    .join('; ');
}

function perNodeKey(c: Ctx, k: number): boolean {
  return c.L.D > 1 && c.s.components[c.s.releases[c.kindWriter[k]].component].dataKeys === 'per-node';
}

// "key v2"; with several keyrings or key materials "key payments#2 v2"
export function keyLabel(c: Ctx, k: number): string {
  const gen = c.kindGen[k] > 1 ? `#${c.kindGen[k]}` : '';
  const name = c.s.keyrings.length > 1 || gen ? `${c.s.keyrings[c.kindKeyring[k]].name}${gen} ` : '';
  return `key ${name}v${c.kindVersion[k]}`;
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
