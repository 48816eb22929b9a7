export { startSlackSim, type SlackEphemeral, type SlackFault, type SlackMessageRecord, type SlackSim, type SlackSimOptions, type SlackView } from './server.js';
export { postSigned, replay, type PostedPayload } from './interactivity.js';
