// The output edge (the CLI's files, the report's page). Every output a command will write is checked before the command
// does any work (a typo in --json must not cost a 20-minute run), and written whole or not at
// all: to a temporary file beside the target, then renamed over it. `-` is standard output.
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { quoteValue } from '../../model/quote.js';

// An output that cannot be written: bad usage when found before the run, an I/O failure after.
export class OutputError extends Error {}

export interface Output {
  flag: string; // as the user typed it, e.g. --json
  path: string | null; // null: standard output
  shown: string; // how messages name it
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such folder',
  EIO: 'an input/output error',
  EFBIG: 'the file would be too large',
  ENAMETOOLONG: 'the name is too long',
};

export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code) return `${REASONS[code] ?? 'the system refused'} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

// Resolves and checks one output before the run. A symlink is followed (the file it points to
// is replaced, the link stays); a folder, FIFO, socket or device is refused, as is a place the
// user cannot write. Missing parent folders are created at write time.
export function checkOutput(flag: string, value: string | undefined): Output | null {
  if (value === undefined) return null;
  if (value === '-') return { flag, path: null, shown: 'standard output' };
  const fix = `pass a file path, or ${flag} - for standard output`;
  if (value.trim() === '') throw new OutputError(`${flag} was given an empty file name; ${fix}`);
  const shown = quoteValue(value, 120).replace(/^"(.*)"$/, '$1');
  let target = resolve(value);
  let link;
  try {
    link = lstatSync(target);
  } catch {
    link = null;
  }
  if (link?.isSymbolicLink()) {
    try {
      target = realpathSync(target);
    } catch {
      throw new OutputError(`${flag} ${shown}: the symbolic link points to nothing; ${fix}`);
    }
  }
  let st;
  try {
    st = statSync(target);
  } catch {
    st = null;
  }
  if (st && !st.isFile()) throw new OutputError(`${flag} ${shown}: it is ${kindOf(st)}, not a file rollsafe can replace; ${fix}`);
  // the nearest folder that exists must be a folder
  let dir = dirname(target);
  for (;;) {
    let ds;
    try {
      ds = statSync(dir);
    } catch {
      ds = null;
    }
    if (ds) {
      if (!ds.isDirectory()) throw new OutputError(`${flag} ${shown}: ${dir} is a file, not a folder; ${fix}`);
      break;
    }
    const up = dirname(dir);
    if (up === dir) throw new OutputError(`${flag} ${shown}: no folder of the path exists; ${fix}`);
    dir = up;
  }
  // Permission bits do not say whether a write will work (root, read-only mounts, /proc): the
  // folders are made and a probe file is written and removed where the output will go.
  const probe = `${target}.${process.pid}.probe`;
  try {
    makeFolders(dirname(target));
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (e) {
    throw new OutputError(`${flag} ${shown}: cannot write there: ${reasonOf(e)}; ${fix}`);
  }
  return { flag, path: target, shown };
}

// mkdir -p, one level at a time: Node's recursive mkdir spins forever under /proc.
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

// All of text to a file descriptor; a pipe that is momentarily full is retried.
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
  }
}

// Writes an output checked by checkOutput. On failure nothing is left behind (no temporary
// file, the old file untouched) and the error names the file and the reason.
export function writeOutput(out: Output, text: string): void {
  if (out.path === null) {
    try {
      writeAll(1, text);
    } catch (e) {
      throw new OutputError(`cannot write ${out.flag} to standard output: ${reasonOf(e)}`);
    }
    return;
  }
  const tmp = `${out.path}.${process.pid}.tmp`;
  try {
    makeFolders(dirname(out.path));
    const fd = openSync(tmp, 'wx');
    try {
      writeAll(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, out.path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OutputError(`cannot write ${out.flag} ${out.shown}: ${reasonOf(e)}; nothing was written there`);
  }
}

// What a result set written to `out` records as its scenarioRoot: the way back from the file's
// folder to the folder the command runs in, where its scenario paths start.
export function scenarioRootFor(out: Output | null, runFolder = process.cwd()): string | undefined {
  if (!out?.path) return undefined;
  return relative(dirname(out.path), runFolder).split(sep).join('/') || '.';
}

// For callers that have a path and no flag (report's own file), checked and written at once.
export function writeFileAtomic(path: string, text: string, flag = 'output'): void {
  writeOutput(checkOutput(flag, path)!, text);
}
