// Progress of every engine on stderr, from the one Progress shape: on a terminal a live bar
// (random engines: runs, steps/s, time left) or a line rewritten in place (explore: depth,
// states), otherwise (CI, pipes, files) one plain line every 10 s, so a long run piped to a
// log says it is alive without flooding it.
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';
import type { Progress } from '../progress.js';
import { count } from '../results/words.js';

export interface ProgressReporter {
  // which scenario of how many: a search shows it at once, before its first depth is done
  scenarioStarted(at?: { file: string; index: number; count: number }): void;
  update(p: Progress): void;
  // a line that stays (an early verdict), written so the live line is not garbled
  note(text: string): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 10_000;

const n = (x: number) => Math.round(x).toLocaleString('en-US');

function timeLeft(p: Progress, rate: number): number | null {
  const byTime = p.budgetMs !== null ? Math.max(0, p.budgetMs - p.elapsedMs) : null;
  const byRuns = p.totalRuns !== null && rate > 0 ? ((p.totalRuns - p.runs) / rate) * 1000 : null;
  if (byTime === null) return byRuns;
  return byRuns === null ? byTime : Math.min(byTime, byRuns);
}

function clock(ms: number | null): string {
  if (ms === null) return '?';
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

// Rates over the current scenario, from the moment it started; `now` is the CLI's clock.
function rates(now: () => number) {
  let t0 = now();
  const rate = (p: Progress) => {
    const secs = Math.max(1e-3, (now() - t0) / 1000);
    return { runsPerSec: p.runs / secs, stepsPerSec: p.steps / secs };
  };
  rate.restart = () => (t0 = now());
  return rate;
}

export function startProgress(engine: string, now: () => number, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const rate = rates(now);
  if (stream.isTTY && process.env.CI !== 'true') {
    // the bar's library loads only where a terminal shows it
    const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressTypes;
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${engine} {scenario} [{bar}] {runs} runs · {found} found · {rate} steps/s · {left} left`,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 20,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let lineShown = false;
    return {
      scenarioStarted(at) {
        rate.restart();
        if (at && !started) {
          stream.write(`\r  ${engine}: ${at.index + 1}/${at.count} ${at.file}: starting\x1b[K`);
          lineShown = true;
        }
      },
      update(p) {
        if (p.engine === 'explore') {
          stream.write(`\r  ${searchLine(engine, p)}\x1b[K`);
          lineShown = true;
          return;
        }
        const r = rate(p);
        const left = timeLeft(p, r.runsPerSec);
        const total = 1000;
        const fracRuns = p.totalRuns ? p.runs / p.totalRuns : 0;
        const fracTime = p.budgetMs ? p.elapsedMs / p.budgetMs : 0;
        const payload = { scenario: `${p.index + 1}/${p.count} ${p.scenario.split('/').pop()}`, runs: n(p.runs), found: p.found, rate: n(r.stepsPerSec), left: clock(left) };
        if (!started) {
          bar.start(total, 0, payload);
          started = true;
        }
        bar.update(Math.min(total, Math.round(Math.max(fracRuns, fracTime) * total)), payload);
      },
      note(text) {
        stream.write(`${lineShown ? '\r\x1b[K' : started ? '\n' : ''}${text}\n`);
      },
      stop() {
        if (started) bar.stop();
        if (lineShown) stream.write('\r\x1b[K');
      },
    };
  }
  let last = now();
  return {
    scenarioStarted: () => rate.restart(),
    update(p) {
      if (now() - last < PLAIN_EVERY_MS) return;
      last = now();
      if (p.engine === 'explore') {
        const secs = Math.max(1e-3, p.elapsedMs / 1000);
        const budget = p.budgetMs !== null ? `, ${clock(Math.max(0, p.budgetMs - p.elapsedMs))} of the time budget left` : '';
        stream.write(`${searchLine(engine, p)}, ${n(p.states / secs)} states/s, ${clock(p.elapsedMs)} elapsed${budget}\n`);
        return;
      }
      const r = rate(p);
      stream.write(`${engine}: ${p.scenario} (${p.index + 1}/${p.count}): ${count(p.runs, 'run')}, ${count(p.found, 'property', 'properties')} violated, ${n(r.stepsPerSec)} steps/s, ${clock(timeLeft(p, r.runsPerSec))} left\n`);
    },
    note: (text) => stream.write(`${text}\n`),
    stop() {},
  };
}

function searchLine(command: string, p: Progress): string {
  return `${command}: ${p.index + 1}/${p.count} ${p.scenario}: depth ${p.depth ?? 0}, ${count(p.states, 'state')}, ${count(p.found, 'property', 'properties')} violated`;
}
