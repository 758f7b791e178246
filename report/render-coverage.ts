// HTML for what a run covered, in the runbook's terms, and where rollback stops being safe.
import type { CoverageView, RunView } from './analysis.js';
import { type Html, html, joinHtml } from './html.js';

const n = (x: number) => x.toLocaleString('en-US');
const NOT_COMPUTED = (what: string) => html`<p class="muted not-computed">${what}: not computed by this result.</p>`;

export function renderCoverage(run: RunView): Html {
  const c = run.coverage;
  return html`<section class="coverage"><h4>Coverage</h4>
<div class="cols">
${renderSteps(c)}
${renderPhases(c)}
</div>
${renderCombinations(c)}
${renderFaults(c)}
</section>`;
}

function renderSteps(c: CoverageView): Html {
  const rows = c.steps.map((s) => html`<tr${s.count === 0 && html` class="never"`}><td><code>${s.step}</code></td><td class="num">${s.count === 0 ? html`<strong>never reached</strong>` : n(s.count)}</td></tr>`);
  const callout = c.neverReached.length
    ? html`<p class="warn never-reached">Runbook steps never reached: ${joinHtml(c.neverReached.map((s) => html`<code>${s}</code>`), ', ')}. Nothing was checked after them.</p>`
    : html`<p class="ok-text">Every runbook step ran in at least one explored state.</p>`;
  return html`<div><h5>Runbook steps run</h5>${callout}<table class="data"><thead><tr><th>step</th><th>transitions taking it</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderPhases(c: CoverageView): Html {
  const phases = c.phases.map((p) => html`<tr><td>${p.phase}</td><td class="num">${n(p.states)}</td></tr>`);
  const events = c.events.map((e) => html`<tr><td>${e.event}</td><td class="num">${n(e.count)}</td></tr>`);
  return html`<div><h5>States by runbook phase</h5><table class="data"><thead><tr><th>phase</th><th>states</th></tr></thead><tbody>${phases}</tbody></table>
<h5>Transitions by event</h5><table class="data"><thead><tr><th>event</th><th>transitions</th></tr></thead><tbody>${events}</tbody></table></div>`;
}

function renderCombinations(c: CoverageView): Html {
  const title = html`<h5>Release × record format × key state reached</h5>`;
  if (!c.combinations) return html`${title}${NOT_COMPUTED('combinations')}`;
  if (c.combinations.length === 0) return html`${title}<p class="muted">No running node met a live record.</p>`;
  const rows = [...c.combinations]
    .sort((a, b) => a.release.localeCompare(b.release) || a.format.localeCompare(b.format) || a.keyVersion - b.keyVersion)
    .map(
      (x) =>
        html`<tr class="${x.readable ? '' : 'unreadable'}"><td>${x.release}</td><td>${x.format}</td><td>${x.aad}</td><td>v${x.keyVersion}</td><td>${x.readable ? 'readable' : html`<strong>unreadable</strong>`}</td><td class="num">${n(x.states)}</td></tr>`,
    );
  return html`${title}<table class="data combos"><thead><tr><th>release</th><th>wire format</th><th>AAD</th><th>key version</th><th>release can read it</th><th>states</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// Positions down, faults across: there are few fault kinds and many runbook positions.
function renderFaults(c: CoverageView): Html {
  const title = html`<h5>Faults by runbook step</h5>`;
  if (!c.faults) return html`${title}${NOT_COMPUTED('faults by step')}`;
  if (c.faults.rows.length === 0) return html`${title}<p class="muted">No fault struck.</p>`;
  const f = c.faults;
  const head = f.rows.map((r) => html`<th>${r.fault}</th>`);
  const body = f.positions.map(
    (p, pi) => html`<tr><th scope="row">${p}</th>${f.rows.map((r) => html`<td class="num${r.counts[pi] === 0 && ' zero'}">${r.counts[pi] === 0 ? '·' : n(r.counts[pi])}</td>`)}</tr>`,
  );
  const never = f.rows.filter((r) => r.counts.every((x) => x === 0)).map((r) => r.fault);
  const callout = never.length > 0 && html`<p class="warn">Faults that never struck: ${joinHtml(never.map((x) => html`<code>${x}</code>`), ', ')}.</p>`;
  return html`${title}${callout}<p class="muted small">States in which each fault struck, by where the runbook was.</p><div class="scroll"><table class="data faults"><thead><tr><th>runbook position</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const ROLLBACK_TEXT: Record<string, string> = {
  safe: 'safe to roll back',
  refused: 'refused by a guard',
  unsafe: 'UNSAFE',
  'not-offered': 'no rollback offered',
};

export function renderNoReturn(run: RunView): Html {
  const title = html`<h4>Point of no return</h4>`;
  if (!run.noReturn) return html`${title}${NOT_COMPUTED('point of no return')}`;
  if (run.noReturn.length === 0) {
    const why = run.result.engine === 'explore' ? 'The explorer recorded no runbook positions.' : `Only the explore engine computes it; this is a ${run.result.engine} result.`;
    return html`${title}<p class="muted not-computed">${why}</p>`;
  }
  const points = [...run.noReturn].sort((a, b) => a.order - b.order);
  const firstBad = points.find((p) => p.rollback === 'unsafe' || p.rollback === 'refused');
  const rows = points.map(
    (p) =>
      html`<tr class="rb-${p.rollback}${p === firstBad && ' first-no-return'}"><td>${p.position}</td><td class="num">${n(p.states)}</td><td><span class="badge rb-${p.rollback}">${Object.hasOwn(ROLLBACK_TEXT, p.rollback) ? ROLLBACK_TEXT[p.rollback] : p.rollback}</span></td><td>${p.why ?? ''}</td></tr>`,
  );
  const lead = firstBad
    ? html`<p>From <strong>${firstBad.position}</strong> on, a rollback is ${firstBad.rollback === 'unsafe' ? html`<strong>unsafe</strong>` : 'refused by the runbook'}.</p>`
    : html`<p>A rollback stays possible and safe at every position explored.</p>`;
  return html`${title}${lead}<table class="data no-return"><thead><tr><th>runbook position</th><th>states</th><th>rollback decided here</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>`;
}
