/** What the demo's Jenkins jobs need from the rest of the demo. */
import type { ArtifactStore } from '../artifacts.js';
import type { Environments } from '../environments.js';

export interface JenkinsJobContext {
  /** The origin the build checks out from. */
  originUrl: string;
  /** Scratch space for builds and unpacked artifacts. */
  workDir: string;
  artifacts: ArtifactStore;
  environments: Environments;
}
