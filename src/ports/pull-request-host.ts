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

export interface PullRequestHost {
  open(spec: PullRequestSpec): Promise<PullRequestRef>;
}
