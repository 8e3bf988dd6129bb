import { describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { exampleTexts } from '../core/testing/examples';
import { section } from '../../../test/bench/generate';
import { fromSent, parseSafely, toSent, type ParseOutcome } from './parse';

describe('what a parse worker sends', () => {
  it('is JSON text that gives back exactly the snapshot, for the examples and generated knowledge', () => {
    const texts = [...exampleTexts(), section(1) + section(2), '---\ndomain: tax\ntitle: "Q\\u00e9bec 🙂"\nlist: [1, 2.5, null, true]\n---\n# T\n\n- **A**: 5%\n'];
    for (const [i, text] of texts.entries()) {
      const outcome = parseSafely({ uri: `file:///kb/doc${i}.md`, text });
      const sent = toSent(outcome);
      expect('json' in sent, `text ${i}`).toBe(true);
      expect(fromSent(sent)).toStrictEqual(outcome);
    }
  });

  it('is the snapshot itself when JSON would change it', () => {
    const doc = parseDocument('file:///kb/a.md', '# A\n');
    const cases: ParseOutcome[] = [
      { snapshot: { ...doc, frontMatter: { n: Number.POSITIVE_INFINITY } } },
      { snapshot: { ...doc, frontMatter: { n: -0 } } },
      { snapshot: { ...doc, frontMatter: { when: new Date(0) } } },
      { snapshot: { ...doc, frontMatter: { gone: undefined } } },
      parseSafely({ uri: 'file:///kb/b.md', text: '---\nn: .inf\n---\n# B\n' }),
    ];
    for (const outcome of cases) {
      const sent = toSent(outcome);
      expect('json' in sent).toBe(false);
      expect(fromSent(sent)).toBe(outcome);
    }
    expect(toSent({ error: 'boom' })).toEqual({ error: 'boom' });
  });
});
