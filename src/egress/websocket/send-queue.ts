/**
 * The ordered queue of a PCM WebSocket: binary messages (Buffer) and text messages (string) in the
 * order they were sent. At most `maxBinary` binary messages wait: one more drops the oldest binary
 * message (text messages are never dropped and keep their place). Amortised O(1) per message.
 */
export class SendQueue {
  private items: (Buffer | string)[] = [];
  private head = 0;
  private binary = 0;
  private byteCount = 0;

  constructor(private readonly maxBinary: number) {
    if (!(Number.isInteger(maxBinary) && maxBinary >= 1)) throw new RangeError(`maxBinary must be a positive integer, got ${maxBinary}`);
  }

  /** Messages waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Binary messages waiting. */
  get binaryCount(): number {
    return this.binary;
  }

  /** Payload bytes waiting (text as UTF-8). */
  get bytes(): number {
    return this.byteCount;
  }

  /** Appends a message; returns the binary message dropped to make room (the oldest), if any. */
  push(item: Buffer | string): Buffer | undefined {
    this.items.push(item);
    this.byteCount += size(item);
    if (typeof item === 'string') return undefined;
    if (++this.binary <= this.maxBinary) return undefined;
    return this.dropOldestBinary();
  }

  /** Takes the oldest message, or undefined when empty. */
  shift(): Buffer | string | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = '';
    this.byteCount -= size(item);
    if (typeof item !== 'string') this.binary--;
    this.compact();
    return item;
  }

  /** Drops everything. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.binary = 0;
    this.byteCount = 0;
  }

  private dropOldestBinary(): Buffer | undefined {
    let i = this.head;
    while (i < this.items.length && typeof this.items[i] === 'string') i++;
    const victim = this.items[i];
    if (victim === undefined || typeof victim === 'string') return undefined;
    if (i === this.head) this.items[this.head++] = '';
    else this.items.splice(i, 1); // only behind a text message: rare
    this.binary--;
    this.byteCount -= victim.length;
    this.compact();
    return victim;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

const size = (item: Buffer | string): number => (typeof item === 'string' ? Buffer.byteLength(item) : item.length);
