/**
 * `knowledge/stats`: what the server measures about itself — documents by
 * origin, indexing progress, the server time of recent edits (arrival to
 * published diagnostics) and memory — for the benchmarks and the client's
 * "sync details".
 */
import { STATS_REQUEST, type ServerStats } from '../../../../shared/src/protocol';
import type { Feature } from '../context';

export const statsFeature: Feature = {
  name: 'stats',
  register(ctx) {
    ctx.connection.onRequest(STATS_REQUEST, (params: { reset?: boolean; collect?: boolean } | undefined): ServerStats => {
      // A full collection first, so that `heapUsed` is what is alive (only when node runs with --expose-gc: benchmarks).
      const gc = (globalThis as { gc?: () => void }).gc;
      if (params?.collect && gc) gc();
      const documents = { open: 0, disk: 0, team: 0, resting: ctx.kb.resting().length };
      for (const uri of ctx.kb.uris()) documents[ctx.kb.origin(uri)!]++;
      const latencies = [...ctx.diagnostics.editLatencies];
      if (params?.reset) ctx.diagnostics.editLatencies.length = 0;
      const m = process.memoryUsage();
      return {
        documents,
        indexing: ctx.indexer.progress(),
        editLatencies: latencies,
        checkState: ctx.kb.workspace.statefulDomains(),
        memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external },
      };
    });
  },
};
