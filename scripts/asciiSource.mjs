// Comments' non-ASCII characters → '?', one for one; see esbuild.mjs.
import * as esbuild from 'esbuild';

/** Words after which a `/` begins a regular expression, not a division. */
const BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/** The [start, end) ranges of the comments of a script (a lexer that knows strings, templates and regular expressions). */
export function commentRanges(code) {
  const ranges = [];
  // Open template literals: the brace depth at which each `${` was entered.
  const templates = [];
  let depth = 0;
  // Whether a `/` here would begin a regular expression.
  let regexAllowed = true;
  let i = 0;
  const n = code.length;
  const skipString = (quote) => {
    for (i++; i < n && code[i] !== quote; i++) if (code[i] === '\\') i++;
    i++;
  };
  /** Scans template text from `i` (inside the backquotes) to its end or to a `${`. */
  const skipTemplate = () => {
    for (; i < n; i++) {
      if (code[i] === '\\') i++;
      else if (code[i] === '`') return void i++;
      else if (code[i] === '$' && code[i + 1] === '{') {
        templates.push(depth);
        depth++;
        i += 2;
        return;
      }
    }
  };
  while (i < n) {
    const c = code[i];
    if (c === '/' && code[i + 1] === '/') {
      const end = code.indexOf('\n', i);
      ranges.push([i, end === -1 ? n : end]);
      i = end === -1 ? n : end;
    } else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`an unterminated comment at ${i}`);
      ranges.push([i, end + 2]);
      i = end + 2;
    } else if (c === '/' && regexAllowed) {
      let inClass = false;
      for (i++; i < n && (inClass || code[i] !== '/'); i++) {
        if (code[i] === '\\') i++;
        else if (code[i] === '[') inClass = true;
        else if (code[i] === ']') inClass = false;
        else if (code[i] === '\n') throw new Error(`a regular expression left open at line end near ${i}`);
      }
      for (i++; i < n && /[a-z]/i.test(code[i]); i++);
      regexAllowed = false;
    } else if (c === '"' || c === "'") {
      skipString(c);
      regexAllowed = false;
    } else if (c === '`') {
      i++;
      skipTemplate();
      regexAllowed = false;
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      i++;
      skipTemplate();
      regexAllowed = false;
    } else if (/[A-Za-z0-9_$\\]/.test(c) || c.charCodeAt(0) > 0x7f) {
      const start = i;
      for (i++; i < n && (/[A-Za-z0-9_$\\]/.test(code[i]) || code.charCodeAt(i) > 0x7f); i++);
      regexAllowed = BEFORE_REGEX.has(code.slice(start, i));
    } else if (/\s/.test(c)) {
      i++;
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      // After `)`, `]` and `}` a `/` divides (a regular expression after a block's `}` is taken for a division).
      regexAllowed = !(c === ')' || c === ']' || c === '}');
      i++;
    }
  }
  return ranges;
}

/** `code` with every non-ASCII character of its comments replaced by `?`, and how many characters are left that are not ASCII. */
export function asciiComments(code) {
  const parts = [];
  let last = 0;
  for (const [start, end] of commentRanges(code)) {
    const comment = code.slice(start, end);
    if (!/[^\x00-\x7f]/.test(comment)) continue;
    parts.push(code.slice(last, start), comment.replace(/[^\x00-\x7f]/g, '?'));
    last = end;
  }
  parts.push(code.slice(last));
  const out = parts.join('');
  return { code: out, left: (out.match(/[^\x00-\x7f]/g) ?? []).length };
}

/** Only comments changed: both minify (comments dropped) to the same code. */
export async function sameCode(a, b) {
  const options = { minify: true, legalComments: 'none', charset: 'ascii', loader: 'js' };
  const [x, y] = await Promise.all([esbuild.transform(a, options), esbuild.transform(b, options)]);
  return x.code === y.code;
}
