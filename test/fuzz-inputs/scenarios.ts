// The scenario input fuzzer: mutated corpus scenarios (mutate.ts) through `rollsafe check`,
// each classified. Bad input must be refused (exit 2 with file:line:column); anything else
// (an exception, a hang, unbounded memory) is a defect, and the first example of each is
// kept so that it can be reproduced: `rollsafe check <kept file> --max-states 3000`.
import { type ChildProcess, fork } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { applyPlan, planArb } from './mutate.js';
import type { CaseReply } from './runner.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUNNER = join(import.meta.dirname, 'runner.ts');

export interface ScenarioFuzzOptions {
  cases: number;
  seed: number;
  log?: (line: string) => void;
  concurrency?: number; // runner processes (default 1)
  timeoutMs?: number; // per case, then the runner is killed: a hang (default 60 s)
  maxRssBytes?: number; // a runner above this after (or during) a case: memory (default 1.5 GiB)
  keepDir?: string; // where the first example of each bad class is copied
}

export const BAD_CLASSES = ['crash', 'hang', 'memory', 'noLocation'] as const;

export async function runScenarioCases(opts: ScenarioFuzzOptions): Promise<Record<string, number>> {
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxRss = opts.maxRssBytes ?? 1.5 * 2 ** 30;
  const corpus = yamlFiles(join(ROOT, 'scenarios')).map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
  const work = mkdtempSync(join(tmpdir(), 'rollsafe-fuzz-inputs-'));
  const keep = opts.keepDir ?? join(work, 'kept');
  mkdirSync(keep, { recursive: true });
  const plans = fc.sample(planArb, { seed: opts.seed, numRuns: opts.cases });
  const counts: Record<string, number> = { safe: 0, unsafe: 0, inconclusive: 0, rejected: 0, crash: 0, hang: 0, memory: 0, noLocation: 0 };
  const signatures = new Map<string, number>();
  let next = 0;
  const t0 = Date.now();

  const worker = async (w: number) => {
    let runner: Runner | null = null;
    const file = join(work, `case-${w}.yaml`);
    while (next < plans.length) {
      const i = next++;
      const plan = plans[i];
      const source = corpus[plan.file % corpus.length];
      writeFileSync(file, applyPlan(source.text, plan));
      runner ??= await Runner.start();
      const r = await runner.run(['check', file, '--max-states', '3000'], timeoutMs, maxRss);
      const cls = classify(r, file);
      counts[cls.name]++;
      if (cls.name === 'hang' || cls.name === 'memory' || r.killed) {
        runner.kill();
        runner = null;
      } else if (r.reply && r.reply.rss > maxRss * 0.8) {
        runner.kill(); // start afresh before the next case tips it over
        runner = null;
      }
      if ((BAD_CLASSES as readonly string[]).includes(cls.name)) {
        const sig = `${cls.name}: ${cls.why}`;
        const seen = signatures.get(sig) ?? 0;
        signatures.set(sig, seen + 1);
        if (seen === 0) {
          const kept = join(keep, `${cls.name}-${signatures.size}.yaml`);
          copyFileSync(file, kept);
          log(`[${cls.name}] case ${i} (seed ${opts.seed}, ${source.path.slice(ROOT.length + 1)}, ops ${JSON.stringify(plan.ops).slice(0, 300)}): ${cls.why}\n  reproduce: node dist/sim/cli/main.js check ${kept} --max-states 3000`);
        }
      }
      if ((i + 1) % 500 === 0) log(`${i + 1}/${plans.length} cases, ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(counts)}`);
    }
    runner?.kill();
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, (_, w) => worker(w)));
  for (const [sig, n] of signatures) log(`${n} x ${sig}`);
  return counts;
}

interface RunOutcome {
  reply: CaseReply | null;
  killed: 'hang' | 'memory' | 'exit' | null;
  exitInfo: string;
}

function classify(r: RunOutcome, file: string): { name: string; why: string } {
  if (r.killed === 'hang') return { name: 'hang', why: 'no answer within the time limit' };
  if (r.killed === 'memory') return { name: 'memory', why: 'the runner passed the memory bound' };
  if (r.killed === 'exit' || !r.reply) {
    return /heap out of memory|Allocation failed/i.test(r.exitInfo) ? { name: 'memory', why: 'heap out of memory' } : { name: 'crash', why: `the runner died: ${r.exitInfo.split('\n').slice(-3).join(' | ').slice(0, 200)}` };
  }
  const { code, stdout, stderr, threw } = r.reply;
  if (code === 2) {
    // file:line:column: the place in the scenario, not a problem with the path
    const located = stderr.startsWith(`rollsafe: ${file}:`) && /^rollsafe: [^\n]*:\d+:\d+: /.test(stderr) && /\n {2}fix: /.test(stderr);
    return located ? { name: 'rejected', why: '' } : { name: 'noLocation', why: stderr.split('\n')[0].slice(0, 200) };
  }
  if (code !== 0 && code !== 1) return { name: 'crash', why: signature(threw ?? stderr) };
  const verdict = /^\s+(safe|unsafe|inconclusive)\b/m.exec(stdout)?.[1];
  return verdict ? { name: verdict, why: '' } : { name: 'crash', why: `exit ${code} without a verdict: ${stdout.slice(0, 120)}` };
}

// An exception's message and first frame in this project: one line per distinct crash.
function signature(stack: string): string {
  const lines = stack.split('\n');
  const frame = lines.find((l) => /^\s+at .*(dist|model|sim|report)\//.test(l))?.trim() ?? '';
  return `${lines[0].replace(/^rollsafe: internal error: /, '').slice(0, 160)} ${frame.replace(/\(.*\/(dist\/[^)]*)\)/, '($1)')}`.trim();
}

class Runner {
  private waiting: ((r: RunOutcome) => void) | null = null;
  private exitInfo = '';

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => (this.exitInfo = (this.exitInfo + d.toString()).slice(-4000)));
    child.stdout?.on('data', () => {});
    child.on('message', (m: CaseReply) => this.waiting?.({ reply: m, killed: null, exitInfo: '' }));
    child.on('exit', (code, signal) => this.waiting?.({ reply: null, killed: 'exit', exitInfo: `${this.exitInfo}\nexit ${code ?? signal}` }));
  }

  static start(): Promise<Runner> {
    const child = fork(RUNNER, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', '--max-old-space-size=1536'],
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(new Runner(child)));
      child.once('exit', (code) => reject(new Error(`the fuzz runner did not start (exit ${code})`)));
    });
  }

  run(argv: string[], timeoutMs: number, maxRss: number): Promise<RunOutcome> {
    return new Promise((resolve) => {
      const done = (r: RunOutcome) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiting = null;
        resolve(r);
      };
      this.waiting = done;
      const timer = setTimeout(() => {
        this.kill();
        done({ reply: null, killed: 'hang', exitInfo: '' });
      }, timeoutMs);
      // the arena of a large world lives outside the V8 heap: watch the whole process
      const poll = setInterval(() => {
        if (rssOf(this.child.pid) > maxRss) {
          this.kill();
          done({ reply: null, killed: 'memory', exitInfo: '' });
        }
      }, 250);
      this.child.send({ id: 0, argv });
    });
  }

  kill(): void {
    this.waiting = null;
    this.child.removeAllListeners('exit');
    this.child.kill('SIGKILL');
  }
}

function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
}
