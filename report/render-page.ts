// The page: shell, banners, index, summary and one section per run. Pure: takes the analysed
// report and the chart.js source, returns one HTML string that needs nothing from the network.
import { createHash } from 'node:crypto';
import type { Report } from './analysis.js';
import { chartData, statesPerDepthChart, violationsPerPropertyChart } from './charts.js';
import { reportClient } from './client.js';
import { type Html, html, joinHtml, trusted } from './html.js';
import { renderBanners, renderIndex, renderProperties } from './render-index.js';
import { optionTexts, renderRun } from './render-run.js';
import { STYLE } from './style.js';

// The page forbids every fetch: it must work from a mail attachment or a CI artefact. Script
// runs only if it is one of the page's own inlined scripts, named by hash: markup that got
// into the page anyway (a field the escaping missed) cannot run.
export function reportCsp(scripts: string[]): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  return `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

// The page's executable scripts, exactly as inlined: `serve` lists the same hashes in its header.
export function reportScripts(chartJs: string): string[] {
  // tsx (esbuild's keepNames) wraps the function's inner functions in __name(), a helper the page
  // does not have: the script brings a stand-in, harmless where the build (tsc) left none
  return [scriptText(chartJs), `((__name) => (${reportClient.toString()})())((f) => f);`];
}

export interface RenderOptions {
  chartJs: string; // chart.umd.min.js source
  title?: string;
}

// With a few runs every section is open, as the page always was; beyond that the index is the
// page and each section opens on demand.
export const OPEN_RUNS_MAX = 3;

export function renderReport(r: Report, o: RenderOptions): string {
  const names = r.runs.map((x) => x.result.scenario.name);
  const title = o.title ?? (names.length > OPEN_RUNS_MAX ? `rollsafe report: ${names.length} runs` : `rollsafe report: ${names.join(', ') || 'no results'}`);
  const scripts = reportScripts(o.chartJs);
  const open = r.runs.length <= OPEN_RUNS_MAX;
  const shared = sharedOptions(r);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportCsp(scripts)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.length > 120 ? `${title.slice(0, 117)}...` : title}</title>
<style>${trusted(STYLE)}</style>
</head><body>
<header><h1>rollsafe report</h1>${renderBanners(r)}</header>
<main>
${renderIndex(r)}
${renderSummary(r)}
<section id="runs"><h2>Runs in detail</h2>${!open && html`<p class="muted small">Each run opens on a click; the index above links to it and to each violation.</p>`}${shared.size > 0 && html`<p class="muted small shared-options">Every run's options: ${[...shared].join(' · ')}</p>`}
${joinHtml(
  r.runs.map((run) => renderRun(run, open, r.files.length > 1, shared)),
  '\n',
)}
</section>
</main>
<footer>${renderSources(r)}</footer>
<script type="application/json" id="rollsafe-charts">${trusted(scriptJson(chartData(r)))}</script>
${scripts.map((js) => html`<script>${trusted(js)}</script>\n`)}</body></html>
`.text;
}

// Options every run used (a corpus checked by one command): said once, not in every section.
function sharedOptions(r: Report): Set<string> {
  if (r.runs.length < 2) return new Set();
  const [first, ...rest] = r.runs.map((run) => optionTexts(run.result));
  return new Set(first.filter((o) => rest.every((texts) => texts.includes(o))));
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

function renderSummary(r: Report): Html {
  const depth = statesPerDepthChart(r);
  const vpp = violationsPerPropertyChart(r);
  const omitted = r.statesPerDepthOmitted > 0 && html`<p class="muted small">The other ${r.statesPerDepthOmitted} runs are smaller; each run's own curve is in the index's <em>per depth</em> column.</p>`;
  return html`<section id="summary"><h2>Summary</h2>
${renderProperties(r)}
<div class="cols">
<figure class="chart"><figcaption>${vpp.title}</figcaption><div class="canvas-box"><canvas id="${vpp.id}" data-chart role="img" aria-label="${vpp.title}"></canvas></div></figure>
${depth ? html`<figure class="chart"><figcaption>${depth.title}</figcaption><div class="canvas-box"><canvas id="${depth.id}" data-chart role="img" aria-label="${depth.title}"></canvas></div>${omitted}</figure>` : html`<p class="muted not-computed">States per depth: not recorded by these results.</p>`}
</div>
</section>`;
}

function renderSources(r: Report): Html {
  const rows = r.files.map(
    (f) =>
      html`<li><code>${f.path}</code>: ${f.results} result${f.results === 1 ? '' : 's'}${f.partial && html` <span class="warn-text">(partial: interrupted or cut by a time budget)</span>`}${f.command && html` · made by <code>${f.command}</code>`}</li>`,
  );
  return html`<h2>Sources</h2><ul>${rows}</ul><p class="muted small">Generated by rollsafe from the result files above; the page makes no network requests.</p>`;
}
