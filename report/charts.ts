// Chart.js configurations as plain JSON (pure). Configs carry no functions so they can sit in
// the page as inert JSON data; report/client.ts draws them.
import type { Report, RunView, ViolationView } from './analysis.js';

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

// What a run's per-depth series counts: new distinct states for the explorer, worlds visited
// for the random engines (the CLI's words for each).
export function depthUnit(runs: Pick<RunView, 'unit'>[]): string {
  const units = new Set(runs.map((r) => r.unit));
  if (units.size > 1) return 'new distinct states (explore) or worlds visited (chaos, fuzz)';
  return units.has('world') ? 'worlds visited' : 'new distinct states';
}

export function statesPerDepthChart(r: Report): ChartSpec | null {
  if (r.statesPerDepth.length === 0) return null;
  const depth = Math.max(...r.statesPerDepth.map((s) => s.data.length));
  const runs = r.runs.filter((x) => r.statesPerDepth.some((s) => s.label === x.result.scenario.name));
  const unit = depthUnit(runs);
  const title = r.statesPerDepthOmitted > 0 ? `${unit[0].toUpperCase()}${unit.slice(1)} per depth: the ${r.statesPerDepth.length} largest runs` : `${unit[0].toUpperCase()}${unit.slice(1)} per depth`;
  return {
    id: 'chart-states-per-depth',
    title,
    config: {
      type: 'line',
      data: {
        labels: Array.from({ length: depth }, (_, i) => i),
        datasets: r.statesPerDepth.map((s, i) => ({ label: s.label, data: s.data, borderColor: colour(i), backgroundColor: colour(i), pointRadius: 0, borderWidth: 2 })),
      },
      options: { ...BASE_OPTIONS, scales: { x: { title: { display: true, text: 'depth (events from the initial world)' } }, y: { beginAtZero: true, title: { display: true, text: unit } } } },
    },
  };
}

export function recordsChart(v: ViolationView): ChartSpec {
  const failing = v.records.steps.length - 1;
  return {
    id: `chart-records-${v.id}`,
    title: 'Records by wire format and key version',
    config: {
      type: 'line',
      data: {
        labels: v.records.steps.map((s, i) => (i === failing ? `${s} ✖` : String(s))),
        // Zero is drawn as a gap: on a log axis a series then starts where its records appear.
        datasets: v.records.series.map((s, i) => ({ label: s.label, data: s.counts.map((c) => (c > 0 ? c : null)), borderColor: colour(i), backgroundColor: colour(i), ...RECORDS_DATASET })),
      },
      options: { ...BASE_OPTIONS, scales: { x: { title: { display: true, text: 'trace step' } }, y: { type: 'logarithmic', min: 1, title: { display: true, text: 'records (log scale)' } } } },
    },
  };
}

// The page's chart data. Options that many charts share are written once, under `shared`, and
// named by the charts that use them: seventy record charts repeated the same options.
// A record chart's datasets carry only label and data; `style` names the look they share, and
// the palette colours them in order.
export function chartData(r: Report): { shared: Record<string, unknown>; palette: string[]; charts: { id: string; config: Record<string, unknown> }[] } {
  const shared: Record<string, unknown> = {};
  const charts = allCharts(r).map((c) => {
    if (!c.id.startsWith('chart-records-')) return { id: c.id, config: c.config };
    shared.records ??= c.config.options;
    shared.recordsDataset ??= RECORDS_DATASET;
    const data = c.config.data as { labels: unknown; datasets: { label: string; data: unknown }[] };
    return { id: c.id, config: { type: c.config.type, data: { labels: data.labels, datasets: data.datasets.map((d) => ({ label: d.label, data: d.data })) }, options: 'records', style: 'recordsDataset' } };
  });
  return { shared, palette: PALETTE, charts };
}

const RECORDS_DATASET = { stepped: true, pointRadius: 2, borderWidth: 2 };

export function allCharts(r: Report): ChartSpec[] {
  const out: ChartSpec[] = [violationsPerPropertyChart(r)];
  const depth = statesPerDepthChart(r);
  if (depth) out.push(depth);
  for (const run of r.runs) for (const v of run.violations) out.push(recordsChart(v));
  return out;
}
