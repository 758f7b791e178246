// docs/result.schema.json describes what --json really writes: validate real output with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { ACTORS } from '../model/model.js';
import { PROPERTIES } from '../model/properties.js';
import { HARMS } from '../model/properties-common.js';
import { BACKUP_SCOPES, GUARD_NAMES } from '../model/types.js';
import { BACKEND_STATES, PHASE_NAMES, STATUS_NAMES } from '../model/world.js';
import { check } from '../sim/check.js';
import { EDIT_KINDS, ENGINES, PROPERTY_STATUSES, RESULT_SET_SCHEMA, ROLLBACK_OUTCOMES, SUGGESTION_CLASSES, VERDICTS, type ResultSet } from '../sim/results/result.js';
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

  test('accepts the results of fingerprint searches, and only with the fingerprint caveat as documented', () => {
    const results = check([join(ROOT, 'scenarios/bao-kms-provider/upgrade.yaml'), join(ROOT, 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml')], { fingerprints: true });
    const set = (rs: unknown[]) => JSON.parse(JSON.stringify({ schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: '0' }, command: 'rollsafe check --fingerprints', partial: false, results: rs }));
    expect(validate(set(results))).toBe(true);
    expect(results.map((r) => [r.verdict, r.options.fingerprints, r.fingerprints?.bits])).toEqual([
      ['inconclusive', true, 64],
      ['unsafe', true, 64],
    ]);
    const [r] = results;
    for (const bad of [{ bits: 32 }, { collisionProbability: 1.5 }, { collisionProbability: -1 }, { notChecked: 'runbook-terminates' }, { extra: 1 }]) {
      expect(validate(set([{ ...r, fingerprints: { ...r.fingerprints, ...bad } }]))).toBe(false);
      expect(validate.errors!.some((e) => e.instancePath.startsWith('/results/0/fingerprints'))).toBe(true);
    }
    expect(validate(set([{ ...r, options: { ...r.options, fingerprints: 'yes' } }]))).toBe(false);
  });

  test('rejects a result whose verdict is not one of safe, unsafe, inconclusive', () => {
    const [r] = check(join(ROOT, 'scenarios/incidents/07-intel-kbs-before-cms.yaml'));
    const set = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: '0' }, command: '', partial: false, results: [{ ...r, verdict: 'fine' }] };
    expect(validate(JSON.parse(JSON.stringify(set)))).toBe(false);
    expect(validate.errors!.some((e) => e.instancePath === '/results/0/verdict')).toBe(true);
  });

  // Every enum in the schema, by where it is, and the list in the code it must equal: a value
  // added to the model (a phase, a property category) fails here until the schema has it, and
  // an enum added to the schema fails until it is listed here.
  test('has exactly the enums of the model and result lists, each where the code says', () => {
    const kinds = [...new Set(PROPERTIES.map((p) => p.kind))];
    const categories = [...new Set(PROPERTIES.map((p) => p.category))];
    const expected: Record<string, readonly unknown[]> = {
      '#/definitions/result/properties/engine': ENGINES,
      '#/definitions/result/properties/verdict': VERDICTS,
      '#/definitions/result/properties/pointOfNoReturn/items/properties/rollback': ROLLBACK_OUTCOMES,
      '#/definitions/result/properties/pointOfNoReturn/items/properties/refusedStates/items/properties/guard': GUARD_NAMES,
      '#/definitions/result/properties/properties/items/properties/kind': kinds,
      '#/definitions/result/properties/properties/items/properties/category': categories,
      '#/definitions/result/properties/properties/items/properties/status': PROPERTY_STATUSES,
      '#/definitions/result/properties/expect/oneOf/1/properties/verdict': VERDICTS.filter((v) => v !== 'inconclusive'),
      '#/definitions/violation/properties/category': categories,
      '#/definitions/violation/properties/harm': HARMS,
      '#/definitions/world/properties/phase': PHASE_NAMES,
      '#/definitions/world/properties/backend': BACKEND_STATES,
      '#/definitions/world/properties/backup/oneOf/1/properties/scope': BACKUP_SCOPES,
      '#/definitions/event/properties/actor': ACTORS,
      '#/definitions/node/properties/status': STATUS_NAMES,
      '#/definitions/position/properties/phase': PHASE_NAMES,
      '#/definitions/result/properties/runbook/properties/phases/items/properties/name': PHASE_NAMES,
      '#/definitions/suggestion/properties/class': SUGGESTION_CLASSES,
      '#/definitions/suggestion/properties/edits/items/properties/kind': EDIT_KINDS,
      '#/definitions/suggestSearch/properties/catalog/propertyNames': EDIT_KINDS,
    };
    const found: Record<string, unknown[]> = {};
    const walk = (o: unknown, at: string): void => {
      if (Array.isArray(o)) o.forEach((x, i) => walk(x, `${at}/${i}`));
      else if (o && typeof o === 'object') {
        for (const [k, v] of Object.entries(o)) {
          if (k === 'enum') found[at] = v as unknown[];
          else walk(v, `${at}/${k}`);
        }
      }
    };
    walk(schema, '#');
    // as sets: the model has no canonical order for the kinds and categories PROPERTIES uses
    const sorted = (m: Record<string, readonly unknown[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v].map(String).sort()]));
    expect(sorted(found)).toEqual(sorted(expected));
  });

  // Shapes are defined once and referenced: a second copy of an object shape is how the four
  // copies of violation, trace step and world drifted into 3,043 lines.
  test('defines each object shape once', () => {
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    const walk = (o: unknown, at: string): void => {
      if (Array.isArray(o)) return o.forEach((x, i) => walk(x, `${at}/${i}`));
      if (!o || typeof o !== 'object') return;
      if ('properties' in o) {
        const key = JSON.stringify(o);
        if (seen.has(key)) dupes.push(`${at} repeats ${seen.get(key)}`);
        else seen.set(key, at);
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
    };
    walk(schema, '#');
    expect(dupes).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
  });
});

