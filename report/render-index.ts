// The top of the page: the two banners (what was found, and whether that is what was
// expected), the index of runs with its filters, and the per-property overview. A corpus report
// holds seventy runs; this is what a reader scans, the runs' own sections stay closed.
import type { ExpectationState, Report, RunView } from './analysis.js';
import { type Html, html, joinHtml } from './html.js';
import { vacuousProperties } from '../sim/results/vacuity.js';
import { count } from '../sim/results/words.js';
import { fingerprintCaveat, fingerprintShort } from '../sim/results/fingerprints.js';

const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// Above this many runs a property x run matrix is wider than any screen: counts per property instead.
export const MATRIX_MAX_RUNS = 12;

// Red is for unsafe, amber for inconclusive, green only when every verdict is safe; the
// expectation banner is green when every run is as its expect block said, whatever that was.
export function renderBanners(r: Report): Html {
  const by = (v: string) => r.runs.filter((x) => x.result.verdict === v).length;
  const unsafe = by('unsafe');
  const inconclusive = by('inconclusive');
  const vacuous = r.runs.filter((x) => vacuousProperties(x.result).length > 0).length;
  const verdictClass = unsafe ? 'bad' : inconclusive ? 'warn' : 'good';
  const verdicts = [
    `${unsafe} unsafe`,
    `${by('safe')} safe`,
    `${inconclusive} inconclusive`,
    count(r.totals.violations, 'violation'),
    ...(vacuous ? [`${vacuous} with vacuous properties`] : []),
  ].join(' · ');
  const met = r.runs.filter((x) => x.expectation === 'met').length;
  const unmet = r.runs.filter((x) => x.expectation === 'unmet').length;
  const none = r.runs.length - met - unmet;
  const expectClass = unmet ? 'bad' : met ? 'good' : 'neutral';
  const expectations =
    met + unmet === 0
      ? 'no run has an expect block'
      : [`${met} of ${met + unmet} as expected`, ...(unmet ? [`${unmet} NOT as expected`] : []), ...(none ? [`${none} without an expect block`] : [])].join(' · ');
  return html`<div class="banners"><p class="banner ${verdictClass}" id="banner-verdict"><span class="banner-label">Verdicts of ${count(r.runs.length, 'run')}</span> ${verdicts}</p>
<p class="banner ${expectClass}" id="banner-expectation"><span class="banner-label">Expectations</span> ${expectations}</p></div>`;
}

export function verdictBadge(run: RunView): Html {
  const v = run.result.verdict;
  const fp = run.result.fingerprints;
  // a fingerprint search's verdict always carries its caveat beside it
  const caveat = fp && html` <span class="badge warn fingerprints" title="${fingerprintCaveat(fp, run.result.violations.length)}">${fingerprintShort(fp)}</span>`;
  return html`<span class="badge verdict ${v === 'safe' ? 'good' : v === 'unsafe' ? 'bad' : 'warn'}">${v}</span>${caveat}`;
}

const EXPECTATION_TEXT: Record<ExpectationState, [string, string]> = { met: ['as expected', 'good'], unmet: ['NOT as expected', 'bad'], none: ['no expect block', 'neutral'] };

export function expectationBadge(run: RunView): Html {
  const [text, cls] = EXPECTATION_TEXT[run.expectation];
  const expected = run.result.expect ? `expected ${run.result.expect.verdict}` : 'the scenario has no expect block';
  return html`<span class="badge expectation ${cls}" title="${expected}">${text}</span>`;
}

export function vacuousBadge(run: RunView): Html | null {
  const vac = vacuousProperties(run.result).length;
  return vac > 0 ? html`<span class="badge warn vacuous">${vac} vacuous</span>` : null;
}

export function renderIndex(r: Report): Html {
  const fired = [...new Set(r.runs.flatMap((x) => x.violations.map((v) => v.v.property)))].sort();
  const option = (value: string, text: string = value) => html`<option value="${value}">${text}</option>`;
  // Shown by the page's script: without it the controls would do nothing.
  const filters = html`<div class="filters" id="filters" hidden>
<input type="search" id="f-search" placeholder="search name, title, file, property" aria-label="search the runs">
<select id="f-verdict" aria-label="verdict">${option('', 'any verdict')}${['unsafe', 'safe', 'inconclusive'].map((v) => option(v))}</select>
<select id="f-expect" aria-label="expectation">${option('', 'any expectation')}${option('met', 'as expected')}${option('unmet', 'NOT as expected')}${option('none', 'no expect block')}</select>
<select id="f-property" aria-label="property fired">${option('', 'any property fired')}${fired.map((p) => option(p))}</select>
<select id="f-folder" aria-label="system folder">${option('', 'any folder')}${r.folders.map((f) => option(f))}</select>
<button type="button" id="f-reset">reset</button> <button type="button" id="f-open">open all shown</button> <button type="button" id="f-close">close all</button>
<span id="f-count" class="muted">${r.runs.length} of ${r.runs.length} shown</span></div>`;
  const unit = r.runs.every((x) => x.unit === 'world') ? 'worlds visited' : r.runs.some((x) => x.unit === 'world') ? 'states / worlds' : 'states';
  const rows = r.runs.map((run) => indexRow(run));
  const t = r.totals;
  return html`<section id="index"><h2>Runs</h2>
${filters}
<div class="scroll"><table class="data index"><thead><tr><th>scenario</th><th>verdict</th><th>expectation</th><th>properties fired</th><th class="wide">folder</th><th class="wide">engine</th><th class="wide">vacuous</th><th>${unit}</th><th class="wide">per depth</th><th>time</th></tr></thead>
<tbody>
${joinHtml(rows, '\n')}
</tbody>
<tfoot><tr class="totals"><th>${count(t.scenarios, 'run')}</th><td></td><td></td><td>${count(t.violations, 'violation')}</td><td class="wide"></td><td class="wide">${t.engines.join(', ')}</td><td class="wide"></td><td class="num">${n(t.states)}</td><td class="wide"></td><td class="num">${secs(t.elapsedMs)}</td></tr></tfoot></table></div>
</section>`;
}

function indexRow(run: RunView): Html {
  const x = run.result;
  const fired = [...new Set(x.violations.map((v) => v.property))];
  const links = run.violations.map((v) => html`<a href="#${v.id}"><code>${v.v.property}</code></a>`);
  const vac = vacuousProperties(x).length;
  const bounds = x.boundsHit.length > 0 && html`<div class="warn-text small">${x.boundsHit.join(', ')}</div>`;
  return html`<tr data-run="${run.id}" data-verdict="${x.verdict}" data-expect="${run.expectation}" data-fired="${fired.join(' ')}" data-folder="${run.folder}"${!run.passed && html` class="failed"`}>
<td><a href="#${run.id}">${x.scenario.name}</a></td><td>${verdictBadge(run)}${bounds}</td><td>${expectationBadge(run)}</td>
${links.length ? html`<td>${joinHtml(links, ' ')}</td>` : html`<td class="none"></td>`}<td class="small wide">${run.folder}</td><td class="wide">${x.engine}</td>${vac ? html`<td class="num wide">${vac}</td>` : html`<td class="none wide"></td>`}<td class="num">${n(x.figures.states)}</td><td class="wide">${sparkline(x.figures.statesPerDepth ?? [], x.figures.depth)}</td><td class="num">${secs(x.figures.elapsedMs)}</td></tr>`;
}

// One small multiple per run: its own curve on its own scale, so a 3-state incident and a
// 25,000-state search both show their shape. Server-drawn: no script, no canvas per row.
export function sparkline(data: number[], depth: number): Html {
  if (data.length === 0) return html`<span class="muted small">—</span>`;
  const W = 96;
  const H = 22;
  const peak = Math.max(1, ...data);
  const x = (i: number) => Math.round(data.length === 1 ? W / 2 : (i * W) / (data.length - 1));
  const y = (v: number) => Math.round(H - 1 - (v * (H - 2)) / peak);
  const points = data.map((v, i) => `${x(i)},${y(v)}`).join(' ');
  const label = `depth 0 to ${depth}, at most ${n(peak)} per depth`;
  return html`<svg class="spark" width="${W}" height="${H}" role="img"><title>${label}</title><polyline points="${points}"/></svg>`;
}

const STATUS_MARK = { holds: ['holds', 'good'], vacuous: ['vacuous', 'warn'], 'not-applicable': ['n/a', 'muted'], violated: ['violated', 'bad'], unknown: ['unknown', 'warn'] } as const;
// the statuses that need a look first
const STATUSES = ['violated', 'unknown', 'vacuous', 'not-applicable', 'holds'] as const;

export function renderProperties(r: Report): Html {
  const note = html`<p class="muted small">vacuous: it held, but no explored run did what could make it fail. n/a: nothing in the scenario could make it fail. unknown: a bound cut the search before a verdict. Hover a property for what it means.</p>`;
  if (r.runs.length <= MATRIX_MAX_RUNS) return html`<h3>Verdict per property</h3>${note}${renderMatrix(r)}`;
  const head = STATUSES.map((s) => html`<th>${STATUS_MARK[s][0]}</th>`);
  const rows = r.propertyMatrix.map((p) => {
    const cells = STATUSES.map((s) => {
      const k = p.statuses.filter((x) => x === s).length;
      return html`<td class="num${k === 0 ? ' zero' : ''}">${k === 0 ? '·' : html`<span class="badge ${STATUS_MARK[s][1]}">${k}</span>`}</td>`;
    });
    return html`<tr><th scope="row" title="${p.explanation}"><code>${p.property}</code></th>${cells}</tr>`;
  });
  return html`<h3>Verdict per property, over ${count(r.runs.length, 'run')}</h3>${note}<p class="muted small">Runs per status; pick a property in the index's filter to list the runs where it fired.</p>
<div class="scroll"><table class="data property-counts"><thead><tr><th>property</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderMatrix(r: Report): Html {
  const head = r.runs.map((run) => html`<th class="vertical" title="${run.result.scenario.file}"><a href="#${run.id}">${run.result.scenario.name}</a></th>`);
  const rows = r.propertyMatrix.map((p) => {
    const cells = p.statuses.map((s) => (s === null ? html`<td class="muted">not checked</td>` : html`<td><span class="badge ${STATUS_MARK[s][1]}">${STATUS_MARK[s][0]}</span></td>`));
    return html`<tr><th scope="row" title="${p.explanation}"><code>${p.property}</code></th>${cells}</tr>`;
  });
  return html`<div class="scroll"><table class="data matrix"><thead><tr><th>property</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}
