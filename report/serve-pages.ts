// The pages `serve` draws itself (the reports are the report's): the list of result files with
// what each holds, sorted and filtered by the query string, and the diff of two of them. No
// script: sorting, filtering and choosing a pair are links and GET forms answered here.
import { type Diffable, diffExitCode, diffResults, formatDiffText, headline } from '../sim/results/diff.js';
import type { ResultFile } from '../sim/results/result-file.js';
import { count } from '../sim/results/words.js';
import { type Html, html, joinHtml, trusted } from './html.js';
import { STYLE } from './style.js';

export interface FileSummary {
  rel: string;
  bytes: number;
  modified: Date;
  // null: not summarised (too large, or not a result file: `problem` says which)
  results: number | null;
  verdicts: { unsafe: number; safe: number; inconclusive: number };
  expectations: { met: number; unmet: number; none: number };
  engines: string[];
  violations: number;
  problem: string | null;
}

export function summarise(rel: string, bytes: number, modified: Date, file: ResultFile | null, problem: string | null): FileSummary {
  const verdicts = { unsafe: 0, safe: 0, inconclusive: 0 };
  const expectations = { met: 0, unmet: 0, none: 0 };
  const rs = file?.results ?? [];
  for (const r of rs) {
    verdicts[r.verdict] += 1;
    expectations[r.expect ? (r.expect.met ? 'met' : 'unmet') : 'none'] += 1;
  }
  return {
    rel,
    bytes,
    modified,
    results: file ? rs.length : null,
    verdicts,
    expectations,
    engines: [...new Set(rs.map((r) => r.engine))].sort(),
    violations: rs.reduce((k, r) => k + r.violations.length, 0),
    problem,
  };
}

// The verdict a file as a whole answers to: unsafe if any run is, inconclusive if any run is.
export function fileVerdict(f: FileSummary): string {
  if (f.results === null) return 'none';
  return f.verdicts.unsafe ? 'unsafe' : f.verdicts.inconclusive ? 'inconclusive' : f.results ? 'safe' : 'none';
}

export function fileExpectation(f: FileSummary): string {
  if (f.results === null || f.expectations.met + f.expectations.unmet === 0) return 'none';
  return f.expectations.unmet ? 'unmet' : 'met';
}

export interface ListQuery {
  sort: 'file' | 'date' | 'verdict' | 'violations' | 'scenarios' | 'size';
  order: 'asc' | 'desc';
  verdict: string; // '' for any
  expect: string;
  engine: string;
  q: string;
}

const SORTS = ['file', 'date', 'verdict', 'violations', 'scenarios', 'size'] as const;

// Anything the query string holds that is not one of ours is ignored, never echoed back raw.
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const one = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : '');
  const pick = <T extends string>(v: string, allowed: readonly T[], dflt: T): T => ((allowed as readonly string[]).includes(v) ? (v as T) : dflt);
  return {
    sort: pick(one('sort'), SORTS, 'date'),
    order: pick(one('order'), ['asc', 'desc'] as const, one('sort') && one('sort') !== 'date' ? 'asc' : 'desc'),
    verdict: pick(one('verdict'), ['', 'unsafe', 'safe', 'inconclusive'] as const, ''),
    expect: pick(one('expect'), ['', 'met', 'unmet', 'none'] as const, ''),
    engine: pick(one('engine'), ['', 'explore', 'chaos', 'fuzz'] as const, ''),
    q: one('q').slice(0, 200),
  };
}

const VERDICT_RANK: Record<string, number> = { unsafe: 0, inconclusive: 1, safe: 2, none: 3 };

export function listFiles(files: FileSummary[], q: ListQuery): FileSummary[] {
  const words = q.q.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = files.filter(
    (f) =>
      (!q.verdict || fileVerdict(f) === q.verdict) &&
      (!q.expect || fileExpectation(f) === q.expect) &&
      (!q.engine || f.engines.includes(q.engine)) &&
      words.every((w) => f.rel.toLowerCase().includes(w)),
  );
  const key: Record<ListQuery['sort'], (f: FileSummary) => number | string> = {
    file: (f) => f.rel,
    date: (f) => f.modified.getTime(),
    verdict: (f) => VERDICT_RANK[fileVerdict(f)],
    violations: (f) => f.violations,
    scenarios: (f) => f.results ?? -1,
    size: (f) => f.bytes,
  };
  const k = key[q.sort];
  const sign = q.order === 'asc' ? 1 : -1;
  return [...kept].sort((a, b) => {
    // a file that holds no results has no verdict or count to sort by: last either way
    if (q.sort !== 'file' && q.sort !== 'date' && q.sort !== 'size' && (a.results === null) !== (b.results === null)) return a.results === null ? 1 : -1;
    const x = k(a);
    const y = k(b);
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sign || a.rel.localeCompare(b.rel);
  });
}

const href = (prefix: string, rel: string) => `${prefix}/${rel.split('/').map(encodeURIComponent).join('/')}`;
const stamp = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16);

export function listingPage(displayRoot: string, all: FileSummary[], q: ListQuery): Html {
  const files = listFiles(all, q);
  const link = (sort: ListQuery['sort'], text: string) => {
    const order = q.sort === sort && q.order === 'asc' ? 'desc' : 'asc';
    const params = new URLSearchParams({ ...(q.verdict && { verdict: q.verdict }), ...(q.expect && { expect: q.expect }), ...(q.engine && { engine: q.engine }), ...(q.q && { q: q.q }), sort, order });
    const mark = q.sort === sort ? (q.order === 'asc' ? ' ▲' : ' ▼') : '';
    return html`<th><a class="sort" data-sort="${sort}" href="/?${params.toString()}">${text}${mark}</a></th>`;
  };
  const select = (name: string, value: string, options: [string, string][]) =>
    html`<select name="${name}" aria-label="${name}">${options.map(([v, t]) => html`<option value="${v}"${v === value && html` selected`}>${t}</option>`)}</select>`;
  const filters = html`<form class="filters" method="get" action="/">
<input type="search" name="q" value="${q.q}" placeholder="file name contains" aria-label="search file names">
${select('verdict', q.verdict, [['', 'any verdict'], ['unsafe', 'unsafe'], ['safe', 'safe'], ['inconclusive', 'inconclusive']])}
${select('expect', q.expect, [['', 'any expectation'], ['met', 'all as expected'], ['unmet', 'some NOT as expected'], ['none', 'no expect block']])}
${select('engine', q.engine, [['', 'any engine'], ['explore', 'explore'], ['chaos', 'chaos'], ['fuzz', 'fuzz']])}
<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="order" value="${q.order}">
<button type="submit">filter</button> <a href="/">reset</a> <span class="muted" id="shown">${files.length} of ${all.length} files</span></form>`;
  const rows = files.map((f) => {
    const verdict = fileVerdict(f);
    const expectation = fileExpectation(f);
    const v = f.verdicts;
    const e = f.expectations;
    const summary =
      f.results === null
        ? html`<td colspan="5" class="muted">${f.problem ?? 'not summarised'}</td>`
        : html`<td class="num">${f.results}</td><td><span class="badge verdict ${verdict === 'unsafe' ? 'bad' : verdict === 'safe' ? 'good' : verdict === 'none' ? 'neutral' : 'warn'}">${verdict}</span> <span class="small">${[v.unsafe && `${v.unsafe} unsafe`, v.safe && `${v.safe} safe`, v.inconclusive && `${v.inconclusive} inconclusive`].filter(Boolean).join(' · ')}</span></td>
<td><span class="badge expectation ${expectation === 'met' ? 'good' : expectation === 'unmet' ? 'bad' : 'neutral'}">${expectation === 'met' ? 'as expected' : expectation === 'unmet' ? 'NOT as expected' : 'no expect block'}</span> <span class="small">${e.met + e.unmet > 0 ? `${e.met} of ${e.met + e.unmet}` : ''}</span></td><td>${f.engines.join(', ')}</td><td class="num">${f.violations}</td>`;
    return html`<tr data-file="${f.rel}" data-verdict="${verdict}" data-expect="${expectation}"><td><a class="report-link" href="${href('/report', f.rel)}">${f.rel}</a></td>${summary}<td class="num">${stamp(f.modified)}</td><td class="num">${(f.bytes / 1024).toFixed(1)} KiB</td><td><a href="${href('/results', f.rel)}">raw JSON</a></td></tr>\n`;
  });
  const usable = all.filter((f) => f.results !== null);
  const choose = (name: string, pick: number) =>
    html`<select name="${name}" aria-label="${name}">${usable.map((f, i) => html`<option value="${f.rel}"${i === pick && html` selected`}>${f.rel}</option>`)}</select>`;
  const diff =
    usable.length >= 2 &&
    html`<h2>Compare two result files</h2><form class="filters" id="diff-form" method="get" action="/diff">base ${choose('base', 1)} head ${choose('head', 0)} <button type="submit">diff</button></form>
<p class="muted small">Pairs the runs of the two files by scenario (one run each: those two) and lists the violations the head makes newly reachable and those it removes, as <code>rollsafe diff</code> does.</p>`;
  const body = all.length
    ? html`${filters}<div class="scroll"><table class="data listing"><thead><tr>${link('file', 'result file')}${link('scenarios', 'scenarios')}${link('verdict', 'verdict')}<th>expectation</th><th>engine</th>${link('violations', 'violations')}${link('date', 'written')}${link('size', 'size')}<th></th></tr></thead><tbody>\n${rows}</tbody></table></div>${diff}`
    : html`<p class="muted">No result files (*.json) here yet. Write one with <code>rollsafe check --json FILE</code>.</p>`;
  return page(`results in ${displayRoot}`, body);
}

// Runs of two files paired by scenario; one run each is a pair whatever the names.
export function diffPage(baseRel: string, base: ResultFile, headRel: string, head: ResultFile): Html {
  const key = (r: Diffable) => `${r.scenario.name}\u0000${r.engine}`;
  const pairs: [Diffable, Diffable][] = [];
  const onlyBase: Diffable[] = [];
  const heads = new Map(head.results.map((r) => [key(r), r]));
  if (base.results.length === 1 && head.results.length === 1) {
    pairs.push([base.results[0], head.results[0]]);
    heads.clear();
  } else {
    for (const b of base.results) {
      const h = heads.get(key(b));
      if (h) {
        pairs.push([b, h]);
        heads.delete(key(b));
      } else onlyBase.push(b);
    }
  }
  const onlyHead = [...heads.values()];
  const diffs = pairs.map(([b, h]) => ({ b, h, d: diffResults(b, h) }));
  const worse = diffs.filter((x) => diffExitCode(x.d) === 1).length;
  const rows = diffs.map(
    ({ b, h, d }) =>
      html`<tr${diffExitCode(d) === 1 && html` class="failed"`}><td><a href="#d-${h.scenario.name}">${h.scenario.name}</a></td><td>${b.verdict}</td><td>${h.verdict}</td><td class="num">${d.added.length}</td><td class="num">${d.removed.length}</td><td>${headline(d)}</td></tr>`,
  );
  const sections = diffs.map(({ h, d }) => html`<section id="d-${h.scenario.name}"><h3>${h.scenario.name}</h3><pre class="diff">${formatDiffText(d)}</pre></section>`);
  const only = (what: string, rs: Diffable[]) => rs.length > 0 && html`<p class="warn">Only in ${what}: ${joinHtml(rs.map((r) => html`<code>${r.scenario.name}</code>`), ', ')}.</p>`;
  const lead = html`<p class="banner ${worse ? 'bad' : 'good'}" id="diff-banner">${worse ? `${count(worse, 'scenario')} newly unsafe or unproven in head` : 'no scenario newly unsafe in head'} · ${count(pairs.length, 'scenario')} compared</p>`;
  return page(
    `diff ${baseRel} → ${headRel}`,
    html`${lead}<p>base <a href="${href('/report', baseRel)}"><code>${baseRel}</code></a> · head <a href="${href('/report', headRel)}"><code>${headRel}</code></a> · <a href="/">back to the list</a></p>
${only('base', onlyBase)}${only('head', onlyHead)}
<div class="scroll"><table class="data diff-table"><thead><tr><th>scenario</th><th>base verdict</th><th>head verdict</th><th>newly reachable</th><th>no longer reachable</th><th>what changed</th></tr></thead><tbody>${rows}</tbody></table></div>
${sections}`,
  );
}

export function page(title: string, body: Html): Html {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>rollsafe: ${title}</title><style>${trusted(STYLE)}</style></head>
<body><header><h1>rollsafe: ${title}</h1></header><main>${body}</main></body></html>\n`;
}
