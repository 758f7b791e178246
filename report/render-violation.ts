// HTML for one violation: what is wrong, why it matters, how much data it hurts, how to
// replay it, and the trace as a nodes x steps grid with the failing step marked.
import esc from 'escape-html';
import type { Timeline, ViolationView } from './analysis.js';
import { recordsChart } from './charts.js';
import { count } from '../sim/words.js';

const n = (x: number) => x.toLocaleString('en-US');

export function renderViolation(v: ViolationView): string {
  const { property, category, explanation, detail, blast } = v.v;
  const pct = blast.recordsTotal > 0 ? ` (${((100 * blast.recordsAffected) / blast.recordsTotal).toFixed(1)}%)` : '';
  const steps = v.v.trace.length - 1;
  const chart = recordsChart(v);
  return `<article class="violation" id="${esc(v.id)}" data-property="${esc(property)}">
<h4><span class="badge bad">${esc(category)}</span> ${v.number}. ${esc(property)}</h4>
<p class="detail">${esc(detail)}</p>
<p class="explanation"><strong>Property:</strong> ${esc(explanation)}</p>
<dl class="blast">
<dt>Blast radius</dt><dd><strong>${n(blast.recordsAffected)}</strong> of ${count(blast.recordsTotal, 'record')} unreadable${esc(pct)}</dd>
<dt>Nodes affected</dt><dd>${blast.nodes.length ? blast.nodes.map((x) => `<code>${esc(x)}</code>`).join(', ') : 'none'}</dd>
<dt>Shortest trace</dt><dd>${count(steps, 'step')}; the violation holds after step ${v.v.trace[steps].index}</dd>
${exposure(v)}
<dt>Replay</dt><dd><code class="replay">${esc(v.replay)}</code></dd>
</dl>
${renderTimeline(v.timeline, v.id)}
<figure class="chart small"><figcaption>${esc(chart.title)} over the trace</figcaption><div class="canvas-box"><canvas id="${esc(chart.id)}" role="img" aria-label="${esc(chart.title)}"></canvas></div></figure>
${renderSteps(v)}
</article>`;
}

// A latent violation: where the harm was done (a cache hid it) and where it showed.
function exposure(v: ViolationView): string {
  const x = v.v.exposure;
  if (!x) return '';
  const shown = x.manifestStep !== null ? `manifest at step ${n(x.manifestStep)}: ${esc(x.manifestDetail ?? '')}` : 'not yet manifest within the trace';
  return `<dt>Latent harm</dt><dd class="latent">done at step ${n(x.latentStep)} while a cache still hid it (unsafe from there); ${shown}</dd>`;
}

export function renderTimeline(t: Timeline, id: string): string {
  const head = t.columns
    .map(
      (c) =>
        `<th class="${c.failing ? 'failing' : c.latent ? 'latent' : ''} actor-${esc(c.actor)}" data-step="${c.index}"${c.failing ? ' data-failing="true"' : ''}${c.latent ? ' data-latent="true"' : ''} title="${esc(c.changes.join('\n') || 'no visible change')}">` +
        `<span class="step-no">${c.index}${c.failing ? ' ✖' : c.latent ? ' ◐' : ''}</span><span class="actor">${esc(c.actor)}</span><span class="event">${esc(c.label)}</span></th>`,
    )
    .join('');
  const rows = t.rows
    .map((r) => {
      const cells = r.cells
        .map((c, i) => {
          const cls = [t.columns[i].failing ? 'failing' : '', c.changed ? 'changed' : '', t.columns[i].failing && r.affected ? 'affected' : ''].filter(Boolean).join(' ');
          return `<td class="${cls}" data-step="${t.columns[i].index}">${c.lines.map((l, li) => `<div class="${li === 0 ? 'lead' : ''}">${esc(l)}</div>`).join('')}</td>`;
        })
        .join('');
      const label = `${esc(r.label)}${r.affected ? ' <span class="badge bad" title="in the blast radius">hit</span>' : ''}`;
      return `<tr class="row-${r.kind}" data-row="${esc(r.label)}"><th scope="row">${label}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="timeline-wrap"><table class="timeline" id="${esc(id)}-timeline">
<thead><tr><th scope="col" class="corner">step →</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
<p class="legend"><span class="swatch failing"></span> failing step · ${t.columns.some((c) => c.latent) ? '◐ harm done while a cache hid it · ' : ''}<span class="swatch changed"></span> changed since the previous step · hover a step for its changes</p>`;
}

// The same trace as text, in the order a reader follows it, for copying into a ticket.
function renderSteps(v: ViolationView): string {
  const items = v.timeline.columns
    .filter((c) => c.index > 0)
    .map(
      (c) =>
        `<li value="${c.index}"${c.failing ? ' class="failing"' : ''}><span class="actor-${esc(c.actor)}">${esc(c.actor)}</span> <strong>${esc(c.label)}</strong>: ${esc(c.changes.join('; ') || 'no visible change')}</li>`,
    )
    .join('\n');
  return `<details class="steps"><summary>Trace as text</summary><ol>\n${items}\n</ol></details>`;
}
