// The page: shell, summary and one section per run. Pure: takes the analysed report and the
// chart.js source, returns one HTML string that needs nothing from the network.
import esc from 'escape-html';
import type { Report, RunView } from './analysis.js';
import { allCharts, drawCharts, statesPerDepthChart, violationsPerPropertyChart } from './charts.js';
import { renderCoverage, renderNoReturn } from './render-coverage.js';
import { renderViolation } from './render-violation.js';
import { STYLE } from './style.js';
import { vacuousProperties } from '../sim/vacuity.js';
import { count } from '../sim/words.js';

const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// The page forbids every fetch: it must work from a mail attachment or a CI artefact.
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export interface RenderOptions {
  chartJs: string; // chart.umd.min.js source
  title?: string;
}

export function renderReport(r: Report, o: RenderOptions): string {
  const title = o.title ?? `rollsafe report: ${r.runs.map((x) => x.result.scenario.name).join(', ') || 'no results'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title.length > 120 ? `${title.slice(0, 117)}...` : title)}</title>
<style>${STYLE}</style>
</head><body>
<header><h1>rollsafe report</h1>${renderBanner(r)}</header>
<main>
${renderToc(r)}
${renderSummary(r)}
${r.runs.map(renderRun).join('\n')}
</main>
<footer>${renderSources(r)}</footer>
<script type="application/json" id="rollsafe-charts">${scriptJson(allCharts(r).map((c) => ({ id: c.id, config: c.config })))}</script>
<script>${scriptText(o.chartJs)}</script>
<script>(${drawCharts.toString()})();</script>
</body></html>
`;
}

// Inside <script>, HTML escaping does not apply; only "</script" and "<!--" can end or
// confuse the element, so "<" is written as a JSON/JS escape.
function scriptJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

function scriptText(js: string): string {
  if (/<\/script|<!--/i.test(js)) throw new Error('inlined script contains "</script" or "<!--" and would break the page');
  return js;
}

function renderBanner(r: Report): string {
  const failed = r.runs.filter((x) => !x.passed).length;
  const unsafe = r.runs.filter((x) => x.result.verdict === 'unsafe').length;
  const inconclusive = r.runs.filter((x) => x.result.verdict === 'inconclusive').length;
  const vacuous = r.runs.filter((x) => vacuousProperties(x.result).length > 0).length;
  const cls = failed ? 'bad' : inconclusive ? 'warn' : 'good';
  const parts = [
    `${r.totals.scenarios} scenario${r.totals.scenarios === 1 ? '' : 's'}`,
    `${unsafe} unsafe`,
    `${inconclusive} inconclusive`,
    `${vacuous} with vacuous properties`,
    `${r.totals.violations} violation${r.totals.violations === 1 ? '' : 's'}`,
    `${failed} not as expected`,
  ];
  return `<p class="banner ${cls}" id="banner">${esc(parts.join(' · '))}</p>`;
}

function renderToc(r: Report): string {
  const items = r.runs
    .map((run) => {
      const vs = run.violations.map((v) => `<li><a href="#${esc(v.id)}">${v.number}. ${esc(v.v.property)}</a></li>`).join('');
      return `<li><a href="#${esc(run.id)}">${esc(run.result.scenario.name)}</a> ${verdictBadge(run)}${vs ? `<ul>${vs}</ul>` : ''}</li>`;
    })
    .join('');
  return `<nav class="toc"><h2>Contents</h2><ul><li><a href="#summary">Summary</a></li>${items}</ul></nav>`;
}

function verdictBadge(run: RunView): string {
  const v = run.result.verdict;
  const cls = v === 'safe' ? 'good' : v === 'unsafe' ? 'bad' : 'warn';
  const exp = run.result.expect ? (run.result.expect.met ? ' as expected' : ' NOT as expected') : '';
  const vac = vacuousProperties(run.result).length;
  const note = vac ? `<span class="badge warn vacuous" title="properties that held only because what they guard against never happened">${vac} vacuous</span>` : '';
  return `<span class="badge ${cls}">${esc(v + exp)}</span>${note ? ` ${note}` : ''}`;
}

function renderSummary(r: Report): string {
  const rows = r.runs
    .map((run) => {
      const x = run.result;
      const bounds = x.boundsHit.length ? `<span class="warn-text">${esc(x.boundsHit.join(', '))}</span>` : x.complete ? 'none (complete)' : '<span class="warn-text">incomplete</span>';
      return `<tr class="${run.passed ? '' : 'failed'}"><td><a href="#${esc(run.id)}">${esc(x.scenario.name)}</a><div class="muted small">${esc(x.scenario.file)}</div></td>
<td>${esc(x.engine)}</td><td>${x.seed === null ? '—' : esc(String(x.seed))}</td><td class="num">${n(x.figures.states)}</td><td class="num">${n(x.figures.transitions)}</td>
<td class="num">${x.figures.depth}</td><td class="num">${esc(secs(x.figures.elapsedMs))}</td><td>${bounds}</td><td>${verdictBadge(run)}</td><td class="num">${x.violations.length}</td></tr>`;
    })
    .join('\n');
  const t = r.totals;
  const totals = `<tr class="totals"><th>total</th><td>${esc(t.engines.join(', '))}</td><td></td><td class="num">${n(t.states)}</td><td class="num">${n(t.transitions)}</td><td></td><td class="num">${esc(secs(t.elapsedMs))}</td><td></td><td></td><td class="num">${t.violations}</td></tr>`;
  const depth = statesPerDepthChart(r);
  const vpp = violationsPerPropertyChart(r);
  return `<section id="summary"><h2>Summary</h2>
<div class="scroll"><table class="data summary"><thead><tr><th>scenario</th><th>engine</th><th>seed</th><th>states</th><th>transitions</th><th>depth</th><th>time</th><th>bounds hit</th><th>verdict</th><th>violations</th></tr></thead>
<tbody>
${rows}
${totals}
</tbody></table></div>
${renderPropertyMatrix(r)}
<div class="cols">
<figure class="chart"><figcaption>${esc(vpp.title)}</figcaption><div class="canvas-box"><canvas id="${esc(vpp.id)}" role="img" aria-label="${esc(vpp.title)}"></canvas></div></figure>
${depth ? `<figure class="chart"><figcaption>${esc(depth.title)}</figcaption><div class="canvas-box"><canvas id="${esc(depth.id)}" role="img" aria-label="${esc(depth.title)}"></canvas></div></figure>` : '<p class="muted not-computed">States per depth: not recorded by these results.</p>'}
</div>
</section>`;
}

function renderPropertyMatrix(r: Report): string {
  const head = r.runs.map((run) => `<th class="vertical" title="${esc(run.result.scenario.file)}"><a href="#${esc(run.id)}">${esc(run.result.scenario.name)}</a></th>`).join('');
  const mark = { holds: ['holds', 'good'], vacuous: ['vacuous', 'warn'], 'not-applicable': ['n/a', 'muted'], violated: ['violated', 'bad'], unknown: ['unknown', 'warn'] } as const;
  const rows = r.propertyMatrix
    .map((p) => {
      const cells = p.statuses.map((s) => (s === null ? '<td class="muted">not checked</td>' : `<td><span class="badge ${mark[s][1]}">${mark[s][0]}</span></td>`)).join('');
      return `<tr><th scope="row" title="${esc(p.explanation)}"><code>${esc(p.property)}</code></th>${cells}</tr>`;
    })
    .join('');
  return `<h3>Verdict per property</h3><p class="muted small">vacuous: it held, but no explored run did what could make it fail. n/a: nothing in the scenario could make it fail. unknown: a bound cut the search before a verdict. Hover a property for what it means.</p>
<div class="scroll"><table class="data matrix"><thead><tr><th>property</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderRun(run: RunView): string {
  const x = run.result;
  const exp = x.expect
    ? `<p>Expected <strong>${esc(x.expect.verdict)}</strong>${x.expect.fires.length ? ` with ${x.expect.fires.map((f) => `<code>${esc(f)}</code>`).join(', ')}` : ''}: ${
        x.expect.met ? '<span class="ok-text">met</span>' : `<span class="bad-text">not met</span> (${esc(x.expect.problems.join('; '))})`
      }</p>`
    : '';
  const bounds =
    x.boundsHit.length || !x.complete
      ? `<p class="warn">The search stopped at a bound (${esc(x.boundsHit.join(', ') || 'incomplete')}): properties it did not see violated are <em>unknown</em>, not proven.</p>`
      : '';
  const opts = Object.entries(x.options)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
  const vac = vacuousProperties(x);
  const vacuous = vac.length
    ? `<div class="vacuous-list"><p>Held only vacuously: no explored run reached what could make ${vac.length === 1 ? 'this property' : `these ${vac.length} properties`} fail${x.expect?.vacuous ? ' (as <code>expect.vacuous</code> pins)' : ''}.</p><ul>${vac.map((p) => `<li><code>${esc(p.name)}</code>: never reached: ${esc(p.trigger)}</li>`).join('')}</ul></div>`
    : '';
  const violations = run.violations.length
    ? `<h4>Violations (${run.violations.length})</h4>${run.violations.map(renderViolation).join('\n')}`
    : '<p class="ok-text">No violation found.</p>';
  return `<section class="run" id="${esc(run.id)}">
<h3>${esc(x.scenario.title || x.scenario.name)} ${verdictBadge(run)}</h3>
<p class="muted"><code>${esc(x.scenario.file)}</code> · ${esc(x.scenario.name)}${x.scenario.follows ? ` · follows ${esc(x.scenario.follows)}` : ''} · from <code>${esc(run.file)}</code></p>
<p>${esc(x.engine)} engine${x.seed === null ? '' : `, seed ${esc(String(x.seed))}`}: ${count(x.figures.states, 'state')}, ${count(x.figures.transitions, 'transition')}, depth ${x.figures.depth}, ${esc(secs(x.figures.elapsedMs))}${opts ? ` · <span class="muted">${esc(opts)}</span>` : ''}</p>
${exp}${bounds}${vacuous}
${violations}
${renderCoverage(run)}
${renderNoReturn(run)}
</section>`;
}

function renderSources(r: Report): string {
  const rows = r.files
    .map((f) => `<li><code>${esc(f.path)}</code>: ${f.results} result${f.results === 1 ? '' : 's'}${f.partial ? ' <span class="warn-text">(partial: interrupted or cut by a time budget)</span>' : ''}${f.command ? ` · made by <code>${esc(f.command)}</code>` : ''}</li>`)
    .join('');
  return `<h2>Sources</h2><ul>${rows}</ul><p class="muted small">Generated by rollsafe from the result files above; the page makes no network requests.</p>`;
}
