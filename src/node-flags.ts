// How Node is started for a worker process (`node <flags> dist/main.js --role worker`), as
// docker-compose.yml does. V8 refuses these in NODE_OPTIONS and crashes if they are set after
// start, so they can only be on the command line.
//
// --single-threaded-gc: a worker is a throughput job runner that shares its cores with other
// workers, git, Redis and the API. V8's parallel and concurrent collector threads then compete
// with those processes for the same cores: in the bench, a worker's helper threads spent 5.8 ms
// a hotfix with two processes on two cores and 8.5 ms with four, and 3.9–4.0 ms either way
// with this flag, for longer pauses inside one job, which nobody waits on. The API keeps the
// default: its callbacks are answered faster with parallel scavenges.

export const WORKER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
