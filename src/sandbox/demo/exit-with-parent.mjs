// Preloaded (`node --import`) into every app instance the demo starts. The demo stops its
// instances on Ctrl-C; this covers the rest (the demo killed with -9, or crashing): the
// instance's stdin is a pipe from the demo, and when that closes the instance exits too.
import process from 'node:process';

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
