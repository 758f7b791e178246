// The scenario schema's validator. Compiling the schema with ajv costs about 100 ms, paid by
// every command before it reads a line; the build compiles it once instead (build-validator.ts
// writes dist/model/scenario/scenario-validator.js), and the loader uses that code when it was
// compiled from the schema as it is now. From sources (the tests) or after a schema edit
// without a build, it compiles here, with the same options, so both give the same errors.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { packageRoot } from '../package-root.js';

export type ScenarioValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export const AJV_OPTIONS = { allErrors: true, strict: false } as const;
export const GENERATED_VALIDATOR = 'scenario-validator.js';

export const SCENARIO_SCHEMA_FILE = join(packageRoot(), 'model', 'scenario', 'scenario.schema.json');
export const SCENARIO_SCHEMA_TEXT = readFileSync(SCENARIO_SCHEMA_FILE, 'utf8');
export const SCENARIO_SCHEMA = JSON.parse(SCENARIO_SCHEMA_TEXT) as Record<string, unknown>;

export function schemaHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// How the validator in use was made: a test checks the built CLI takes the fast road.
export let validatorSource: 'built' | 'compiled' = 'compiled';

export async function scenarioValidator(): Promise<ScenarioValidator> {
  const specifier = `./${GENERATED_VALIDATOR}`; // not a literal: it exists only in dist/
  try {
    const built = (await import(specifier)) as { default: ScenarioValidator; schemaHash: string };
    if (built.schemaHash === schemaHash(SCENARIO_SCHEMA_TEXT)) {
      validatorSource = 'built';
      return built.default;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  const { Ajv } = await import('ajv');
  return new Ajv(AJV_OPTIONS).compile(SCENARIO_SCHEMA) as ScenarioValidator;
}
