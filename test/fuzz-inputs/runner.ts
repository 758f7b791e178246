// A long-lived child that runs `rollsafe` in-process, one case at a time, for the scenario
// input fuzzer (scenarios.ts): a node process per case costs ~0.3 s of start-up, thousands of
// cases need it once. What run() writes is captured, process.exit is turned into a return,
// and the parent keeps the watchdog and the memory bound (it can kill this process).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CaseRequest {
  id: number;
  argv: string[];
}

export interface CaseReply {
  id: number;
  code: number; // run()'s exit code; 3 when it threw
  stdout: string;
  stderr: string;
  threw: string | null; // the exception out of run(), with its stack
  rss: number;
  ms: number;
}

const KEEP = 20_000; // characters of each stream kept for classification and the log

class ExitCalled extends Error {
  constructor(readonly exitCode: number) {
    super(`process.exit(${exitCode})`);
  }
}

const root = join(import.meta.dirname, '..', '..');
const { run } = (await import(pathToFileURL(join(root, 'dist/sim/cli/program.js')).href)) as { run: (argv: string[]) => Promise<number> };

let current: { id: number; out: string[]; err: string[] } | null = null;
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const capture = (into: () => string[] | undefined, real: typeof realOut) =>
  ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const sink = into();
    if (!sink) return (real as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    if (sink.reduce((n, s) => n + s.length, 0) < KEEP) sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
process.stdout.write = capture(() => current?.out, realOut);
process.stderr.write = capture(() => current?.err, realErr);
process.exit = ((code?: number) => {
  throw new ExitCalled(code ?? 0);
}) as typeof process.exit;

// an exception from a timer or a promise nobody awaited belongs to the case under way
const stray: string[] = [];
process.on('uncaughtException', (e) => stray.push(e instanceof Error ? (e.stack ?? e.message) : String(e)));
process.on('unhandledRejection', (e) => stray.push(e instanceof Error ? (e.stack ?? e.message) : String(e)));

process.on('message', (m: CaseRequest) => {
  void runCase(m);
});

async function runCase(m: CaseRequest): Promise<void> {
  current = { id: m.id, out: [], err: [] };
  stray.length = 0;
  const t0 = performance.now();
  let code: number;
  let threw: string | null = null;
  try {
    code = await run(m.argv);
  } catch (e) {
    if (e instanceof ExitCalled) code = e.exitCode;
    else {
      code = 3;
      threw = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
  }
  // let timers the command left behind fire (and fail) inside this case
  await new Promise((r) => setImmediate(r));
  if (!threw && stray.length) {
    code = 3;
    threw = stray.join('\n');
  }
  const reply: CaseReply = {
    id: m.id,
    code,
    stdout: current.out.join('').slice(0, KEEP),
    stderr: current.err.join('').slice(0, KEEP),
    threw: threw?.slice(0, KEEP) ?? null,
    rss: process.memoryUsage.rss(),
    ms: performance.now() - t0,
  };
  current = null;
  process.exitCode = 0;
  process.send!(reply);
}

process.send!({ ready: true });
