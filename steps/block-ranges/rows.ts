// Rows written straight into bytes as TabSeparated, the way the engine reads them. Assembling a row
// as a JS string costs more than decoding the log it comes from (V8 keeps a template literal as a
// rope of its ~40 pieces, holds every sliced field's parent string alive, and flattens it all later
// at ~10 µs per row, measured by bench/chain-decode.ts); writing the pieces into one growable buffer
// costs a native copy each and leaves nothing for the collector.
import { webcrypto } from 'node:crypto'

/** Buffer's native latin1 writer without Buffer#write's argument checks (what the simulator uses too). */
type LatinWriter = (this: Buffer, text: string, offset: number) => number
const latin1Write: LatinWriter =
  (Buffer.prototype as unknown as { latin1Write?: LatinWriter }).latin1Write ??
  function (this: Buffer, text: string, offset: number) {
    return this.write(text, offset, 'latin1')
  }

/**
 * Bytes per row to start with: a chain_fills row is ~560 (V1) to ~650 (V2) with its run id, so most
 * ranges fit without regrowing. Grows by doubling.
 */
const INITIAL_ROW_BYTES = 640
/** Text up to this long is copied by a loop; longer text by the native writer (a call costs more than a short loop). */
const SHORT_TEXT = 16
/** Integers below this take writeNumber's 32-bit path. */
const SMALL_INTEGER = 2 ** 31
/**
 * `finish` hands out the buffer itself when at most this share of it is unused, else a tight copy:
 * up to 200,000 rows wait for a commit (committer.ts), and a quarter more memory for them is the
 * most the copy is worth saving.
 */
const MAX_SLACK = 0.25

/**
 * The rows of one block range. Values must be ASCII with no tab, newline or backslash (hex,
 * decimal, enum names: everything a chain log decodes to). Each row ends with the run column.
 */
export class RowWriter {
  private buffer: Buffer
  private length = 0
  /** Where each row's run id goes: written as a placeholder, so the digest does not depend on it. */
  private runOffsets: number[] = []
  private readonly placeholder: string

  constructor(
    private readonly runId: string,
    expectedRows = 16,
  ) {
    if (!/^[\w.:-]*$/.test(runId)) throw new RangeError(`run id must be plain text, got '${runId}'`)
    this.placeholder = '-'.repeat(runId.length)
    this.buffer = Buffer.allocUnsafe(Math.max(1_024, expectedRows * INITIAL_ROW_BYTES))
  }

  get rows(): number {
    return this.runOffsets.length
  }

  /** Appends text to the current row (fields are separated by writing '\t'). */
  write(text: string): void {
    if (this.length + text.length > this.buffer.length) this.grow(this.length + text.length)
    if (text.length > SHORT_TEXT) {
      this.length += latin1Write.call(this.buffer, text, this.length)
      return
    }
    const buffer = this.buffer
    let at = this.length
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i)
    this.length = at
  }

  /** Appends a non-negative integer below 2^53 in decimal, without making its string. */
  writeNumber(value: number): void {
    if (value < SMALL_INTEGER) {
      this.writeSmallNumber(value)
      return
    }
    let digits = 1
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
    if (this.length + digits > this.buffer.length) this.grow(this.length + digits)
    const buffer = this.buffer
    let at = this.length + digits
    this.length = at
    let rest = value
    do {
      buffer[--at] = 0x30 + (rest % 10)
      rest = Math.floor(rest / 10)
    } while (rest > 0)
  }

  /**
   * writeNumber in 32-bit integer arithmetic: the same loop as writeNumber's, kept apart on purpose.
   * Most values (blocks, times, log indexes, most amounts) are below 2^31, and integer division is
   * measurably cheaper here; one loop for both (padded parts of 9 digits) cost 2–5 % of a row's CPU
   * in bench/chain-decode.ts.
   */
  private writeSmallNumber(value: number): void {
    let digits = 1
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++
    if (this.length + digits > this.buffer.length) this.grow(this.length + digits)
    const buffer = this.buffer
    let at = this.length + digits
    this.length = at
    let rest = value
    do {
      buffer[--at] = 0x30 + (rest % 10)
      rest = (rest / 10) | 0
    } while (rest > 0)
  }

  /** Appends bytes of `source` (ASCII, as for `write`): a field read where it lies in a reply. */
  copy(source: Buffer, start: number, end: number): void {
    if (this.length + end - start > this.buffer.length) this.grow(this.length + end - start)
    // A loop, not Buffer#copy: for the ~40–70 bytes of a hash it is as fast and makes no subarray.
    const buffer = this.buffer
    let at = this.length
    for (let p = start; p < end; p++) buffer[at++] = source[p] as number
    this.length = at
  }

  /** Ends the current row: the run column and the newline. */
  endRow(): void {
    if (this.finished) throw new Error('RowWriter: a row was written after finish()')
    this.write('\t')
    this.runOffsets.push(this.length)
    this.write(this.placeholder)
    this.write('\n')
  }

  /** A point to come back to if a log fails half-way. */
  mark(): { length: number; rows: number } {
    return { length: this.length, rows: this.runOffsets.length }
  }

  rewind(mark: { length: number; rows: number }): void {
    this.length = mark.length
    this.runOffsets.length = mark.rows
  }

  /** The rows written so far as text, their run columns still placeholders (tests and benches). */
  text(): string {
    return this.buffer.toString('latin1', 0, this.length)
  }

  /**
   * The finished rows: their bytes (run ids filled in) and a digest of the content without them. The
   * digest is computed off the main thread (WebCrypto runs it on the thread pool): hashing every row
   * was ~0.6 s of the main thread's time per 1,000,000 fills, the chain step's scarcest resource.
   */
  async finish(): Promise<{ payload: Buffer; digest: Buffer; rows: number }> {
    if (this.finished) throw new Error('RowWriter: finish() was called twice')
    this.finished = true
    const content = this.buffer.subarray(0, this.length)
    // Buffers are views of plain ArrayBuffers (never shared ones); the view only restates that.
    const view = new Uint8Array(content.buffer as ArrayBuffer, content.byteOffset, content.length)
    const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', view))
    for (const offset of this.runOffsets) latin1Write.call(this.buffer, this.runId, offset)
    let payload = content
    if (this.length < this.buffer.length * (1 - MAX_SLACK)) {
      payload = Buffer.allocUnsafe(this.length)
      this.buffer.copy(payload, 0, 0, this.length)
    }
    return { payload, digest, rows: this.runOffsets.length }
  }

  /** finish() hands the buffer out (or its digest is being taken): writing again would change both. */
  private finished = false

  private grow(atLeast: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, atLeast))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }
}
