/**
 * CPU time of the machine's processes by command name, from /proc (Linux):
 * where a sync's time goes between this process, PostgreSQL and Neo4j's JVM
 * when all three share the machine. Elsewhere there is nothing to read and
 * the bench says nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU milliseconds (user + system) per command name, summed over its processes; null without /proc. */
export function processCpu(): Map<string, number> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  const tick = 10; // USER_HZ is 100 on Linux
  const cpu = new Map<string, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpu.set(name, (cpu.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * tick);
  }
  return cpu;
}

/** "Neo4j (java) 11.2 s, PostgreSQL 4.6 s, Node 5.4 s" between two readings; '' without /proc. */
export function cpuBetween(before: Map<string, number> | null, after: Map<string, number> | null): string {
  if (!before || !after) return '';
  const used = (name: string) => `${(((after.get(name) ?? 0) - (before.get(name) ?? 0)) / 1000).toFixed(1)} s`;
  return `Neo4j's JVM (java) ${used('java')}, PostgreSQL ${used('postgres')}, Node ${used('node')}`;
}
