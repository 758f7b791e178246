// The house's layers run one way: each folder imports only the layers below it, no file
// imports another that imports it back (no circles), and engines reach the world only through
// model/model.ts. Read from the source's own import lines, type imports included.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './helpers.js';

// lowest first; a file may import its own layer and the ones before it
const LAYERS: [string, (f: string) => boolean][] = [
  ['model', (f) => f.startsWith('model/')],
  ['sim/results', (f) => f.startsWith('sim/results/')],
  ['sim/engines', (f) => f.startsWith('sim/engines/')],
  ['sim (running scenarios)', (f) => /^sim\/[^/]+\.ts$/.test(f)],
  ['sim/suggest', (f) => f.startsWith('sim/suggest/')],
  ['report', (f) => f.startsWith('report/')],
  ['sim/cli and sim/bench', (f) => f.startsWith('sim/cli/') || f.startsWith('sim/bench/')],
];
const layerOf = (f: string) => LAYERS.findIndex(([, is]) => is(f));

function sources(): string[] {
  return ['model', 'sim', 'report'].flatMap((d) =>
    readdirSync(join(ROOT, d), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${d}/${f}`.split('\\').join('/')),
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(relative(ROOT, normalize(join(ROOT, dirname(file), m[1]))).split('\\').join('/').replace(/\.js$/, '.ts'));
  }
  return out;
}

const files = sources();
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));

describe('layers', () => {
  test('every source file is in a layer', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  test('each file imports only its own layer and the ones below it', () => {
    const up: string[] = [];
    for (const [f, targets] of graph) for (const t of targets) if (layerOf(t) > layerOf(f)) up.push(`${f} -> ${t}`);
    expect(up).toEqual([]);
  });

  test('no import circles', () => {
    const circles: string[] = [];
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 1);
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 1) circles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  test('engines reach the world only through model/model.ts', () => {
    const allowed = new Set(['model/model.ts', 'model/types.ts', 'model/package-root.ts']);
    const reach: string[] = [];
    for (const [f, targets] of graph) {
      if (!f.startsWith('sim/engines/')) continue;
      for (const t of targets) if (t.startsWith('model/') && !allowed.has(t)) reach.push(`${f} -> ${t}`);
    }
    expect(reach).toEqual([]);
  });
});
