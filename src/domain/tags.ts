// Tag names from the config's templates and the choices made from existing tags.
//
// Placeholders: {build} (the deploy's Jenkins build number), {version} (in `release`: the next
// patch after the newest release; elsewhere: this hotfix's release name), {base} (the release
// the hotfix branched from, X.Y.Z), {n} (the hotfix's number on that base, 1, 2 …), {env}
// (`qa`, `production`), {timestamp} (UTC, YYYYMMDDTHHMMSSZ), {reason} (a slug of a rollback's
// reason), {id} (the hotfix ID).
//
// Ordering is never textual and never plain semver precedence: prod-10 is newer than prod-9,
// v1.4.2-hotfix.10 comes after -hotfix.9, and a hotfix of v1.4.2 after v1.4.2 itself (semver
// would put that pre-release before it).

import { parse as parseSemver } from 'semver';

export type Placeholder = 'build' | 'version' | 'base' | 'n' | 'env' | 'timestamp' | 'reason' | 'id';
export type TagValues = Partial<Record<Placeholder, string | number>>;

const CAPTURE: Record<Placeholder, string> = {
  build: '(\\d+)',
  version: '([0-9A-Za-z][0-9A-Za-z.+_-]*?)',
  base: '(\\d+\\.\\d+\\.\\d+)',
  n: '(\\d+)',
  env: '(qa|production)',
  timestamp: '(\\d{8}T\\d{6}Z)',
  reason: '([a-z0-9][a-z0-9-]*)',
  id: '(HF-\\d{4}-\\d{2}-\\d{3,})',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function placeholdersOf(template: string): Placeholder[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as Placeholder).filter((p) => p in CAPTURE);
}

/** Fill a template; a placeholder without a value is an error (the caller checked the template). */
export function renderTag(template: string, values: TagValues): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name as Placeholder];
    if (value === undefined) throw new Error(`no value for ${whole} in tag template ${template}`);
    return String(value);
  });
}

/** The values a tag name of this template carries, or null if it is not one of its tags. */
export function matchTag(template: string, tag: string): TagValues | null {
  const names: Placeholder[] = [];
  const body = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1] as Placeholder | undefined;
      if (name && name in CAPTURE) {
        names.push(name);
        return CAPTURE[name];
      }
      return escapeRegExp(part);
    })
    .join('');
  const m = new RegExp(`^${body}$`).exec(tag);
  if (!m) return null;
  const values: TagValues = {};
  names.forEach((n, i) => {
    const v = m[i + 1];
    if (v !== undefined) values[n] = n === 'build' || n === 'n' ? Number(v) : v;
  });
  return values;
}

/** `2026-12-04T05:06:07.890Z` → `20261204T050607Z`. */
export function tagTimestamp(at: Date | string): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A rollback reason as part of a tag name: lowercase ASCII words and dashes, at most 40 characters. */
export function reasonSlug(reason: string): string {
  const slug = reason
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug === '' ? 'unspecified' : slug;
}

// ---- production tags ----

export function productionTagName(template: string, build: number, values: TagValues = {}): string {
  return renderTag(template, { ...values, build });
}

/** The Jenkins deploy build number a production tag names, or null if the tag is not one (or names none). */
export function productionBuildOf(template: string, tag: string): number | null {
  const v = matchTag(template, tag);
  return typeof v?.build === 'number' ? v.build : null;
}

export interface ProductionTag {
  name: string;
  /** The deploy's build number, when the template names it. */
  build: number | null;
}

/** What orders production tags: the build number, or the time it was made. */
function orderOf(v: TagValues): number | null {
  if (typeof v.build === 'number') return v.build;
  return typeof v.timestamp === 'string' ? Number(v.timestamp.replace(/[TZ]/g, '')) : null;
}

export function productionTags(template: string, tags: readonly string[]): ProductionTag[] {
  const found: Array<ProductionTag & { order: number }> = [];
  for (const name of tags) {
    const v = matchTag(template, name);
    const order = v ? orderOf(v) : null;
    if (v && order !== null) found.push({ name, build: typeof v.build === 'number' ? v.build : null, order });
  }
  return found.sort((a, b) => b.order - a.order || (a.name < b.name ? 1 : -1)).map(({ name, build }) => ({ name, build }));
}

export function newestProductionTag(template: string, tags: readonly string[]): ProductionTag | null {
  return productionTags(template, tags)[0] ?? null;
}

/** The production tag before `current`: where a rollback returns to. */
export function previousProductionTag(template: string, tags: readonly string[], current: string): ProductionTag | null {
  const v = matchTag(template, current);
  const order = v ? orderOf(v) : null;
  if (order === null) return null;
  const ordered = productionTags(template, [...new Set([...tags, current])]);
  const at = ordered.findIndex((t) => t.name === current);
  return ordered[at + 1] ?? null;
}

// ---- release versions ----

export function releaseTagName(template: string, version: string, values: TagValues = {}): string {
  return renderTag(template, { ...values, version });
}

/** The `X.Y.Z` a `{version}` release tag names, or null if the tag is not a plain release of the template. */
export function releaseVersionOf(template: string, tag: string): string | null {
  const v = matchTag(template, tag);
  const version = typeof v?.version === 'string' ? v.version : null;
  return version !== null && /^\d+\.\d+\.\d+$/.test(version) ? version : null;
}

/** A release as the service orders them: X.Y.Z numerically, then its hotfixes by number after it. */
export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
  /** 0 for X.Y.Z itself; N for X.Y.Z-hotfix.N. */
  hotfix: number;
}

/** Parsed with a semver library; anything but X.Y.Z and X.Y.Z-hotfix.N is not one of ours. */
export function parseRelease(text: string): ReleaseVersion | null {
  const v = parseSemver(text.replace(/^v/, ''));
  if (!v || v.build.length > 0) return null;
  if (v.prerelease.length === 0) return { major: v.major, minor: v.minor, patch: v.patch, hotfix: 0 };
  const [label, n] = v.prerelease;
  if (v.prerelease.length !== 2 || label !== 'hotfix' || typeof n !== 'number' || n < 1) return null;
  return { major: v.major, minor: v.minor, patch: v.patch, hotfix: n };
}

/** < 0 when `a` comes before `b`: 1.9.3 < 1.10.0, 1.4.2 < 1.4.2-hotfix.1 < 1.4.2-hotfix.10. */
export function compareReleases(a: ReleaseVersion, b: ReleaseVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.hotfix - b.hotfix;
}

/** Next patch after the newest plain release tag: v1.4.2 → 1.4.3. No release tag yet → 0.0.1. */
export function nextReleaseVersion(template: string, tags: readonly string[]): string {
  let newest: ReleaseVersion | null = null;
  for (const tag of tags) {
    const raw = releaseVersionOf(template, tag);
    const version = raw === null ? null : parseRelease(raw);
    if (version && (!newest || compareReleases(version, newest) > 0)) newest = version;
  }
  return newest ? `${newest.major}.${newest.minor}.${newest.patch + 1}` : '0.0.1';
}

/** Does the release template name a hotfix when it is requested ({base}, {n}), not at release? */
export function releaseFixedAtRequest(template: string): boolean {
  const p = placeholdersOf(template);
  return p.includes('base') && p.includes('n');
}

/**
 * The base release a branch starts from: the newest plain X.Y.Z among the release tags its
 * base commit contains (its hotfixes are not bases). `tags` are the tag names merged into it.
 */
export function baseRelease(template: string, mergedTags: readonly string[]): string | null {
  let newest: ReleaseVersion | null = null;
  for (const tag of mergedTags) {
    const v = matchTag(template, tag);
    const text = typeof v?.base === 'string' ? v.base : typeof v?.version === 'string' ? v.version : /^v?(\d+\.\d+\.\d+)$/.exec(tag)?.[1];
    const r = text ? parseRelease(text) : null;
    if (r && r.hotfix === 0 && (!newest || compareReleases(r, newest) > 0)) newest = r;
  }
  return newest ? `${newest.major}.${newest.minor}.${newest.patch}` : null;
}

/** The highest hotfix number already used on `base` by tags of the release template. */
export function highestHotfixNumber(template: string, base: string, tags: readonly string[]): number {
  let highest = 0;
  for (const tag of tags) {
    const v = matchTag(template, tag);
    if (v?.base === base && typeof v.n === 'number' && v.n > highest) highest = v.n;
  }
  return highest;
}
