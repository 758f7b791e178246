// How a fingerprint search (`check --fingerprints`) is told wherever a verdict is shown: its
// verdict is never safe, and every reader of a result (the CLI, JUnit, SARIF, the diff's
// Markdown, the report) says what it leaves uncertain and what it did not check.
import type { FingerprintRun } from './result.js';

// "8.4e-5", "0.12", "0": a probability in as few characters as say it
export function probabilityText(p: number): string {
  if (p === 0) return '0';
  return p >= 0.01 ? String(Number(p.toPrecision(2))) : p.toExponential(1).replace(/\.0e/, 'e');
}

// What a fingerprint search does not check: the properties judged over the whole state graph
// and the point of no return.
export function notCheckedText(fp: FingerprintRun): string {
  const all = [...fp.notChecked, 'the point of no return'];
  return all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}

// The result's boundsHit entry: every reader that shows the bounds shows this with them.
export function fingerprintBound(fp: FingerprintRun): string {
  return `fingerprints: states kept as ${fp.bits}-bit fingerprints, so a collision (probability ≤ ${probabilityText(fp.collisionProbability)}) may have hidden some; not checked: ${notCheckedText(fp)}`;
}

export function isFingerprintBound(bound: string): boolean {
  return bound.startsWith('fingerprints: ');
}

// One line for a summary: "64-bit fingerprints, collision probability ≤ 8.4e-5"
export function fingerprintShort(fp: FingerprintRun): string {
  return `${fp.bits}-bit fingerprints, collision probability ≤ ${probabilityText(fp.collisionProbability)}`;
}

// What a reader must know of a fingerprint run that found nothing (and, shorter, of one that
// found violations: those are real, the rest is as uncertain).
export function fingerprintCaveat(fp: FingerprintRun, violations: number): string {
  const why = `a collision (probability ≤ ${probabilityText(fp.collisionProbability)}) may have hidden states, and ${notCheckedText(fp)} need the whole state graph, which this search does not keep (not checked)`;
  return violations > 0
    ? `fingerprint search: its violations are real (each trace replays on the model), but it is not a proof of the rest: ${why}`
    : `no property failed in any state reached, up to a fingerprint collision; not a proof of safety: ${why}. Run without --fingerprints for a safe verdict`;
}
