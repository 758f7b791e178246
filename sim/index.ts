// rollsafe as a library: `import { check, fuzz, chaos } from 'rollsafe'`. Each returns the
// documented RunResult per scenario (check synchronously; the random engines as a Promise).
export { check, exploreScenario, loadAll, passed } from './check.js';
export { fuzz, chaos, campaignPassed, isPartial } from './campaign.js';
export type { CampaignOptions, ChaosCampaignOptions, FuzzCampaignOptions, CampaignProgress } from './campaign.js';
export type { CheckOptions } from './check.js';
export { explore } from './explore.js';
export { fuzzModel } from './fuzz.js';
export { chaosWalk, chaosBatch } from './chaos.js';
export { minimize } from './minimize.js';
export { replayViolation, withoutTimings } from './replay.js';
export { mergeResultSets } from './merge.js';
export { ResultFileError, parseResultText, readResultFile } from './result-file.js';
export type { ResultFile, LoadedResult } from './result-file.js';
export { toJUnit } from './junit.js';
export { vacuousProperties } from './vacuity.js';
export { toResult } from './outcome.js';
export { Model } from '../model/model.js';
export type { RunResult, ResultSet, Violation, TraceStep, Verdict, Coverage, PropertyStatus, ReplayInfo } from './result.js';
