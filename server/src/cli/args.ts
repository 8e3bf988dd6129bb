/** `kos check` options, parsed with node's `util.parseArgs`. */
import { parseArgs } from 'node:util';
import { FORMATTERS, isFormatName, type FormatName } from './formats';

export interface CheckOptions {
  paths: string[];
  format: FormatName;
  tenant?: string;
  progress: boolean;
  jobs: number;
}

export function parseCheckArgs(args: string[], defaultJobs: number): CheckOptions | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        tenant: { type: 'string' },
        jobs: { type: 'string' },
        'no-progress': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (!isFormatName(values.format)) {
    return { error: `unknown format '${values.format}' (expected ${Object.keys(FORMATTERS).join(', ')})` };
  }
  if (values.tenant !== undefined && values.tenant.trim() === '') return { error: '--tenant needs a name' };
  const jobs = values.jobs === undefined ? defaultJobs : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return { error: `--jobs must be a positive whole number, not '${values.jobs}'` };
  return {
    paths: positionals.length > 0 ? positionals : ['.'],
    format: values.format,
    tenant: values.tenant,
    progress: !values['no-progress'],
    jobs,
  };
}
