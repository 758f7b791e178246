// What may end a search before its own bounds do: the time budget, an interrupt, the memory
// budget. The CLI builds these from the clock, its signal handlers and the process's memory
// figures; engines only ask, so a run stays a function of scenario, options and seed, and what
// the limits cut is named in the result's boundsHit (never reported as safe).

export interface SearchLimits {
  // the reason the search must end now ('interrupted', 'time 30s', 'max-memory 2 GiB'), else null
  check(): string | null;
  // whether the search may allocate this many more bytes; false: it must end, with memoryBound
  allocate(bytes: number): boolean;
  readonly memoryBound: string;
}

export const NO_LIMITS: SearchLimits = {
  check: () => null,
  allocate: () => true,
  memoryBound: 'max-memory',
};

export const INTERRUPTED = 'interrupted';

const MEMORY_EVERY_MS = 50;

// Per-depth series (figures.statesPerDepth) hold at most this many entries; the last one counts
// every state at that depth or deeper, so a result stays small whatever --max-depth says.
export const SERIES_MAX = 1000;

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1).replace(/\.0$/, '')} ${units[u]}`;
}

// "2GiB", "512MiB", "1.5G", "800M", "4096K" or plain bytes -> bytes; null when unreadable.
export function parseBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)$/i.exec(text.trim());
  if (!m) return null;
  const scale = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase().charAt(0) as '' | 'b' | 'k' | 'm' | 'g' | 't'];
  const n = Math.floor(Number(m[1]) * scale);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

// Limits from plain inputs: `now` and `memoryUsed` are injected (the CLI passes the process's),
// `interrupted` is the signal flag. The deadline is in the clock's milliseconds.
export function makeLimits(o: {
  now?: () => number;
  deadline?: number | null;
  time?: string | null; // the budget as the user wrote it, for the bound's name
  interrupted?: () => boolean;
  memoryUsed?: () => number;
  maxMemory?: number | null;
  heapFull?: () => boolean; // V8 ends the process when its heap is full, whatever the budget
}): SearchLimits {
  const memoryBound = o.maxMemory ? `max-memory ${formatBytes(o.maxMemory)}` : 'max-memory';
  // Reading the process's memory is a system call that cost a fifth of a search's time when
  // asked every 64 states. Between two readings only the search's own growth can add memory,
  // and every large growth asks allocate() first, so a reading every MEMORY_EVERY_MS is enough.
  let lastMemory = -Infinity;
  let calls = 0;
  const memoryDue = () => {
    if (!o.now) return ++calls % 64 === 0;
    const t = o.now();
    if (t - lastMemory < MEMORY_EVERY_MS) return false;
    lastMemory = t;
    return true;
  };
  return {
    memoryBound,
    check: () => {
      if (o.interrupted?.()) return INTERRUPTED;
      if (o.now && o.deadline != null && o.now() >= o.deadline) return `time ${o.time ?? ''}`.trim();
      if ((o.maxMemory && o.memoryUsed) || o.heapFull) {
        if (!memoryDue()) return null;
        if (o.maxMemory && o.memoryUsed && o.memoryUsed() > o.maxMemory) return memoryBound;
        if (o.heapFull?.()) return 'memory: the JavaScript heap is nearly full';
      }
      return null;
    },
    allocate: (bytes) => !o.maxMemory || !o.memoryUsed || o.memoryUsed() + bytes <= o.maxMemory,
  };
}

// Drivers of a search written as a generator that pauses now and then (exploreSteps): to the
// end at once, or handing the event loop a turn at every pause so signals and progress are
// seen while it runs.
export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export async function runYielding<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

// The budget of one command over its scenarios: each scenario may use an even share of the
// time left, so one that finishes early leaves its time to the rest. Memory and the interrupt
// apply to every scenario whole.
export class CommandBudget {
  private readonly t0: number;
  constructor(
    private readonly o: {
      now?: () => number;
      ms?: number | null;
      time?: string | null;
      interrupted?: () => boolean;
      memoryUsed?: () => number;
      maxMemory?: number | null;
      heapFull?: () => boolean;
    },
  ) {
    this.t0 = o.now ? o.now() : 0;
  }
  get ms(): number | null {
    return this.o.ms ?? null;
  }
  elapsed(): number {
    return this.o.now ? this.o.now() - this.t0 : 0;
  }
  interrupted(): boolean {
    return this.o.interrupted?.() ?? false;
  }
  // limits for the next scenario, `left` of them (this one included) still to run; `share`
  // of its time, when a phase must leave some for the next phase of the same scenario
  limitsFor(left: number, share = 1): SearchLimits {
    return makeLimits({ ...this.o, deadline: this.deadline(left, share) });
  }

  // Limits for the work that finishes what an interrupt left (shortening the traces found): an
  // interrupt ends it only after a grace period, so a Ctrl-C still gets short traces of small
  // scenarios; a second signal quits at once as always.
  finishingLimits(left: number, graceMs = 2000): SearchLimits {
    const { now } = this.o;
    let seenAt: number | null = null;
    const interrupted = () => {
      if (!this.interrupted()) return false;
      if (!now) return true;
      seenAt ??= now();
      return now() - seenAt > graceMs;
    };
    return makeLimits({ ...this.o, deadline: this.deadline(left, 1), interrupted });
  }

  private deadline(left: number, share: number): number | null {
    const { now, ms } = this.o;
    return now && ms != null ? this.t0 + this.elapsed() + (share * Math.max(0, ms - this.elapsed())) / Math.max(1, left) : null;
  }
}

// A result some budget or interrupt cut short (as opposed to one the search's own bounds,
// max-depth or max-states, ended): what a result set's `partial` flag says.
export function isCut(r: { boundsHit: string[] }): boolean {
  return r.boundsHit.some((b) => b === INTERRUPTED || b.startsWith('time') || b.startsWith('max-memory') || b.startsWith('memory'));
}
