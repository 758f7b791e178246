// HTML for one violation: what is wrong, why it matters, how much data it hurts, how to
// replay it, and the trace as a nodes x steps grid with the failing step marked.
import { harmText } from '../sim/results/harm.js';
import type { Timeline, ViolationView } from './analysis.js';
import { recordsChart } from './charts.js';
import { type Html, html, joinHtml } from './html.js';
import { count } from '../sim/results/words.js';

const n = (x: number) => x.toLocaleString('en-US');

export function renderViolation(v: ViolationView): Html {
  const { property, category, explanation, detail, blast } = v.v;
  const pct = blast.recordsTotal > 0 ? ` (${((100 * blast.recordsAffected) / blast.recordsTotal).toFixed(1)}%)` : '';
  const steps = v.v.trace.length - 1;
  const chart = recordsChart(v);
  return html`<article class="violation" id="${v.id}" data-property="${property}">
<h4><span class="badge bad">${category}</span> ${v.number}. ${property}</h4>
<p class="detail">${detail}</p>
<p class="explanation"><strong>Property:</strong> ${explanation}</p>
<dl class="blast">
<dt>Blast radius</dt><dd>${harmText(v.v)}${(v.v.harm ?? 'records-unreadable') === 'records-unreadable' ? pct : ''}</dd>
<dt>Nodes affected</dt><dd>${blast.nodes.length ? joinHtml(blast.nodes.map((x) => html`<code>${x}</code>`), ', ') : 'none'}</dd>
<dt>Shortest trace</dt><dd>${count(steps, 'step')}; the violation holds after step ${v.v.trace[steps].index}</dd>
${exposure(v)}
<dt>Replay in words</dt><dd><code class="replay">${v.replay}</code></dd>
</dl>
${renderTimeline(v.timeline)}
<figure class="chart small"><figcaption>${chart.title} over the trace</figcaption><div class="canvas-box"><canvas id="${chart.id}" data-chart role="img"></canvas></div></figure>
</article>`;
}

// A latent violation: where the harm was done (a cache hid it) and where it showed.
function exposure(v: ViolationView): Html | null {
  const x = v.v.exposure;
  if (!x) return null;
  const shown = x.manifestStep !== null ? html`manifest at step ${n(x.manifestStep)}: ${x.manifestDetail ?? ''}` : 'not yet manifest within the trace';
  return html`<dt>Latent harm</dt><dd class="latent">done at step ${n(x.latentStep)} while a cache still hid it (unsafe from there); ${shown}</dd>`;
}

// A cell that did not change shows a ditto mark: the grid reads as what each step changed, the
// first and the failing column in full. (Repeating every cell made a corpus report 600 KB of
// timelines.) A step that changes nothing at all says so in its heading. The key to the marks
// is said once per run, above its violations (timelineLegend).
export function renderTimeline(t: Timeline): Html {
  const head = t.columns.map(
    (c) =>
      html`<th${headClass(c)}${(c.failing || c.latent) && html` data-step="${c.index}"`}${c.failing && html` data-failing="true"`}${c.latent && html` data-latent="true"`}><b>${c.index}${c.failing ? ' ✖' : c.latent ? ' ◐' : ''}</b><i>${c.actor}</i>${c.label}${c.changesNothing && html`<em class="nothing">changes nothing</em>`}</th>`,
  );
  const rows = t.rows.map((r) => {
    const cells = r.cells.map((c, i) => {
      const failing = t.columns[i].failing;
      const cls = [failing ? 'failing' : '', c.changed ? 'changed' : '', failing && r.affected ? 'affected' : ''].filter(Boolean).join(' ');
      // at the failing step a node outside the blast radius that did not change is a ditto too
      if (i > 0 && !c.changed && (!failing || (r.kind === 'node' && !r.affected))) return html`<td${failing && html` class="failing"`}></td>`;
      return html`<td${cls && html` class="${cls}"`}>${cellLines(c.lines, i > 0 && !failing ? r.cells[i - 1].lines : null)}</td>`;
    });
    const label = html`${r.label}${r.affected && html` <span class="badge bad">hit</span>`}`;
    // a node's row is known by its class, the others by name (style.ts, the tests)
    return html`<tr${r.kind === 'node' ? html` class="row-node"` : html` data-row="${r.label}"`}><th>${label}</th>${cells}</tr>`;
  });
  return html`<div class="timeline-wrap"><table class="timeline">
<thead><tr><th scope="col" class="corner">step →</th>${head}</tr></thead>
<tbody>
${joinHtml(rows, '\n')}
</tbody></table></div>`;
}

export function timelineLegend(views: ViolationView[]): Html {
  const latent = views.some((v) => v.timeline.columns.some((c) => c.latent));
  return html`<p class="legend">Timelines: <span class="swatch failing"></span> failing · ${latent && '◐ harm done under a cache · '}<span class="swatch changed"></span> what changed · – unchanged</p>`;
}

// Operator steps are the plain case; faults and the environment are coloured apart.
function headClass(c: Timeline['columns'][number]): Html | null {
  const cls = [c.failing ? 'failing' : c.latent ? 'latent' : '', c.actor === 'fault' ? 'fault' : c.actor === 'environment' ? 'env' : ''].filter(Boolean).join(' ');
  return cls ? html` class="${cls}"` : null;
}

// A cell in full (the first and the failing column), or what moved since the cell before it:
// the lines that are new, or struck through those that are gone.
function cellLines(lines: string[], before: string[] | null): Html {
  if (!before) return joinHtml(lines.map((l, li) => (li === 0 ? html`<b>${l}</b>` : l)), html`<br>`);
  const added = lines.filter((l) => !before.includes(l));
  // a replaced line's old value is in the cell to the left; only a line dropped outright is shown struck
  if (added.length > 0) return joinHtml(added, html`<br>`);
  return joinHtml(before.filter((l) => !lines.includes(l)).map((l) => html`<s>${l}</s>`), html`<br>`);
}
