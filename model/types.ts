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
  oneWay: boolean; // data it writes or migrates cannot be read by older releases
  upgradesFrom: number; // lowest release order it may be upgraded from (-1: any)
}

export interface Component {
  name: string;
  firstNode: number;
  nodes: number;
  releases: number[]; // global release indices, oldest first
  initialRelease: number;
}

export type StepName =
  | 'doctor'
  | 'stop'
  | 'replace-image'
  | 'start'
  | 'verify-ready'
  | 'verify-key-id'
  | 'restart-api-server';

export type PreconditionName =
  | 'not-mid-rotation'
  | 'backend-healthy'
  | 'key-id-stable'
  | 'doctor'
  | 'supported-upgrade-path';

export type GuardName =
  | 'previous-reads-wire-formats'
  | 'previous-reads-aad-shapes'
  | 'previous-promoted-active-key'
  | 'not-one-way';

export type TriggerName = 'verification-fails' | 'operator-decides';

export type Strategy = 'one-node-at-a-time' | 'all-at-once';

export type FaultName =
  | 'plugin-crash'
  | 'api-server-restart'
  | 'image-replace-fails'
  | 'config-drift'
  | 'backend-outage'
  | 'rotation-starts';

export interface Procedure {
  strategy: Strategy;
  eachNode: StepName[];
  afterAll: StepName[];
}

export interface Runbook {
  component: number;
  maintenanceWindow: boolean;
  preconditions: PreconditionName[];
  target: number; // global release index the upgrade installs
  upgrade: Procedure;
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
}

export interface InitialRecords {
  keyVersion: number;
  format: number;
  aad: number;
  writer: number;
  count: number;
}

export interface Bounds {
  maxDepth: number;
  maxFaults: number;
  maxStates: number;
}

export interface Expectation {
  verdict: 'safe' | 'unsafe';
  fires: string[]; // property names that must fire (exactly these, when unsafe)
  place: Place;
}

export interface CompiledScenario {
  file: string;
  name: string;
  title: string;
  follows: string;
  wireFormats: string[];
  aadShapes: string[];
  keyStates: string[];
  keyIdSchemes: string[];
  keyring: { name: string; latest: number; maxVersion: number; minDecryption: number; minAvailable: number };
  components: Component[];
  releases: Release[];
  nodeCount: number;
  nodeNames: string[];
  nodeComponent: number[];
  records: InitialRecords[];
  runbook: Runbook;
  faults: FaultSpec[];
  faultBudget: number;
  workload: { writes: boolean; batch: number };
  properties: string[]; // property names checked, catalogue order
  bounds: Bounds;
  expect: Expectation | null;
}
