// The scenario schema is compiled at build time (model/scenario/build-validator.ts) so that no
// command pays for ajv's compiler at start-up. The built code must be what the CLI uses, and it
// must judge every input exactly as the schema compiled at run time does, errors included.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { AJV_OPTIONS, SCENARIO_SCHEMA, type ScenarioValidator } from '../model/scenario/validator.js';
import { applyPlan, planArb } from './fuzz-inputs/mutate.js';
import { ROOT } from './helpers.js';

const DIST = join(ROOT, 'dist/model/scenario');

test('the built CLI takes the validator compiled at build time, made from the schema as it is', async () => {
  const mod = (await import(join(DIST, 'validator.js'))) as { scenarioValidator: () => Promise<ScenarioValidator>; validatorSource: string };
  await mod.scenarioValidator();
  expect((await import(join(DIST, 'validator.js'))).validatorSource).toBe('built');
});

test('built and run-time validators agree on the corpus and 400 mutants of it, errors included', async () => {
  const built = ((await import(join(DIST, 'scenario-validator.js'))) as { default: ScenarioValidator }).default;
  const compiled = new Ajv(AJV_OPTIONS).compile(SCENARIO_SCHEMA) as ScenarioValidator;
  const dir = join(ROOT, 'scenarios');
  const corpus = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(dir, f), 'utf8'));
  const inputs: unknown[] = corpus.map((t) => parse(t));
  for (const plan of fc.sample(planArb, { seed: 7, numRuns: 400 })) {
    try {
      inputs.push(parse(applyPlan(corpus[plan.file % corpus.length], plan).toString('utf8')));
    } catch {
      // not YAML any more: the parser refuses it before any schema is asked
    }
  }
  let refused = 0;
  for (const data of inputs) {
    const ok = built(data);
    expect(compiled(data)).toBe(ok);
    expect(built.errors ?? null).toEqual(compiled.errors ?? null);
    if (!ok) refused++;
  }
  // the mutants reach the schema's refusals, not only its acceptance
  expect(refused).toBeGreaterThan(50);
});
