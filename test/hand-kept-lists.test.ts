// Lists that are written more than once (the K enum and EVENT_KINDS, the scenario schema's
// enums and the model's name lists) are held equal here, so adding a name in one place and not
// the other fails a test instead of misreading an event or refusing a valid scenario.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EVENT_KINDS, K } from '../model/events.js';
import { PROPERTIES } from '../model/properties.js';
import { FAULT_NAMES, GUARD_NAMES, PRECONDITION_NAMES, STEP_NAMES, TRIGGER_NAMES } from '../model/types.js';
import { Model } from '../model/model.js';
import { PHASE, PHASE_NAMES } from '../model/world.js';
import { ROOT, bao } from './helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'model/scenario/scenario.schema.json'), 'utf8'));
const at = (path: string): Record<string, unknown> => path.split('/').filter(Boolean).reduce((x: any, k) => x[/^\d+$/.test(k) ? Number(k) : k], schema);
const sorted = (xs: readonly string[]) => [...xs].sort();

describe('the event kinds', () => {
  test('K is EVENT_KINDS, name for name, in the same order', () => {
    // under vitest the const enum is an object (member -> index and index -> member)
    const members = Object.entries(K as unknown as Record<string, number | string>).filter(([, v]) => typeof v === 'number') as [string, number][];
    const pascal = (kind: string) => kind.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
    expect(members.map(([name, i]) => [name, i])).toEqual(EVENT_KINDS.map((kind, i) => [pascal(kind), i]));
  });

  test('every fault a scenario can declare is an event kind', () => {
    for (const f of FAULT_NAMES) expect(EVENT_KINDS).toContain(f);
  });
});

describe('the scenario schema names what the model knows', () => {
  test('steps: the plain names and the object forms together are the model\'s steps', () => {
    const forms = at('definitions/step').oneOf as { enum?: string[]; properties?: Record<string, unknown> }[];
    const names = forms.flatMap((f) => f.enum ?? Object.keys(f.properties ?? {}).filter((k) => (STEP_NAMES as readonly string[]).includes(k)));
    expect(sorted([...new Set(names)])).toEqual(sorted(STEP_NAMES));
  });

  test('before-you-start checks, rollback guards and triggers', () => {
    expect(sorted(at('properties/runbook/properties/before-you-start/items').enum as string[])).toEqual(sorted(PRECONDITION_NAMES));
    expect(sorted(at('properties/runbook/properties/rollback/properties/guards/items').enum as string[])).toEqual(sorted(GUARD_NAMES));
    expect(sorted(at('properties/runbook/properties/rollback/properties/when/items').enum as string[])).toEqual(sorted(TRIGGER_NAMES));
  });

  test('faults: every fault the model strikes can be declared, and nothing else', () => {
    const keys = Object.keys(at('properties/faults/properties')).filter((k) => k !== 'budget');
    expect(sorted(keys)).toEqual(sorted(FAULT_NAMES));
  });

  test('properties: the list, expect.fires and expect.vacuous name the catalogue', () => {
    const names = sorted(PROPERTIES.map((p) => p.name));
    expect(sorted(at('properties/properties/items').enum as string[])).toEqual(names);
    expect(sorted(at('properties/expect/properties/fires/items').enum as string[])).toEqual(names);
    expect(sorted(at('properties/expect/properties/vacuous/items').enum as string[])).toEqual(names);
  });
});

describe('goals written twice', () => {
  test("an eventually property's goal by phase says what its goal says of a world in that phase", () => {
    const s = bao('upgrade');
    const model = new Model(s);
    for (const def of PROPERTIES.filter((p) => p.goalInPhase)) {
      PHASE_NAMES.forEach((_, phase) => {
        const w = model.initial();
        w[PHASE] = phase;
        expect(model.goalByPhase(def)![phase] === 1, `${def.name} in ${PHASE_NAMES[phase]}`).toBe(model.reachedGoal(def, w));
      });
    }
  });
});
