// The system's keyrings: one (keyring:) or several (keyrings:), with their versions, minimums
// and trimming, each checked against the others' numbers with its place in the file.
import type { Keyring } from '../types.js';
import type { ParsedScenario, Path } from './parse.js';

// the schema-valid YAML data, as compile.ts reads it
/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

export function compileKeyrings(p: ParsedScenario, sys: Raw, keyringPath: (i: number) => Path): Keyring[] {
  if ((sys.keyring === undefined) === (sys.keyrings === undefined)) {
    p.fail(['system'], sys.keyring === undefined ? 'the system declares no keyring' : 'the system declares both keyring and keyrings', "give one keyring as 'keyring: {...}', or several as 'keyrings: [...]'", false);
  }
  return ((sys.keyrings ?? [sys.keyring]) as Raw[]).map((kr, i) => {
    const path = keyringPath(i);
    const latest = kr.latest ?? 1;
    const k: Keyring = {
      name: kr.name,
      latest,
      maxVersion: kr['max-version'] ?? latest,
      minDecryption: kr['min-decryption-version'] ?? 1,
      minAvailable: kr['min-available-version'] ?? 1,
      distribution: kr.distribution ?? 'central',
      stagedKeys: kr['staged-keys'] ?? false,
      rotationInProgress: kr['rotation-in-progress'] ?? false,
      keepVersions: kr['keep-versions'] ?? 0,
      deletionWaitDays: kr['deletion-wait-days'] ?? 0,
      disabled: kr['disabled-versions'] ?? [],
    };
    if (k.maxVersion < latest) p.fail([...path, 'max-version'], `max-version ${k.maxVersion} is below latest ${latest}`, `set max-version to at least ${latest}`);
    for (const [key, v] of [['min-decryption-version', k.minDecryption], ['min-available-version', k.minAvailable]] as const) {
      if (v > latest) p.fail([...path, key], `${key} ${v} is above latest ${latest}: no version could decrypt anything`, `lower it to at most ${latest}`);
    }
    if (k.keepVersions > k.maxVersion) p.fail([...path, 'keep-versions'], `keep-versions ${k.keepVersions} is above max-version ${k.maxVersion}, so it never trims anything`, `lower it, or remove keep-versions`);
    k.disabled.forEach((v, j) => {
      if (v > latest) p.fail([...path, 'disabled-versions', j], `disabled version ${v} is above latest ${latest}`, `list versions from 1 to ${latest}`);
    });
    return k;
  });
}
