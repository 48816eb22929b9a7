import { describe, expect, it } from 'vitest';
import {
  newestProductionTag,
  nextReleaseVersion,
  previousProductionTag,
  productionBuildOf,
  productionTagName,
  productionTags,
  releaseTagName,
  releaseVersionOf,
} from '../../../src/domain/tags.js';

const PROD = 'prod-{build}';
const REL = 'v{version}';

describe('production tags', () => {
  it('are named from the template and the deploy build number', () => {
    expect(productionTagName(PROD, 12)).toBe('prod-12');
    expect(productionTagName('release/prod-{build}-ok', 3)).toBe('release/prod-3-ok');
  });

  it('give back the build number they name, and only for tags of the template', () => {
    expect(productionBuildOf(PROD, 'prod-41')).toBe(41);
    for (const other of ['prod-', 'prod-x', 'prod-10-rc1', 'xprod-10', 'v1.4.2', 'prod-1.2']) {
      expect(productionBuildOf(PROD, other), other).toBeNull();
    }
  });

  it('treat regex characters in the template literally', () => {
    expect(productionBuildOf('prod.{build}', 'prod.5')).toBe(5);
    expect(productionBuildOf('prod.{build}', 'prodX5')).toBeNull();
    expect(productionBuildOf('(p)+{build}', '(p)+9')).toBe(9);
  });

  it('newest is numeric: prod-10 beats prod-9 and prod-100 beats both', () => {
    expect(newestProductionTag(PROD, ['prod-9', 'prod-10', 'prod-2'])).toEqual({ name: 'prod-10', build: 10 });
    expect(newestProductionTag(PROD, ['prod-9', 'prod-100', 'prod-10'])?.name).toBe('prod-100');
  });

  it('newest ignores tags of other shapes', () => {
    expect(newestProductionTag(PROD, ['v9.9.9', 'prod-3', 'prod-99-rc', 'prod-latest'])?.name).toBe('prod-3');
    expect(newestProductionTag(PROD, ['v1.0.0', 'latest'])).toBeNull();
    expect(newestProductionTag(PROD, [])).toBeNull();
  });

  it('are listed newest first', () => {
    expect(productionTags(PROD, ['prod-2', 'prod-11', 'v1.0.0', 'prod-9']).map((t) => t.name)).toEqual(['prod-11', 'prod-9', 'prod-2']);
  });

  it('previous is the highest build below the current one', () => {
    const tags = ['prod-8', 'prod-10', 'prod-9', 'prod-12', 'v1.0.0'];
    expect(previousProductionTag(PROD, tags, 'prod-12')?.name).toBe('prod-10');
    expect(previousProductionTag(PROD, tags, 'prod-10')?.name).toBe('prod-9');
    expect(previousProductionTag(PROD, tags, 'prod-8')).toBeNull();
  });

  it('previous works when the current tag is not in the list and is null for a non-tag', () => {
    expect(previousProductionTag(PROD, ['prod-3', 'prod-5'], 'prod-7')?.name).toBe('prod-5');
    expect(previousProductionTag(PROD, ['prod-3', 'prod-5'], 'v1.0.0')).toBeNull();
  });
});

describe('release versions', () => {
  it('next is the patch after the newest release tag', () => {
    expect(nextReleaseVersion(REL, ['v1.4.2'])).toBe('1.4.3');
    expect(nextReleaseVersion(REL, ['v1.4.2', 'v1.4.10', 'v1.4.9'])).toBe('1.4.11');
    expect(nextReleaseVersion(REL, ['v1.9.9', 'v1.10.0', 'v0.99.99'])).toBe('1.10.1');
    expect(nextReleaseVersion(REL, ['v2.0.0', 'v10.0.0'])).toBe('10.0.1');
  });

  it('is 0.0.1 when there is no release tag yet', () => {
    expect(nextReleaseVersion(REL, [])).toBe('0.0.1');
    expect(nextReleaseVersion(REL, ['prod-12', 'latest'])).toBe('0.0.1');
  });

  it('ignores tags that are not plain X.Y.Z releases of the template', () => {
    expect(nextReleaseVersion(REL, ['v1.4.2', 'v9.0.0-rc1', 'v9.0', 'x9.0.0', 'prod-99', 'v9.0.0.1'])).toBe('1.4.3');
  });

  it('honours a template with a prefix and a suffix', () => {
    const tpl = 'release/payments-{version}-final';
    expect(releaseTagName(tpl, '2.3.4')).toBe('release/payments-2.3.4-final');
    expect(releaseVersionOf(tpl, 'release/payments-2.3.4-final')).toBe('2.3.4');
    expect(releaseVersionOf(tpl, 'release/payments-2.3.4')).toBeNull();
    expect(nextReleaseVersion(tpl, ['release/payments-2.3.4-final', 'v9.9.9', 'release/payments-2.3.5'])).toBe('2.3.5');
  });

  it('honours a bare {version} template', () => {
    expect(nextReleaseVersion('{version}', ['1.2.3', 'v9.9.9', 'prod-4'])).toBe('1.2.4');
  });

  it('names the release tag from the template', () => {
    expect(releaseTagName(REL, nextReleaseVersion(REL, ['v1.4.2']))).toBe('v1.4.3');
  });
});
