// HTML for what a run covered, in the runbook's terms, and where rollback stops being safe.
import esc from 'escape-html';
import type { CoverageView, RunView } from './analysis.js';

const n = (x: number) => x.toLocaleString('en-US');
const NOT_COMPUTED = (what: string) => `<p class="muted not-computed">${esc(what)}: not computed by this result.</p>`;

export function renderCoverage(run: RunView): string {
  const c = run.coverage;
  return `<section class="coverage"><h4>Coverage</h4>
<div class="cols">
${renderSteps(c)}
${renderPhases(c)}
</div>
${renderCombinations(c)}
${renderFaults(c)}
</section>`;
}

function renderSteps(c: CoverageView): string {
  const rows = c.steps
    .map((s) => `<tr${s.count === 0 ? ' class="never"' : ''}><td><code>${esc(s.step)}</code></td><td class="num">${s.count === 0 ? '<strong>never reached</strong>' : n(s.count)}</td></tr>`)
    .join('');
  const callout = c.neverReached.length
    ? `<p class="warn never-reached">Runbook steps never reached: ${c.neverReached.map((s) => `<code>${esc(s)}</code>`).join(', ')}. Nothing was checked after them.</p>`
    : '<p class="ok-text">Every runbook step ran in at least one explored state.</p>';
  return `<div><h5>Runbook steps run</h5>${callout}<table class="data"><thead><tr><th>step</th><th>transitions taking it</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderPhases(c: CoverageView): string {
  const phases = c.phases.map((p) => `<tr><td>${esc(p.phase)}</td><td class="num">${n(p.states)}</td></tr>`).join('');
  const events = c.events.map((e) => `<tr><td>${esc(e.event)}</td><td class="num">${n(e.count)}</td></tr>`).join('');
  return `<div><h5>States by runbook phase</h5><table class="data"><thead><tr><th>phase</th><th>states</th></tr></thead><tbody>${phases}</tbody></table>
<h5>Transitions by event</h5><table class="data"><thead><tr><th>event</th><th>transitions</th></tr></thead><tbody>${events}</tbody></table></div>`;
}

function renderCombinations(c: CoverageView): string {
  if (!c.combinations) return `<h5>Release × record format × key state reached</h5>${NOT_COMPUTED('combinations')}`;
  if (c.combinations.length === 0) return '<h5>Release × record format × key state reached</h5><p class="muted">No running node met a live record.</p>';
  const rows = [...c.combinations]
    .sort((a, b) => a.release.localeCompare(b.release) || a.format.localeCompare(b.format) || a.keyVersion - b.keyVersion)
    .map(
      (x) =>
        `<tr class="${x.readable ? '' : 'unreadable'}"><td>${esc(x.release)}</td><td>${esc(x.format)}</td><td>${esc(x.aad)}</td><td>v${x.keyVersion}</td><td>${x.readable ? 'readable' : '<strong>unreadable</strong>'}</td><td class="num">${n(x.states)}</td></tr>`,
    )
    .join('');
  return `<h5>Release × record format × key state reached</h5><table class="data combos"><thead><tr><th>release</th><th>wire format</th><th>AAD</th><th>key version</th><th>release can read it</th><th>states</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// Positions down, faults across: there are few fault kinds and many runbook positions.
function renderFaults(c: CoverageView): string {
  if (!c.faults) return `<h5>Faults by runbook step</h5>${NOT_COMPUTED('faults by step')}`;
  if (c.faults.rows.length === 0) return '<h5>Faults by runbook step</h5><p class="muted">No fault struck.</p>';
  const f = c.faults;
  const head = f.rows.map((r) => `<th>${esc(r.fault)}</th>`).join('');
  const body = f.positions
    .map((p, pi) => `<tr><th scope="row">${esc(p)}</th>${f.rows.map((r) => `<td class="num${r.counts[pi] === 0 ? ' zero' : ''}">${r.counts[pi] === 0 ? '·' : n(r.counts[pi])}</td>`).join('')}</tr>`)
    .join('');
  const never = f.rows.filter((r) => r.counts.every((x) => x === 0)).map((r) => r.fault);
  const callout = never.length ? `<p class="warn">Faults that never struck: ${never.map((x) => `<code>${esc(x)}</code>`).join(', ')}.</p>` : '';
  return `<h5>Faults by runbook step</h5>${callout}<p class="muted small">States in which each fault struck, by where the runbook was.</p><div class="scroll"><table class="data faults"><thead><tr><th>runbook position</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const ROLLBACK_TEXT: Record<string, string> = {
  safe: 'safe to roll back',
  refused: 'refused by a guard',
  unsafe: 'UNSAFE',
  'not-offered': 'no rollback offered',
};

export function renderNoReturn(run: RunView): string {
  const title = '<h4>Point of no return</h4>';
  if (!run.noReturn) return `${title}${NOT_COMPUTED('point of no return')}`;
  if (run.noReturn.length === 0) {
    const why = run.result.engine === 'explore' ? 'The explorer recorded no runbook positions.' : `Only the explore engine computes it; this is a ${run.result.engine} result.`;
    return `${title}<p class="muted not-computed">${esc(why)}</p>`;
  }
  const points = [...run.noReturn].sort((a, b) => a.order - b.order);
  const firstBad = points.find((p) => p.rollback === 'unsafe' || p.rollback === 'refused');
  const rows = points
    .map(
      (p) =>
        `<tr class="rb-${esc(p.rollback)}${p === firstBad ? ' first-no-return' : ''}"><td>${esc(p.position)}</td><td class="num">${n(p.states)}</td><td><span class="badge rb-${esc(p.rollback)}">${esc(ROLLBACK_TEXT[p.rollback] ?? p.rollback)}</span></td><td>${esc(p.why ?? '')}</td></tr>`,
    )
    .join('');
  const lead = firstBad
    ? `<p>From <strong>${esc(firstBad.position)}</strong> on, a rollback is ${firstBad.rollback === 'unsafe' ? '<strong>unsafe</strong>' : 'refused by the runbook'}.</p>`
    : '<p>A rollback stays possible and safe at every position explored.</p>';
  return `${title}${lead}<table class="data no-return"><thead><tr><th>runbook position</th><th>states</th><th>rollback decided here</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>`;
}
