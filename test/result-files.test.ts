// Reading result files back (issue 9): one schema-checked loader for report, serve, merge and
// replay; damage is refused with the file, the JSON path, what is wrong and the fix (exit 2,
// HTTP 422), never a TypeError, a 500 or markup in a page.
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportHtml } from '../report/index.js';
import { ResultFileError, parseResultText } from '../report/load.js';
import { createServeApp } from '../report/serve.js';
import { check } from '../sim/check.js';
import { run } from '../sim/cli/program.js';
import type { ResultSet, RunResult } from '../sim/results/result.js';
import { resultSet, tempDir, writeJson } from './helpers/corpus.js';
import { INJECTED, withMarkupEverywhere } from './fuzz-inputs/result-mutations.js';

const XSS = '<img src=x onerror=alert(1)>';
let set: ResultSet; // one result with a violation, one without
let dir: string;

beforeAll(() => {
  const results = check(['scenarios/incidents/08a-alibaba-upgrade-from-old-image.yaml', 'scenarios/incidents/02-safe-verify-rewrap-first.yaml']);
  set = JSON.parse(JSON.stringify(resultSet(results)));
  dir = tempDir('result-files');
});

function damaged(edit: (s: ResultSet & { results: (RunResult & Record<string, unknown>)[] }) => void): ResultSet {
  const s = structuredClone(set) as ResultSet & { results: (RunResult & Record<string, unknown>)[] };
  edit(s);
  return s;
}

const refusal = (s: unknown): string => {
  try {
    parseResultText(JSON.stringify(s), 'out/x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ResultFileError);
    return (e as Error).message;
  }
  throw new Error('the damaged file was accepted');
};

describe('the result loader says file, JSON path, what is wrong and the fix', () => {
  it.each([
    ['a violation without blast', (s: ResultSet) => delete (s.results[0].violations[0] as Partial<RunResult['violations'][0]>).blast, 'out/x.json: results[0].violations[0].blast: is missing'],
    ['blast: null', (s: ResultSet) => ((s.results[0].violations[0] as unknown as Record<string, unknown>).blast = null), 'out/x.json: results[0].violations[0].blast: must be an object, got null'],
    ['boundsHit that is not a list', (s: ResultSet) => ((s.results[1] as unknown as Record<string, unknown>).boundsHit = 5), 'out/x.json: results[1].boundsHit: must be a list, got 5'],
    ['a string in a number field', (s: ResultSet) => ((s.results[0].figures as unknown as Record<string, unknown>).states = '12'), 'out/x.json: results[0].figures.states: must be a whole number, got "12"'],
    ['markup in a number field', (s: ResultSet) => ((s.results[0].figures as unknown as Record<string, unknown>).transitions = XSS), `out/x.json: results[0].figures.transitions: must be a whole number, got "${XSS}"`],
    ['markup in a trace index', (s: ResultSet) => ((s.results[0].violations[0].trace[1] as unknown as Record<string, unknown>).index = XSS), `results[0].violations[0].trace[1].index: must be a whole number, got "${XSS}"`],
    ['a negative count', (s: ResultSet) => (s.results[0].violations[0].blast.recordsAffected = -1), 'results[0].violations[0].blast.recordsAffected: must be from 0 to 1,000,000,000,000,000 (a count, a step or a time), got -1'],
    ['a verdict that is not one', (s: ResultSet) => ((s.results[0] as unknown as Record<string, unknown>).verdict = 'fine'), 'results[0].verdict: must be one of "safe", "unsafe", "inconclusive", got "fine"'],
    ['expect that is neither null nor an object', (s: ResultSet) => ((s.results[0] as unknown as Record<string, unknown>).expect = 'yes'), 'results[0].expect: must be null or an object, got "yes"'],
    ['a field rollsafe does not write', (s: ResultSet) => ((s.results[0].violations[0].blast as unknown as Record<string, unknown>).extra = 1), 'results[0].violations[0].blast.extra: is not a field rollsafe writes here'],
    ['a shard that is not k/n', (s: ResultSet) => (s.results[0].options.shard = '0/0'), 'results[0].options.shard: must look like "2/5" (shard 2 of 5), got "0/0"'],
    ['a trace numbered out of order', (s: ResultSet) => (s.results[0].violations[0].trace[1].index = 7), 'results[0].violations[0].trace[1].index: is 7, but the step is number 1 in its trace'],
    ['an exposure past the trace', (s: ResultSet) => (s.results[0].violations[0].exposure = { latentStep: 99, manifestStep: null, manifestDetail: null }), 'results[0].violations[0].exposure.latentStep: is 99, but the trace ends at step'],
  ])('%s', (_what, edit, message) => {
    const text = refusal(damaged(edit as (s: ResultSet) => void));
    expect(text).toContain(message);
    expect(text).toMatch(/; pass a file written by `rollsafe check --json FILE` \(or chaos\/fuzz\/merge --json\), or repair that field$/);
  });

  it('shows control characters and cuts a long value instead of echoing it', () => {
    const text = refusal(damaged((s) => ((s.results[0].figures as unknown as Record<string, unknown>).depth = `\u001b[2J${'x'.repeat(10_000)}`)));
    expect(text).toContain('results[0].figures.depth: must be a whole number, got "\\u001b[2Jxxx');
    expect(text).not.toContain('\u001b');
    expect(text.length).toBeLessThan(400);
  });

  it('refuses nesting deeper than any result before anything recurses over it', () => {
    const text = `{"schema":"rollsafe/results@1","tool":{"name":"rollsafe","version":"0"},"command":"","partial":false,"results":[],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseResultText(text, 'deep.json')).toThrow(/^deep\.json: x(\[0\])+: nested deeper than 32 levels/);
  });

  it('shows control characters in the JSON parser complaint', () => {
    expect(() => parseResultText('{"schema":\u001b}', 'ctl.json')).toThrow(/^ctl\.json: not valid JSON \(.*\\u001b/);
  });

  it('loads a partial set, and a result written before combinations, faultsByStep and pointOfNoReturn existed', () => {
    const old = damaged((s) => {
      s.partial = true;
      const r = s.results[0] as unknown as { coverage: Record<string, unknown>; pointOfNoReturn?: unknown };
      delete r.coverage.combinations;
      delete r.coverage.faultsByStep;
      delete r.pointOfNoReturn;
    });
    const f = parseResultText(JSON.stringify(old), 'old.json');
    expect(f.partial).toBe(true);
    expect(f.results[0].coverage.combinations).toBeUndefined();
  });
});

describe('report, merge and replay on damaged files', () => {
  let err = '';
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  });
  afterAll(() => vi.restoreAllMocks());

  const cases = [
    ['blast: null', (s: ResultSet) => ((s.results[0].violations[0] as unknown as Record<string, unknown>).blast = null), 'results[0].violations[0].blast: must be an object, got null'],
    ['boundsHit: 5', (s: ResultSet) => ((s.results[0] as unknown as Record<string, unknown>).boundsHit = 5), 'results[0].boundsHit: must be a list, got 5'],
    ['transitions missing', (s: ResultSet) => delete (s.results[0].figures as Partial<RunResult['figures']>).transitions, 'results[0].figures.transitions: is missing'],
  ] as const;
  for (const command of ['report', 'merge', 'replay'] as const) {
    it.each(cases)(`${command} exits 2 on %s, naming the file and the path`, async (what, edit, message) => {
      const file = writeJson(dir, `${command}-${what.replace(/\W+/g, '-')}.json`, damaged(edit as (s: ResultSet) => void));
      const good = writeJson(dir, 'good.json', set);
      err = '';
      const args = command === 'report' ? ['report', file, '-o', join(dir, 'r.html')] : command === 'merge' ? ['merge', good, file, '--json', join(dir, 'm.json')] : ['replay', file];
      await expect(run(args)).resolves.toBe(2);
      expect(err).toContain(`rollsafe: ${file}: ${message}`);
    });
  }

  it('replay of a result whose scenario file is gone names the result file and the field', async () => {
    const file = writeJson(dir, 'moved.json', damaged((s) => (s.results[0].scenario.file = 'nowhere/gone.yaml')));
    err = '';
    await expect(run(['replay', file])).resolves.toBe(2);
    expect(err).toContain(`${file}: results[0].scenario.file names "nowhere/gone.yaml", which does not load`);
  });

  it('merge adds up a result from an older build and step names like "constructor"', async () => {
    const older = damaged((s) => {
      const r = s.results[0] as unknown as { coverage: Record<string, unknown>; pointOfNoReturn?: unknown };
      delete r.coverage.combinations;
      delete r.coverage.faultsByStep;
      delete r.coverage.positions;
      delete r.pointOfNoReturn;
      s.results[0].coverage.runbookSteps['constructor'] = 2;
    });
    const out = join(dir, 'merged-old.json');
    await expect(run(['merge', writeJson(dir, 'older.json', older), writeJson(dir, 'newer.json', damaged((s) => (s.results[0].coverage.runbookSteps['constructor'] = 3))), '--json', out])).resolves.toBe(0);
    const merged = parseResultText(readFileSync(out, 'utf8'), out).results[0];
    expect(merged.coverage.runbookSteps['constructor']).toBe(5);
    expect(merged.coverage.combinations).toEqual(set.results[0].coverage.combinations);
    expect(merged.pointOfNoReturn).toEqual(set.results[0].pointOfNoReturn);
    // the newer side's positions survive, still one per label and in runbook order
    expect(merged.coverage.positions).toEqual(set.results[0].coverage.positions);
  });
});

describe('the page escapes what the schema lets through', () => {
  it('a result with markup in every free string and data key renders none of it as markup', () => {
    const marked = withMarkupEverywhere(set);
    const html = reportHtml([parseResultText(JSON.stringify(marked), 'marked.json')]);
    expect(INJECTED.test(html)).toBe(false);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;#');
  });
});

describe('rollsafe serve on damaged and odd requests', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const root = join(tempDir('serve-h9'), 'results');
    mkdirSync(join(root, '.git'), { recursive: true });
    writeJson(root, 'good.json', set);
    writeJson(root, 'xss.json', damaged((s) => ((s.results[0].figures as unknown as Record<string, unknown>).transitions = XSS)));
    writeJson(root, 'null-blast.json', damaged((s) => ((s.results[0].violations[0] as unknown as Record<string, unknown>).blast = null)));
    writeJson(root, '.hidden.json', set);
    writeJson(join(root, '.git'), 'x.json', set);
    symlinkSync('.hidden.json', join(root, 'plain-name.json'));
    writeFileSync(join(root, 'huge.json'), '');
    truncateSync(join(root, 'huge.json'), 17 * 1024 * 1024);
    const app = createServeApp(root);
    server = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((ok) => server.close(ok)));

  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, body: await r.text(), csp: r.headers.get('content-security-policy') ?? '' };
  };

  it('answers markup in a number field with 422 and the escaped reason', async () => {
    const r = await get('/report/xss.json');
    expect(r.status).toBe(422);
    expect(r.body).toContain('xss.json: results[0].figures.transitions: must be a whole number, got &quot;&lt;img src=x onerror=alert(1)&gt;&quot;');
    expect(r.body).not.toContain(XSS);
  });

  it('answers blast: null with 422, not 500', async () => {
    const r = await get('/report/null-blast.json');
    expect(r.status).toBe(422);
    expect(r.body).toContain('results[0].violations[0].blast: must be an object, got null');
  });

  it.each(['/results/%', '/report/%', '/results/%E0%A4%A'])('answers the undecodable %s with 400', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(r.body).toBe('bad request: the address is not valid URL encoding\n');
  });

  it.each(['/results/.hidden.json', '/report/.hidden.json', '/results/.git/x.json', '/results/plain-name.json', '/report/%2ehidden.json'])('does not serve the hidden %s', async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  it('refuses a result above the size cap with 413, the size, the cap and what to do instead', async () => {
    const r = await get('/report/huge.json');
    expect(r.status).toBe(413);
    expect(r.body).toContain('huge.json is 17.0 MiB; serve renders result files up to 16.0 MiB');
    expect(r.body).toContain('rollsafe report');
  });

  it('lists the hashes of the page scripts in the header CSP of a report, and no inline script anywhere else', async () => {
    const report = await get('/report/good.json');
    expect(report.status).toBe(200);
    expect(report.csp).toMatch(/script-src 'sha256-[\w+/]+=' 'sha256-[\w+/]+=';/);
    expect(report.csp).not.toContain('unsafe-inline\'; style');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(report.body)![1].replace(/&#39;/g, "'");
    expect(meta).toBe(report.csp);
    expect((await get('/')).csp).toContain("script-src 'none'");
  });
});
