// The service's entry point (`npm start`, `node dist/main.js --role api|worker`).

import { runProcess } from './process.js';

runProcess();
