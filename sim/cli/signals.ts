// The CLI's signal edge. The first SIGINT or SIGTERM asks the command to stop: engines see it
// through their limits, finish the state or run under way, and the command writes what it
// found, marked partial, and exits 130 (SIGINT) or 143 (SIGTERM). A second signal quits at once.
import { addressSpace } from '../engines/address-space.js';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

export interface Interrupt {
  interrupted: () => boolean;
  // the exit code of the signal received (130 or 143), or null
  exitCode: () => number | null;
  dispose: () => void;
}

export function interruptOnSignals(what = 'finishing the work under way, then writing what was found'): Interrupt {
  let code: number | null = null;
  const on = (sig: 'SIGINT' | 'SIGTERM') => () => {
    if (code !== null) process.exit(code);
    code = sig === 'SIGINT' ? 130 : 143;
    process.stderr.write(`\nrollsafe: ${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: ${what} (${sig === 'SIGINT' ? 'Ctrl-C again' : 'send it again'} to quit now)\n`);
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    interrupted: () => code !== null,
    exitCode: () => code,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

// What the process holds: its resident set (the cheap figure: it is asked every few states;
// a growth the search is about to make is added to it by the caller).
export function memoryUsed(): number {
  return process.memoryUsage.rss();
}

// Default --max-memory: half of what this machine (or the container's limit) has; under an
// address-space limit (ulimit -v), what is resident now and half of the address space left,
// so that the search ends at its budget before V8 fails to reserve room for its own heap.
export function defaultMaxMemory(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const machine = constrained && constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  const as = addressSpace();
  const left = as ? memoryUsed() + Math.max(0, as.limit - as.used) / 2 : Infinity;
  return Math.floor(Math.min(machine / 2, left));
}

// V8 aborts the process when its heap is full, whatever --max-memory says: the heap's share is
// bounded separately (typed arrays live outside it).
export function heapNearlyFull(): boolean {
  const h = getHeapStatistics();
  return h.used_heap_size > 0.85 * h.heap_size_limit;
}
