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
<dt>Replay</dt><dd><code class="replay">${v.replay}</code></dd>
</dl>
${renderTimeline(v.timeline, v.id)}
<figure class="chart small"><figcaption>${chart.title} over the trace</figcaption><div class="canvas-box"><canvas id="${chart.id}" role="img" aria-label="${chart.title}"></canvas></div></figure>
${renderSteps(v)}
</article>`;
}

// A latent violation: where the harm was done (a cache hid it) and where it showed.
function exposure(v: ViolationView): Html | null {
  const x = v.v.exposure;
  if (!x) return null;
  const shown = x.manifestStep !== null ? html`manifest at step ${n(x.manifestStep)}: ${x.manifestDetail ?? ''}` : 'not yet manifest within the trace';
  return html`<dt>Latent harm</dt><dd class="latent">done at step ${n(x.latentStep)} while a cache still hid it (unsafe from there); ${shown}</dd>`;
}

export function renderTimeline(t: Timeline, id: string): Html {
  const head = t.columns.map(
    (c) =>
      html`<th class="${c.failing ? 'failing' : c.latent ? 'latent' : ''} actor-${c.actor}" data-step="${c.index}"${c.failing && html` data-failing="true"`}${c.latent && html` data-latent="true"`} title="${c.changes.join('\n') || 'no visible change'}"><span class="step-no">${c.index}${c.failing ? ' ✖' : c.latent ? ' ◐' : ''}</span><span class="actor">${c.actor}</span><span class="event">${c.label}</span></th>`,
  );
  const rows = t.rows.map((r) => {
    const cells = r.cells.map((c, i) => {
      const cls = [t.columns[i].failing ? 'failing' : '', c.changed ? 'changed' : '', t.columns[i].failing && r.affected ? 'affected' : ''].filter(Boolean).join(' ');
      return html`<td class="${cls}" data-step="${t.columns[i].index}">${c.lines.map((l, li) => html`<div class="${li === 0 ? 'lead' : ''}">${l}</div>`)}</td>`;
    });
    const label = html`${r.label}${r.affected && html` <span class="badge bad" title="in the blast radius">hit</span>`}`;
    return html`<tr class="row-${r.kind}" data-row="${r.label}"><th scope="row">${label}</th>${cells}</tr>`;
  });
  return html`<div class="timeline-wrap"><table class="timeline" id="${id}-timeline">
<thead><tr><th scope="col" class="corner">step →</th>${head}</tr></thead>
<tbody>
${joinHtml(rows, '\n')}
</tbody></table></div>
<p class="legend"><span class="swatch failing"></span> failing step · ${t.columns.some((c) => c.latent) && '◐ harm done while a cache hid it · '}<span class="swatch changed"></span> changed since the previous step · hover a step for its changes</p>`;
}

// The same trace as text, in the order a reader follows it, for copying into a ticket.
function renderSteps(v: ViolationView): Html {
  const items = v.timeline.columns
    .filter((c) => c.index > 0)
    .map(
      (c) =>
        html`<li value="${c.index}"${c.failing && html` class="failing"`}><span class="actor-${c.actor}">${c.actor}</span> <strong>${c.label}</strong>: ${c.changes.join('; ') || 'no visible change'}</li>`,
    );
  return html`<details class="steps"><summary>Trace as text</summary><ol>\n${joinHtml(items, '\n')}\n</ol></details>`;
}
