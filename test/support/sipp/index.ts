export { freePort } from './free-port.ts';
export { injectionCsv, writeInjectionFile, InjectionRowSchema, type InjectionRow, type InjectionOrder } from './injection.ts';
export { SIPP_SCENARIOS, sippScenarioPath, type SippScenarioName } from './scenarios.ts';
export { parseSippStats, type SippCounters } from './sipp-stats.ts';
export { SippProcess, describeSippResult, type SippOptions, type SippResult, type SippTransport } from './sipp-process.ts';
