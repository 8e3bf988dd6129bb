/** The `--format` values and their formatters. */
import { formatJson } from './json';
import { formatSarif } from './sarif';
import { formatText } from './text';
import type { Formatter } from './report';

export const FORMATTERS = { text: formatText, json: formatJson, sarif: formatSarif } satisfies Record<string, Formatter>;

export type FormatName = keyof typeof FORMATTERS;

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(FORMATTERS, name);
}
