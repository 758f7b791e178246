// `rollsafe diff REV:PATH head.yaml`: the base read from git, as `git show REV:PATH` prints it,
// so a comparison (and the command a pull-request comment gives to repeat it) needs no copy of
// the old file on disk. Only when no file of that name exists.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ScenarioError } from '../../model/scenario/load.js';
import { firstInvalidUtf8 } from '../../model/scenario/load.js';
import { MAX_SCENARIO_CHARS } from '../../model/scenario/yaml-text.js';

const FIX = 'pass a scenario file, or REV:PATH of one in this git repository (e.g. main:runbooks/upgrade.yaml, as `git show` takes it)';

// The text of a scenario given as REV:PATH, or null when `spec` is a file (or names none).
export function readGitScenario(spec: string): string | null {
  if (existsSync(spec)) return null;
  const m = /^([^:\s]+):(.+)$/.exec(spec);
  if (!m) return null;
  let bytes: Buffer;
  try {
    bytes = execFileSync('git', ['show', '--no-textconv', `${m[1]}:${m[2]}`], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: MAX_SCENARIO_CHARS * 4 + 1 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new ScenarioError(spec, 0, 0, 'no such file, and git is not installed to read it as REV:PATH', FIX);
    if (err.code === 'ENOBUFS') throw new ScenarioError(spec, 0, 0, `larger than a scenario may be (${MAX_SCENARIO_CHARS.toLocaleString('en-US')} characters)`, 'pass the scenario file itself, not a data file');
    const why = (err.stderr?.toString('utf8') ?? '').split('\n').find((l) => l.trim()) ?? err.message;
    throw new ScenarioError(spec, 0, 0, `no such file, and git cannot show it: ${why.replace(/^fatal: /, '').slice(0, 300)}`, FIX);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) throw new ScenarioError(spec, 0, 0, `not UTF-8 text: byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${bad}`, 'save the file as UTF-8');
  return bytes.toString('utf8');
}
