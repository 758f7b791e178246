// `rollsafe serve`: browse a folder of result files and render each as a report. The folder
// is the only thing ever exposed: every requested path is resolved, symlinks included, and
// must land on a .json file inside it, none of whose names starts with a dot (hidden files
// are not listed, so they are not served either); anything else is a 404 that says nothing
// about why.
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { quoteValue } from '../model/quote.js';
import { readChartJs } from './assets.js';
import { html } from './html.js';
import { reportHtml } from './index.js';
import { ResultFileError, readResultFile } from './load.js';
import { reportCsp, reportScripts } from './render-page.js';
import { type FileSummary, diffPage, listingPage, page, parseListQuery, summarise } from './serve-pages.js';

export interface ServeOptions {
  // The folder as the user typed it: replay commands in served reports name files through it.
  displayRoot?: string;
  // Host names a browser may use to reach us. Checking Host stops a DNS-rebinding page from
  // reading a loopback server; null accepts any (the user chose a public bind address).
  allowedHosts?: string[] | null;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]', '::1'];
// Pages other than reports carry no script at all.
const PLAIN_CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
// The list's sort, filter and diff forms are GET requests back to us.
const LIST_CSP = PLAIN_CSP.replace("form-action 'none'", "form-action 'self'");
const MAX_DEPTH = 6;

// Rendering runs on the request thread: a 98 MB result took 8 s, and every other request
// waited. Results above this are refused with 413 and pointed at `rollsafe report`, which has
// no one waiting. The whole scenario corpus explored is about 3.5 MB; 16 MiB renders in about
// a second.
export const SERVE_MAX_BYTES = 16 * 1024 * 1024;

// A report page runs exactly its own inlined scripts, named by hash, as its meta tag says.
let reportPolicy: string | null = null;
function reportPagePolicy(): string {
  reportPolicy ??= reportCsp(reportScripts(readChartJs()));
  return reportPolicy;
}

// The one gate between a URL and the disk. Returns the real path of a result file inside
// root, or null.
export function resolveInside(realRoot: string, relPath: string): string | null {
  if (relPath.includes('\0') || relPath.length === 0 || isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) return null;
  if (hidden(relPath)) return null;
  const full = resolve(realRoot, relPath);
  if (!full.startsWith(realRoot + sep)) return null;
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return null;
  }
  // a link with a plain name may still lead to a hidden file
  if (!real.startsWith(realRoot + sep) || !real.endsWith('.json') || hidden(relative(realRoot, real))) return null;
  try {
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

// Any segment starting with a dot: ".env.json", ".git/x.json", and ".." too.
function hidden(relPath: string): boolean {
  return relPath.split(/[\\/]/).some((seg) => seg.startsWith('.'));
}

export function listResultFiles(realRoot: string): { rel: string; bytes: number }[] {
  const out: { rel: string; bytes: number }[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      const st = lstatSync(full);
      // Linked folders are not walked: they may loop or lead outside.
      if (st.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1);
      else if (name.endsWith('.json') && (st.isFile() || st.isSymbolicLink())) {
        const rel = relative(realRoot, full).split(sep).join('/');
        const real = resolveInside(realRoot, rel);
        if (real) out.push({ rel, bytes: statSync(real).size });
      }
    }
  };
  walk(realRoot, 0);
  return out;
}

export function createServeApp(root: string, o: ServeOptions = {}): express.Express {
  const realRoot = realpathSync(root);
  const displayRoot = o.displayRoot ?? root;
  const allowed = o.allowedHosts === undefined ? LOOPBACK_NAMES : o.allowedHosts;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    res.set({ 'Content-Security-Policy': PLAIN_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    if (allowed) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!allowed.includes(host)) {
        res.status(403).type('text/plain').send('rollsafe serve answers only on the address it printed\n');
        return;
      }
    }
    next();
  });

  // A file is read and checked once per version (size and time written): the list is drawn
  // from what each holds, and a folder of large results must not be parsed on every visit.
  const summaries = new Map<string, { key: string; summary: FileSummary }>();
  const summaryOf = (rel: string, bytes: number): FileSummary => {
    const real = resolveInside(realRoot, rel)!;
    const modified = statSync(real).mtime;
    const key = `${bytes}:${modified.getTime()}`;
    const known = summaries.get(rel);
    if (known?.key === key) return known.summary;
    let summary: FileSummary;
    if (bytes > SERVE_MAX_BYTES) summary = summarise(rel, bytes, modified, null, `too large to summarise here (${mib(bytes)}); open its report`);
    else {
      try {
        summary = summarise(rel, bytes, modified, readResultFile(real), null);
      } catch (e) {
        if (!(e instanceof ResultFileError)) throw e;
        summary = summarise(rel, bytes, modified, null, 'not a result file: open it for the reason');
      }
    }
    summaries.set(rel, { key, summary });
    return summary;
  };

  app.get('/', (req, res) => {
    const files = listResultFiles(realRoot).map((f) => summaryOf(f.rel, f.bytes));
    res.set('Content-Security-Policy', LIST_CSP).type('html').send(listingPage(displayRoot, files, parseListQuery(req.query as Record<string, unknown>)).text);
  });

  app.get('/diff', (req, res) => {
    const rels = ['base', 'head'].map((k) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : ''));
    const files = rels.map((rel) => resolveInside(realRoot, rel));
    if (files.some((f) => f === null)) return notFound(res);
    if (files.some((f) => statSync(f!).size > SERVE_MAX_BYTES)) {
      res.status(413).type('html').send(page('result file too large', html`<p>One of the files is over ${mib(SERVE_MAX_BYTES)}; compare them with <code>rollsafe diff</code> on the scenarios instead.</p><p><a href="/">back to the list</a></p>`).text);
      return;
    }
    try {
      const [base, head] = files.map((f) => readResultFile(f!));
      res.type('html').send(diffPage(rels[0], base, rels[1], head).text);
    } catch (e) {
      if (!(e instanceof ResultFileError)) throw e;
      const message = files.reduce<string>((m, f, i) => m.split(f!).join(join(displayRoot, rels[i])), e.message);
      res.status(422).type('html').send(page('not a result file', html`<p>${message}</p><p><a href="/">back to the list</a></p>`).text);
    }
  });

  // Express has already split the path into decoded segments; they are joined again and
  // judged as one relative path, so "..", "%2e%2e" and "..%2f" all meet the same gate.
  const fileFrom = (req: Request): string | null => {
    const segs = (req.params as Record<string, string[] | string | undefined>).path;
    const rel = Array.isArray(segs) ? segs.join('/') : (segs ?? '');
    return resolveInside(realRoot, rel);
  };

  app.get('/report/*path', (req, res) => {
    const file = fileFrom(req);
    if (!file) return notFound(res);
    const shown = join(displayRoot, relative(realRoot, file));
    const bytes = statSync(file).size;
    if (bytes > SERVE_MAX_BYTES) {
      const why = `${shown} is ${mib(bytes)}; serve renders result files up to ${mib(SERVE_MAX_BYTES)}, so that one page cannot stall every other request`;
      res.status(413).type('html').send(page('result file too large', html`<p>${why}.</p><p>Write its report with <code>rollsafe report ${shown} -o report.html</code> and open that file instead.</p><p><a href="/">back to the list</a></p>`).text);
      return;
    }
    try {
      const parsed = readResultFile(file);
      const text = reportHtml([{ ...parsed, path: shown }]);
      res.set('Content-Security-Policy', reportPagePolicy()).type('html').send(text);
    } catch (e) {
      if (!(e instanceof ResultFileError)) throw e;
      const message = e.message.split(file).join(shown);
      res.status(422).type('html').send(page('not a result file', html`<p>${message}</p><p><a href="/">back to the list</a></p>`).text);
    }
  });

  // Streamed from disk: a large file does not hold the event loop while it is read.
  app.get('/results/*path', (req, res, next) => {
    const file = fileFrom(req);
    if (!file) return notFound(res);
    res.type('application/json');
    res.sendFile(file, { dotfiles: 'allow', cacheControl: false, lastModified: false, etag: false }, (err) => err && next(err));
  });

  app.use((_req, res) => notFound(res));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // Express answers a path it cannot decode ("/results/%") with status 400 set on the error:
    // that is the client's mistake, not ours, and its message echoes the raw path.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).type('text/plain').send(status === 400 ? 'bad request: the address is not valid URL encoding\n' : 'request refused\n');
      return;
    }
    process.stderr.write(`rollsafe serve: ${quoteValue(err instanceof Error ? err.message : String(err), 300)}\n`);
    if (res.headersSent) return;
    res.status(500).type('text/plain').send('internal error; see the server log\n');
  });
  return app;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function notFound(res: Response): void {
  res.status(404).type('html').send(page('not found', html`<p>No result file at that address in the served folder.</p><p><a href="/">back to the list</a></p>`).text);
}

