// The model's context: the compiled scenario with what every guard and update needs
// precomputed (per record kind, per stage), and the one-entry position cache. Types only, so
// the files that take a Ctx do not depend on the one that builds it (semantics.ts, makeCtx).
import type { CompiledScenario, Stage, Step } from './types.js';
import type { Layout, World } from './world.js';

export interface Ctx {
  s: CompiledScenario;
  L: Layout;
  // most faults in one run: the run's option (--max-faults), else the scenario's faults.budget
  faultBudget: number;
  // precomputed per kind: keyring, key material, key version, format, aad, writer release, data key owner
  kindKeyring: Int32Array;
  kindGen: Int32Array;
  kindVersion: Int32Array;
  kindFormat: Int32Array;
  kindAad: Int32Array;
  kindWriter: Int32Array;
  kindDataKey: Int32Array;
  rbNodes: number[]; // nodes of the components the runbook touches
  rbNodesOf: number[][]; // per component: its nodes among rbNodes (never changed by a user)
  stageNodes: Map<Stage, number[]>;
  // one-entry cache: enabled() asks for the position of the same (never mutated) world many times
  declaredFaults: Record<string, boolean>; // a plain object: guards look faults up by name constantly
  anyCache: boolean;
  // readMask[release][known version]: kinds (as cache words) the release can decrypt
  readMask: Int32Array[][];
  formatKinds: Int32Array[]; // per component: the record kinds it serves, as cache words
  // the record kinds of keyring kr, key material gen and key version v, as cache words, at
  // ((kr * G + gen - 1) * V + v - 1) * cacheWords: decryptable() for all kinds in a few ORs
  versionKinds: Int32Array;
  // nodes whose API server caches data keys, and of those, the ones sharing data keys
  cachingNodes: Int32Array;
  sharedKeys: Uint8Array; // per node
  releaseKeyState: Int32Array; // per release: its key-state format
  unreadableKinds: Int32Array; // the kinds in the half-migrated format, as cache words
  // per rollback guard on formats / AAD shapes: the kinds some runbook node serves that its
  // previous release cannot read, as cache words (the guard holds while none is live)
  prevFormatBad: Int32Array;
  prevAadBad: Int32Array;
  scratchKinds: Int32Array; // cache words for a check's own use (never held across calls)
  scratchLive: Int32Array;
  scratchAvail: Int32Array;
  posCached: boolean; // pos holds position() of a world with the slots in posSlots
  posSlots: Int32Array; // the slots position() depends on, as they were when cached
  pos: Position | null;
}

export interface Position {
  step: Step;
  stage: Stage;
  // nodes the step acts on; 'choose' when the operator must first pick the next node
  targets: number[] | 'choose';
  perNode: boolean;
}
