// The memory RowWriters write into (load/row-writer.ts), taken from and given back to a pool: the
// block-range engine makes one pool per run, the committer gives each payload back once the
// warehouse acknowledged its insert.

/** Free row buffers kept for reuse, in bytes: the rows of a commit and a half (the committer's COMMIT_ROWS). */
export const MAX_FREE_ROW_BYTES = 128 * 2 ** 20
/** Smaller buffers are not pooled: they cost little to allocate (and share Node's slab). */
const MIN_POOLED_BYTES = 64 * 1024
/** A free buffer is taken for a request at most this many times smaller, so slack stays bounded. */
const MAX_FIT = 2

/**
 * Buffers for RowWriters, given back once their rows are inserted, so the next ranges write into
 * memory already in use: a fresh buffer per range (~0.7 KB per fill) made V8 run a full
 * mark-compact every ~64 MB of them, and every new page was a fault (bench/chain-ingest.ts).
 */
export class RowBuffers {
  private readonly free: Buffer[] = []
  private freeBytes = 0
  /** Memory handed out by `take` and not given back yet: only that is taken back. */
  private readonly lent = new WeakSet<ArrayBufferLike>()

  constructor(private readonly maxFreeBytes = MAX_FREE_ROW_BYTES) {}

  /** A buffer of at least `bytes`: the smallest free one that fits (within MAX_FIT), else a new one. */
  take(bytes: number): Buffer {
    if (bytes < MIN_POOLED_BYTES) return Buffer.allocUnsafe(bytes)
    let best = -1
    for (let i = 0; i < this.free.length; i++) {
      const length = (this.free[i] as Buffer).length
      if (
        length >= bytes &&
        length <= MAX_FIT * bytes &&
        (best < 0 || length < (this.free[best] as Buffer).length)
      )
        best = i
    }
    let buffer: Buffer
    if (best >= 0) {
      buffer = this.free.splice(best, 1)[0] as Buffer
      this.freeBytes -= buffer.length
    } else {
      buffer = Buffer.allocUnsafeSlow(bytes)
    }
    this.lent.add(buffer.buffer)
    return buffer
  }

  /**
   * The buffer `payload` lies in will not be read or written again by the caller: it may be taken
   * next. Memory `take` did not hand out, or already given back since, is ignored; give each payload
   * once, after its last use (a give after its memory was taken again would free the new holder's).
   */
  give(payload: Buffer): void {
    const memory = payload.buffer
    if (!this.lent.delete(memory) || this.freeBytes + memory.byteLength > this.maxFreeBytes) return
    this.free.push(Buffer.from(memory))
    this.freeBytes += memory.byteLength
  }
}
