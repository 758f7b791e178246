// `suggest` as a function of the scenario text: check it, and when it is unsafe search the edit
// catalog for the smallest edit sets that make it safe, and turn each into a suggestion (the
// patched file, its unified diff, what it fixes, how to check it). Pure apart from the injected
// limits; the CLI reads and writes the files.
import { loadScenarioText } from '../../model/scenario/load.js';
import { parseScenarioText } from '../../model/scenario/parse.js';
import { compileScenario } from '../../model/scenario/compile.js';
import { type CheckOptions, exploreScenarioSteps } from '../check.js';
import { type SearchLimits, runToEnd, runYielding } from '../engines/limits.js';
import type { RunResult, Suggestion } from '../results/result.js';
import { neverReached, vacuousProperties } from '../results/vacuity.js';
import { editCatalog } from './catalog.js';
import { type SearchProgress, searchSets } from './search.js';
import { expectOps, patchedData, renderPatched, sameData } from './render.js';
import { unifiedDiff } from './diff-text.js';

export interface SuggestOptions {
  maxEdits?: number; // default 2
  maxFaults?: number;
  maxDepth?: number;
  maxStates?: number;
  symmetry?: boolean;
  workers?: number; // threads of the scenario's own search (the candidates' fail-fast searches use one)
  now?: () => number;
  limits?: SearchLimits;
  onProgress?: (p: SearchProgress) => void;
  // the command that checks suggestion `rank` (1-based); default: write it with suggest --pick
  // --apply beside the scenario, then check that file
  verifyCommand?: (rank: number) => string;
  // the scenario's own check, when the caller has it with these options (diff): not run again
  checked?: RunResult;
}

export const DEFAULT_MAX_EDITS = 2;

export type SuggestOutcome =
  | 'nothing-to-fix' // the scenario is safe
  | 'found' // at least one edit set makes it safe
  | 'none-found' // no edit set of the allowed size does (or none in the part a budget let it try)
  | 'not-checked'; // the scenario's own check was cut by a bound: there is no verdict to fix

export interface SuggestRun {
  outcome: SuggestOutcome;
  result: RunResult; // the scenario's own check, with its suggestions and what the search tried
  patched: string[]; // the patched file of each suggestion, in rank order
}

export function* suggestSteps(text: string, file: string, opts: SuggestOptions = {}): Generator<void, SuggestRun> {
  const overrides = { maxFaults: opts.maxFaults, maxDepth: opts.maxDepth };
  const parsed = parseScenarioText(text, file);
  // compiling may add to the data it reads (a failed migration's format): the search starts
  // from a copy taken before
  const data = structuredClone(parsed.data);
  const compiled = compileScenario(parsed, overrides);
  const explore: CheckOptions = { maxDepth: opts.maxDepth, maxFaults: opts.maxFaults, maxStates: opts.maxStates, symmetry: opts.symmetry, workers: opts.workers, now: opts.now };
  const original = opts.checked ?? (yield* exploreScenarioSteps(compiled, { ...explore, failFast: false }, opts.limits));
  const done = (outcome: SuggestOutcome): SuggestRun => ({ outcome, result: { ...original, suggestions: [] }, patched: [] });
  if (original.verdict === 'safe') return done('nothing-to-fix');
  if (original.verdict === 'inconclusive') return done('not-checked');

  const base = structuredClone(data);
  delete base.expect; // what the file expects is not what is explored: set again per suggestion
  const edits = editCatalog(base, compiled);
  const { found, search } = yield* searchSets(base, file, edits, original, {
    maxEdits: opts.maxEdits ?? DEFAULT_MAX_EDITS,
    explore,
    overrides,
    limits: opts.limits,
    onProgress: opts.onProgress,
  });
  // a refusal is no fix when a fix exists: a reader would take "refuse to upgrade" for advice
  const shown = found.some((f) => f.cls !== 'refusal') ? found.filter((f) => f.cls !== 'refusal') : found;
  search.refusalsNotShown = found.length - shown.length;
  const fired = [...new Set(original.violations.map((v) => v.property))];
  const suggestions: Suggestion[] = [];
  const patched: string[] = [];
  shown.forEach((f, k) => {
    const vacuous = vacuousProperties(f.result).map((p) => p.name);
    const ops = [...f.edits.flatMap((e) => e.ops), ...expectOps(data, vacuous, neverReached(f.result.properties).length > 0)];
    const out = renderPatched(text, ops);
    // the file written must be the scenario that was checked, expect block aside
    if (!sameData(out, patchedData(data, ops))) throw new Error(`internal: the patched ${file} does not read back as the scenario checked (${f.edits.map((e) => e.id).join(' + ')})`);
    loadScenarioText(out, file, overrides);
    const notes = f.lost.map((p) => `${p} is no longer reached (${f.result.properties.find((x) => x.name === p)?.trigger ?? p}): the runbook is safe because it no longer does that`);
    suggestions.push({
      rank: k + 1,
      class: f.cls,
      edits: f.edits.map((e) => ({ id: e.id, kind: e.kind, assumption: e.assumption, label: e.label })),
      fixes: fired,
      notes,
      figures: { states: f.result.figures.states, transitions: f.result.figures.transitions },
      vacuous,
      patch: unifiedDiff(text, out, file),
      verify: (opts.verifyCommand ?? defaultVerify(file))(k + 1),
    });
    patched.push(out);
  });
  return { outcome: shown.length > 0 ? 'found' : 'none-found', result: { ...original, suggestions, suggestSearch: search }, patched };
}

// Where a suggestion's patched file goes when nothing else is said: beside the scenario.
export function fixPath(file: string, rank: number): string {
  return `${file.replace(/\.ya?ml$/, '')}.fix-${rank}.yaml`;
}

function defaultVerify(file: string): (rank: number) => string {
  return (rank) => `rollsafe suggest ${file} --pick ${rank} --apply ${fixPath(file, rank)} && rollsafe check ${fixPath(file, rank)}`;
}

export function suggest(text: string, file: string, opts: SuggestOptions = {}): SuggestRun {
  return runToEnd(suggestSteps(text, file, opts));
}

// As suggest, giving the event loop a turn now and then (signals, progress).
export function suggestAsync(text: string, file: string, opts: SuggestOptions = {}): Promise<SuggestRun> {
  return runYielding(suggestSteps(text, file, opts));
}
