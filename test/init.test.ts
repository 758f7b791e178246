// rollsafe init: each template writes a commented starter that `rollsafe check` passes, with
// the editor schema line pointing at the schema from where the file is written.
import { mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SCENARIO_SCHEMA_FILE } from '../model/scenario/parse.js';
import { TEMPLATES, starterText } from '../sim/cli/init-command.js';
import { ROOT, rollsafe } from './helpers.js';

const OUT = join(ROOT, 'test-output/init');
const KINDS = Object.keys(TEMPLATES);
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

describe('rollsafe init', () => {
  test('templates/ holds exactly the kinds init offers', () => {
    expect(readdirSync(join(ROOT, 'templates')).map((f) => f.replace(/\.yaml$/, '')).sort()).toEqual([...KINDS].sort());
  });

  test('every template writes a starter that check passes, named after its file', () => {
    for (const kind of KINDS) {
      const r = rollsafe(['init', `test-output/init/deep/${kind}-starter.yaml`, '--template', kind]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`wrote test-output/init/deep/${kind}-starter.yaml (template ${kind}: ${TEMPLATES[kind as keyof typeof TEMPLATES]})\nnext: edit it into your runbook, then run rollsafe check test-output/init/deep/${kind}-starter.yaml\n`);
    }
    const c = rollsafe(['check', 'test-output/init/deep']);
    expect(c.code).toBe(0);
    for (const kind of KINDS) expect(c.stdout).toMatch(new RegExp(`^ok\\s+test-output/init/deep/${kind}-starter\\.yaml\\s+safe\\s+safe\\s+-`, 'm'));
    expect(c.stdout).toContain(`${KINDS.length} safe (as expected)`);
    const text = readFileSync(join(OUT, 'deep/key-rotation-starter.yaml'), 'utf8');
    expect(text).toMatch(/^scenario: key-rotation-starter$/m);
    // commented: it explains itself to the person who edits it
    expect(text.split('\n').filter((l) => /^\s*#|\s#\s/.test(l)).length).toBeGreaterThan(8);
  });

  test('the schema line resolves from where the file is written', () => {
    for (const file of [join(OUT, 'a.yaml'), join(OUT, 'deep/er/b.yaml')]) {
      const line = /^# yaml-language-server: \$schema=(\S+)$/m.exec(starterText('tiered-services', file))![1];
      expect(line).not.toMatch(/^\//);
      expect(realpathSync(resolve(dirname(file), line))).toBe(realpathSync(SCENARIO_SCHEMA_FILE));
    }
  });

  test('the same file and template give the same bytes: no dates, nothing random', () => {
    expect(starterText('appliance-image-upgrade', 'runbooks/x.yaml')).toBe(starterText('appliance-image-upgrade', 'runbooks/x.yaml'));
    expect(starterText('appliance-image-upgrade', 'runbooks/x.yaml')).not.toMatch(/20\d\d-\d\d-\d\d/);
  });

  test('an existing file is kept unless --force; an unknown template lists the valid ones', () => {
    const file = join(OUT, 'mine.yaml');
    writeFileSync(file, 'my runbook\n');
    const refused = rollsafe(['init', 'test-output/init/mine.yaml']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('rollsafe: test-output/init/mine.yaml already exists; pass --force to replace it, or name a new file\n');
    expect(readFileSync(file, 'utf8')).toBe('my runbook\n');
    const forced = rollsafe(['init', 'test-output/init/mine.yaml', '--force', '--template', 'key-rotation']);
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^scenario: mine$/m);
    const bad = rollsafe(['init', 'test-output/init/other.yaml', '--template', 'canary']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--template must be one of: ${KINDS.join(', ')}`);
    const folder = rollsafe(['init', 'test-output/init', '--force']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('test-output/init: it is a folder');
  });

  test('- prints the starter instead', () => {
    const r = rollsafe(['init', '-', '--template', 'expand-contract-database']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# yaml-language-server: \$schema=model\/scenario\/scenario\.schema\.json\n/);
    expect(r.stdout).toMatch(/^scenario: expand-contract-database$/m);
  });
});
