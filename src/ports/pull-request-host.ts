// Where the back-merge is proposed (GitHub, GitLab, or nowhere: branch only).

export interface PullRequestSpec {
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface PullRequestRef {
  number: number | null;
  /** Where a person reviews it; null when the provider is `none` (branch only). */
  url: string | null;
  /** It already existed (a retry, or someone opened it by hand). */
  existing: boolean;
}

/** A proposal the host says is merged: by whom (its user name) and when, as far as it says. */
export interface PullRequestMerge {
  by: string | null;
  at: string | null;
}

export interface PullRequestHost {
  open(spec: PullRequestSpec): Promise<PullRequestRef>;
  /** How the host records proposal `number` as merged; null while it is not (or never was: closed). */
  merged(number: number): Promise<PullRequestMerge | null>;
}
