import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without types.
import { asciiComments, commentRanges, sameCode } from '../../scripts/asciiSource.mjs';

const comments = (code: string): string[] => (commentRanges(code) as [number, number][]).map(([s, e]) => code.slice(s, e));

describe('the bundle’s comments made ASCII', () => {
  it('finds comments, not what looks like them in strings, templates and regular expressions', () => {
    const code = [
      "const url = 'https://x.org'; // a ‘quoted’ note",
      'const re = /\\/\\/ not a comment [/*]/g.test(a) / 2; /* block — here */',
      'const t = `a ${b /* inside */ ? `${"//"}` : { c: 1 }.c} // text`; const d = x / y / z;',
      'if (a) return /é*/.test(s); // after return',
      '/** JSDoc … */ class A {}',
    ].join('\n');
    expect(comments(code)).toEqual(['// a ‘quoted’ note', '/* block — here */', '/* inside */', '// after return', '/** JSDoc … */']);
  });

  it('replaces their non-ASCII characters one for one and leaves the code alone', async () => {
    const code = "const re = /é/; // naïve — “quoted” 🪦\nconst s = String.raw`ü`; /* … */ f();";
    const { code: out, left } = asciiComments(code);
    expect(out).toBe("const re = /é/; // na?ve ? ?quoted? ??\nconst s = String.raw`ü`; /* ? */ f();");
    expect(out.length).toBe(code.length);
    // What esbuild does not escape outside comments stays, and is counted.
    expect(left).toBe(2);
    expect(await sameCode(code, out)).toBe(true);
    expect(await sameCode(code, out.replace('/é/', '/?/'))).toBe(false);
  });
});
