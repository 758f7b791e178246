// Events by kind at each runbook position a search meets, for the coverage's step and fault
// tables. Positions get dense slots as they are found, so a scenario pays for the positions it
// has, not for every position code there could be.
import { type Model, EVENT_KINDS } from '../../model/model.js';
import type { Coverage } from '../results/result.js';
import { countFault, countSteps } from './outcome.js';

const NK = EVENT_KINDS.length;
const STEP_KIND = EVENT_KINDS.indexOf('step');

export class PositionCounts {
  private readonly codes: number[] = [];
  private readonly slotOfCode = new Map<number, number>();
  private counts = new Float64Array(16 * NK);

  // the slot of a position code (model.positionCode), made on first sight
  slotOf(code: number): number {
    let i = this.slotOfCode.get(code);
    if (i === undefined) {
      i = this.codes.push(code) - 1;
      this.slotOfCode.set(code, i);
      if ((i + 1) * NK > this.counts.length) {
        const b = new Float64Array(this.counts.length * 2);
        b.set(this.counts);
        this.counts = b;
      }
    }
    return i;
  }

  add(slot: number, kind: number): void {
    this.counts[slot * NK + kind]++;
  }

  // Steps per runbook step and faults per position, in runbook order (the order of the codes).
  fill(model: Model, coverage: Coverage): void {
    const slots = this.codes.map((code, i) => [code, i]).sort((a, b) => a[0] - b[0]);
    for (const [code, i] of slots) {
      const count = this.counts[i * NK + STEP_KIND];
      if (count) countSteps(model, coverage, code, count);
    }
    EVENT_KINDS.forEach((name, kind) => {
      if (!model.isFaultKind(kind)) return;
      for (const [code, i] of slots) {
        const count = this.counts[i * NK + kind];
        if (count) countFault(model, coverage, name, code, count);
      }
    });
  }
}
