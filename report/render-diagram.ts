// A run's runbook as a compact diagram: phases in runbook order, stages and steps as boxes,
// the decide-rollback edges as labelled lines. Drawn once per run from the result's `runbook`
// field; each violation's path is only data on its button (box key: trace indices), which the
// page script turns into highlighted, numbered boxes when the button is pressed. Drawing the
// boxes once per violation would cost a corpus report ~200 KB it does not have.
import type { ViolationView } from './analysis.js';
import { type Html, html, joinHtml } from './html.js';
import type { LoadedResult } from './load.js';
import type { Position, RunbookShape, TraceStep } from '../sim/results/result.js';

// A box's key: its phase's index in the shape, then stage, then step ("1.0.2"); r0, r1... are
// the rollback edges. Not written on the boxes: the page script counts them (client.ts), so
// a corpus report does not carry a key on each of its ~2,000 boxes.
export function positionKey(shape: RunbookShape, at: Pick<Position, 'phase' | 'stageIndex' | 'stepIndex'>): string | null {
  const p = shape.phases.findIndex((x) => x.name === at.phase);
  if (p < 0) return null;
  const stage = at.stageIndex === null ? undefined : shape.phases[p].stages?.[at.stageIndex];
  if (!stage) return String(p);
  // past a stage's last step the runbook is between stages: the stage itself is where it is
  if (at.stepIndex === null || at.stepIndex >= stage.steps.length) return `${p}.${at.stageIndex}`;
  return `${p}.${at.stageIndex}.${at.stepIndex}`;
}

// A machine state path ('rolling-back.each-node.stop') as a box key.
export function pathKey(shape: RunbookShape, path: string): string | null {
  const [phase, stage, step] = path.split('.');
  const p = shape.phases.findIndex((x) => x.name === phase);
  if (p < 0) return null;
  if (stage === undefined) return String(p);
  const s = shape.phases[p].stages?.findIndex((x) => x.name === stage) ?? -1;
  if (s < 0) return String(p);
  const t = step === undefined ? -1 : shape.phases[p].stages![s].steps.indexOf(step);
  return t < 0 ? `${p}.${s}` : `${p}.${s}.${t}`;
}

export interface DiagramPath {
  visits: [string, number[]][]; // box key (or r<edge>) and the trace indices there, by first visit
  at: string | null; // the box of the event after which the violation holds
}

// Where each event of a trace happened (its `at`, the world before it); a decide-rollback also
// lights the edge it took, found by where the next event (or the end) left the runbook.
export function diagramPath(shape: RunbookShape, trace: TraceStep[]): DiagramPath | null {
  const steps = trace.slice(1);
  if (steps.length === 0 || steps.some((t) => !t.event?.at)) return null;
  const visits = new Map<string, number[]>();
  const visit = (key: string, index: number) => visits.set(key, [...(visits.get(key) ?? []), index]);
  steps.forEach((t, i) => {
    const key = positionKey(shape, t.event!.at!);
    if (key !== null) visit(key, t.index);
    if (t.event!.type !== 'decide-rollback') return;
    const next = steps[i + 1]?.event?.at;
    const landed = positionKey(shape, next ?? { phase: t.world.phase, stageIndex: t.world.stage, stepIndex: t.world.step });
    const edge = shape.rollback.findIndex((e) =>
      e.to.some((path) => {
        const to = pathKey(shape, path);
        return to !== null && landed !== null && (landed === to || landed.startsWith(`${to}.`));
      }),
    );
    if (edge >= 0) visit(`r${edge}`, t.index);
  });
  const last = steps[steps.length - 1];
  return { visits: [...visits], at: positionKey(shape, last.event!.at!) };
}

// The refusal names the very guards the rollback line above it lists: said once, not twice.
function edgeLabel(shape: RunbookShape, label: string): string {
  const refused = /^decide-rollback refused by a guard \((.+)\)$/.exec(label);
  const listed = refused && shape.rollback.some((e) => e.label.endsWith(` if ${refused[1]}`));
  return listed ? 'decide-rollback refused by one of those guards' : label;
}

const encode = (p: DiagramPath) => p.visits.map(([k, ix]) => `${k}:${ix.join(',')}`).join(' ');

export function renderDiagram(x: LoadedResult, violations: ViolationView[]): Html {
  const shape = x.runbook;
  if (!shape) return html`<p class="muted small rbd-none">No runbook diagram: this result was written before results carried the runbook's shape; check the scenario again to draw it.</p>`;
  const buttons = violations.map((v) => {
    const path = diagramPath(shape, v.v.trace);
    return path
      ? html`<button data-path="${encode(path)}" data-at="${path.at ?? ''}">${v.number}. ${v.v.property}</button>`
      : html`<span class="muted">${v.number}. ${v.v.property}: its trace does not say where each step happened</span>`;
  });
  // The markup is bare on purpose, one of every run's costs: style.ts styles it by nesting, and
  // an <li> needs no end tag before the next <li> or its list's end (HTML's optional end tags).
  const phases = shape.phases.map((ph) =>
    ph.stages?.length ? html`<li><b>${ph.name}</b><ol>${ph.stages.map((st) => html`<li><b>${st.label}</b><ol>${st.steps.map((step) => html`<li>${step}`)}</ol>`)}</ol>` : html`<li>${ph.name}`,
  );
  const edges = shape.rollback.map((e) => html`<li${e.to.includes('halted') && html` class="refused"`}>${e.from.join(', ')} → ${joinHtml(e.to.map((t) => html`<code>${t}</code>`), ' or ')}: ${edgeLabel(shape, e.label)}`);
  return html`<figure class="rbd"><figcaption>Runbook${buttons.length > 0 && html` <span>path of ${joinHtml(buttons, ' ')}</span>`}</figcaption><ol>${phases}</ol>${
    edges.length > 0 ? html`<ul>${edges}</ul>` : html`<p class="muted small">No rollback procedure: no rollback edge.</p>`
  }</figure>`;
}
