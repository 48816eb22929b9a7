export { startJenkinsSim, type FinishOptions, type JenkinsSim } from './server.js';
export {
  contractPayload, contractPipeline, reportFinal,
  type CallbackPayload, type CallbackStatus, type ContractPipelineOptions, type PayloadOptions, type ReportOptions,
} from './contract-pipeline.js';
export { signBody, SIGNATURE_HEADER } from './callbacks.js';
export type * from './types.js';
