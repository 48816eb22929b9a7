// The git operations the lifecycle needs, on a service's repository. Implementations keep a
// cached mirror and serialise work per repository.

export interface CommitInfo {
  sha: string;
  subject: string;
  author: string;
}

export interface ChangedFile {
  status: string;
  path: string;
}

export interface BranchRequest {
  repo: string;
  branch: string;
  productionTagTemplate: string;
  /** A specific production tag to start from instead of the newest. */
  baseRef?: string;
  commits: readonly string[];
}

export interface BranchResult {
  baseTag: string;
  baseCommit: string;
  head: string;
  adopted: boolean;
}

export interface BaseCheck {
  /** The newest production tag on the origin, and its commit. */
  newestTag: string | null;
  newestCommit: string | null;
  /** Whether the commit to deploy contains it. */
  contains: boolean;
  /**
   * Whether production has everything the hotfix branch was cut from: false when production
   * was rolled back past that point (its newest tag is on an older commit).
   */
  baseInProduction: boolean;
}

export interface TagSpec {
  repo: string;
  name: string;
  commit: string;
  message: string;
}

/** A tag to publish: a fixed name, or the next release version (one whose message names `marker` is an earlier attempt's). */
export type TagPlan = { name: string; message: string } | { template: string; marker: string; message: string };

export interface PublishPlan {
  tags: readonly TagPlan[];
  /**
   * A `--no-ff` merge of the commit into `branch`, and `alsoBranch` created at that merge;
   * `previewInto`: also say which paths merging that merge into this branch (develop) conflict on.
   */
  merge?: { branch: string; message: string; alsoBranch?: string; previewInto?: string };
}

export interface Published {
  /** Each planned tag, in order: its name, and whether this call created it. */
  tags: Array<{ name: string; created: boolean }>;
  /**
   * The merge (`already`: the branch contained the commit; its head stands for the merge), or why
   * it could not be made: a ConflictError naming the files, an InvalidStateError for a missing
   * branch. The tags are published either way.
   */
  merge: { mergeCommit: string; already: boolean; alsoBranch: 'created' | 'existed' | null; preview: { conflicts: string[] } | null } | { failed: Error } | null;
}

export interface GitRepo {
  /**
   * Everything a released hotfix leaves in git, in one push that lands all or nothing: tags
   * (never moved: a tag of that name elsewhere is an InvalidStateError and nothing is pushed),
   * the merge into the production branch, a branch at that merge. Safe to repeat: what is
   * already on the origin is found, not pushed again; a push that loses a race is redone.
   */
  publish(repo: string, commit: string, plan: PublishPlan): Promise<Published>;
  createHotfixBranch(req: BranchRequest): Promise<BranchResult>;
  /** The remote branch's head commit, or null if it does not exist. */
  branchHead(repo: string, branch: string): Promise<string | null>;
  /** Commits in `to` and not in `from`, newest first, and the files they change. */
  changes(repo: string, from: string, to: string): Promise<{ commits: CommitInfo[]; files: ChangedFile[] }>;
  /** Is production's newest tag inside `commit`, and `branchBase` inside production? (The stale-base guard.) */
  checkBase(repo: string, productionTagTemplate: string, commit: string, branchBase: string): Promise<BaseCheck>;
  /** Merge `tag` into the branch and push; a conflict is a ConflictError naming the files. */
  mergeTagIntoBranch(repo: string, branch: string, tag: string, message: string): Promise<{ head: string }>;
  /**
   * Create an annotated tag at `commit` and push it. A tag of that name at the same commit is
   * fine (an earlier attempt); at another commit it is an InvalidStateError: tags never move.
   */
  ensureTag(spec: TagSpec): Promise<'created' | 'existed'>;
  /** `--no-ff` merge of `commit` into `branch`, pushed; retried when the remote moves meanwhile. */
  mergeIntoBranch(repo: string, branch: string, commit: string, message: string): Promise<{ mergeCommit: string; already: boolean }>;
  /** Create (or find) `branch` at `commit` on the origin. */
  ensureBranch(repo: string, branch: string, commit: string): Promise<'created' | 'existed'>;
  /** Merge `other` into `base` without a worktree: the conflicting paths, if any. */
  previewMerge(repo: string, base: string, other: string): Promise<{ conflicts: string[] }>;
  /** Does the origin's `branch` contain `commit`? */
  branchContains(repo: string, branch: string, commit: string): Promise<boolean>;
  /** The commit a tag points at, or null. */
  tagCommit(repo: string, tag: string): Promise<string | null>;
  /** Tag names on the origin. */
  tags(repo: string): Promise<string[]>;
  /** Tags whose commit `commit` contains (`git tag --merged`). */
  mergedTags(repo: string, commit: string): Promise<string[]>;
}
