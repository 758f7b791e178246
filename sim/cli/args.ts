// What every command shares: how flags are read and how a command hands back its exit code.
// Apart from program.ts so that the command files and the program do not import each other.
import { InvalidArgumentError } from 'commander';
import { quoteValue } from '../../model/quote.js';

export class UsageError extends Error {}

export interface Exit {
  code: number;
}

// A whole-number flag in [min, max]; the bounds of the flags that override a scenario's own
// (max-depth, max-states, faults.budget) are the scenario schema's, so both refuse alike.
export function intArg(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${quoteValue(v)}`);
    }
    return Number(v);
  };
}

export const FLAG_MAX = { maxDepth: 10_000, maxStates: 1_000_000_000, maxFaults: 1_000, runs: 1_000_000_000, workers: 256 } as const;
