// Colour on the terminal, and only there: on when the stream is a terminal (and TERM is not
// "dumb"), off when piped or redirected; NO_COLOR (set and not empty) turns it off, FORCE_COLOR
// turns it on (or off, with 0 or false) whatever the stream, and wins over NO_COLOR, as Node's
// own tty does. The codes are picocolors'; what gets which colour is sim/results/text.ts's Paint.
import pc from 'picocolors';
import { PLAIN, type Paint } from '../results/text.js';

export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function paintFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Paint {
  if (!colourEnabled(stream, env)) return PLAIN;
  const c = pc.createColors(true);
  return {
    ok: c.green,
    fail: (s) => c.bold(c.red(s)),
    verdict: (v, s) => (v === 'unsafe' ? c.red(s) : v === 'safe' ? c.green(s) : v === 'inconclusive' ? c.yellow(s) : s),
    dim: c.dim,
  };
}
