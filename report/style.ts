// The page's stylesheet. Inline so the report stays one file; plain CSS, printable.
export const STYLE = `
:root { --bad:#b91c1c; --bad-bg:#fee2e2; --good:#15803d; --good-bg:#dcfce7; --warn:#a16207; --warn-bg:#fef9c3; --line:#d1d5db; --muted:#6b7280; --changed:#dbeafe; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827; background: #fff; }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: #f9fafb; }
header h1 { margin: 0 0 6px; font-size: 20px; }
main { padding: 0 24px 24px; max-width: 1600px; }
footer { padding: 8px 24px 24px; border-top: 1px solid var(--line); }
h2 { margin-top: 28px; border-bottom: 2px solid #111827; padding-bottom: 4px; }
h3 { margin-top: 32px; font-size: 18px; }
h4 { margin: 20px 0 6px; font-size: 15px; }
h5 { margin: 14px 0 6px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #374151; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
a { color: #1d4ed8; }
.muted { color: var(--muted); } .small { font-size: 12px; }
.banners { display: flex; flex-wrap: wrap; gap: 8px; }
.banner { display: inline-block; margin: 0; padding: 6px 12px; border-radius: 6px; font-weight: 600; border: 1px solid transparent; }
.banner .banner-label { font-weight: 400; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin-right: 6px; }
.banner.neutral, .badge.neutral { background: #e5e7eb; color: #374151; }
.banner.bad { background: var(--bad-bg); color: var(--bad); } .banner.good { background: var(--good-bg); color: var(--good); } .banner.warn { background: var(--warn-bg); color: var(--warn); }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11px; font-weight: 600; vertical-align: middle; white-space: nowrap; }
.badge.bad, .badge.rb-unsafe { background: var(--bad-bg); color: var(--bad); } .badge.good, .badge.rb-safe { background: var(--good-bg); color: var(--good); }
.badge.warn, .badge.rb-refused { background: var(--warn-bg); color: var(--warn); } .badge.rb-not-offered { background: #e5e7eb; color: #374151; }
.ok-text { color: var(--good); } .bad-text { color: var(--bad); font-weight: 600; } .warn-text { color: var(--warn); font-weight: 600; }
p.warn:not(.banner), div.vacuous-list { background: var(--warn-bg); border-left: 4px solid var(--warn); padding: 6px 10px; } div.vacuous-list p, div.vacuous-list ul { margin: 2px 0; }
.scroll { overflow-x: auto; max-width: 100%; }
pre.diff { overflow-x: auto; background: #f9fafb; border: 1px solid var(--line); padding: 8px; font-size: 12px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 8px 0; }
.filters input[type=search] { flex: 1 1 220px; min-width: 0; padding: 4px 6px; } .filters select, .filters button { padding: 3px 4px; max-width: 100%; }
table.index td { vertical-align: middle; } table.index td.none::after { content: '—'; color: var(--muted); } table.index tr[hidden] { display: none; }
svg.spark { display: block; } svg.spark polyline { fill: none; stroke: #2563eb; stroke-width: 1.5; }
details.run { border-top: 1px solid var(--line); padding: 4px 0; }
details.run > summary { cursor: pointer; padding: 6px 0; font-size: 16px; font-weight: 600; }
details.run > summary .badge { font-size: 11px; }
details.run[hidden] { display: none; }
.run-body { padding: 0 0 12px 14px; border-left: 3px solid var(--line); }
details.coverage > summary { cursor: pointer; font-weight: 600; margin: 10px 0; }
p.properties .badge { margin-right: 4px; }
td.mix { min-width: 260px; } .bar { display: inline-flex; margin-right: 6px; width: 90px; height: 10px; background: #e5e7eb; vertical-align: middle; border-radius: 2px; overflow: hidden; }
.bar i { display: block; height: 100%; } .bar i.safe { background: var(--good); } .bar i.refused { background: #ca8a04; } .bar i.unsafe { background: var(--bad); }
ul.guards { margin: 2px 0 10px; }
table.timeline td:empty::after { content: '–'; color: #9ca3af; } table.timeline td:empty { text-align: center; vertical-align: middle; }
p.counts { margin: 4px 0; } p.counts .never { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
.nothing { display: block; font-style: italic; color: var(--muted); font-size: 10px; }
table.data { border-collapse: collapse; margin: 6px 0 10px; }
table.data th, table.data td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
table.data thead th { background: #f3f4f6; font-weight: 600; }
/* the count columns of the coverage tables are numbers by position: a class on each of ~1,400 cells cost a corpus report 16 KB */
td.num, table.faults td, table.combos td:last-child, table.no-return td:nth-child(2) { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.failed td:first-child { border-left: 4px solid var(--bad); }
tr.totals { font-weight: 600; background: #f9fafb; }
tr.never td { background: var(--bad-bg); } tr.unreadable td { background: var(--bad-bg); } td.zero { color: #d1d5db; text-align: center; } table.faults td:empty::after { content: '·'; color: #d1d5db; } table.faults td:empty { text-align: center; }
tr.first-no-return td { border-top: 3px solid var(--bad); }
.cols { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; } .cols > * { flex: 1 1 420px; min-width: 0; }
figure.chart { margin: 10px 0; } figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
.canvas-box { position: relative; height: 280px; } figure.small .canvas-box { height: 220px; max-width: 900px; }
article.violation { border: 1px solid #fca5a5; border-left: 6px solid var(--bad); border-radius: 6px; padding: 4px 14px 10px; margin: 12px 0 20px; }
.detail { font-size: 15px; font-weight: 600; color: var(--bad); margin: 4px 0; }
dl.blast { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.blast dt { font-weight: 600; color: #374151; } dl.blast dd { margin: 0; }
code.replay { background: #111827; color: #f9fafb; padding: 3px 8px; user-select: all; }
.timeline-wrap { overflow-x: auto; border: 1px solid var(--line); margin: 10px 0 4px; }
table.timeline { border-collapse: separate; border-spacing: 0; font-size: 11.5px; }
table.timeline th, table.timeline td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: 3px 6px; vertical-align: top; min-width: 112px; max-width: 170px; overflow-wrap: anywhere; }
table.timeline thead th { background: #f3f4f6; position: sticky; top: 0; text-align: left; font-weight: 600; }
table.timeline tbody th, table.timeline th.corner { position: sticky; left: 0; background: #f9fafb; z-index: 2; min-width: 120px; font-weight: 600; text-align: left; }
table.timeline thead b { display: block; font-weight: 700; } table.timeline thead i { display: block; font-style: normal; font-size: 10px; text-transform: uppercase; color: var(--muted); }
table.timeline th.fault i { color: var(--bad); } table.timeline th.env i { color: #7c3aed; }
table.timeline td s { color: var(--muted); }
table.timeline td.changed { background: var(--changed); }
table.timeline th.failing, table.timeline td.failing { background: var(--bad-bg); box-shadow: inset 2px 0 0 var(--bad), inset -2px 0 0 var(--bad); }
table.timeline th.failing { box-shadow: inset 2px 0 0 var(--bad), inset -2px 0 0 var(--bad), inset 0 2px 0 var(--bad); color: var(--bad); }
table.timeline td.failing.affected { background: #fca5a5; }
table.timeline th.latent { box-shadow: inset 2px 0 0 var(--bad), inset -2px 0 0 var(--bad); color: var(--bad); border-top: 2px dashed var(--bad); } dd.latent { color: var(--bad); }
tr[data-row=records] td { color: #374151; }
.legend { font-size: 12px; color: var(--muted); margin: 2px 0 8px; }
.swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle; border: 1px solid var(--line); }
.swatch.failing { background: var(--bad-bg); border-color: var(--bad); } .swatch.changed { background: var(--changed); }
details.steps ol { font-size: 12.5px; } details.steps li.failing { color: var(--bad); font-weight: 600; }
figure.rbd { margin: 10px 0 14px; } figure.rbd figcaption { font-weight: 600; margin-bottom: 4px; }
figure.rbd figcaption span { font-weight: 400; font-size: 12px; } .rbd button { font: 12px system-ui, sans-serif; margin: 2px 2px 2px 0; padding: 1px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
.rbd button[aria-pressed=true] { background: #111827; color: #fff; border-color: #111827; }
.rbd ol, .rbd ul { list-style: none; margin: 0; padding: 0; font-size: 12px; }
.rbd li { border: 1px solid var(--line); border-radius: 4px; padding: 2px 6px; background: #fff; min-width: 0; }
.rbd > ol { display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-start; } .rbd > ol > li:has(ol) { flex: 1 1 280px; background: #f9fafb; }
.rbd li > b { display: block; font-size: 11px; margin-bottom: 3px; } .rbd li li > b { font-weight: 600; color: #374151; }
.rbd > ol > li > ol { display: flex; flex-direction: column; gap: 4px; } .rbd li li > ol { display: flex; flex-wrap: wrap; gap: 3px; }
.rbd li.on { background: var(--changed); border-color: #2563eb; font-weight: 600; }
.rbd li.on::after { content: attr(data-n); margin-left: 5px; padding: 0 4px; border-radius: 6px; background: #2563eb; color: #fff; font-size: 10px; }
.rbd li.at { background: var(--bad-bg); border-color: var(--bad); box-shadow: 0 0 0 1px var(--bad); color: var(--bad); }
.rbd li.at::after { content: attr(data-n) " ✖"; background: var(--bad); }
.rbd > ul { margin-top: 6px; display: grid; gap: 3px; } .rbd > ul > li::before { content: "↺ "; color: var(--muted); } .rbd > ul > li.refused { border-style: dashed; }
@media (max-width: 600px) { table.index .wide { display: none; } header, main, footer { padding-left: 10px; padding-right: 10px; } dl.blast { grid-template-columns: 1fr; } .cols > * { flex-basis: 100%; } .run-body { padding-left: 8px; } td.mix { min-width: 200px; } }
@media print { .timeline-wrap { overflow: visible; } .filters { display: none; } details.run:not([open]) > * { display: block; } }
`;
