// The command line as a person meets it (issue 13, items 1 and 6-8): the closing line says
// verdicts and expectations apart, colour only on a terminal or when asked, --help with
// examples, exit codes and docs, every schema problem of a file at once with the name it is
// likely a typo of, and a diff comment that links the report and reproduces outside CI.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMAND_HELP } from '../sim/cli/help.js';
import { colourEnabled } from '../sim/cli/colour.js';
import { editDistance, nearestName } from '../model/scenario/nearest.js';
import { ROOT, rollsafe } from './helpers.js';
import { tempDir } from './helpers/corpus.js';

const ROTATION = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';
const ESC = '\x1b[';

describe('verdict and expectation apart (13.1)', () => {
  test('an unsafe scenario that expects unsafe closes with "1 unsafe (as expected)", exit 0', () => {
    const r = rollsafe(['check', ROTATION]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 unsafe (as expected)');
    expect(r.stdout).not.toContain('passed');
  });

  test('a safe run of a scenario that expects unsafe says NOT as expected, exit 1', () => {
    const dir = tempDir('cli-unmet');
    const file = join(dir, 'expects-unsafe.yaml');
    const src = readFileSync(join(ROOT, 'scenarios/incidents/07-safe-tier-order.yaml'), 'utf8');
    writeFileSync(file, src.replace(/expect:[\s\S]*$/, 'expect:\n  verdict: unsafe\n  fires: [upgrade-order]\n'));
    const r = rollsafe(['check', file]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 safe (NOT as expected)');
  });
});

describe('colour (13.6)', () => {
  test('piped, as CI runs it: no escape codes at all', () => {
    const r = rollsafe(['check', ROTATION]);
    expect(r.stdout).not.toContain(ESC);
  });

  test('FORCE_COLOR=1: ok green, unsafe red, the closing line coloured alike', () => {
    const r = rollsafe(['check', ROTATION], ROOT, { FORCE_COLOR: '1' });
    expect(r.stdout.startsWith(`\n${ESC}32mok  ${ESC}39m ${ROTATION} (bao-kms-provider-upgrade-during-rotation)\n     ${ESC}31munsafe${ESC}39m (expected unsafe: no-unknown-key-id-decrypt)`)).toBe(true);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`1 ${ESC}31munsafe${ESC}39m (as expected)`);
  });

  test('FORCE_COLOR=1: FAIL bold red, inconclusive yellow, the table padded as without colour', () => {
    const r = rollsafe(['check', 'scenarios/bao-kms-provider/upgrade.yaml', 'scenarios/incidents/07-safe-tier-order.yaml', '--max-depth', '3'], ROOT, { FORCE_COLOR: '1' });
    expect(r.code).toBe(1);
    const row = r.stdout.split('\n').find((l) => l.includes('bao-kms-provider/upgrade.yaml'))!;
    expect(row.startsWith(`${ESC}1m${ESC}31mFAIL${ESC}39m${ESC}22m  scenarios/bao-kms-provider/upgrade.yaml`)).toBe(true);
    expect(row).toContain(`${ESC}33minconclusive${ESC}39m`);
    // without the codes the row is what a plain run prints (but for the time it took)
    const plain = rollsafe(['check', 'scenarios/bao-kms-provider/upgrade.yaml', 'scenarios/incidents/07-safe-tier-order.yaml', '--max-depth', '3']);
    const untimed = (l: string) => l.replace(/ +[\d.]+ s$/, '');
    expect(untimed(row.replace(/\x1b\[\d+m/g, ''))).toBe(untimed(plain.stdout.split('\n').find((l) => l.includes('bao-kms-provider/upgrade.yaml'))!));
  });

  test('NO_COLOR turns it off; FORCE_COLOR wins over it, as in Node; a terminal gets colour unless TERM=dumb', () => {
    expect(rollsafe(['check', ROTATION], ROOT, { NO_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(rollsafe(['check', ROTATION], ROOT, { NO_COLOR: '1', FORCE_COLOR: '1' }).stdout).toContain(ESC);
    expect(rollsafe(['check', ROTATION], ROOT, { FORCE_COLOR: '0' }).stdout).not.toContain(ESC);
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true); // set but empty: ignored (no-color.org)
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: 'true' })).toBe(true);
  });
});

describe('check --json says where it wrote (13.6)', () => {
  test('the file, and how to replay a violation from it', () => {
    const out = join(tempDir('cli-json'), 'r.json');
    const r = rollsafe(['check', ROTATION, '--json', out]);
    expect(r.stdout).toContain(`\nresults written to ${out}; replay a violation with: rollsafe replay ${out} --violation 1\n`);
    expect(existsSync(out)).toBe(true);
  });
});

describe('--help (13.6)', () => {
  const commands = Object.keys(COMMAND_HELP);
  test('every command has examples, exit codes and a docs link to a section that exists', () => {
    expect(commands.sort()).toEqual(['chaos', 'check', 'diff', 'fuzz', 'graph', 'init', 'merge', 'replay', 'report', 'serve', 'suggest']);
    for (const c of commands) {
      const r = rollsafe([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain(`\nExamples:\n  $ rollsafe ${c} `);
      expect(r.stdout, c).toMatch(/\nExit codes:\n  0 +\S/);
      const [file, section] = COMMAND_HELP[c].docs;
      expect(r.stdout, c).toContain(`\nDocs: ${join(ROOT, file)} ("${section}")`);
      // the section named is a heading of that file
      expect(readFileSync(join(ROOT, file), 'utf8'), `${c}: ${file}`).toMatch(new RegExp(`^#+ ${section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    expect(rollsafe(['check', '--help']).stdout).toContain('  2        bad input or usage: the message names the file, line:column and the fix');
  });
});

describe('scenario errors (13.7)', () => {
  test('every schema problem of a file in one run, each at file:line:col with the name it is likely a typo of', () => {
    const path = 'test/fixtures/bad/three-typos.yaml';
    const r = rollsafe(['check', path, '--json', join(tempDir('typos'), 'never.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        `rollsafe: ${path}:49:3: unknown key 'maintenence-window' in runbook`,
        "  fix: did you mean 'maintenance-window'?",
        `rollsafe: ${path}:59:25: unknown step 'stpo' in runbook.upgrade.each-node[1]`,
        "  fix: did you mean 'stop'?",
        `rollsafe: ${path}:66:9: unknown rollback guard 'previous-reads-aad-shape' in runbook.rollback.guards[1]`,
        "  fix: did you mean 'previous-reads-aad-shapes'?",
        `rollsafe: 3 problems in ${path}`,
        '',
      ].join('\n'),
    );
  });

  test('a name nothing is close to still gets the list', () => {
    const r = rollsafe(['check', 'test/fixtures/bad/unknown-step.yaml']);
    expect(r.stderr).toContain("unknown step 'swap-binary' in runbook.upgrade.each-node[2]\n  fix: use one of: doctor, stop, replace-image,");
  });

  test('a release named in the runbook that the file does not declare: the declared one it is likely a typo of', () => {
    const src = readFileSync(join(ROOT, 'scenarios/bao-kms-provider/upgrade.yaml'), 'utf8');
    const file = join(tempDir('release-typo'), 'to.yaml');
    writeFileSync(file, src.replace('    to: v0.5.0', '    to: v0.5.1'));
    const r = rollsafe(['check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/to\.yaml:\d+:9: upgrade\.to 'v0\.5\.1' is not a release of 'control-plane'\n  fix: did you mean 'v0\.5\.0'\?\n$/);
  });

  test('a missing file says no such file, with no line and column', () => {
    for (const args of [['check', 'nope.yaml'], ['diff', 'nope.yaml', ROTATION], ['report', 'nope.json'], ['replay', 'nope.json'], ['merge', 'nope.json', '--json', join(tempDir('m'), 'm.json')]]) {
      const r = rollsafe(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^rollsafe: nope\.(yaml|json): no such file[ ;]/);
      expect(r.stderr, args.join(' ')).not.toMatch(/nope\.(yaml|json):\d/);
    }
  });

  test('the nearest name: a swap of two letters is one edit; nothing near, or two equally near, is no suggestion', () => {
    expect(editDistance('stpo', 'stop')).toBe(1);
    expect(nearestName('stpo', ['doctor', 'stop', 'start', 'replace-image'])).toBe('stop');
    expect(nearestName('swap-binary', ['doctor', 'stop', 'start', 'replace-image'])).toBeNull();
    expect(nearestName('v1', ['v0', 'v2'])).toBeNull();
  });
});

describe('the diff comment (13.8)', () => {
  const head = 'scenarios/bao-kms-provider/broken-no-key-id-check.yaml';
  const rev = () => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();

  test('reads the base as REV:PATH with git, links the report, marks steps that change nothing, and reproduces without the CI\'s files', () => {
    const sha = rev();
    const md = join(tempDir('diff-md'), 'comment.md');
    const r = rollsafe(['diff', `${sha}:scenarios/bao-kms-provider/upgrade.yaml`, head, '--markdown', md, '--report-url', 'https://ci.example/runs/42']);
    expect(r.code).toBe(1);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain(`| base | \`${sha}:scenarios/bao-kms-provider/upgrade.yaml\` | safe`);
    expect(text).toContain('\n[Full report](https://ci.example/runs/42): each violation as a timeline, coverage, where rollback stops being safe.\n');
    expect(text).toContain("  6. operator    replace-image: runbook at rolling-back: control-plane-1: doctor  <- changes nothing but the runbook's place\n");
    expect(text).toContain('  3. operator    stop: control-plane-1: running -> stopped\n');
    const reproduce = `rollsafe diff ${sha}:scenarios/bao-kms-provider/upgrade.yaml ${head}`;
    expect(text).toContain(`<sub>Reproduce: \`${reproduce}\`</sub>`);
    // and it does reproduce, from a folder that holds none of the workflow's files
    const again = rollsafe(reproduce.split(' ').slice(1));
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('FAIL the change makes 1 unsafe state newly reachable');
  });

  test('a base git cannot show, and a report address that is not one, are bad input: exit 2 before any search', () => {
    const bad = rollsafe(['diff', 'no-such-rev:scenarios/bao-kms-provider/upgrade.yaml', head]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rollsafe: no-such-rev:scenarios\/bao-kms-provider\/upgrade\.yaml: no such file, and git cannot show it: .*\n  fix: pass a scenario file, or REV:PATH of one in this git repository/);
    const url = rollsafe(['diff', 'scenarios/bao-kms-provider/upgrade.yaml', head, '--report-url', 'javascript:alert(1)']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("rollsafe: --report-url: 'javascript:alert(1)' is not an http(s) address");
    expect(url.stdout).toBe('');
  });
});
