import { describe, expect, it } from 'vitest';
import { compare as semverCompare } from 'semver';
import {
  baseRelease,
  compareReleases,
  highestHotfixNumber,
  matchTag,
  newestProductionTag,
  nextReleaseVersion,
  parseRelease,
  previousProductionTag,
  productionBuildOf,
  productionTagName,
  productionTags,
  releaseTagName,
  reasonSlug,
  releaseFixedAtRequest,
  releaseVersionOf,
  renderTag,
  tagTimestamp,
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

// The seed scheme of issue 15 (README "Tags").
const SEED = {
  production: '{version}-production-{timestamp}',
  release: 'v{base}-hotfix.{n}',
  environment: '{version}-{env}-{timestamp}',
  rollback: '{version}-rollback-{reason}',
};

function sorted(tags: string[]): string[] {
  return [...tags].sort((a, b) => {
    const x = parseRelease(a);
    const y = parseRelease(b);
    if (!x || !y) throw new Error(`not a release: ${!x ? a : b}`);
    return compareReleases(x, y);
  });
}

describe('release ordering (never text, never plain semver precedence)', () => {
  it('-hotfix.10 comes after -hotfix.9 (text would put it before)', () => {
    expect(sorted(['v1.4.2-hotfix.10', 'v1.4.2-hotfix.9', 'v1.4.2-hotfix.2'])).toEqual(['v1.4.2-hotfix.2', 'v1.4.2-hotfix.9', 'v1.4.2-hotfix.10']);
    expect(['v1.4.2-hotfix.10', 'v1.4.2-hotfix.9'].sort()).toEqual(['v1.4.2-hotfix.10', 'v1.4.2-hotfix.9']);
  });

  it('a hotfix of v1.4.2 comes after v1.4.2 itself, which semver precedence reverses', () => {
    expect(sorted(['v1.4.2-hotfix.1', 'v1.4.2'])).toEqual(['v1.4.2', 'v1.4.2-hotfix.1']);
    // The trap the rule avoids: in semver, the pre-release sorts first.
    expect(semverCompare('1.4.2-hotfix.1', '1.4.2')).toBe(-1);
  });

  it('v1.10.0 comes after v1.9.3, and after every hotfix of v1.9.3', () => {
    expect(sorted(['v1.10.0', 'v1.9.3', 'v1.9.3-hotfix.12'])).toEqual(['v1.9.3', 'v1.9.3-hotfix.12', 'v1.10.0']);
  });

  it('parses only X.Y.Z and X.Y.Z-hotfix.N', () => {
    expect(parseRelease('v1.4.2')).toEqual({ major: 1, minor: 4, patch: 2, hotfix: 0 });
    expect(parseRelease('1.4.2-hotfix.3')).toEqual({ major: 1, minor: 4, patch: 2, hotfix: 3 });
    for (const other of ['v1.4', 'v1.4.2-rc.1', 'v1.4.2-hotfix', 'v1.4.2-hotfix.0', 'v1.4.2-hotfix.1.2', 'v1.4.2+build.5', 'prod-12']) {
      expect(parseRelease(other), other).toBeNull();
    }
  });

  it('the next release after hotfix tags is still the next patch of the newest plain release', () => {
    expect(nextReleaseVersion(REL, ['v1.4.2', 'v1.4.2-hotfix.1', 'v1.4.2-hotfix.10'])).toBe('1.4.3');
  });
});

describe('the hotfix scheme v{base}-hotfix.{n}', () => {
  it('is fixed at request, and names the next number by value', () => {
    expect(releaseFixedAtRequest(SEED.release)).toBe(true);
    expect(releaseFixedAtRequest(REL)).toBe(false);
    const tags = ['v1.4.2', 'v1.4.2-hotfix.9', 'v1.4.2-hotfix.10', 'v1.4.1-hotfix.30', 'v1.4.2-production-20261201T000000Z'];
    expect(highestHotfixNumber(SEED.release, '1.4.2', tags)).toBe(10);
    expect(highestHotfixNumber(SEED.release, '1.4.3', tags)).toBe(0);
    expect(renderTag(SEED.release, { base: '1.4.2', n: 11 })).toBe('v1.4.2-hotfix.11');
  });

  it('takes as base the newest plain release the base commit contains, never one of its hotfixes', () => {
    expect(baseRelease(SEED.release, ['v1.4.1', 'v1.4.2', 'v1.4.2-hotfix.1', 'v1.4.2-hotfix.2', 'v1.4.2-production-20261201T000000Z'])).toBe('1.4.2');
    expect(baseRelease(SEED.release, ['v1.9.3', 'v1.10.0', 'v1.9.3-hotfix.4'])).toBe('1.10.0');
    expect(baseRelease(SEED.release, ['prod-10'])).toBeNull();
  });

  it('environment, production and rollback names carry the release name', () => {
    const version = 'v1.4.2-hotfix.1';
    const timestamp = tagTimestamp('2026-12-04T05:06:07.890Z');
    expect(timestamp).toBe('20261204T050607Z');
    expect(renderTag(SEED.environment, { version, env: 'qa', timestamp })).toBe('v1.4.2-hotfix.1-qa-20261204T050607Z');
    expect(renderTag(SEED.production, { version, timestamp })).toBe('v1.4.2-hotfix.1-production-20261204T050607Z');
    expect(renderTag(SEED.rollback, { version, reason: reasonSlug('Checkout errors spiked (5xx > 2%)!') })).toBe('v1.4.2-hotfix.1-rollback-checkout-errors-spiked-5xx-2');
    expect(() => renderTag(SEED.rollback, { version })).toThrow('no value for {reason}');
  });

  it('reads the values back from a name', () => {
    expect(matchTag(SEED.production, 'v1.4.2-hotfix.1-production-20261204T050607Z')).toEqual({ version: 'v1.4.2-hotfix.1', timestamp: '20261204T050607Z' });
    expect(matchTag(SEED.production, 'v1.4.2-hotfix.1-qa-20261204T050607Z')).toBeNull();
    expect(matchTag(SEED.release, 'v1.4.2-hotfix.12')).toEqual({ base: '1.4.2', n: 12 });
  });

  it('orders production tags by their timestamp, whatever the version says', () => {
    const tags = ['v1.4.2-production-20261101T120000Z', 'v1.4.2-hotfix.2-production-20261204T100000Z', 'v1.4.2-hotfix.1-production-20261204T110000Z', 'v1.4.2-hotfix.1-production-20261203T090000Z'];
    expect(newestProductionTag(SEED.production, tags)?.name).toBe('v1.4.2-hotfix.1-production-20261204T110000Z');
    expect(previousProductionTag(SEED.production, tags, 'v1.4.2-hotfix.2-production-20261204T100000Z')?.name).toBe('v1.4.2-hotfix.1-production-20261203T090000Z');
    expect(newestProductionTag(SEED.production, tags)?.build).toBeNull();
  });

  it('slugs a reason to lowercase words, bounded, never empty', () => {
    expect(reasonSlug('Zahlungsfehler bei Überweisung')).toBe('zahlungsfehler-bei-uberweisung');
    expect(reasonSlug('a'.repeat(100)).length).toBe(40);
    expect(reasonSlug('!!!')).toBe('unspecified');
    expect(reasonSlug(`${'word '.repeat(7)}x`)).not.toMatch(/-$/);
  });
});
