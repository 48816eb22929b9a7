// Tag names from the config's templates (`prod-{build}`, `v{version}`) and the choices made
// from existing tags. "Newest" is always numeric: prod-10 is newer than prod-9, whatever
// `git tag` sorting says.

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function templateRegExp(template: string, placeholder: string, capture: string): RegExp {
  const [before, after] = template.split(placeholder) as [string, string];
  return new RegExp(`^${escapeRegExp(before)}${capture}${escapeRegExp(after)}$`);
}

export function productionTagName(template: string, build: number): string {
  return template.replace('{build}', String(build));
}

export function releaseTagName(template: string, version: string): string {
  return template.replace('{version}', version);
}

/** The Jenkins deploy build number a production tag names, or null if the tag is not one. */
export function productionBuildOf(template: string, tag: string): number | null {
  const match = templateRegExp(template, '{build}', '(\\d+)').exec(tag);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export interface ProductionTag {
  name: string;
  build: number;
}

export function productionTags(template: string, tags: readonly string[]): ProductionTag[] {
  const found: ProductionTag[] = [];
  for (const name of tags) {
    const build = productionBuildOf(template, name);
    if (build !== null) found.push({ name, build });
  }
  return found.sort((a, b) => b.build - a.build);
}

export function newestProductionTag(
  template: string,
  tags: readonly string[],
): ProductionTag | null {
  return productionTags(template, tags)[0] ?? null;
}

/** The production tag before `current` (by build number): where a rollback returns to. */
export function previousProductionTag(
  template: string,
  tags: readonly string[],
  current: string,
): ProductionTag | null {
  const currentBuild = productionBuildOf(template, current);
  if (currentBuild === null) return null;
  return productionTags(template, tags).find((t) => t.build < currentBuild) ?? null;
}

type Version = [number, number, number];

function parseVersion(text: string): Version | null {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The `X.Y.Z` a release tag names, or null if the tag is not a release tag. */
export function releaseVersionOf(template: string, tag: string): string | null {
  return templateRegExp(template, '{version}', '(\\d+\\.\\d+\\.\\d+)').exec(tag)?.[1] ?? null;
}

/** Next patch after the newest release tag: v1.4.2 → 1.4.3. No release tag yet → 0.0.1. */
export function nextReleaseVersion(template: string, tags: readonly string[]): string {
  let newest: Version | null = null;
  for (const tag of tags) {
    const raw = releaseVersionOf(template, tag);
    const version = raw === null ? null : parseVersion(raw);
    if (version && (!newest || compareVersions(version, newest) > 0)) newest = version;
  }
  if (!newest) return '0.0.1';
  return `${newest[0]}.${newest[1]}.${newest[2] + 1}`;
}
