/**
 * The entry of the `dist/cli.js` bundle. Run by `bin/kos.js` it is the
 * command line; started as a worker thread by `parse.ts` it parses documents,
 * by `checkWorkers.ts` it parses and checks them, by the language server's
 * `indexWorkers.ts` it indexes them.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isCheckWorker, serveCheckRequests } from './checkWorkers';
import { runKos } from './dispatch';
import { processIO } from './io';
import { isParseWorker, serveParseRequests } from './parse';
import { isIndexWorker, serveIndexRequests } from '../lsp/indexWorkers';

if (isMainThread) {
  void runKos(process.argv.slice(2), processIO()).then((code) => {
    process.exitCode = code;
  });
} else if (isParseWorker(workerData)) {
  serveParseRequests();
} else if (isCheckWorker(workerData) && parentPort) {
  serveCheckRequests(parentPort, workerData);
} else if (isIndexWorker(workerData) && parentPort) {
  serveIndexRequests(parentPort);
}
