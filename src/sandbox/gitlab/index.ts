export {
  startGitLabSim, type GitLabSim, type GitLabSimOptions, type MergeRequestRecord, type MergeRequestState,
} from './server.js';
