// The one trace view the CLI, the diff and the report style: a trace as rows of data.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../sim/check.js';
import { traceRows } from '../sim/results/trace-view.js';
import { BAO, ROOT } from './helpers.js';

describe('the trace view', () => {
  it('marks where a hidden harm was done, where it shows and the last step, once each', () => {
    const [r] = check(join(ROOT, 'scenarios/keys/05-broken-min-decryption-hidden-by-dek-cache.yaml'));
    const v = r.violations.find((x) => x.exposure?.manifestStep)!;
    const rows = traceRows(v);
    expect(rows.filter((row) => row.latent).map((row) => row.index)).toEqual([v.exposure!.latentStep]);
    expect(rows.filter((row) => row.manifest).map((row) => row.index)).toEqual([v.exposure!.manifestStep]);
    expect(rows.filter((row) => row.last).map((row) => row.index)).toEqual([v.trace.length - 1]);
    expect(rows[0]).toMatchObject({ index: 0, actor: 'initial', text: 'initial', type: null, position: null });
    const step = rows.find((row) => row.type === 'step' && row.node)!;
    expect(step.text).toBe(`${step.step} (${step.node})`);
  });

  it('hands every renderer the position each event happened at', () => {
    const [r] = check(join(BAO, 'broken-rollback-after-rotation.yaml'));
    const v = r.violations[0];
    const rows = traceRows(v);
    expect(rows.map((row) => row.position)).toEqual(v.trace.map((t) => t.event?.at ?? null));
    expect(rows.slice(1).every((row) => row.position !== null)).toBe(true);
  });
});
