// YAML the parser rejects, or accepts into values no scenario means, and paths that are not a
// scenario file: each is an input error (exit 2) at file:line:column with a fix, never an
// exception out of the loader (exit 3 with a stack).
import { describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { rollsafe } from './helpers.js';

function refusal(text: string): { at: string; problem: string; fix: string } {
  try {
    loadScenarioText(text, 'y.yaml');
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { at: `${e.line}:${e.column}`, problem: e.problem, fix: e.fix };
  }
  throw new Error('expected a ScenarioError');
}

describe('YAML that yaml rejects by throwing, or reads into no scenario value', () => {
  test('an alias with no anchor', () => {
    expect(refusal('scenario: x\ntitle: *nowhere\n')).toEqual({ at: '2:8', problem: 'the alias *nowhere names no anchor set before it', fix: 'put &nowhere on a value above this line, or write the value out here' });
  });

  test('an anchor used by more than 100 aliases', () => {
    const r = refusal(`scenario: &a x\ntitle: [${Array(101).fill('*a').join(', ')}]\n`);
    expect(r.at).toBe(`2:${9 + 100 * 4}`);
    expect(r.problem).toBe('the anchor &a is used by more than 100 aliases');
  });

  test('aliases inside anchored values that multiply past the guard', () => {
    const text = 'scenario: x\na: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n';
    expect(refusal(text)).toMatchObject({ at: '3:8', problem: 'the aliases in this file expand to too many values (aliases inside anchored values multiply)' });
  });

  test('flow collections nested deep enough to overflow a recursive parser', () => {
    expect(refusal(`scenario: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`).problem).toBe('the YAML nests deeper than 32 levels here');
    expect(refusal(`scenario: ${'['.repeat(40)}${']'.repeat(40)}\n`)).toMatchObject({ at: '1:43', problem: 'the YAML nests deeper than 32 levels here' });
  });

  test('a second document', () => {
    expect(refusal('scenario: a\n---\nscenario: b\n')).toMatchObject({ at: '2:1', problem: "the file holds more than one YAML document (a second '---' line)" });
  });

  test('a tab as indentation', () => {
    expect(refusal('system:\n\twire-formats: [a]\n')).toEqual({ at: '2:1', problem: 'YAML syntax error: a tab indents this line', fix: 'indent with spaces; YAML does not allow tabs for indentation' });
  });

  test('an empty file, a file of comments, a list', () => {
    expect(refusal('').problem).toBe('the file holds no scenario (it is empty, or only comments)');
    expect(refusal('# nothing\n').problem).toBe('the file holds no scenario (it is empty, or only comments)');
    expect(refusal('- a\n').problem).toBe('a scenario must be a YAML mapping (scenario:, system:, runbook:, ...), not a list');
    expect(refusal('"just text"\n').problem).toBe('a scenario must be a YAML mapping (scenario:, system:, runbook:, ...), not "just text"');
  });

  test('control characters, raw or from a 1.1-style escape, are refused at their place', () => {
    expect(refusal('scenario: a\u0007b\n')).toEqual({ at: '1:12', problem: 'the file contains the character U+0007, which YAML does not allow (a control character, or a lone surrogate)', fix: 'remove it; inside a double-quoted string it can be written as an escape (\\u0007)' });
    expect(refusal('scenario: x\ntitle: \u0000\n').at).toBe('2:8');
  });

  test('tags that build a Set, a Date or bytes', () => {
    expect(refusal('scenario: !!set { a }\n')).toMatchObject({ at: '1:17', problem: 'the YAML tag "tag:yaml.org,2002:set" is not used in scenarios' });
    expect(refusal('scenario: x\ntitle: !!timestamp 2001-01-01\n').problem).toBe('the YAML tag "tag:yaml.org,2002:timestamp" is not used in scenarios');
    expect(refusal('scenario: !custom x\n').problem).toBe('the YAML tag "!custom" is not used in scenarios');
  });

  test('a %YAML 1.1 directive does not turn yes into true or 1:30 into 90', () => {
    expect(refusal('%YAML 1.1\n---\nscenario: yes\ntitle: 1:30\nfollows: 3\n').problem).toBe('follows must be string');
  });

  test('a merge key', () => {
    const r = refusal('scenario: x\nsystem:\n  <<: { wire-formats: [a] }\n');
    expect(r).toEqual({ at: '3:3', problem: 'a YAML merge key (<<) in system: scenarios are read as YAML 1.2, which has no merge keys', fix: 'write the keys out (an alias *name can repeat a whole value, not merge maps)' });
  });

  test('keys that are lists, and keys that load as one', () => {
    expect(refusal('scenario: x\n? [a, b]\n: 1\n')).toMatchObject({ at: '2:3', problem: 'a key of this mapping is a list or a map' });
    expect(refusal('scenario: x\n1: a\n"1": b\n')).toMatchObject({ at: '3:1', problem: 'the key "1" appears twice in this mapping' });
  });

  test('keys that are bytes, lists inside flow lists, or aliases of lists', () => {
    expect(refusal('scenario: x\nclock: { !!binary aGk=: 1 }\n')).toMatchObject({ at: '2:19', problem: 'the YAML tag "tag:yaml.org,2002:binary" is not used in scenarios' });
    expect(refusal('scenario: x\ntitle: [[1]: 2]\n')).toMatchObject({ at: '2:9', problem: 'a key of this mapping is a list or a map' });
    expect(refusal('scenario: x\na: &k [1]\nb: { ? *k : 1 }\n')).toMatchObject({ at: '3:8', problem: 'the key *k is an alias of a list or a map' });
  });

  test('a key of a map keyed by names that is not a name is named, at its place', () => {
    expect(refusal('scenario: x\nsystem:\n  key-id-schemes: { "a\\u0007b": key-material }\n')).toEqual({ at: '3:21', problem: 'the key "a\\u0007b" in system.key-id-schemes is not a name', fix: 'use letters, digits and . _ + - (at most 128 characters), the name of what it refers to' });
  });

  test('a flow list of 300,000 items is walked without overflowing the stack', () => {
    expect(refusal(`scenario: x\ntitle: [${Array(300_000).fill('1').join(',')}]\n`)).toMatchObject({ at: '2:8', problem: 'title must be string' });
  });

  test('a file over a megabyte', () => {
    expect(refusal(`scenario: x\ntitle: ${'a'.repeat(1_100_000)}\n`)).toMatchObject({ at: '1:1', problem: 'the file has 1,100,020 characters; a scenario has at most 1,048,576' });
  });

  test('an unknown key or value is echoed quoted, control characters visible and cut short', () => {
    expect(refusal(`scenario: x\n"k\\u001b[31m${'z'.repeat(900)}": 1\n`).problem).toBe('unknown key "k\\u001b[31mzzzzzzzzzzzzzzzzzzzzzzzzzzzz… (913 characters) in the top level');
  });
});

describe('paths that are not a scenario file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-paths-'));
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('scenario: x\ntitle: caf\xe9\n', 'latin1'));
  mkdirSync(join(dir, 'empty'));

  const check = (path: string) => {
    const r = rollsafe(['check', path]);
    return { code: r.code, err: r.stderr.split('\n').slice(0, 2).join('\n'), out: r.stdout };
  };

  test('a device, a path through a file, a missing file, an empty folder, bytes that are not UTF-8', () => {
    expect(check('/dev/null')).toEqual({ code: 2, out: '', err: 'rollsafe: /dev/null: is not a regular file or folder (a device, a pipe or a socket)\n  fix: pass a scenario file (.yaml) or a folder of them' });
    expect(check('README.md/upgrade.yaml')).toEqual({ code: 2, out: '', err: 'rollsafe: README.md/upgrade.yaml: no such file or folder: a part of the path is a file, not a folder\n  fix: check the path: pass a scenario file (.yaml) or a folder of them' });
    expect(check('no-such.yaml')).toEqual({ code: 2, out: '', err: 'rollsafe: no-such.yaml: no such file or folder\n  fix: check the path: pass a scenario file (.yaml) or a folder of them' });
    expect(check(join(dir, 'empty')).err).toBe(`rollsafe: ${join(dir, 'empty')}: the folder holds no scenario files (*.yaml)\n  fix: pass a folder that contains scenarios`);
    expect(check(join(dir, 'latin1.yaml')).err).toBe(`rollsafe: ${join(dir, 'latin1.yaml')}:2:11: the file is not UTF-8 text: byte 0xe9 here is not valid UTF-8\n  fix: save the file as UTF-8`);
  });
});
