// What an engine hands back (findings as event paths plus figures), and the one function that
// turns it into the documented RunResult. Engines never build RunResult themselves, so every
// engine's result has the same shape and the same rules for verdicts and expectations.
import { type Ev, type Model, type PropertyHit, PHASE_NAMES, stepLabel } from '../../model/model.js';
import type { Expectation } from '../../model/types.js';
import { buildTrace, runPath } from './trace.js';
import { manifestPath } from './manifest.js';
import { type Coverage, type FingerprintRun, type NoReturnPoint, type PropertyStatus, type RunResult, type Verdict, type Violation, RESULT_SCHEMA } from '../results/result.js';
import { runbookShape } from '../results/runbook-shape.js';
import { heldVacuously, vacuityProblems } from '../results/vacuity.js';
import { fingerprintBound, notCheckedText } from '../results/fingerprints.js';
import { VERSION } from '../results/version.js';

export interface Finding {
  property: string;
  hit: PropertyHit;
  events: Ev[]; // concrete events from the initial world
}

export interface EngineOutcome {
  findings: Finding[];
  states: number;
  transitions: number;
  depth: number;
  statesPerDepth: number[];
  runs?: number; // random engines: walks or command sequences run
  elapsedMs: number;
  complete: boolean;
  boundsHit: string[];
  stoppedEarly: boolean;
  livenessUnknown: boolean;
  coverage: Coverage;
  pointOfNoReturn: NoReturnPoint[];
  // a fingerprint search (explore with fingerprints): `complete` then says only that no bound
  // cut it; the result is never complete, and never safe
  fingerprints?: FingerprintRun;
}

// What boundsHit says of a search that stopped at its first violation, as asked.
export const FAIL_FAST_BOUND = 'fail-fast: stopped at the first violation';

export function emptyCoverage(): Coverage {
  return { events: {}, runbookSteps: {}, stepsByPhase: {}, stepsNeverReached: [], phases: {}, phasesEntered: {}, combinations: [], faultsByStep: {}, positions: [] };
}

// Adds `count` operator steps taken at runbook position `code` (model.positionCode).
export function countSteps(model: Model, cov: Coverage, code: number, count: number): void {
  const phase = PHASE_NAMES[code >> 16];
  const name = phase === 'before' ? 'begin' : model.positionLabel(code).split(': ').pop()!;
  cov.runbookSteps[name] = (cov.runbookSteps[name] ?? 0) + count;
  const byPhase = (cov.stepsByPhase[phase] ??= {});
  byPhase[name] = (byPhase[name] ?? 0) + count;
}

// Adds `count` faults of kind `fault` struck at runbook position `code`: counted under the
// position's label, and the position itself kept once as data (the lowest code for a label,
// which is where the runbook first reaches it) for readers that order or group by it.
export function countFault(model: Model, cov: Coverage, fault: string, code: number, count: number): void {
  const at = model.positionOf(code);
  const byStep = (cov.faultsByStep[fault] ??= {});
  byStep[at.label] = (byStep[at.label] ?? 0) + count;
  const i = cov.positions.findIndex((p) => p.label === at.label);
  if (i < 0) cov.positions.push(at);
  else if (at.order < cov.positions[i].order) cov.positions[i] = at;
}

export function toResult(
  model: Model,
  out: EngineOutcome,
  engine: RunResult['engine'],
  options: Record<string, unknown>,
  seed: number | null,
): RunResult {
  const s = model.s;
  // the catalogue's order (model.checked keeps it)
  const order = (name: string) => model.checked.findIndex((p) => p.name === name);
  const findings = [...out.findings].sort((a, b) => order(a.property) - order(b.property));
  const violations: Violation[] = findings.map((f) => {
    const def = model.checked[order(f.property)];
    const hit = def.kind === 'always' ? reproduce(model, f) : f.hit;
    let events = f.events;
    let exposure: Violation['exposure'];
    if (hit.latent) {
      const worlds = runPath(model, f.events);
      const more = manifestPath(model, worlds[worlds.length - 1], f.property);
      if (more) events = [...f.events, ...more];
      const end = more ? runPath(model, events).pop()! : null;
      exposure = {
        latentStep: f.events.length,
        manifestStep: more ? events.length : null,
        manifestDetail: end ? (model.stateViolations(end).find((h) => h.property === f.property)?.detail ?? null) : null,
      };
    }
    return {
      property: f.property,
      category: def.category,
      explanation: def.explanation,
      detail: hit.detail,
      harm: def.harm,
      blast: {
        recordsAffected: hit.blast.recordsAffected,
        recordsTotal: hit.blast.recordsTotal,
        nodes: hit.blast.nodes.map((n) => s.nodeNames[n]),
      },
      trace: buildTrace(model, events),
      ...(exposure ? { exposure } : {}),
    };
  });
  const fired = new Set(violations.map((v) => v.property));
  const properties: PropertyStatus[] = model.checked.map((p) => {
    // nothing in the scenario could make it fail (no re-created key, no shared store...)
    const inapplicable = p.applies !== undefined && !p.applies(s);
    const vacuous = heldVacuously(p, s, out.coverage);
    // one example proves a sometimes property, whatever cut the search
    const proven = (out.complete && !(p.kind === 'eventually' && out.livenessUnknown)) || (p.kind === 'sometimes' && !vacuous);
    const held = inapplicable ? 'not-applicable' : vacuous ? 'vacuous' : 'holds';
    return {
      name: p.name,
      kind: p.kind,
      category: p.category,
      explanation: p.explanation,
      trigger: p.trigger.text,
      status: fired.has(p.name) ? 'violated' : inapplicable ? 'not-applicable' : proven ? held : 'unknown',
    };
  });
  // a fingerprint search is never a proof: nothing found is inconclusive, whatever held
  const fp = out.fingerprints;
  const verdict: Verdict = violations.length > 0 ? 'unsafe' : out.complete && out.states > 1 && !fp ? 'safe' : 'inconclusive';
  const allSteps = new Set<string>(['begin']);
  for (const proc of [s.runbook.upgrade, s.runbook.rollback?.procedure]) {
    for (const stage of proc?.stages ?? []) for (const st of stage.steps) allSteps.add(stepLabel(s, st)!);
  }
  const coverage: Coverage = {
    ...out.coverage,
    stepsNeverReached: [...allSteps].filter((st) => !out.coverage.runbookSteps[st]),
    positions: [...out.coverage.positions].sort((a, b) => a.order - b.order),
  };
  return {
    schema: RESULT_SCHEMA,
    tool: { name: 'rollsafe', version: VERSION },
    engine,
    scenario: { name: s.name, title: s.title, file: s.file, follows: s.follows },
    options,
    seed,
    verdict,
    complete: out.complete && !fp,
    boundsHit: [...out.boundsHit, ...(out.stoppedEarly ? [FAIL_FAST_BOUND] : []), ...(fp ? [fingerprintBound(fp)] : [])],
    ...(fp ? { fingerprints: fp } : {}),
    figures: {
      states: out.states,
      transitions: out.transitions,
      depth: out.depth,
      elapsedMs: Math.round(out.elapsedMs),
      statesPerSecond: out.elapsedMs > 0 ? Math.round((out.states / out.elapsedMs) * 1000) : 0,
      statesPerDepth: out.statesPerDepth,
      ...(out.runs !== undefined ? { runs: out.runs } : {}),
    },
    coverage,
    pointOfNoReturn: out.pointOfNoReturn,
    properties,
    violations,
    expect: s.expect ? judgeExpectation(engine, s.expect, verdict, [...fired], properties, out.transitions, out.stoppedEarly, fp && { ...fp, cut: !out.complete }) : null,
    runbook: runbookShape(s),
  };
}

// Re-evaluates the property on the concrete path, so node names in the detail and blast
// radius match the trace (engines may have found it on a symmetric representative). A path
// that does not reproduce its violation is a bug in an engine, never a user error.
function reproduce(model: Model, f: Finding): PropertyHit {
  const worlds = runPath(model, f.events);
  const last = worlds[worlds.length - 1];
  const prev = worlds.length > 1 ? worlds[worlds.length - 2] : null;
  const hits = [...model.stateViolations(last), ...(prev ? model.edgeViolations(prev, last) : [])];
  const hit = hits.find((h) => h.property === f.property);
  if (!hit) throw new Error(`internal: the trace for ${f.property} does not reproduce it on replay`);
  return hit;
}

// The exhaustive engine must show a safe scenario safe; a random campaign can never prove
// safety, so for it "safe" is met by finding nothing, provided it ran at all.
function judgeExpectation(
  engine: RunResult['engine'],
  e: Expectation,
  got: Verdict,
  fired: string[],
  properties: PropertyStatus[],
  transitions: number,
  // stopped at the first violation (--fail-fast): what it did not look for is not missing
  firstOnly = false,
  // a fingerprint search: it shows nothing safe, and what it does not check is not missing
  fp?: FingerprintRun & { cut: boolean },
): NonNullable<RunResult['expect']> {
  const { verdict: want, fires, vacuous } = e;
  const problems: string[] = [];
  if (engine === 'explore') {
    if (got === 'inconclusive' && fp?.cut) problems.push('the search was cut by a bound before it could show the scenario safe');
    if (got === 'inconclusive' && fp) {
      problems.push(
        want === 'safe'
          ? `a fingerprint search cannot show a scenario safe: it found no violation, but a collision may have hidden states and it does not check ${notCheckedText(fp)}; check without --fingerprints for the proof`
          : `expected unsafe, found inconclusive: the fingerprint search found no violation of what it checks (not checked: ${notCheckedText(fp)})`,
      );
    } else if (got === 'inconclusive') problems.push('the search was cut by a bound before it could show the scenario safe');
    else if (want !== got) problems.push(`expected ${want}, found ${got}`);
  } else {
    if (transitions === 0) problems.push('the campaign took no steps (time budget too short?)');
    if (want === 'safe') for (const f of fired) problems.push(`expected safe, but ${f} fired`);
  }
  if (!firstOnly) for (const f of fires) if (!fired.includes(f) && !fp?.notChecked.includes(f)) problems.push(`expected ${f} to fire; it did not`);
  for (const f of fired) if (want === 'unsafe' && !fires.includes(f)) problems.push(`${f} fired but expect.fires does not name it`);
  // only the exhaustive search can show a trigger unreachable; a random run proves nothing by missing it
  if (engine === 'explore' && !firstOnly) problems.push(...vacuityProblems(vacuous, properties, got));
  return { verdict: want, fires, vacuous, met: problems.length === 0, problems };
}
