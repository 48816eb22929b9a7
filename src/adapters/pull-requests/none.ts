// `pullRequests.provider: none`: the back-merge branch is pushed and people are told to open
// the merge themselves.

import type { PullRequestHost } from '../../ports/pull-request-host.js';

export function createNoPullRequestHost(): PullRequestHost {
  return {
    async open() {
      return { number: null, url: null, existing: false };
    },
    async merged() {
      return null;
    },
  };
}
