// The page: shell, summary and one section per run. Pure: takes the analysed report and the
// chart.js source, returns one HTML string that needs nothing from the network.
import { createHash } from 'node:crypto';
import type { Report, RunView } from './analysis.js';
import { allCharts, drawCharts, statesPerDepthChart, violationsPerPropertyChart } from './charts.js';
import { type Html, html, joinHtml, trusted } from './html.js';
import { renderCoverage, renderNoReturn } from './render-coverage.js';
import { renderViolation } from './render-violation.js';
import { STYLE } from './style.js';
import { vacuousProperties } from '../sim/results/vacuity.js';
import { count } from '../sim/results/words.js';

const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// The page forbids every fetch: it must work from a mail attachment or a CI artefact. Script
// runs only if it is one of the page's own inlined scripts, named by hash: markup that got
// into the page anyway (a field the escaping missed) cannot run.
export function reportCsp(scripts: string[]): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  return `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

// The page's executable scripts, exactly as inlined: `serve` lists the same hashes in its header.
export function reportScripts(chartJs: string): string[] {
  return [scriptText(chartJs), `(${drawCharts.toString()})();`];
}

export interface RenderOptions {
  chartJs: string; // chart.umd.min.js source
  title?: string;
}

export function renderReport(r: Report, o: RenderOptions): string {
  const title = o.title ?? `rollsafe report: ${r.runs.map((x) => x.result.scenario.name).join(', ') || 'no results'}`;
  const scripts = reportScripts(o.chartJs);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportCsp(scripts)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.length > 120 ? `${title.slice(0, 117)}...` : title}</title>
<style>${trusted(STYLE)}</style>
</head><body>
<header><h1>rollsafe report</h1>${renderBanner(r)}</header>
<main>
${renderToc(r)}
${renderSummary(r)}
${joinHtml(r.runs.map(renderRun), '\n')}
</main>
<footer>${renderSources(r)}</footer>
<script type="application/json" id="rollsafe-charts">${trusted(scriptJson(allCharts(r).map((c) => ({ id: c.id, config: c.config }))))}</script>
${scripts.map((js) => html`<script>${trusted(js)}</script>\n`)}</body></html>
`.text;
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

function renderBanner(r: Report): Html {
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
  return html`<p class="banner ${cls}" id="banner">${parts.join(' · ')}</p>`;
}

function renderToc(r: Report): Html {
  const items = r.runs.map((run) => {
    const vs = run.violations.map((v) => html`<li><a href="#${v.id}">${v.number}. ${v.v.property}</a></li>`);
    return html`<li><a href="#${run.id}">${run.result.scenario.name}</a> ${verdictBadge(run)}${vs.length > 0 && html`<ul>${vs}</ul>`}</li>`;
  });
  return html`<nav class="toc"><h2>Contents</h2><ul><li><a href="#summary">Summary</a></li>${items}</ul></nav>`;
}

function verdictBadge(run: RunView): Html {
  const v = run.result.verdict;
  const cls = v === 'safe' ? 'good' : v === 'unsafe' ? 'bad' : 'warn';
  const exp = run.result.expect ? (run.result.expect.met ? ' as expected' : ' NOT as expected') : '';
  const vac = vacuousProperties(run.result).length;
  const note = vac > 0 && html` <span class="badge warn vacuous" title="properties that held only because what they guard against never happened">${vac} vacuous</span>`;
  return html`<span class="badge ${cls}">${v + exp}</span>${note}`;
}

function renderSummary(r: Report): Html {
  const rows = r.runs.map((run) => {
    const x = run.result;
    const bounds = x.boundsHit.length ? html`<span class="warn-text">${x.boundsHit.join(', ')}</span>` : x.complete ? 'none (complete)' : html`<span class="warn-text">incomplete</span>`;
    return html`<tr class="${run.passed ? '' : 'failed'}"><td><a href="#${run.id}">${x.scenario.name}</a><div class="muted small">${x.scenario.file}</div></td>
<td>${x.engine}</td><td>${x.seed === null ? '—' : x.seed}</td><td class="num">${n(x.figures.states)}</td><td class="num">${n(x.figures.transitions)}</td>
<td class="num">${x.figures.depth}</td><td class="num">${secs(x.figures.elapsedMs)}</td><td>${bounds}</td><td>${verdictBadge(run)}</td><td class="num">${x.violations.length}</td></tr>`;
  });
  const t = r.totals;
  const totals = html`<tr class="totals"><th>total</th><td>${t.engines.join(', ')}</td><td></td><td class="num">${n(t.states)}</td><td class="num">${n(t.transitions)}</td><td></td><td class="num">${secs(t.elapsedMs)}</td><td></td><td></td><td class="num">${t.violations}</td></tr>`;
  const depth = statesPerDepthChart(r);
  const vpp = violationsPerPropertyChart(r);
  return html`<section id="summary"><h2>Summary</h2>
<div class="scroll"><table class="data summary"><thead><tr><th>scenario</th><th>engine</th><th>seed</th><th>states</th><th>transitions</th><th>depth</th><th>time</th><th>bounds hit</th><th>verdict</th><th>violations</th></tr></thead>
<tbody>
${joinHtml(rows, '\n')}
${totals}
</tbody></table></div>
${renderPropertyMatrix(r)}
<div class="cols">
<figure class="chart"><figcaption>${vpp.title}</figcaption><div class="canvas-box"><canvas id="${vpp.id}" role="img" aria-label="${vpp.title}"></canvas></div></figure>
${depth ? html`<figure class="chart"><figcaption>${depth.title}</figcaption><div class="canvas-box"><canvas id="${depth.id}" role="img" aria-label="${depth.title}"></canvas></div></figure>` : html`<p class="muted not-computed">States per depth: not recorded by these results.</p>`}
</div>
</section>`;
}

function renderPropertyMatrix(r: Report): Html {
  const head = r.runs.map((run) => html`<th class="vertical" title="${run.result.scenario.file}"><a href="#${run.id}">${run.result.scenario.name}</a></th>`);
  const mark = { holds: ['holds', 'good'], vacuous: ['vacuous', 'warn'], 'not-applicable': ['n/a', 'muted'], violated: ['violated', 'bad'], unknown: ['unknown', 'warn'] } as const;
  const rows = r.propertyMatrix.map((p) => {
    const cells = p.statuses.map((s) => (s === null ? html`<td class="muted">not checked</td>` : html`<td><span class="badge ${mark[s][1]}">${mark[s][0]}</span></td>`));
    return html`<tr><th scope="row" title="${p.explanation}"><code>${p.property}</code></th>${cells}</tr>`;
  });
  return html`<h3>Verdict per property</h3><p class="muted small">vacuous: it held, but no explored run did what could make it fail. n/a: nothing in the scenario could make it fail. unknown: a bound cut the search before a verdict. Hover a property for what it means.</p>
<div class="scroll"><table class="data matrix"><thead><tr><th>property</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderRun(run: RunView): Html {
  const x = run.result;
  const exp =
    x.expect &&
    html`<p>Expected <strong>${x.expect.verdict}</strong>${x.expect.fires.length > 0 && html` with ${joinHtml(x.expect.fires.map((f) => html`<code>${f}</code>`), ', ')}`}: ${
      x.expect.met ? html`<span class="ok-text">met</span>` : html`<span class="bad-text">not met</span> (${x.expect.problems.join('; ')})`
    }</p>`;
  const bounds =
    (x.boundsHit.length > 0 || !x.complete) &&
    html`<p class="warn">The search stopped at a bound (${x.boundsHit.join(', ') || 'incomplete'}): properties it did not see violated are <em>unknown</em>, not proven.</p>`;
  const opts = Object.entries(x.options)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
  const vac = vacuousProperties(x);
  const vacuous =
    vac.length > 0 &&
    html`<div class="vacuous-list"><p>Held only vacuously: no explored run reached what could make ${vac.length === 1 ? 'this property' : `these ${vac.length} properties`} fail${x.expect?.vacuous ? html` (as <code>expect.vacuous</code> pins)` : ''}.</p><ul>${vac.map((p) => html`<li><code>${p.name}</code>: never reached: ${p.trigger}</li>`)}</ul></div>`;
  const violations = run.violations.length
    ? html`<h4>Violations (${run.violations.length})</h4>${joinHtml(run.violations.map(renderViolation), '\n')}`
    : html`<p class="ok-text">No violation found.</p>`;
  return html`<section class="run" id="${run.id}">
<h3>${x.scenario.title || x.scenario.name} ${verdictBadge(run)}</h3>
<p class="muted"><code>${x.scenario.file}</code> · ${x.scenario.name}${x.scenario.follows && ` · follows ${x.scenario.follows}`} · from <code>${run.file}</code></p>
<p>${x.engine} engine${x.seed !== null && `, seed ${x.seed}`}: ${count(x.figures.states, 'state')}, ${count(x.figures.transitions, 'transition')}, depth ${x.figures.depth}, ${secs(x.figures.elapsedMs)}${opts && html` · <span class="muted">${opts}</span>`}</p>
${exp}${bounds}${vacuous}
${violations}
${renderCoverage(run)}
${renderNoReturn(run)}
</section>`;
}

function renderSources(r: Report): Html {
  const rows = r.files.map(
    (f) =>
      html`<li><code>${f.path}</code>: ${f.results} result${f.results === 1 ? '' : 's'}${f.partial && html` <span class="warn-text">(partial: interrupted or cut by a time budget)</span>`}${f.command && html` · made by <code>${f.command}</code>`}</li>`,
  );
  return html`<h2>Sources</h2><ul>${rows}</ul><p class="muted small">Generated by rollsafe from the result files above; the page makes no network requests.</p>`;
}
