// HTML for what a run covered, in the runbook's terms, and where rollback stops being safe.
import type { CoverageView, RunView } from './analysis.js';
import { type Html, html, joinHtml } from './html.js';
import type { NoReturnPoint } from '../sim/results/result.js';

const n = (x: number) => x.toLocaleString('en-US');
const NOT_COMPUTED = (what: string) => html`<p class="muted not-computed">${what}: not computed by this result.</p>`;

// What a count of the run's figures counts: distinct states (explore) or worlds visited (chaos,
// fuzz), the CLI's words for each.
type Unit = RunView['unit'];
const units = (u: Unit) => (u === 'world' ? 'worlds visited' : 'states');

// Folded: a reader opens it to check what was explored. What never ran stays outside, in view.
export function renderCoverage(run: RunView): Html {
  const c = run.coverage;
  return html`${neverReached(c)}<details class="coverage"><summary>Coverage in runbook terms</summary>
${renderSteps(c)}
${renderPhases(c, run.unit)}
${renderCombinations(c, run.unit)}
${renderFaults(c, run.unit)}
</details>`;
}

function neverReached(c: CoverageView): Html {
  return c.neverReached.length
    ? html`<p class="warn never-reached">Runbook steps never reached: ${joinHtml(c.neverReached.map((s) => html`<code>${s}</code>`), ', ')}. Nothing was checked after them.</p>`
    : html`<p class="ok-text small">Every runbook step ran in at least one explored state.</p>`;
}

// Counts as one line each ("doctor 1,234 · stop 2,345"): a table row per step was a third of a
// corpus report's coverage.
function counts(items: { name: string; count: number }[], never = false): Html {
  if (items.length === 0) return html`<span class="muted">none</span>`;
  return joinHtml(
    items.map((x) => (x.count === 0 && never ? html`<span class="never">${x.name} never reached</span>` : html`${x.name} <b>${n(x.count)}</b>`)),
    ' · ',
  );
}

function renderSteps(c: CoverageView): Html {
  return html`<p class="counts"><strong>Runbook steps run</strong> (transitions taking each): ${counts(
    c.steps.map((s) => ({ name: s.step, count: s.count })),
    true,
  )}</p>`;
}

function renderPhases(c: CoverageView, unit: Unit): Html {
  return html`<p class="counts"><strong>${unit === 'world' ? 'Worlds visited' : 'States'} by runbook phase</strong>: ${counts(c.phases.map((p) => ({ name: p.phase, count: p.states })))}</p>
<p class="counts"><strong>Transitions by event</strong>: ${counts(c.events.map((e) => ({ name: e.event, count: e.count })))}</p>`;
}

function renderCombinations(c: CoverageView, unit: Unit): Html {
  const title = html`<h5>Release × record format × key state reached</h5>`;
  if (!c.combinations) return html`${title}${NOT_COMPUTED('combinations')}`;
  if (c.combinations.length === 0) return html`${title}<p class="muted">No running node met a live record.</p>`;
  // one AAD shape for every record: a column that never varies is said once, in the heading
  const aads = new Set(c.combinations.map((x) => x.aad));
  const oneAad = aads.size === 1 ? [...aads][0] : null;
  const rows = [...c.combinations]
    .sort((a, b) => a.release.localeCompare(b.release) || a.format.localeCompare(b.format) || a.keyVersion - b.keyVersion)
    .map(
      (x) =>
        html`<tr${!x.readable && html` class="unreadable"`}><td>${x.release}</td><td>${x.format}</td>${oneAad === null && html`<td>${x.aad}</td>`}<td>v${x.keyVersion}</td><td>${x.readable ? 'readable' : html`<strong>unreadable</strong>`}</td><td>${n(x.states)}</td></tr>`,
    );
  return html`${title}<div class="scroll"><table class="data combos"><thead><tr><th>release</th><th>wire format${oneAad !== null && ` (AAD ${oneAad})`}</th>${oneAad === null && html`<th>AAD</th>`}<th>key version</th><th>release can read it</th><th>${units(unit)}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

// Positions down, in runbook order (coverage.positions), faults across: there are few fault
// kinds and many runbook positions.
function renderFaults(c: CoverageView, unit: Unit): Html {
  const title = html`<h5>Faults by runbook step</h5>`;
  const what = unit === 'world' ? 'worlds' : 'states';
  if (!c.faults) return html`${title}${NOT_COMPUTED('faults by step')}`;
  if (c.faults.rows.length === 0) return html`${title}<p class="muted">No fault struck.</p>`;
  const f = c.faults;
  const head = f.rows.map((r) => html`<th>${r.fault}</th>`);
  const body = f.positions.map(
    (p, pi) => html`<tr><th scope="row">${p}</th>${f.rows.map((r) => (r.counts[pi] === 0 ? html`<td></td>` : html`<td>${n(r.counts[pi])}</td>`))}</tr>`,
  );
  const never = f.rows.filter((r) => r.counts.every((x) => x === 0)).map((r) => r.fault);
  const callout = never.length > 0 && html`<p class="warn">Faults that never struck: ${joinHtml(never.map((x) => html`<code>${x}</code>`), ', ')}.</p>`;
  return html`${title}${callout}<div class="scroll"><table class="data faults"><thead><tr><th>runbook position: ${what} a fault struck in</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const ROLLBACK_TEXT: Record<string, string> = {
  safe: 'safe',
  refused: 'refused',
  unsafe: 'UNSAFE',
  'not-offered': 'not offered',
};

// The worst case at each position, and beside it how many of the position's states each
// outcome holds in: "refused" alone read as "refused everywhere" when only the states after a
// rotation refuse.
export function renderNoReturn(run: RunView): Html {
  const title = html`<h4 id="${run.id}-no-return">Point of no return</h4>`;
  if (!run.noReturn) return html`${title}${NOT_COMPUTED('point of no return')}`;
  if (run.noReturn.length === 0) {
    const why = run.result.fingerprints
      ? 'Not worked out: a fingerprint search keeps no state graph to work it out from.'
      : run.result.engine === 'explore'
        ? 'The explorer recorded no runbook positions.'
        : `Only the explore engine computes it; this is a ${run.result.engine} result.`;
    return html`${title}<p class="muted not-computed">${why}</p>`;
  }
  const points = [...run.noReturn].sort((a, b) => a.order - b.order);
  // a runbook without a rollback would fill a table with one word
  if (points.every((p) => p.rollback === 'not-offered')) return html`${title}<p class="muted">No rollback was offered at any of the ${n(points.length)} upgrade positions explored.</p>`;
  const counted = points.some((p) => p.safeStates !== undefined);
  const firstBad = points.find((p) => p.rollback === 'unsafe' || p.rollback === 'refused');
  const badge = (p: NoReturnPoint) => html`<span class="badge rb-${p.rollback}">${Object.hasOwn(ROLLBACK_TEXT, p.rollback) ? ROLLBACK_TEXT[p.rollback] : p.rollback}</span>`;
  const rows = runsOfPositions(points).map((group) => {
    const p = group[0];
    if (group.length > 1) {
      const last = group[group.length - 1];
      const states = group.reduce((k, x) => k + x.states, 0);
      const what = p.rollback === 'safe' ? 'in every state that offers one' : '';
      return html`<tr class="rb-${p.rollback} grouped"><td>${p.position} <span class="muted">…</span><br>${last.position} <span class="muted">(${group.length} positions)</span></td><td>${n(states)}</td>${
        counted ? html`<td class="mix">${badge(p)} ${what}</td>` : html`<td>${badge(p)}</td><td></td>`
      }</tr>`;
    }
    return html`<tr class="rb-${p.rollback}${p === firstBad && ' first-no-return'}"><td>${p.position}</td><td>${n(p.states)}</td>${
      counted ? html`<td class="mix">${badge(p)} ${mix(p)}</td>` : html`<td>${badge(p)}</td><td>${p.why ?? ''}</td>`
    }</tr>`;
  });
  const head = counted ? html`<th>rollback decided here: worst case, then the states it holds in</th>` : html`<th>rollback decided here</th><th>why</th>`;
  return html`${title}${lead(firstBad)}<div class="scroll"><table class="data no-return"><thead><tr><th>runbook position</th><th>states</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>${conditions(points)}`;
}

// Consecutive positions where nothing varies (safe in every state that offers a rollback, or no
// rollback offered) share a row: the reader looks for where that stops.
function runsOfPositions(points: NoReturnPoint[]): NoReturnPoint[][] {
  const uniform = (p: NoReturnPoint) =>
    p.rollback === 'not-offered' || (p.rollback === 'safe' && !(p.unsafeStates ?? 0) && !(p.refusedStates ?? []).length);
  const out: NoReturnPoint[][] = [];
  for (const p of points) {
    const open = out[out.length - 1];
    if (open && uniform(p) && uniform(open[0]) && open[0].rollback === p.rollback) open.push(p);
    else out.push([p]);
  }
  return out;
}

function lead(first: NoReturnPoint | undefined): Html {
  if (!first) return html`<p>A rollback stays possible and safe at every position explored.</p>`;
  const bad = first.rollback === 'unsafe' ? html`<strong>unsafe</strong>` : 'refused by the runbook';
  if (first.safeStates === undefined) return html`<p>From <strong>${first.position}</strong> on, a rollback is ${bad}.</p>`;
  const refused = (first.refusedStates ?? []).reduce((k, x) => k + x.states, 0);
  const worst = first.rollback === 'unsafe' ? first.unsafeStates ?? 0 : refused;
  const offered = (first.safeStates ?? 0) + refused + (first.unsafeStates ?? 0);
  if (first.safeStates === 0) return html`<p>From <strong>${first.position}</strong> on, a rollback is ${bad} in every state that offers one (${n(worst)} of ${n(first.states)} there).</p>`;
  return html`<p>From <strong>${first.position}</strong> on, a rollback is ${bad} in some states: ${n(worst)} of the ${n(offered)} states there that offer one; ${n(first.safeStates)} of them still roll back safely.</p>`;
}

// "20 safe · 6 refused (previous-promoted-active-key)", with a bar of the same shares of the position's states
function mix(p: NoReturnPoint): Html | null {
  const total = Math.max(1, p.states);
  const parts: [string, number, string][] = [
    ['safe', p.safeStates ?? 0, `${n(p.safeStates ?? 0)} safe`],
    ...(p.refusedStates ?? []).map((r): [string, number, string] => ['refused', r.states, `${n(r.states)} refused (${r.guard})`]),
    ['unsafe', p.unsafeStates ?? 0, `${n(p.unsafeStates ?? 0)} unsafe`],
  ];
  const shown = parts.filter(([, k]) => k > 0);
  if (shown.length === 0) return null;
  const none = p.states - shown.reduce((k, [, x]) => k + x, 0);
  const bar = shown.map(([cls, k]) => html`<i class="${cls}" style="width:${Math.round((100 * k) / total)}%"></i>`);
  const text = [...shown.map(([, , t]) => t), ...(none > 0 ? [`${n(none)} not offered`] : [])].join(' · ');
  return html`<span class="bar">${bar}</span>${text}`;
}

// What sets the refused states apart from the safe ones: each guard's own condition.
function conditions(points: NoReturnPoint[]): Html | null {
  const seen = new Map<string, string>();
  for (const p of points) for (const r of p.refusedStates ?? []) if (r.condition) seen.set(r.guard, r.condition);
  if (seen.size === 0) return null;
  return html`<ul class="guards small">${[...seen].map(([g, c]) => html`<li><code>${g}</code> refuses in the states where ${c}.</li>`)}</ul>`;
}
