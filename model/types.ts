// The compiled scenario: what the YAML says, resolved to indices so the model's hot loop never
// touches names or strings. Produced once by model/scenario/compile.ts.

export interface Place {
  file: string;
  line: number;
  column: number;
}

export interface RecordFormat {
  format: number; // index into wireFormats
  aad: number; // index into aadShapes
}

export interface Release {
  name: string;
  component: number;
  order: number; // position within its component, oldest first
  readsFormats: number; // bitmask over wireFormats
  readsAad: number; // bitmask over aadShapes
  writes: RecordFormat;
  // Format written while any node of the component still runs another release: lets a new
  // release hold back a wire-format change until the whole fleet can read it.
  writesWhileMixed: RecordFormat | null;
  keyState: number; // index into keyStates: where this release keeps the key versions it promoted
  importsKeyState: number; // bitmask over keyStates it migrates from on start
  promotesRotations: boolean; // picks up a completed rotation while running
  keyIdScheme: number;
  // by-record: decrypts with the key version the ciphertext names; latest: with the version it
  // loaded when it started, so records under any other version are unreadable to it
  decryptsWith: 'by-record' | 'latest';
  // separately: the key_id a write reports is read from the key service apart from the encrypt
  // call, so a rotation can land between the two
  encryptReportsKeyId: 'with-ciphertext' | 'separately';
  oneWay: boolean; // data it writes or migrates cannot be read by older releases
  upgradesFrom: number; // lowest release order it may be upgraded from (-1: any)
  series: string; // releases of one series work together across components (Intel: major release)
  // the vendor supports upgrading to it only while it can read all stored data (no later migration)
  requiresReadableData: boolean;
  rollbackWindowDays: number; // days after the upgrade a rollback to the previous release is supported (-1: no limit)
}

export interface Component {
  name: string;
  firstNode: number;
  nodes: number;
  releases: number[]; // global release indices, oldest first
  initialRelease: number;
  dependsOn: number[]; // components this one needs (upgrade those first)
  latestOnly: boolean; // the vendor only supports upgrading to the newest release
  activePassive: boolean; // one active node serves and writes; standbys take over on failover
  sharedStore: boolean; // all nodes write one store (a database): releases must not mix as writers
  cachesDataKeys: boolean; // a reader in front of each node (a KMS v2 API server) caches decrypted data keys
  // shared: one data key per key version that every node learns by reading; per-node: each node
  // generates its own data key (KMS v2), caches it on its own writes and on the reads it serves
  dataKeys: 'shared' | 'per-node';
  keyring: number; // index into CompiledScenario.keyrings
  formats: number; // bitmask of wire formats its releases read or write: the records it serves
}

export const STEP_NAMES = [
  'doctor',
  'stop',
  'replace-image',
  'start',
  'verify-ready',
  'verify-crypto',
  'verify-key-id',
  'restart-api-server',
  'backup',
  'restore',
  'migrate',
  'verify-migrated',
  'rotate-keys',
  'distribute-keys',
  'rewrap',
  'verify-rewrapped',
  'raise-min-decryption-version',
  'trim-key-versions',
  'retire-old-keys',
  'recover-from-backup',
  'delete-key',
  'recreate-key',
  'disable-key-version',
  'enable-key-version',
  'schedule-key-deletion',
  'cancel-key-deletion',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

// Which key versions a key-version step acts on: the newest, every version but the newest, or
// one version by number.
export type VersionSelector = 'latest' | 'previous' | 'all-but-latest' | number;

// What a backup or restore covers: the records, the keyrings, or both.
export const BACKUP_SCOPES = ['data', 'keyring', 'both'] as const;
export type BackupScope = (typeof BACKUP_SCOPES)[number];

export interface Step {
  name: StepName;
  format: number; // migrate: the wire format records are rewritten to (-1 otherwise)
  keyring: number; // key steps: the keyring acted on (-1: the stage's components' keyrings)
  versions: VersionSelector; // key-version steps
  scope: BackupScope; // backup, restore
  snapshot: number; // restore: a snapshot from system.snapshots (-1: this cluster's own backup)
}

export const PRECONDITION_NAMES = [
  'not-mid-rotation',
  'backend-healthy',
  'key-id-stable',
  'doctor',
  'supported-upgrade-path',
  'upgrade-to-latest',
  'target-reads-all-records',
] as const;
export type PreconditionName = (typeof PRECONDITION_NAMES)[number];

export const GUARD_NAMES = [
  'previous-reads-wire-formats',
  'previous-reads-aad-shapes',
  'previous-promoted-active-key',
  'not-one-way',
  'within-rollback-window',
  'backup-exists',
] as const;
export type GuardName = (typeof GUARD_NAMES)[number];

export const TRIGGER_NAMES = [
  'verification-fails',
  'operator-decides',
] as const;
export type TriggerName = (typeof TRIGGER_NAMES)[number];

// one-node-at-a-time: each node in turn; standbys-first: the same, active node last;
// all-at-once: every node together; once: fleet-level steps (backup, migrate, checks)
export type Strategy = 'one-node-at-a-time' | 'standbys-first' | 'all-at-once' | 'once';

export const FAULT_NAMES = [
  'plugin-crash',
  'api-server-restart',
  'image-replace-fails',
  'config-drift',
  'backend-outage',
  'rotation-starts',
  'migration-fails',
  'migration-interrupted',
  'rewrap-interrupted',
  'distribution-incomplete',
  'forced-failover',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface Stage {
  label: string; // how traces name it: '' for a single per-node stage, 'after all', 'stage 2 (kbs)'
  components: number[];
  strategy: Strategy;
  steps: Step[];
  // which nodes of its components the stage acts on: 0 all of them; N > 0 a canary of N nodes
  // per component, picked one at a time; REST_OF_NODES those earlier counted stages did not take
  nodes: number;
  round: number; // index of the first stage of its round (the stages since the last rest stage)
  // per component index: the release this stage's replace-image installs (-1: runbook.targets)
  to: number[] | null;
}

export const REST_OF_NODES = -1;

export interface Procedure {
  stages: Stage[];
}

export interface Runbook {
  components: number[]; // components the runbook touches
  maintenanceWindow: boolean;
  preconditions: PreconditionName[];
  targets: number[]; // per component index: global release index the upgrade installs (-1: none)
  scheduledInDays: number; // the upgrade begins on this day (0: when the operator starts it)
  // the scenario starts after the upgrade finished this many days ago (-1: before it began)
  alreadyUpgradedDaysAgo: number;
  upgrade: Procedure;
  // what the rollback's restore steps bring back from this cluster's own backup
  rollbackRestores: { data: boolean; keyring: boolean };
  rollback: null | {
    triggers: TriggerName[];
    guards: GuardName[];
    procedure: Procedure;
  };
}

export interface FaultSpec {
  name: FaultName;
  weight: number; // relative likelihood, for the random engines
  // rotation-starts only: whether a rotation may begin while the runbook is under way
  duringMaintenance: boolean;
  // image-replace-fails only: the failed upgrade leaves the component's data unreadable
  leavesDataUnreadable: boolean;
}

export interface InitialRecords {
  keyring: number;
  keyVersion: number;
  format: number;
  aad: number;
  writer: number;
  count: number;
}

export interface Bounds {
  // most events in one random walk or fuzz sequence (bounds.max-depth, default 80)
  maxDepth: number;
  // bounds.max-depth as the file gives it: the exhaustive search needs no depth bound, the
  // space being finite, so it has one only when asked (null: none)
  fileMaxDepth: number | null;
  maxFaults: number;
  maxStates: number;
}

export interface Expectation {
  verdict: 'safe' | 'unsafe';
  fires: string[]; // property names that must fire (exactly these, when unsafe)
  vacuous: string[] | null; // property names that must hold only vacuously (exactly these); null: not pinned
  place: Place;
}

export interface Keyring {
  name: string;
  latest: number;
  maxVersion: number;
  minDecryption: number;
  minAvailable: number;
  // central: one keyring (Transit, a KMS) that nodes promote from; per-node: each node holds
  // a key repository (fernet) that rotation and distribution change
  distribution: 'central' | 'per-node';
  stagedKeys: boolean; // encrypt with the newest key but one (fernet's staged key)
  rotationInProgress: boolean; // a rotation has started and not yet completed
  keepVersions: number; // a rotation destroys all but this many newest versions (0: keep all)
  deletionWaitDays: number; // days between scheduling a version's deletion and its destruction
  disabled: number[]; // versions disabled at the start
}

export interface Snapshot {
  name: string;
  keyring: number; // the keyring it replaces when restored
  latest: number;
  generation: number; // its key material: never the keyring's own
}

// Whether a key_id scheme names key material (a fresh key_id for a re-created key) or only the
// key's name and version (a re-created key reuses the key_ids of the deleted one).
export type KeyIdDerivation = 'key-material' | 'name-and-version';

export interface CompiledScenario {
  file: string;
  name: string;
  title: string;
  follows: string;
  wireFormats: string[];
  aadShapes: string[];
  keyStates: string[];
  keyIdSchemes: string[];
  keyIdDerivation: KeyIdDerivation[]; // per key_id scheme
  keyrings: Keyring[];
  // key material from elsewhere a restore can bring in (another cluster's keyring snapshot)
  snapshots: Snapshot[];
  generations: number; // distinct key materials a keyring can hold: 1 + re-creations + snapshots
  usesVersionStates: boolean; // some step, policy or initial state disables, schedules or destroys a version
  backsUpKeyrings: boolean; // some backup step copies the keyrings
  clockHorizonDays: number; // days the model lets pass (0: no clock)
  unreadableFormat: number; // wire format index of half-migrated data no release reads (-1: none)
  components: Component[];
  releases: Release[];
  nodeCount: number;
  nodeNames: string[];
  nodeComponent: number[];
  nodeInitialRelease: number[]; // what each node runs when the scenario starts
  records: InitialRecords[];
  runbook: Runbook;
  faults: FaultSpec[];
  workload: { writes: boolean; batch: number };
  properties: string[]; // property names checked, catalogue order
  bounds: Bounds;
  expect: Expectation | null;
}
