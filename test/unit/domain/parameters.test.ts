import { describe, expect, it } from 'vitest';
import { buildParameters, deployParameters, identifyingParameters, qaDownParameters, qaUpParameters } from '../../../src/domain/parameters.js';

const c = { hotfix: { id: 'HF-2026-11-001', service: 'payments' }, callbackUrl: 'https://hotfix.example.com/api/v1/jenkins/events' };
const COMMON = { HOTFIX_ID: 'HF-2026-11-001', SERVICE: 'payments', CALLBACK_URL: 'https://hotfix.example.com/api/v1/jenkins/events' };
const SHA = 'a'.repeat(40);
const ARTIFACT = { version: '1.4.3', url: 'https://artifacts.example.com/payments/1.4.3.tgz' };

describe('Jenkins job parameters (CONTRACT.md §5)', () => {
  it('build: the common ones plus BRANCH and COMMIT', () => {
    expect(buildParameters(c, 'hotfix/HF-2026-11-001-fix', SHA)).toEqual({ ...COMMON, STAGE: 'build', BRANCH: 'hotfix/HF-2026-11-001-fix', COMMIT: SHA });
  });

  it('qa-up: plus QA_ENV, COMMIT, ARTIFACT_VERSION, ARTIFACT_URL', () => {
    expect(qaUpParameters(c, 'qa-hf-2026-11-001', SHA, ARTIFACT)).toEqual({
      ...COMMON,
      STAGE: 'qa-up',
      QA_ENV: 'qa-hf-2026-11-001',
      COMMIT: SHA,
      ARTIFACT_VERSION: '1.4.3',
      ARTIFACT_URL: ARTIFACT.url,
    });
  });

  it('qa-down: plus QA_ENV only', () => {
    expect(qaDownParameters(c, 'qa-hf-2026-11-001')).toEqual({ ...COMMON, STAGE: 'qa-down', QA_ENV: 'qa-hf-2026-11-001' });
  });

  it.each(['hotfix', 'rollback'] as const)('deploy (%s): plus COMMIT, ARTIFACT_VERSION, ARTIFACT_URL, DEPLOY_KIND', (kind) => {
    expect(deployParameters(c, SHA, ARTIFACT, kind)).toEqual({
      ...COMMON,
      STAGE: 'deploy',
      COMMIT: SHA,
      ARTIFACT_VERSION: '1.4.3',
      ARTIFACT_URL: ARTIFACT.url,
      DEPLOY_KIND: kind,
    });
  });

  it('every value is a string', () => {
    for (const params of [buildParameters(c, 'b', SHA), qaUpParameters(c, 'e', SHA, ARTIFACT), qaDownParameters(c, 'e'), deployParameters(c, SHA, ARTIFACT, 'hotfix')]) {
      for (const value of Object.values(params)) expect(typeof value).toBe('string');
    }
  });

  it('the identifying subset names hotfix, stage and what was asked for', () => {
    expect(identifyingParameters(deployParameters(c, SHA, ARTIFACT, 'rollback'))).toEqual({ HOTFIX_ID: 'HF-2026-11-001', STAGE: 'deploy', COMMIT: SHA, DEPLOY_KIND: 'rollback' });
    expect(identifyingParameters(qaDownParameters(c, 'qa-x'))).toEqual({ HOTFIX_ID: 'HF-2026-11-001', STAGE: 'qa-down', QA_ENV: 'qa-x' });
  });
});
