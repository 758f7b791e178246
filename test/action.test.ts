// The GitHub Action and the example workflow: both pass @action-validator/cli, the example
// uses only inputs the action has, and the action's script runs as documented against a real
// git repository (a pull request, a push, a sharded campaign and its merge), with a stand-in
// for the gh CLI that records what it was asked.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from './helpers.js';

const OUT = join(ROOT, 'test-output/action');
const VALIDATOR = join(ROOT, 'node_modules/.bin/action-validator');
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
const exampleText = readFileSync(join(ROOT, 'docs/examples/github-actions.yml'), 'utf8');
const example = parse(exampleText);

describe('action.yml and the example workflow', () => {
  test.each(['action.yml', 'docs/examples/github-actions.yml'])('%s passes action-validator', (file) => {
    const r = spawnSync(VALIDATOR, [file], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).not.toContain('"errors"');
    expect(r.status).toBe(0);
  });

  test('the example uses the action, with inputs it has, and names the runbook folder once', () => {
    const inputs = action.inputs as Record<string, { required?: boolean }>;
    const uses = Object.values(example.jobs as Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>)
      .flatMap((j) => j.steps)
      .filter((s) => /\/rollsafe@/.test(s.uses ?? ''));
    expect(uses.map((s) => s.with?.engine)).toEqual(['explore', 'chaos', 'merge']);
    for (const s of uses) {
      for (const k of Object.keys(s.with ?? {})) expect(Object.keys(inputs)).toContain(k);
      for (const [k, v] of Object.entries(inputs)) if (v.required) expect(s.with).toHaveProperty(k);
    }
    // no registry install, no lockfile needed, no paths filter repeating the folder
    expect(exampleText).not.toMatch(/npx rollsafe|npm ci|cache: npm|--edit-last/);
    expect(example.on.pull_request ?? {}).not.toHaveProperty('paths');
    expect(exampleText.match(/\brunbooks\b/g)).toHaveLength(1);
  });

  test('every input reaches the script', () => {
    const run = (action.runs.steps as { id?: string; env?: Record<string, string> }[]).find((s) => s.id === 'run')!;
    const script = readFileSync(join(ROOT, 'action/run.sh'), 'utf8');
    for (const name of Object.keys(action.inputs)) {
      if (name === 'node-version' || name === 'github-token') continue; // used by the steps around it
      const env = `INPUT_${name.toUpperCase()}`;
      expect(run.env![env]).toBe(`\${{ inputs.${name} }}`);
      expect(script).toContain(env);
    }
  });
});

// A runbook repository: base commit with runbooks/bao.yaml safe, head commit that drops its
// key_id checks and adds a new runbook; a file outside runbooks/ changes too.
function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}
const REPO = join(OUT, 'repo');
const BIN = join(OUT, 'bin');
let base = '';
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(REPO, 'runbooks'), { recursive: true });
  mkdirSync(BIN, { recursive: true });
  const corpus = (f: string) => readFileSync(join(ROOT, 'scenarios', f), 'utf8');
  git(REPO, 'init', '-q', '-b', 'main');
  writeFileSync(join(REPO, 'runbooks/bao.yaml'), corpus('bao-kms-provider/upgrade.yaml'));
  writeFileSync(join(REPO, 'README.md'), 'runbooks\n');
  git(REPO, 'add', '.');
  git(REPO, 'commit', '-qm', 'base');
  base = git(REPO, 'rev-parse', 'HEAD');
  writeFileSync(join(REPO, 'runbooks/bao.yaml'), corpus('bao-kms-provider/broken-no-key-id-check.yaml').replace(/\nexpect:[\s\S]*$/, '\n'));
  writeFileSync(join(REPO, 'runbooks/rotate.yaml'), corpus('keys/01-safe-rotate-key.yaml'));
  writeFileSync(join(REPO, 'README.md'), 'runbooks, changed\n');
  git(REPO, 'add', '.');
  git(REPO, 'commit', '-qm', 'head');
  // gh: logs its arguments; lists one earlier rollsafe comment when EXISTING is set
  writeFileSync(join(BIN, 'gh'), `#!/usr/bin/env bash\necho "$*" >> "$GH_LOG"\ncase "$*" in *--jq*) [ -n "\${EXISTING:-}" ] && echo "$EXISTING";; esac\nexit 0\n`);
  chmodSync(join(BIN, 'gh'), 0o755);
});

function runAction(name: string, env: Record<string, string>) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GH_LOG: join(dir, 'gh.log') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const r = spawnSync('bash', [join(ROOT, 'action/run.sh')], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: `${BIN}:${process.env.PATH}`, HOME: process.env.HOME ?? '/tmp', ROLLSAFE_HOME: ROOT, GITHUB_REPOSITORY: 'acme/runbooks', GITHUB_WORKFLOW: 'rollsafe', INPUT_SCENARIOS: 'runbooks', INPUT_OUTPUT: `../${name}/out`, ...files, ...env },
  });
  const outputs = Object.fromEntries(readFileSync(files.GITHUB_OUTPUT, 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), gh: readFileSync(files.GH_LOG, 'utf8').trim().split('\n').filter(Boolean), out: join(dir, 'out') };
}

describe('action/run.sh, as the action runs it', () => {
  const pr = { INPUT_ENGINE: 'explore', BASE_SHA: '', PR_NUMBER: '7', HEAD_REPO: 'acme/runbooks' };

  test('a pull request: each changed runbook against its base, one comment found by its marker and updated', () => {
    const r = runAction('pr', { ...pr, BASE_SHA: base, EXISTING: '555' });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ status: '1', sarif: '../pr/out/sarif' });
    expect(readdirSync(join(r.out, 'sarif')).sort()).toEqual(['diff-1.sarif', 'new.sarif']);
    const sarif = JSON.parse(readFileSync(join(r.out, 'sarif/diff-1.sarif'), 'utf8'));
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: 'key-id-agreement', baselineState: 'new', level: 'error' });
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('runbooks/bao.yaml');
    expect(r.summary).toMatch(/^### rollsafe explore: ❌ unsafe or inconclusive\n/);
    expect(r.summary).toContain('#### `runbooks/bao.yaml`');
    expect(r.summary).toContain('### ❌ rollsafe:');
    expect(r.summary).toMatch(/#### New: runbooks\/rotate\.yaml\n\n```text\n\nok {3}runbooks\/rotate\.yaml/);
    const body = readFileSync(join(r.out, 'comment-body.md'), 'utf8');
    expect(body.split('\n')[0]).toBe('<!-- rollsafe-comment: rollsafe-runbooks -->');
    expect(r.gh).toEqual([
      'api --paginate repos/acme/runbooks/issues/7/comments --jq .[] | select(.body | startswith("<!-- rollsafe-comment: rollsafe-runbooks -->")) | .id',
      `api --method PATCH repos/acme/runbooks/issues/comments/555 -F body=@../pr/out/comment-body.md`,
    ]);
  });

  test('no earlier comment: one is posted; a fork: none; nothing changed: nothing to do', () => {
    const fresh = runAction('pr-new', { ...pr, BASE_SHA: base });
    expect(fresh.gh[1]).toBe('api --method POST repos/acme/runbooks/issues/7/comments -F body=@../pr-new/out/comment-body.md');
    const fork = runAction('pr-fork', { ...pr, BASE_SHA: base, HEAD_REPO: 'someone/runbooks' });
    expect(fork.gh).toEqual([]);
    expect(fork.code).toBe(1);
    const head = git(REPO, 'rev-parse', 'HEAD');
    const none = runAction('pr-none', { ...pr, BASE_SHA: head });
    expect(none.code).toBe(0);
    expect(none.outputs).toMatchObject({ status: '0', sarif: '' });
    expect(none.summary).toBe('### rollsafe explore: no runbook changed under `runbooks`\n');
  });

  test('a push checks every runbook; fail: false keeps the step green', () => {
    const r = runAction('push', { INPUT_ENGINE: 'explore', INPUT_FAIL: 'false' });
    expect(r.code).toBe(0);
    // bao.yaml lost its expect block and is unsafe: check says so
    expect(r.outputs).toMatchObject({ status: '1', sarif: '../push/out/rollsafe.sarif', json: '../push/out/rollsafe.json', junit: '../push/out/rollsafe.xml' });
    expect(r.summary).toMatch(/^### rollsafe explore: ❌ unsafe or inconclusive\n\n```text\n/);
    expect(r.summary).toMatch(/FAIL\s+runbooks\/bao\.yaml/);
    expect(readFileSync(join(r.out, 'rollsafe.xml'), 'utf8')).toContain('file="runbooks/bao.yaml"');
  });

  test('a sharded chaos campaign, then merge: JUnit, SARIF and the report', () => {
    for (const shard of ['1', '2']) {
      const r = runAction('chaos', { INPUT_ENGINE: 'chaos', INPUT_SHARD: shard, INPUT_SHARDS: '2', INPUT_SEED: '42', INPUT_ARGS: '--runs 400' });
      expect(r.outputs.json).toBe(`../chaos/out/chaos-${shard}.json`);
      expect(JSON.parse(readFileSync(join(r.out, `chaos-${shard}.json`), 'utf8')).results[0].options.shard).toBe(`${shard}/2`);
    }
    const m = runAction('merge', { INPUT_ENGINE: 'merge', INPUT_RESULTS: '../chaos/out/chaos-*.json' });
    expect(m.outputs.report).toBe('../merge/out/rollsafe-report.html');
    expect(existsSync(join(m.out, 'rollsafe-report.html'))).toBe(true);
    expect(m.summary).toContain('merged 2 files into');
    const sarif = JSON.parse(readFileSync(join(m.out, 'rollsafe.sarif'), 'utf8'));
    expect(sarif.runs[0].automationDetails.id).toBe('rollsafe/merge/');
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toContain('key-id-agreement');
    expect(readFileSync(join(m.out, 'rollsafe.xml'), 'utf8')).toContain('file="runbooks/bao.yaml"');
  });

  test('an unknown engine is refused: exit 2', () => {
    const r = runAction('bad', { INPUT_ENGINE: 'exhaustive' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('engine must be one of: explore, chaos, fuzz, merge');
  });
});
