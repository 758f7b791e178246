// `rollsafe serve`: browse a folder of result files and render each as a report. The folder
// is the only thing ever exposed: every requested path is resolved, symlinks included, and
// must land on a .json file inside it; anything else is a 404 that says nothing about why.
import { lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import esc from 'escape-html';
import express, { type NextFunction, type Request, type Response } from 'express';
import { reportHtml } from './index.js';
import { ResultFileError, readResultFile } from './load.js';
import { STYLE } from './style.js';

export interface ServeOptions {
  // The folder as the user typed it: replay commands in served reports name files through it.
  displayRoot?: string;
  // Host names a browser may use to reach us. Checking Host stops a DNS-rebinding page from
  // reading a loopback server; null accepts any (the user chose a public bind address).
  allowedHosts?: string[] | null;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]', '::1'];
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";
const MAX_DEPTH = 6;

// The one gate between a URL and the disk. Returns the real path of a result file inside
// root, or null.
export function resolveInside(realRoot: string, relPath: string): string | null {
  if (relPath.includes('\0') || relPath.length === 0 || isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) return null;
  const full = resolve(realRoot, relPath);
  if (!full.startsWith(realRoot + sep)) return null;
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot + sep) || !real.endsWith('.json')) return null;
  try {
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
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
    res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    if (allowed) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!allowed.includes(host)) {
        res.status(403).type('text/plain').send('rollsafe serve answers only on the address it printed\n');
        return;
      }
    }
    next();
  });

  app.get('/', (_req, res) => {
    res.type('html').send(listingPage(displayRoot, listResultFiles(realRoot)));
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
    try {
      const parsed = readResultFile(file);
      res.type('html').send(reportHtml([{ ...parsed, path: shown }]));
    } catch (e) {
      if (!(e instanceof ResultFileError)) throw e;
      res.status(422).type('html').send(page('not a result file', `<p>${esc(e.message.replace(file, shown))}</p><p><a href="/">back to the list</a></p>`));
    }
  });

  app.get('/results/*path', (req, res) => {
    const file = fileFrom(req);
    if (!file) return notFound(res);
    res.type('application/json').send(readFileSync(file));
  });

  app.use((_req, res) => notFound(res));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    process.stderr.write(`rollsafe serve: ${err instanceof Error ? err.message : String(err)}\n`);
    res.status(500).type('text/plain').send('internal error; see the server log\n');
  });
  return app;
}

function notFound(res: Response): void {
  res.status(404).type('html').send(page('not found', '<p>No result file at that address in the served folder.</p><p><a href="/">back to the list</a></p>'));
}

function listingPage(displayRoot: string, files: { rel: string; bytes: number }[]): string {
  const href = (prefix: string, rel: string) => `${prefix}/${rel.split('/').map(encodeURIComponent).join('/')}`;
  const rows = files
    .map(
      (f) =>
        `<tr><td><a class="report-link" href="${esc(href('/report', f.rel))}">${esc(f.rel)}</a></td><td class="num">${(f.bytes / 1024).toFixed(1)} KiB</td><td><a href="${esc(href('/results', f.rel))}">raw JSON</a></td></tr>`,
    )
    .join('\n');
  const body = files.length
    ? `<table class="data"><thead><tr><th>result file</th><th>size</th><th></th></tr></thead><tbody>\n${rows}\n</tbody></table>`
    : '<p class="muted">No result files (*.json) here yet. Write one with <code>rollsafe check --json FILE</code>.</p>';
  return page(`results in ${displayRoot}`, body);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(`rollsafe: ${title}`)}</title><style>${STYLE}</style></head>
<body><header><h1>rollsafe: ${esc(title)}</h1></header><main>${body}</main></body></html>\n`;
}
