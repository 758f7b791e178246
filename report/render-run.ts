// One run's section: closed by default in a report of many runs (its summary line carries the
// verdict and the expectation apart), opened by a click, the index's link or an #anchor.
import type { RunView } from './analysis.js';
import { type Html, html, joinHtml } from './html.js';
import { renderDiagram } from './render-diagram.js';
import { renderCoverage, renderNoReturn } from './render-coverage.js';
import { expectationBadge, vacuousBadge, verdictBadge } from './render-index.js';
import { renderViolation, timelineLegend } from './render-violation.js';
import { vacuousProperties } from '../sim/results/vacuity.js';
import { count } from '../sim/results/words.js';
import { fingerprintCaveat, isFingerprintBound } from '../sim/results/fingerprints.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// An option the engine did not use (time=null) says nothing.
export function optionTexts(x: RunView['result']): string[] {
  return Object.entries(x.options)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
}

// fromFile: name the result file the run came from (a report of one file names it once, below);
// shared: the options every run of the report used, said once above the runs
export function renderRun(run: RunView, open: boolean, fromFile: boolean, shared: ReadonlySet<string> = new Set()): Html {
  const x = run.result;
  const exp = x.expect
    ? html`<p class="expectation-line">Expected <strong>${x.expect.verdict}</strong>${x.expect.fires.length > 0 && html` with ${joinHtml(x.expect.fires.map((f) => html`<code>${f}</code>`), ', ')}`}, found <strong>${x.verdict}</strong>: ${
        x.expect.met ? html`<span class="ok-text">as expected</span>` : html`<span class="bad-text">NOT as expected</span> (${x.expect.problems.join('; ')})`
      }</p>`
    : html`<p class="expectation-line muted">No expect block: the run passes only when it is safe.</p>`;
  // a fingerprint search is said as such; the bounds that cut it, if any, as for any search
  const cutBy = x.fingerprints ? x.boundsHit.filter((b) => !isFingerprintBound(b)) : x.boundsHit;
  const fingerprints = x.fingerprints && html`<p class="warn fingerprints">Fingerprint search (64-bit, TLC-style): ${fingerprintCaveat(x.fingerprints, x.violations.length)}.</p>`;
  const bounds =
    (cutBy.length > 0 || (!x.complete && !x.fingerprints)) &&
    html`<p class="warn">${x.engine === 'explore' ? `The search stopped at a bound (${cutBy.join(', ') || 'incomplete'})` : `A random campaign covers only the runs it made${cutBy.length ? ` (cut by ${cutBy.join(', ')})` : ''}`}: properties it did not see violated are <em>unknown</em>, not proven.</p>`;
  const opts = optionTexts(x)
    .filter((o) => !shared.has(o))
    .join(' · ');
  const vac = vacuousProperties(x);
  const vacuous =
    vac.length > 0 &&
    html`<div class="vacuous-list"><p>Held only vacuously: no explored run reached what could make ${vac.length === 1 ? 'this property' : `these ${vac.length} properties`} fail${x.expect?.vacuous ? html` (as <code>expect.vacuous</code> pins)` : ''}, which is:</p><ul>${vac.map((p) => html`<li><code>${p.name}</code>: ${p.trigger}`)}</ul></div>`;
  const violations = run.violations.length
    ? html`<h4>Violations (${run.violations.length})</h4>${timelineLegend(run.violations)}${joinHtml(run.violations.map(renderViolation), '\n')}`
    : html`<p class="ok-text">No violation found.</p>`;
  const figures = run.unit === 'world' ? `${count(x.figures.states, 'world')} visited` : count(x.figures.states, 'state');
  return html`<details class="run" id="${run.id}"${open && html` open`}>
<summary><span class="run-title">${x.scenario.title || x.scenario.name}</span> ${verdictBadge(run)} ${expectationBadge(run)} ${vacuousBadge(run)}</summary>
<div class="run-body">
<p class="muted"><code class="run-file">${x.scenario.file}</code> · ${x.scenario.name}${x.scenario.follows && ` · follows ${x.scenario.follows}`}${fromFile && html` · from <code>${run.file}</code>`}</p>
<p>${x.engine} engine${x.seed !== null && `, seed ${x.seed}`}: ${figures}, ${count(x.figures.transitions, 'transition')}, depth ${x.figures.depth}, ${secs(x.figures.elapsedMs)}${opts && html` · <span class="muted">${opts}</span>`}</p>
${exp}${fingerprints}${bounds}${vacuous}${propertyLine(run)}
${renderDiagram(x, run.violations)}
${violations}
${renderNoReturn(run)}
${renderCoverage(run)}
</div>
</details>`;
}

// Every property's status in one line (the vacuous ones are listed above, with what never
// happened): the matrix is not drawn for a report of many runs.
function propertyLine(run: RunView): Html {
  const groups = [
    ['violated', 'bad'],
    ['unknown', 'warn'],
    ['not-applicable', 'muted'],
    ['holds', 'good'],
  ] as const;
  const parts = groups.flatMap(([status, cls]) => {
    const names = run.result.properties.filter((p) => p.status === status).map((p) => p.name);
    if (names.length === 0) return [];
    // the names that hold, or that nothing here could make fail (n/a), are the rest: a count
    // says enough (a report of a few runs names them in its matrix)
    return [html`<span class="badge ${cls}">${status === 'not-applicable' ? 'n/a' : status} ${names.length}</span>${status !== 'holds' && status !== 'not-applicable' && ` ${names.join(', ')}`}`];
  });
  return html`<p class="properties small"><strong>Properties</strong> ${joinHtml(parts, ' ')}</p>`;
}
