// Names the service gives things: hotfix IDs, branches, QA environments. Everything here is
// derived from the ID and a sanitised slug, so nothing a requester typed can reach a ref name
// unfiltered.

const ID_PATTERN = /^HF-(\d{4})-(\d{2})-(\d{3,})$/;

export function formatHotfixId(at: Date, sequence: number): string {
  const year = at.getUTCFullYear();
  const month = String(at.getUTCMonth() + 1).padStart(2, '0');
  return `HF-${year}-${month}-${String(sequence).padStart(3, '0')}`;
}

/** The counter a new ID is drawn from: one per calendar month (UTC). */
export function sequenceKey(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function isHotfixId(value: string): boolean {
  return ID_PATTERN.test(value);
}

const SLUG_MAX = 40;

/**
 * A branch-safe slug from a free-text title: ASCII letters and digits joined by single dashes.
 * Accents are folded (`Währung` → `wahrung`), everything else becomes a separator, so shell
 * metacharacters, option dashes and `..` cannot survive.
 */
export function slugify(title: string): string {
  const folded = title.replace(/ß/g, 'ss').normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const slug = folded
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, '');
  return slug === '' ? 'fix' : slug;
}

export function hotfixBranch(id: string, title: string): string {
  return `hotfix/${id}-${slugify(title)}`;
}

export function backmergeBranch(id: string): string {
  return `backmerge/${id}`;
}

/**
 * `HF-2026-11-001` → `qa-hf-2026-11-001` for the first QA cycle, `qa-hf-2026-11-001-2` for the
 * second …: DNS-label safe, as QA envs often become hostnames. One name per cycle, so a late
 * teardown (or qa-up) of one cycle can never touch the environment of the next.
 */
export function qaEnvName(id: string, cycle = 1): string {
  return cycle <= 1 ? `qa-${id.toLowerCase()}` : `qa-${id.toLowerCase()}-${cycle}`;
}
