// A violation's trace as rows of data: the one place that decides what each step says (who
// acted, the event in words, where in the runbook, what changed, which step is latent, manifest
// or the last). The CLI text, the diff text and Markdown, and the HTML report only style these
// rows, so the three can no longer word the same step differently.
import type { Actor } from '../../model/model.js';
import type { Position, TraceStep, Violation } from './result.js';

export interface TraceRow {
  index: number; // trace index: 0 is the initial world
  actor: Actor | 'initial';
  type: string | null; // event kind (null for the initial world)
  step: string | null; // the runbook step a `step` event ran
  node: string | null;
  text: string; // the event in words: "replace-image (node-1)", "plugin-crash on node-2", "initial"
  position: Position | null; // where the event happened (null: initial world, or a result from before positions)
  changes: string[]; // what the step changed, in words
  // the step changed nothing in the fleet, the keyring or the records: only the runbook's place
  // moved (doctor, a verify step that passes), or nothing at all. Marked, so a reader does not
  // look for its effect.
  changesNothing: boolean;
  latent: boolean; // the harm is done here while a cache still hides it
  manifest: boolean; // the hidden harm becomes visible here
  last: boolean; // the world the violation is judged on
}

export function eventText(t: TraceStep): string {
  const e = t.event;
  if (!e) return 'initial';
  if (e.type === 'step') return `${e.step ?? 'step'}${e.node ? ` (${e.node})` : ''}`;
  return `${e.type}${e.node ? ` on ${e.node}` : ''}`;
}

// The world with the runbook's place left out: what a step changed for the system it runs on.
function withoutPlace(t: TraceStep): string {
  return JSON.stringify({ ...t.world, position: null, stage: null, step: null });
}

export function traceRows(v: Pick<Violation, 'trace' | 'exposure'>): TraceRow[] {
  const x = v.exposure;
  const last = v.trace.length - 1;
  return v.trace.map((t, i) => {
    const e = t.event;
    return {
      index: t.index,
      actor: e?.actor ?? 'initial',
      type: e?.type ?? null,
      step: e?.step ?? null,
      node: e?.node ?? null,
      text: eventText(t),
      position: e?.at ?? null,
      changes: t.changes,
      changesNothing: i > 0 && withoutPlace(t) === withoutPlace(v.trace[i - 1]),
      latent: x !== undefined && t.index === x.latentStep,
      manifest: x !== undefined && x.manifestStep !== null && t.index === x.manifestStep,
      last: i === last,
    };
  });
}
