/**
 * Keeps every packet handed to the core alive until the core releases it.
 *
 * The core borrows packet memory (zero-copy): output runs point into the packets the caller pushed.
 * This registry gives each packet a 32-bit id, holds a reference to its bytes, resolves output runs
 * back to sub-views of those same bytes, and forgets a packet once the core releases its id.
 */
export class PacketRegistry {
  private readonly packets = new Map<number, Uint8Array>();
  private nextId = 0;

  /** Registers a packet and returns the id to push it with. */
  add(packet: Uint8Array): number {
    let id = this.nextId;
    // 0xFFFFFFFF marks generated runs in the C ABI; ids wrap before it and skip ids still in use.
    while (this.packets.has(id)) id = (id + 1) % 0xffffffff;
    this.nextId = (id + 1) % 0xffffffff;
    this.packets.set(id, packet);
    return id;
  }

  /** A view of `size` bytes of packet `id` at `offset` (no copy). */
  view(id: number, offset: number, size: number): Uint8Array {
    const p = this.packets.get(id);
    if (!p || offset + size > p.byteLength) {
      throw new Error(`core referenced packet ${id} [${offset}, +${size}) that is not registered`);
    }
    return p.subarray(offset, offset + size);
  }

  release(ids: Uint32Array): void {
    for (const id of ids) this.packets.delete(id);
  }

  get size(): number {
    return this.packets.size;
  }
}
