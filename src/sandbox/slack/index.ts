export { startSlackSim, type SlackFault, type SlackMessageRecord, type SlackSim, type SlackSimOptions } from './server.js';
