// The whole scenario corpus: every expectation met, each broken variant pinned to the
// properties it fires and the length of each shortest trace, incidents caught in no more
// steps than their published sequence, and no engine code that knows a specific system.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { check, passed } from '../sim/check.js';
import type { RunResult } from '../sim/results/result.js';
import { ROOT } from './helpers.js';

// scenario file -> { property fired: shortest trace length }; {} means safe
const EXPECTED: [string, Record<string, number>][] = [
  ['alibaba-kms/broken-no-backup.yaml', { 'no-unreadable-record': 3 }],
  ['alibaba-kms/broken-rollback-after-window.yaml', { 'supported-path': 18 }],
  ['alibaba-kms/broken-upgrade-from-old-image.yaml', { 'supported-path': 4 }],
  ['alibaba-kms/broken-upgrade-to-non-latest.yaml', { 'supported-path': 4 }],
  ['alibaba-kms/scheduled-upgrade.yaml', {}],
  ['alibaba-kms/upgrade.yaml', {}],
  ['bao-kms-provider/broken-all-nodes-at-once.yaml', { availability: 3 }],
  ['bao-kms-provider/broken-no-key-id-check.yaml', { 'key-id-agreement': 8 }],
  ['bao-kms-provider/broken-rollback-after-new-wire-format.yaml', { 'no-unknown-key-id-decrypt': 22, 'no-one-way-rollback': 20 }],
  ['bao-kms-provider/broken-rollback-after-rotation.yaml', { 'no-unknown-key-id-decrypt': 28, 'no-one-way-rollback': 31, 'runbook-terminates': 25 }],
  ['bao-kms-provider/broken-upgrade-during-rotation.yaml', { 'no-unknown-key-id-decrypt': 8 }],
  ['bao-kms-provider/findings/rotation-during-maintenance.yaml', { 'no-unknown-key-id-decrypt': 8, 'runbook-terminates': 8 }],
  ['bao-kms-provider/upgrade.yaml', {}],
  ['incidents/01-k8s-old-key-removed-before-rewrite.yaml', { 'no-unreadable-record': 2, 'no-premature-retirement': 2 }],
  ['incidents/01-safe-rewrite-before-removing-old-key.yaml', {}],
  ['incidents/02-safe-verify-rewrap-first.yaml', {}],
  ['incidents/02-vault-min-decryption-after-partial-rewrap.yaml', { 'no-unreadable-record': 2, 'no-premature-retirement': 2 }],
  ['incidents/03-k8s-kms-v2-alpha-to-beta.yaml', { 'no-unknown-key-id-decrypt': 1, 'supported-path': 1 }],
  ['incidents/03-safe-rewrite-to-kms-v1-first.yaml', {}],
  ['incidents/04-keystone-fernet-second-rotation.yaml', { 'no-unknown-key-id-decrypt': 4, 'key-id-agreement': 3 }],
  ['incidents/04-safe-verify-distribution.yaml', {}],
  ['incidents/05-gke-previous-key-disabled-mid-rewrite.yaml', { 'no-unreadable-record': 3, 'no-premature-retirement': 3 }],
  ['incidents/06-openbao-failover-to-older.yaml', { 'no-unknown-key-id-decrypt': 1, 'no-failover-to-older': 1 }],
  ['incidents/06-safe-standbys-first.yaml', {}],
  ['incidents/07-intel-kbs-before-cms.yaml', { 'upgrade-order': 1 }],
  ['incidents/07-safe-tier-order.yaml', {}],
  ['incidents/08a-alibaba-upgrade-from-old-image.yaml', { 'supported-path': 1 }],
  ['incidents/08b-alibaba-rollback-after-window.yaml', { 'supported-path': 2 }],
  ['incidents/08b-safe-window-guard.yaml', {}],
  ['incidents/09-bao-rollback-after-rotation.yaml', { 'no-unknown-key-id-decrypt': 4, 'no-one-way-rollback': 4 }],
  ['incidents/09-safe-guarded-rollback.yaml', {}],
  ['incidents/10-keystone-mixed-release-writers.yaml', { 'no-unknown-key-id-decrypt': 1, 'no-mixed-release-writers': 1 }],
  ['incidents/10-safe-stop-all-first.yaml', {}],
  ['intel-secl/broken-cross-major-mix.yaml', { 'compatible-releases': 18 }],
  ['intel-secl/broken-kbs-without-upgrade-job.yaml', { 'no-unknown-key-id-decrypt': 12 }],
  ['intel-secl/broken-rollback-without-restore.yaml', { 'no-unknown-key-id-decrypt': 15, 'no-one-way-rollback': 15 }],
  ['intel-secl/broken-tier-out-of-order.yaml', { 'upgrade-order': 4 }],
  ['intel-secl/upgrade.yaml', {}],
  ['keyrings/broken-key-id-read-separately.yaml', { 'status-encrypt-agreement': 3 }],
  ['keyrings/broken-restore-key-only.yaml', { 'no-unreadable-record': 5 }],
  ['keyrings/broken-restore-other-cluster-key.yaml', { 'no-unreadable-record': 5 }],
  ['keyrings/broken-shared-key-disabled-after-own-rewrite.yaml', { 'no-unreadable-record': 4, 'no-premature-retirement': 4 }],
  ['keyrings/broken-shared-key-reader-decrypts-latest.yaml', { 'no-unknown-key-id-decrypt': 1 }],
  ['keyrings/key-id-with-ciphertext.yaml', {}],
  ['keyrings/restore-key-with-data.yaml', {}],
  ['keyrings/restore-own-transit-key.yaml', {}],
  ['keyrings/shared-key-reader-by-record.yaml', {}],
  ['keyrings/shared-key-rotation.yaml', {}],
  ['keys/01-broken-recreate-key-same-name.yaml', { 'no-unreadable-record': 1, 'no-premature-retirement': 1, 'no-key-id-reuse': 2 }],
  ['keys/01-safe-rotate-key.yaml', {}],
  ['keys/02-broken-disable-before-reencrypt-verified.yaml', { 'no-unreadable-record': 3, 'no-premature-retirement': 3 }],
  ['keys/02-safe-reencrypt-then-disable-and-destroy.yaml', {}],
  ['keys/02b-broken-rotate-again-before-migrate-checked.yaml', { 'no-unreadable-record': 3, 'no-premature-retirement': 3, 'runbook-terminates': 2 }],
  ['keys/02b-safe-migrate-before-each-credential-rotation.yaml', {}],
  ['keys/03-broken-restart-api-server-during-outage.yaml', { 'reads-served': 6 }],
  ['keys/03-safe-plugin-upgrade-keeps-dek-cache.yaml', {}],
  ['keys/04-broken-key-id-check-instead-of-migration-check.yaml', { 'no-unreadable-record': 6, 'no-premature-retirement': 6, 'reads-served': 6 }],
  ['keys/04-safe-migrate-before-disabling-kek-version.yaml', {}],
  ['keys/05-broken-min-decryption-hidden-by-dek-cache.yaml', { 'no-unreadable-record': 4, 'no-premature-retirement': 3, 'reads-served': 4 }],
  ['keys/05-safe-verify-before-min-decryption-then-restart.yaml', {}],
  ['keystone/broken-contract-too-early.yaml', { 'no-unknown-key-id-decrypt': 4, 'no-mixed-release-writers': 8 }],
  ['keystone/broken-no-backup.yaml', { 'no-unreadable-record': 3 }],
  ['keystone/broken-nodes-not-stopped.yaml', { 'no-unknown-key-id-decrypt': 2, 'no-mixed-release-writers': 2 }],
  ['keystone/broken-second-rotation-too-soon.yaml', { 'no-unknown-key-id-decrypt': 5, 'key-id-agreement': 5 }],
  ['keystone/fernet-rotation.yaml', {}],
  ['keystone/rolling-upgrade.yaml', {}],
  ['keystone/upgrade.yaml', {}],
  ['runbooks/broken-db-sync-interrupted-rollback-without-restore.yaml', { 'no-unknown-key-id-decrypt': 8, 'no-one-way-rollback': 7 }],
  ['runbooks/broken-minor-skipped-on-other-nodes.yaml', { 'supported-path': 6 }],
  ['runbooks/broken-other-nodes-counted-as-one.yaml', { 'no-unknown-key-id-decrypt': 5, 'no-mixed-release-writers': 9 }],
  ['runbooks/keystone-db-sync-interrupted.yaml', {}],
  ['runbooks/keystone-first-and-other-nodes.yaml', {}],
  ['runbooks/kubernetes-one-minor-at-a-time.yaml', {}],
];

// The actions each INCIDENTS.md sequence names (its consequence aside): the counterexample
// may not be longer.
const INCIDENT_STEPS: Record<string, number> = {
  '01-k8s-old-key-removed-before-rewrite': 2, // key changed; old key removed
  '02-vault-min-decryption-after-partial-rewrap': 2, // partial rewrap; min_decryption_version raised
  '03-k8s-kms-v2-alpha-to-beta': 1, // upgraded across the format change
  '04-keystone-fernet-second-rotation': 4, // rotation; incomplete distribution; second rotation; a token signed by the new primary
  '05-gke-previous-key-disabled-mid-rewrite': 3, // key change; rewrite under way; previous key disabled
  '06-openbao-failover-to-older': 1, // failover to the older standby
  '07-intel-kbs-before-cms': 1, // KBS upgraded first
  '08a-alibaba-upgrade-from-old-image': 1, // the old instance is upgraded
  '08b-alibaba-rollback-after-window': 2, // rollback decided; rollback carried out
  '09-bao-rollback-after-rotation': 4, // rotation completes; a record under it; rollback decided; rollback carried out
  '10-keystone-mixed-release-writers': 1, // a new-release node starts beside an old one
};

let results: RunResult[];
beforeAll(() => {
  results = check(join(ROOT, 'scenarios'));
});
const byFile = (f: string) => results.find((r) => r.scenario.file.endsWith(`scenarios/${f}`))!;

describe('the scenario corpus', () => {
  test('covers every scenario file, and each meets its expect block', () => {
    expect(results.map((r) => r.scenario.file.replace(/.*scenarios\//, '')).sort()).toEqual(EXPECTED.map(([f]) => f).sort());
    for (const r of results) expect(passed(r), `${r.scenario.file}: ${r.expect?.problems.join('; ')}`).toBe(true);
  });

  for (const [file, fired] of EXPECTED) {
    test(`${file}: ${Object.keys(fired).length ? Object.entries(fired).map(([p, n]) => `${p} in ${n}`).join(', ') : 'safe'}`, () => {
      const r = byFile(file);
      const got = Object.fromEntries(r.violations.map((v) => [v.property, v.trace.length - 1]));
      expect(got).toEqual(fired);
      expect(r.verdict).toBe(Object.keys(fired).length ? 'unsafe' : 'safe');
      if (r.verdict === 'safe') expect(r.complete).toBe(true);
    });
  }

  test('keys/05: no-unreadable-record is latent at the raise (step 3) and manifest at the first API server restart (step 4)', () => {
    const v = byFile('keys/05-broken-min-decryption-hidden-by-dek-cache.yaml').violations.find((x) => x.property === 'no-unreadable-record')!;
    expect(v.exposure).toMatchObject({ latentStep: 3, manifestStep: 4 });
    expect(v.trace[3].event?.step).toBe('raise-min-decryption-version');
    expect(v.trace[4].event?.step).toBe('restart-api-server');
  });

  test('keys/04: per-server data keys leave the writer serving its own secret while the other server fails', () => {
    const v = byFile('keys/04-broken-key-id-check-instead-of-migration-check.yaml').violations.find((x) => x.property === 'reads-served')!;
    expect(v.blast.nodes).toEqual(['control-plane-2']);
    expect(v.detail).toContain("under control-plane-1's data key");
  });

  test('every incident is caught in no more steps than its sequence names', () => {
    for (const [name, steps] of Object.entries(INCIDENT_STEPS)) {
      const r = byFile(`incidents/${name}.yaml`);
      expect(r.violations.length, name).toBeGreaterThan(0);
      for (const v of r.violations) expect(v.trace.length - 1, `${name} ${v.property}`).toBeLessThanOrEqual(steps);
    }
  });

  test('a keyring-only restore is reported as records no key can read, never as dropped writes', () => {
    const [v, ...more] = byFile('keyrings/broken-restore-key-only.yaml').violations;
    expect(more).toEqual([]);
    expect(v.detail).toMatch(/^no release and key version can read key v2 /);
    expect(v.detail).not.toMatch(/dropped/);
    expect(v.blast.recordsAffected).toBe(v.blast.recordsTotal); // every record is still there, none readable
  });

  test('no engine file names a specific system', () => {
    const systems = /\b(bao|openbao|transit|alibaba|dkms|intel|secl|kbs|keystone|fernet|kubernetes|etcd|vault|gke)\b/i;
    const engineFiles = readdirSync(join(ROOT, 'sim'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('bench'));
    expect(engineFiles.length).toBeGreaterThan(5);
    for (const f of engineFiles) {
      const text = readFileSync(join(ROOT, 'sim', f), 'utf8');
      expect(text.match(systems)?.[0], `sim/${f}`).toBeUndefined();
    }
  });
});
