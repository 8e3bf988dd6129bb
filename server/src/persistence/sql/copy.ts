/**
 * Rows in the text format of `COPY … FROM STDIN` (PostgreSQL docs, "COPY",
 * File Formats / Text Format): one line per row, columns separated by a tab,
 * `\N` for NULL, and backslash, tab, newline and carriage return written as
 * `\\`, `\t`, `\n`, `\r`. Each value is converted the way `jsonb_to_recordset`
 * converts the same value in a JSON row, so that a row copied and a row
 * inserted from JSON are the same row.
 */

export interface CopyColumn {
  name: string;
  /** The column's type as `jsonb_to_recordset` reads it: `uuid`, `text`, `jsonb`, `uuid[]`, `boolean`, `numeric`… */
  type: string;
}

/** How a JSON column's value is written as JSON (JSON.stringify, or a form with its keys in a fixed order). */
export type JsonText = (value: unknown) => string;

/** COPY's text form of one value of a column of type `type`. */
export function copyValue(type: string, value: unknown, json: JsonText = JSON.stringify): string {
  if (value === null || value === undefined) return NULL;
  // JSON's null, in a JSON column too, is SQL's NULL (as jsonb_to_recordset reads it).
  if (type === 'jsonb' || type === 'json') return escape(json(value));
  switch (typeof value) {
    case 'string':
      return escape(value);
    case 'number':
      // JSON writes a non-finite number as null.
      return Number.isFinite(value) ? String(value) : NULL;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (Array.isArray(value) && type.endsWith('[]')) return escape(arrayLiteral(value));
      throw new TypeError(`no COPY form for a ${typeof value} in a ${type} column`);
  }
}

/** A row's columns, read from `row` by name, in COPY's text form, without the line's end. */
export function copyLine(columns: readonly CopyColumn[], row: Readonly<Record<string, unknown>>, json?: JsonText): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i > 0 ? '\t' : '') + copyValue(columns[i].type, row[columns[i].name], json);
  return line;
}

const NULL = '\\N';
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escape(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : text;
}

/** An array literal (`{a,"b c",NULL}`): elements quoted unless plain, as `array_in` reads them. */
function arrayLiteral(items: readonly unknown[]): string {
  return `{${items.map(arrayItem).join(',')}}`;
}

function arrayItem(item: unknown): string {
  if (item === null || item === undefined) return 'NULL';
  const text = String(item);
  return /^[0-9A-Za-z_.:+-]+$/.test(text) && text.toUpperCase() !== 'NULL' ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
