export { startGitHubSim, type GitHubSim, type GitHubSimOptions, type PullRecord, type PullState } from './server.js';
