// Local stand-ins for the systems the service talks to, for integration tests and the demo.
export * from './jenkins/index.js';
export * from './slack/index.js';
export * from './github/index.js';
export * from './gitlab/index.js';
export * from './smtp/index.js';
export { freePort, hasRedisServer, startPrivateRedis, type PrivateRedis, type PrivateRedisOptions } from './redis.js';
export type { RequestRecord } from './shared/http.js';
export type { FaultMode, FaultSpec } from './shared/faults.js';
export { startPrometheusSim, type PrometheusAnswer, type PrometheusSim } from './prometheus/server.js';
export { startHealthSim, type HealthSim } from './health/server.js';
