// Replaying a recorded trace: every event is parsed back into the model's alphabet, must be
// enabled where the recording says it happened, and must lead to exactly the recorded world;
// at the end the recorded property must be violated again. Pure: the CLI reads the files.
import type { Model, PropertyHit, World } from '../model/model.js';
import type { Violation } from './results/result.js';
import { liveness } from './engines/liveness.js';
import { count } from './results/words.js';

export interface ReplayOutcome {
  ok: boolean;
  steps: number; // events replayed
  hit: PropertyHit | null; // the violation seen again at the end
  divergedAt: number | null; // trace index where replay and recording part
  message: string;
}

// The first place two JSON values differ, as a path ("nodes[1].release: recorded v0.5.0,
// replayed v0.4.2"), so a tampered or stale trace names what changed.
export function firstDifference(recorded: unknown, replayed: unknown, path = ''): string | null {
  if (JSON.stringify(recorded) === JSON.stringify(replayed)) return null;
  if (recorded && replayed && typeof recorded === 'object' && typeof replayed === 'object') {
    if (Array.isArray(recorded) && Array.isArray(replayed)) {
      for (let i = 0; i < Math.max(recorded.length, replayed.length); i++) {
        const d = firstDifference(recorded[i], replayed[i], `${path}[${i}]`);
        if (d) return d;
      }
    } else {
      const keys = new Set([...Object.keys(recorded), ...Object.keys(replayed)]);
      for (const k of keys) {
        const d = firstDifference((recorded as Record<string, unknown>)[k], (replayed as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
        if (d) return d;
      }
    }
  }
  return `${path || 'world'}: recorded ${JSON.stringify(recorded)}, replayed ${JSON.stringify(replayed)}`;
}

function describe(e: { type: string; node?: string } | null): string {
  return e ? `${e.type}${e.node ? ` on ${e.node}` : ''}` : '(none)';
}

export function replayViolation(model: Model, v: Violation): ReplayOutcome {
  const fail = (i: number, message: string): ReplayOutcome => ({ ok: false, steps: Math.max(0, i - 1), hit: null, divergedAt: i, message: `step ${i}: ${message}` });
  const trace = v.trace;
  if (!Array.isArray(trace) || trace.length === 0) return { ok: false, steps: 0, hit: null, divergedAt: 0, message: 'the violation has no trace' };
  let w: World = model.initial();
  let prev: World = w;
  const d0 = firstDifference(trace[0].world, model.decode(w));
  if (d0) return fail(0, `the initial world differs from the recording: ${d0}`);
  for (let i = 1; i < trace.length; i++) {
    const rec = trace[i];
    if (!rec.event) return fail(i, 'the recording has no event here');
    const e = model.parseEvent(rec.event);
    if (e === null) return fail(i, `event ${describe(rec.event)} is not an event of this scenario (unknown type or node)`);
    if (!model.isEnabled(w, e)) return fail(i, `event ${describe(rec.event)} cannot happen here: it is not enabled in the world after step ${i - 1}`);
    prev = w;
    w = model.next(w, e);
    const d = firstDifference(rec.world, model.decode(w));
    if (d) return fail(i, `after ${describe(rec.event)} the world differs from the recording: ${d}`);
  }
  const def = model.checked.find((p) => p.name === v.property);
  if (v.exposure && def?.state) return replayExposure(model, v, trace.length - 1);
  let hit: PropertyHit | null = null;
  if (!def) return { ok: false, steps: trace.length - 1, hit: null, divergedAt: null, message: `property ${v.property} is not checked by this scenario` };
  if (def.state) hit = model.stateViolations(w).find((h) => h.property === v.property) ?? null;
  else if (def.edge && trace.length > 1) hit = model.edgeViolations(prev, w).find((h) => h.property === v.property) ?? null;
  else if (def.kind === 'eventually') hit = liveness(model, w, { steps: 0 }, { goal: (x) => model.reachedGoal(def, x) }) === 'stuck' ? model.stuckHit(def) : null;
  if (!hit) return { ok: false, steps: trace.length - 1, hit: null, divergedAt: null, message: `every step matched, but ${v.property} is not violated at the end of the trace` };
  if (hit.detail !== v.detail) return { ok: false, steps: trace.length - 1, hit, divergedAt: null, message: `${v.property} is violated again, but differently: recorded "${v.detail}", replayed "${hit.detail}"` };
  return { ok: true, steps: trace.length - 1, hit, divergedAt: null, message: `reproduced ${v.property} in ${count(trace.length - 1, 'step')}: ${hit.detail}` };
}

// A latent violation: the recorded detail must hold at the latent step (hidden by a cache), and
// the manifest detail at the end of the trace.
function replayExposure(model: Model, v: Violation, steps: number): ReplayOutcome {
  const x = v.exposure!;
  const worlds = [model.initial()];
  for (const t of v.trace.slice(1)) worlds.push(model.next(worlds[worlds.length - 1], model.parseEvent(t.event!)!));
  const at = (i: number) => model.stateViolations(worlds[i]).find((h) => h.property === v.property) ?? null;
  const latent = at(x.latentStep);
  if (!latent || latent.detail !== v.detail) {
    return { ok: false, steps, hit: latent, divergedAt: null, message: `${v.property} does not hold latent at step ${x.latentStep} as recorded ("${v.detail}")` };
  }
  if (x.manifestStep !== null) {
    const shown = at(x.manifestStep);
    if (!shown || shown.latent || shown.detail !== x.manifestDetail) {
      return { ok: false, steps, hit: shown, divergedAt: null, message: `${v.property} does not show at step ${x.manifestStep} as recorded ("${x.manifestDetail}")` };
    }
  }
  return { ok: true, steps, hit: latent, divergedAt: null, message: `reproduced ${v.property}: latent at step ${x.latentStep}${x.manifestStep !== null ? `, manifest at step ${x.manifestStep}` : ''}: ${v.detail}` };
}

// A result with its timings taken out: what must be byte-identical between two runs of the
// same command with the same seed.
export function withoutTimings<T extends { figures: { elapsedMs: number; statesPerSecond: number } }>(r: T): T {
  const c = structuredClone(r);
  c.figures.elapsedMs = 0;
  c.figures.statesPerSecond = 0;
  return c;
}
