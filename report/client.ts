// The page's one script of its own, serialised with toString and inlined under its hash. It
// draws the charts that are in view (a chart in a closed section is drawn when it opens: a
// corpus report holds a hundred of them, and drawing them all held the first render back),
// opens the section an address's #anchor points into, and filters the index. Self-contained:
// it may use nothing from outside its own body.
declare const Chart: new (el: HTMLCanvasElement, config: unknown) => unknown;

export function reportClient(): void {
  performance.mark('rollsafe-charts-start');
  type Config = { options: unknown; style?: string; data: { datasets: Record<string, unknown>[] } };
  const data = JSON.parse(document.getElementById('rollsafe-charts')!.textContent!) as { shared: Record<string, unknown>; palette: string[]; charts: { id: string; config: Config }[] };
  // options and dataset looks shared by many charts are named, not repeated (charts.ts chartData)
  const expand = (c: Config): Config => {
    if (typeof c.options === 'string') c.options = data.shared[c.options];
    if (c.style) {
      const look = data.shared[c.style] as Record<string, unknown>;
      c.data.datasets.forEach((d, i) => Object.assign(d, look, { borderColor: data.palette[i % data.palette.length], backgroundColor: data.palette[i % data.palette.length] }));
      delete c.style;
    }
    return c;
  };
  const pending = new Map(data.charts.map((c) => [c.id, c.config]));
  let drawn = 0;

  // The failing step is a timeline's last column: bring it into view so the reader starts there.
  const scrollTimelines = (root: ParentNode) => {
    for (const th of Array.from(root.querySelectorAll<HTMLElement>('table.timeline th[data-failing]'))) {
      // measuring inside a closed section lays it out: 300 ms for a corpus report's 70 timelines
      if (th.closest('details:not([open])')) continue;
      const wrap = th.closest<HTMLElement>('.timeline-wrap');
      if (wrap && wrap.clientWidth > 0) wrap.scrollLeft = Math.max(0, th.offsetLeft + th.offsetWidth - wrap.clientWidth + 40);
    }
  };
  // A chart is drawn once, when nothing around it is closed; a chart that fails is shown, not swallowed.
  const draw = (root: ParentNode) => {
    for (const el of Array.from(root.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]'))) {
      const config = pending.get(el.id);
      if (config === undefined || el.closest('details:not([open])')) continue;
      pending.delete(el.id);
      try {
        new Chart(el, expand(config));
        drawn += 1;
      } catch (e) {
        el.insertAdjacentText('afterend', `chart failed: ${String(e)}`);
        console.error(e);
      }
    }
    scrollTimelines(root);
    document.body.dataset.chartsDrawn = String(drawn);
  };
  // toggle does not bubble; listening while it is captured catches every details element
  document.addEventListener(
    'toggle',
    (ev) => {
      const d = ev.target as HTMLDetailsElement;
      if (d.open) draw(d);
    },
    true,
  );

  const openTarget = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const el = id ? document.getElementById(id) : null;
    if (!el) return;
    for (let d: HTMLDetailsElement | null = el.closest('details'); d; d = d.parentElement ? d.parentElement.closest('details') : null) d.open = true;
    if (el instanceof HTMLDetailsElement) el.open = true;
    el.scrollIntoView();
  };
  window.addEventListener('hashchange', openTarget);

  // A runbook diagram lights the path of the violation whose button is pressed: each box the
  // trace passed through gets its trace indices, the box where the violation holds a mark.
  // render-diagram.ts writes the path as box keys (phase.stage.step by position, rN an edge).
  const boxesOf = (fig: Element) => {
    const boxes = new Map<string, HTMLElement>();
    const kids = (el: Element, sel: string) => Array.from(el.querySelectorAll<HTMLElement>(`:scope > ${sel} > li`));
    kids(fig, 'ol').forEach((ph, p) => {
      boxes.set(String(p), ph);
      kids(ph, 'ol').forEach((st, s) => {
        boxes.set(`${p}.${s}`, st);
        kids(st, 'ol').forEach((step, t) => boxes.set(`${p}.${s}.${t}`, step));
      });
    });
    kids(fig, 'ul').forEach((e, i) => boxes.set(`r${i}`, e));
    return boxes;
  };
  const showPath = (b: HTMLButtonElement) => {
    const fig = b.closest('figure.rbd')!;
    for (const x of Array.from(fig.querySelectorAll('button[data-path]'))) x.setAttribute('aria-pressed', String(x === b));
    const boxes = boxesOf(fig);
    for (const el of boxes.values()) {
      el.classList.remove('on', 'at');
      delete el.dataset.n;
    }
    for (const part of (b.dataset.path ?? '').split(' ').filter(Boolean)) {
      const [k, n] = part.split(':');
      const el = boxes.get(k);
      if (!el) continue;
      el.dataset.n = (n ?? '').replace(/,/g, ', ');
      el.classList.add('on');
    }
    boxes.get(b.dataset.at ?? '')?.classList.add('at');
  };
  document.addEventListener('click', (ev) => {
    const b = (ev.target as Element).closest?.<HTMLButtonElement>('figure.rbd button[data-path]');
    if (b) showPath(b);
  });
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('figure.rbd button[data-path]:first-of-type'))) showPath(b);

  // The index's filters: each index row carries what they test; a run's section follows its row.
  const box = document.getElementById('filters');
  if (box) {
    const field = (id: string) => document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
    const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('table.index tbody tr[data-run]'));
    // what a search looks in: the row (name, folder, properties fired) and its section's title and file
    const haystack = new Map(
      rows.map((row) => {
        const section = document.getElementById(row.dataset.run ?? '');
        const more = section ? `${section.querySelector('.run-title')?.textContent ?? ''} ${section.querySelector('.run-file')?.textContent ?? ''}` : '';
        return [row, `${row.textContent ?? ''} ${more}`.toLowerCase()];
      }),
    );
    const apply = () => {
      const words = field('f-search').value.toLowerCase().split(/\s+/).filter(Boolean);
      const verdict = field('f-verdict').value;
      const expect = field('f-expect').value;
      const property = field('f-property').value;
      const folder = field('f-folder').value;
      let shown = 0;
      for (const row of rows) {
        const d = row.dataset;
        const ok =
          (!verdict || d.verdict === verdict) &&
          (!expect || d.expect === expect) &&
          (!property || (d.fired ?? '').split(' ').includes(property)) &&
          (!folder || d.folder === folder) &&
          words.every((w) => haystack.get(row)!.includes(w));
        row.hidden = !ok;
        const section = document.getElementById(d.run ?? '');
        if (section) section.hidden = !ok;
        if (ok) shown += 1;
      }
      field('f-count').textContent = `${shown} of ${rows.length} shown`;
      document.body.dataset.filtered = String(shown);
    };
    box.addEventListener('input', apply);
    box.addEventListener('change', apply);
    document.getElementById('f-reset')!.addEventListener('click', () => {
      for (const id of ['f-search', 'f-verdict', 'f-expect', 'f-property', 'f-folder']) field(id).value = '';
      apply();
    });
    const openAll = (open: boolean) => {
      for (const d of Array.from(document.querySelectorAll<HTMLDetailsElement>('details.run'))) if (!d.hidden) d.open = open;
    };
    document.getElementById('f-open')!.addEventListener('click', () => openAll(true));
    document.getElementById('f-close')!.addEventListener('click', () => openAll(false));
    box.hidden = false;
  }

  draw(document);
  openTarget();
  performance.mark('rollsafe-charts-end');
}
