// docs/result.schema.json describes what --json really writes: validate real output with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { check } from '../sim/check.js';
import { RESULT_SET_SCHEMA, type ResultSet } from '../sim/result.js';
import { ROOT } from './helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs/result.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('the result schema', () => {
  test('accepts the results of the bao and incident corpora', () => {
    const results = check([join(ROOT, 'scenarios/bao-kms-provider'), join(ROOT, 'scenarios/incidents')]);
    const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: '0' }, command: 'rollsafe check', partial: false, results };
    const ok = validate(JSON.parse(JSON.stringify(set)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // what the schema must allow is really there: vacuous properties, and a pinned expect.vacuous
    expect(results.some((r) => r.properties.some((p) => p.status === 'vacuous'))).toBe(true);
    expect(results.some((r) => Array.isArray(r.expect?.vacuous))).toBe(true);
  });

  test('rejects a result whose verdict is not one of safe, unsafe, inconclusive', () => {
    const [r] = check(join(ROOT, 'scenarios/incidents/07-intel-kbs-before-cms.yaml'));
    const set = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: '0' }, command: '', partial: false, results: [{ ...r, verdict: 'fine' }] };
    expect(validate(JSON.parse(JSON.stringify(set)))).toBe(false);
    expect(validate.errors!.some((e) => e.instancePath === '/results/0/verdict')).toBe(true);
  });
});
