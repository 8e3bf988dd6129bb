/** Compact, readable renderings of core results for snapshot tests. */
import { lineIndex, type DocumentSnapshot } from '../document';
import type { Block } from '../model';

export function renderBlocks(doc: DocumentSnapshot): string {
  const lines = lineIndex(doc);
  const depth = (b: Block): number => {
    let d = 0;
    for (let p = b.parentId; p; p = doc.blocks.find((x) => x.id === p)?.parentId ?? null) d++;
    return d;
  };
  return doc.blocks
    .map((b) => {
      const extra = Object.entries(b.content)
        .filter(([k, v]) => ['kind', 'language', 'url', 'checked'].includes(k) && v !== null)
        .map(([k, v]) => `${k}: ${String(v)}`);
      const tail = extra.length ? ` {${extra.join(', ')}}` : '';
      return `${'  '.repeat(depth(b))}${b.type} L${lines.position(b.span.start).line} ${JSON.stringify(b.text)}${tail}`;
    })
    .join('\n');
}
