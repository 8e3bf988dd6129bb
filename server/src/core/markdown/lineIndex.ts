import type { Position } from '../model';

/** Offsets ↔ LSP positions (0-based lines, UTF-16 characters) for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  /** The text's length (the text itself is not kept). */
  private readonly length: number;

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    this.length = text.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offset(position: Position): number {
    if (position.line >= this.starts.length) return this.length;
    const start = this.starts[Math.max(0, position.line)];
    const next = position.line + 1 < this.starts.length ? this.starts[position.line + 1] - 1 : this.length;
    return Math.min(start + Math.max(0, position.character), next);
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
