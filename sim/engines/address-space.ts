// The address-space limit (`ulimit -v`) and how much of it this process has taken, in bytes.
// Under such a limit a reservation V8 makes for its own heap or for a new thread can fail, and
// that failure is fatal (no exception to catch), so the search must stay well inside it: one
// thread, and a memory budget within what is left. Read from /proc (Linux): null where there
// is no limit, or no /proc to read it from.
import { readFileSync } from 'node:fs';

export function addressSpace(): { limit: number; used: number } | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max address space'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === undefined || soft === 'unlimited') return null;
    const size = /^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return { limit: Number(soft), used: size ? Number(size[1]) * 1024 : 0 };
  } catch {
    return null;
  }
}
