// rollsafe as a library: `import { check, fuzz, chaos } from 'rollsafe'`. Each returns the
// documented RunResult per scenario (check synchronously; the random engines as a Promise).
export { check, exploreScenario, loadAll, passed } from './check.js';
export { fuzz, chaos, campaignPassed, isPartial } from './campaign.js';
export type { CampaignOptions, ChaosCampaignOptions, FuzzCampaignOptions, CampaignProgress } from './campaign.js';
export type { CheckOptions } from './check.js';
export { explore } from './engines/explore.js';
export { fuzzModel } from './engines/fuzz.js';
export { chaosWalk, chaosBatch } from './engines/chaos.js';
export { minimize } from './engines/minimize.js';
export { replayViolation, withoutTimings } from './replay.js';
export { mergeResultSets } from './results/merge.js';
export { ResultFileError, parseResultText, readResultFile } from './results/result-file.js';
export type { ResultFile, LoadedResult } from './results/result-file.js';
export { toJUnit } from './results/junit.js';
export { vacuousProperties } from './results/vacuity.js';
export { toResult } from './engines/outcome.js';
export { Model } from '../model/model.js';
export type { RunResult, ResultSet, Violation, TraceStep, Verdict, Coverage, PropertyStatus, ReplayInfo, FingerprintRun } from './results/result.js';
