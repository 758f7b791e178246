// Chart.js configurations as plain JSON (pure), and the few lines of browser code that draw
// them. Configs carry no functions so they can sit in the page as inert JSON data.
import type { Report, ViolationView } from './analysis.js';

export interface ChartSpec {
  id: string; // the canvas element's id
  title: string;
  config: Record<string, unknown>;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'];
const colour = (i: number) => PALETTE[i % PALETTE.length];

// Drawing is synchronous and still: animation would make screenshots and pixel checks racy.
const BASE_OPTIONS = { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } };

export function violationsPerPropertyChart(r: Report): ChartSpec {
  const rows = r.violationsPerProperty;
  return {
    id: 'chart-violations-per-property',
    title: 'Violations per property',
    config: {
      type: 'bar',
      data: {
        labels: rows.map((p) => p.property),
        datasets: [{ label: 'violations (all scenarios)', data: rows.map((p) => p.count), backgroundColor: rows.map((p) => (p.count ? '#dc2626' : '#16a34a')) }],
      },
      options: { ...BASE_OPTIONS, indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
  };
}

export function statesPerDepthChart(r: Report): ChartSpec | null {
  if (r.statesPerDepth.length === 0) return null;
  const depth = Math.max(...r.statesPerDepth.map((s) => s.data.length));
  return {
    id: 'chart-states-per-depth',
    title: 'States explored per depth',
    config: {
      type: 'line',
      data: {
        labels: Array.from({ length: depth }, (_, i) => i),
        datasets: r.statesPerDepth.map((s, i) => ({ label: s.label, data: s.data, borderColor: colour(i), backgroundColor: colour(i), pointRadius: 0, borderWidth: 2 })),
      },
      options: { ...BASE_OPTIONS, scales: { x: { title: { display: true, text: 'depth (events from the initial world)' } }, y: { beginAtZero: true, title: { display: true, text: 'new distinct states' } } } },
    },
  };
}

export function recordsChart(v: ViolationView): ChartSpec {
  const failing = v.records.steps.length - 1;
  return {
    id: `chart-records-${v.id}`,
    title: 'Records per wire format and key version',
    config: {
      type: 'line',
      data: {
        labels: v.records.steps.map((s, i) => (i === failing ? `${s} ✖` : String(s))),
        // Zero is drawn as a gap: on a log axis a series then starts where its records appear.
        datasets: v.records.series.map((s, i) => ({ label: s.label, data: s.counts.map((c) => (c > 0 ? c : null)), borderColor: colour(i), backgroundColor: colour(i), stepped: true, pointRadius: 2, borderWidth: 2 })),
      },
      options: { ...BASE_OPTIONS, scales: { x: { title: { display: true, text: 'trace step' } }, y: { type: 'logarithmic', min: 1, title: { display: true, text: 'records (log scale)' } } } },
    },
  };
}

export function allCharts(r: Report): ChartSpec[] {
  const out: ChartSpec[] = [violationsPerPropertyChart(r)];
  const depth = statesPerDepthChart(r);
  if (depth) out.push(depth);
  for (const run of r.runs) for (const v of run.violations) out.push(recordsChart(v));
  return out;
}

declare const Chart: new (el: HTMLCanvasElement, config: unknown) => unknown;

// Runs in the browser (serialised with toString). Marks the body when done so tests and
// screenshots know the page is complete; a chart that fails is shown, not swallowed.
export function drawCharts(): void {
  performance.mark('rollsafe-charts-start');
  const data = JSON.parse(document.getElementById('rollsafe-charts')!.textContent!) as { id: string; config: unknown }[];
  let drawn = 0;
  for (const c of data) {
    const el = document.getElementById(c.id) as HTMLCanvasElement | null;
    if (!el) continue;
    try {
      new Chart(el, c.config);
      drawn += 1;
    } catch (e) {
      el.insertAdjacentText('afterend', `chart failed: ${String(e)}`);
      console.error(e);
    }
  }
  performance.mark('rollsafe-charts-end');
  // The failing step is the last column: bring it into view so the reader starts there.
  for (const th of Array.from(document.querySelectorAll<HTMLElement>('table.timeline th[data-failing]'))) {
    const wrap = th.closest<HTMLElement>('.timeline-wrap');
    if (wrap) wrap.scrollLeft = Math.max(0, th.offsetLeft + th.offsetWidth - wrap.clientWidth + 40);
  }
  document.body.dataset.chartsDrawn = String(drawn);
}
