/** Turning a file's bytes into text, or a reason to skip it. */

export type Decoded = { text: string } | { reason: string };

/** Strict UTF-8 with the BOM stripped; NUL bytes mean the file is binary. */
export function decodeMarkdown(bytes: Uint8Array): Decoded {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { reason: `looks binary (NUL byte at offset ${nul})` };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { reason: `not valid UTF-8 (${describeInvalidByte(bytes)})` };
  }
}

/** The offending byte, as the decoder itself sees it. */
function describeInvalidByte(bytes: Uint8Array): string {
  const offset = firstInvalidOffset(bytes);
  return `byte 0x${bytes[offset].toString(16).padStart(2, '0')} at offset ${offset}`;
}

function firstInvalidOffset(bytes: Uint8Array): number {
  const decodes = (length: number, stream: boolean) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream });
      return true;
    } catch {
      return false;
    }
  };
  // The byte at which streaming decoding fails (the shortest failing prefix ends
  // with it), or the end of the file when only the final flush fails.
  let failsAt = bytes.length;
  if (!decodes(bytes.length, true)) {
    let low = 1;
    let high = bytes.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (decodes(mid, true)) low = mid + 1;
      else high = mid;
    }
    failsAt = low - 1;
  }
  // If that interrupts an unfinished character (a Latin-1 "é" before a space),
  // the culprit is the character's first byte.
  let offset = failsAt;
  if (!decodes(failsAt, false)) {
    do offset -= 1;
    while ((bytes[offset] & 0xc0) === 0x80);
  }
  return offset;
}
