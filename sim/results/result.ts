// The one result format every engine returns and the report and CLI read. Documented in
// docs/result-format.md; its JSON Schema is docs/result.schema.json.
//
// Unions the model owns (phases, node statuses, event kinds, actors, property kinds and
// categories) are the model's types; the ones a result adds are the lists below. The schema's
// enums are checked against both lists (test/result-schema.test.ts), so neither can drift.
import type { EventLabel, Position } from '../../model/model.js';
import type { Category, PropertyKind } from '../../model/properties.js';
import type { Harm } from '../../model/properties-common.js';
import type { Expectation } from '../../model/types.js';
import type { WorldView } from '../../model/world.js';

export type { Position };

export const RESULT_SCHEMA = 'rollsafe/result@1';

export const VERDICTS = ['safe', 'unsafe', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const ENGINES = ['explore', 'fuzz', 'chaos'] as const;
export type Engine = (typeof ENGINES)[number];
export const PROPERTY_STATUSES = ['holds', 'vacuous', 'not-applicable', 'violated', 'unknown'] as const;
export type PropertyStatusName = (typeof PROPERTY_STATUSES)[number];
export const ROLLBACK_OUTCOMES = ['safe', 'refused', 'unsafe', 'not-offered'] as const;
export type RollbackOutcome = (typeof ROLLBACK_OUTCOMES)[number];

export interface TraceStep {
  index: number; // 0 is the initial world
  // step: the runbook step a `step` event ran; at: the runbook position the event happened at
  // (the world before it). Results from earlier builds have no `at`.
  event: (EventLabel & { step?: string; at?: Position }) | null;
  world: WorldView;
  changes: string[];
}

export interface Violation {
  property: string;
  category: Category;
  explanation: string;
  detail: string;
  harm: Harm; // what the blast radius counts (model/properties-common.ts, HARMS)
  blast: { recordsAffected: number; recordsTotal: number; nodes: string[] };
  trace: TraceStep[]; // shortest found by the engine; length - 1 events
  // set when the harm was latent where it was found (a cache still hid it): the trace then goes
  // on to the nearest step that makes it visible (a restart, a cache expiry)
  exposure?: {
    latentStep: number; // trace index where the harm is done: the runbook is unsafe from here
    manifestStep: number | null; // trace index where it becomes visible (null: not within 12 steps)
    manifestDetail: string | null;
  };
  // random engines (fuzz, chaos): how to re-run the run that found it
  replay?: ReplayInfo;
}

export interface ReplayInfo {
  command: string; // e.g. rollsafe chaos <file> --seed 1 --run 417 ...
  token: Record<string, unknown>; // fuzz: {seed, path, replayPath, properties}; chaos: {seed, run}
  foundLength: number; // events in the path the engine found (after shrinking, for fuzz)
  minimal: boolean; // re-minimised by breadth-first search: no shorter trace exists
}

export interface PropertyStatus {
  name: string;
  kind: PropertyKind;
  category: Category;
  explanation: string;
  trigger: string; // what must happen in a run before it can fail: "a rollback reinstalls a release"
  // holds: checked over the whole space, and its trigger was reached; vacuous: it held, but its
  // trigger was never reached, so nothing put it to the test; not-applicable: nothing in the
  // scenario could make it fail; unknown: a bound cut the search before a verdict
  status: PropertyStatusName;
}

export interface Coverage {
  events: Record<string, number>; // transitions taken, by event type
  runbookSteps: Record<string, number>; // operator steps executed, by step name
  // the same, by the runbook phase they ran in: a replace-image while rolling back is a reinstall
  stepsByPhase: Record<string, Record<string, number>>;
  stepsNeverReached: string[];
  phases: Record<string, number>; // distinct states, by runbook phase
  phasesEntered: Record<string, number>; // transitions that moved the runbook into each phase
  // (release x wire format x key version) a running node met live records in: how many states
  combinations: { release: string; format: string; aad: string; keyVersion: number; readable: boolean; states: number }[];
  // where each fault struck: fault type -> runbook position ("upgrading: stop", "before", ...) -> count
  faultsByStep: Record<string, Record<string, number>>;
  // every position faultsByStep names (its label is the key there), once, in runbook order:
  // what a reader sorts or groups by instead of parsing the labels
  positions: Position[];
}

// What a fingerprint search (`check --fingerprints`) leaves uncertain or unchecked.
export interface FingerprintRun {
  bits: 64;
  // the chance that two different states shared a fingerprint, so that one was never explored:
  // at most states x transitions / 2^64 (above TLC's optimistic estimate and the birthday bound)
  collisionProbability: number;
  notChecked: string[]; // properties judged only over the whole state graph (status unknown)
}

// For each position of the upgrade (the n-th node's step), what deciding a rollback there leads to.
export interface NoReturnPoint {
  position: string; // e.g. "node 2 of 3: replace-image", "after all: verify-key-id", "upgraded"
  order: number; // sort key: runbook order
  at?: Position; // the same position as data (at.label is position); absent in older results
  states: number; // reachable states at this position
  rollback: RollbackOutcome;
  // unsafe: a property a rollback from here can reach; refused: the guard that refuses
  why: string | null;
  // `rollback` is the worst case over the states here; these say how many of them each outcome
  // holds in (each state counted by the worst of its rollback decisions; the rest of `states`
  // offer no rollback). Absent in results written before they existed.
  safeStates?: number;
  refusedStates?: { guard: string; states: number; condition: string }[]; // most states first
  unsafeStates?: number;
}

// The runbook as a diagram needs it (sim/results/runbook-shape.ts): phases in runbook order,
// each running procedure's stages and their steps, named as the runbook machine names its
// states ('upgrading.each-node.stop'), so a trace event's `at` (phase, stageIndex, stepIndex)
// indexes straight into it.
export interface ShapePhase {
  name: Position['phase'];
  stages?: { name: string; label: string; steps: string[] }[]; // upgrading, rolling-back
}

export interface RunbookShape {
  phases: ShapePhase[];
  // the decide-rollback edges, one per label: from these states (a phase, or a stage's step)
  // to those, drawn with `label` (its triggers and guards, or "refused by a guard (...)" for
  // the one to halted)
  rollback: { from: string[]; to: string[]; label: string }[];
}

export interface RunResult {
  schema: typeof RESULT_SCHEMA;
  tool: { name: 'rollsafe'; version: string };
  engine: Engine;
  scenario: { name: string; title: string; file: string; follows: string };
  options: Record<string, unknown>;
  seed: number | null;
  verdict: Verdict;
  complete: boolean; // the whole bounded space was explored
  boundsHit: string[]; // e.g. "max-depth 80", "max-states 5000000"
  figures: {
    states: number;
    transitions: number;
    depth: number;
    elapsedMs: number;
    statesPerSecond: number;
    statesPerDepth: number[];
    runs?: number; // random engines: walks (chaos) or command sequences (fuzz) run
  };
  coverage: Coverage;
  pointOfNoReturn: NoReturnPoint[]; // explore engine only; empty for random engines
  properties: PropertyStatus[];
  violations: Violation[];
  // vacuous: the properties expect.vacuous pins as holding only vacuously (null: not pinned)
  expect: { verdict: Expectation['verdict']; fires: string[]; vacuous: string[] | null; met: boolean; problems: string[] } | null;
  // `check --fingerprints`: the search kept a 64-bit fingerprint per state, not the state. Its
  // violations are real (each trace is replayed on the model), but a fingerprint collision may
  // have hidden states, and what only the whole graph can show was not worked out: notChecked
  // (runbook-terminates, status unknown) and the point of no return (empty). Never 'safe'.
  fingerprints?: FingerprintRun;
  // the runbook's phases, stages, steps and rollback edges: what the report draws its diagram
  // from. Absent in results written before it existed (the report then draws none).
  runbook?: RunbookShape;
  // `rollsafe suggest` only: the minimal edit sets that make the scenario safe, best first, and
  // what the search tried
  suggestions?: Suggestion[];
  suggestSearch?: SuggestSearch;
}

// `rollsafe suggest`: the runbook edits it proposes (sim/suggest/catalog.ts makes them) and
// what each suggestion is: a fix (runbook edits only), one that rests on a stated assumption
// about the environment, or a refusal (safe because the runbook no longer gets where it did:
// a check that refuses to start it, a guard that refuses every rollback).
export const EDIT_KINDS = [
  'before-you-start',
  'rollback-guard',
  'rollback-trigger',
  'verify-step',
  'stop-first',
  'migrate-step',
  'backup',
  'restore',
  'strategy',
  'move-stage',
  'upgrade-to-newest',
  'include-components',
  'freeze-rotations',
  'assume-no-fault',
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];
export const SUGGESTION_CLASSES = ['fix', 'assumption', 'refusal'] as const;
export type SuggestionClass = (typeof SUGGESTION_CLASSES)[number];

export interface SuggestedEdit {
  id: string; // stable within a scenario: before-you-start:not-mid-rotation
  kind: EditKind;
  assumption: boolean;
  label: string;
}

export interface Suggestion {
  rank: number; // 1 is the first to read: fixes, then assumptions, then refusals; smaller first
  class: SuggestionClass;
  edits: SuggestedEdit[];
  fixes: string[]; // the properties the scenario violated, every one of which holds after it
  notes: string[]; // what a reader must know: the sometimes property a refusal no longer reaches
  figures: { states: number; transitions: number }; // the full check of the patched file
  vacuous: string[]; // properties that hold only vacuously in the patched file
  patch: string; // unified diff of the scenario file
  verify: string; // the command that checks the patched file
}

export interface SuggestSearch {
  maxEdits: number;
  candidates: number; // edits in the catalog for this scenario
  catalog: Partial<Record<EditKind, number>>; // those edits, by kind
  sets: number; // edit sets tried
  setsBySize: number[]; // [0]: sets of one edit tried, [1]: of two, ...
  invalid: number; // refused by the scenario loader (a ScenarioError)
  duplicate: number; // the same scenario as a set tried before
  refuted: number; // a counterexample found for another set replays on it
  unsafe: number; // a search found a violation
  inconclusive: number; // a bound of the scenario's own (max-states, max-depth) cut its search
  fullChecks: number; // sets that passed the first-violation search and were checked in full
  states: number; // states explored over the whole search
  // edit sets that make it safe only by refusing (a check that never lets the upgrade start):
  // listed as suggestions only when nothing else makes it safe
  refusalsNotShown: number;
  complete: boolean; // every set up to maxEdits was tried (false: a budget or an interrupt cut it)
  boundsHit: string[];
}

export const RESULT_SET_SCHEMA = 'rollsafe/results@1';

// What `--json FILE` writes: every scenario's result from one command.
export interface ResultSet {
  schema: typeof RESULT_SET_SCHEMA;
  tool: { name: 'rollsafe'; version: string };
  command: string; // the command that produced it, for replaying the run
  partial: boolean; // true when the run was interrupted or cut by a time or memory budget
  // the folder the run started in (scenario files are named relative to it), as a path from
  // the folder this file was written to; lets replay find the scenarios from anywhere
  scenarioRoot?: string;
  results: RunResult[];
}
