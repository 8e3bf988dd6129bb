/**
 * The entry of the `dist/cli.js` bundle. Run by `bin/kos.js` it is the
 * command line; started as a worker thread by `parse.ts` it parses documents.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { runKos } from './dispatch';
import { processIO } from './io';
import { isParseWorker, serveParseRequests } from './parse';

if (isMainThread) {
  void runKos(process.argv.slice(2), processIO()).then((code) => {
    process.exitCode = code;
  });
} else if (isParseWorker(workerData)) {
  serveParseRequests();
}
