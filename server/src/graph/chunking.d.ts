/** The part of neo4j-driver's Bolt chunker `boltChunks.ts` touches (the package ships no types for it). */
declare module 'neo4j-driver-bolt-connection/lib/channel/chunking.js' {
  export class Chunker {
    constructor(channel: { write(buffer: unknown): void }, bufferSize?: number);
    flush(): this;
    messageBoundary(): void;
    writeUInt8(value: number): void;
  }
}
