// Latent harm: a violation a cache still hides (a node keeps serving a record from its cached
// data key that neither its release nor the key service could decrypt again). The runbook is
// unsafe from that step on; this finds the nearest step that makes the harm visible, so a
// trace shows both where it was done and where it shows.
import type { Ev, Model, World } from '../../model/model.js';

const MAX_STATES = 20_000;
const MAX_DEPTH = 12;

// Shortest continuation from `from` to a world where `property` fails without a cache hiding
// it, or null when none is reachable within the bounds.
export function manifestPath(model: Model, from: World, property: string): Ev[] | null {
  const seen = new Set<string>([model.key(from)]);
  let frontier: { w: World; path: Ev[] }[] = [{ w: from, path: [] }];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const { w, path } of frontier) {
      for (const e of model.enabledEvents(w)) {
        const nw = model.next(w, e);
        const hit = model.stateViolations(nw).find((h) => h.property === property);
        if (hit && !hit.latent) return [...path, e];
        const key = model.key(nw);
        if (seen.has(key) || seen.size >= MAX_STATES) continue;
        seen.add(key);
        next.push({ w: nw, path: [...path, e] });
      }
    }
    frontier = next;
  }
  return null;
}
