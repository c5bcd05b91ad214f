// Rows written straight into bytes in the warehouse's input formats: TabSeparated, or RowBinary (the
// engine's own encoding: little-endian integers, length-prefixed strings). The log streams' encoders
// write their rows here (steps/block-ranges/types.ts) and the committer inserts the bytes as they
// are (load/commit.ts).
//
// Assembling a row as a JS string costs more than decoding the log it comes from (V8 keeps a template
// literal as a rope of its ~40 pieces, holds every sliced field's parent string alive, and flattens
// it all later at ~10 µs per row, measured by bench/chain-decode.ts); writing the pieces into one
// growable buffer costs a native copy each and leaves nothing for the collector.
//
// Why RowBinary for the log streams: the engine parses it ~2 × faster than TabSeparated (1M fills into
// a Null table: 0.7 s of CPU against 1.4 s; into chain_fills and its view 3.7 s against 4.5 s,
// bench/insert-path.ts), and UInt256 columns go in as the log's own 32 bytes, so no token id is
// turned into 78 decimal digits (BigInt, then a cache lookup per row). bench/chain-ingest.ts
// measures the whole path.
import { webcrypto } from 'node:crypto'
import { InvariantError } from '../core/errors.ts'
import { HEX_VALUE } from '../core/hex.ts'
import type { RowBuffers } from './row-buffers.ts'

/** The formats RowWriter writes (named as ClickHouse names them). */
export type RowFormat = 'TabSeparated' | 'RowBinary'

/** Column types RowWriter writes in RowBinary; a plain array is an Enum8's names by value. */
export type BinaryColumn =
  | 'UInt8'
  | 'UInt16'
  | 'UInt32'
  | 'UInt64'
  | 'UInt256'
  | 'DateTime'
  | 'String'
  | 'Array(UInt256)'
  | 'Array(String)'
  | readonly string[]

/** A table's columns in row order with their RowBinary types (`_run_id` is not one of them). */
export type BinaryColumns = readonly (readonly [name: string, type: BinaryColumn])[]

/**
 * One row's values by column name (`RowWriter.row`): integers below 2^53 as numbers, UInt256 as
 * decimal or 0x-hex text, an enum by its name, a String as ASCII text, an Array as a list of its
 * elements' texts.
 */
export type RowValues = Readonly<Record<string, number | string | readonly string[]>>

/** Buffer's native latin1 writer without Buffer#write's argument checks (what the simulator uses too). */
type LatinWriter = (this: Buffer, text: string, offset: number) => number
const latin1Write: LatinWriter =
  (Buffer.prototype as unknown as { latin1Write?: LatinWriter }).latin1Write ??
  function (this: Buffer, text: string, offset: number) {
    return this.write(text, offset, 'latin1')
  }

/**
 * Bytes per row to start with: a chain_fills row is ~580 (V1) to ~720 (V2) in RowBinary with its run
 * id, so most ranges fit without regrowing. Grows by doubling.
 */
const INITIAL_ROW_BYTES = 720
/** Text up to this long is copied by a loop; longer text by the native writer (a call costs more than a short loop). */
const SHORT_TEXT = 16
/**
 * `finish` hands out the buffer itself when at most this share of it is unused, else a tight copy:
 * up to 200,000 rows wait for a commit (steps/block-ranges/commit.ts), and a quarter more memory for them is the
 * most the copy is worth saving. A pooled writer never copies (its buffer goes back whole): its
 * buffer is at most RowBuffers' MAX_FIT times what it asked for.
 */
const MAX_SLACK = 0.25

/**
 * The rows of one block range. Each row ends with the run column (`endRow`).
 *
 * TabSeparated: values are written as text (`write`, `copy`) with '\t' between them, and must be
 * ASCII with no tab, newline or backslash (hex, decimal, enum names: everything a chain log decodes
 * to).
 *
 * RowBinary: a whole row by `row` (the reference decoders' way), or each value by the method of its
 * column's type (`uint64`, `uint256Hex`, `string`, …: the fast paths' way); `write` and `copy` then
 * add raw bytes, e.g. a string's pieces after its `stringLength`.
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
    readonly format: RowFormat = 'TabSeparated',
    /** Where buffers come from and go back to, when the caller gives payloads back (the committer). */
    private readonly buffers?: RowBuffers,
  ) {
    if (!/^[\w.:-]*$/.test(runId)) throw new RangeError(`run id must be plain text, got '${runId}'`)
    if (runId.length > 127) throw new RangeError(`run id must be at most 127 characters, got ${runId.length}`)
    this.placeholder = '-'.repeat(runId.length)
    const bytes = Math.max(1_024, expectedRows * INITIAL_ROW_BYTES)
    this.buffer = buffers ? buffers.take(bytes) : Buffer.allocUnsafe(bytes)
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

  /** Appends bytes of `source` (ASCII, as for `write`): a field read where it lies in a reply. */
  copy(source: Buffer, start: number, end: number): void {
    if (this.length + end - start > this.buffer.length) this.grow(this.length + end - start)
    // A loop, not Buffer#copy: for the ~40–70 bytes of a hash it is as fast and makes no subarray.
    const buffer = this.buffer
    let at = this.length
    for (let p = start; p < end; p++) buffer[at++] = source[p] as number
    this.length = at
  }

  /** Ends the current row: the run column (and in TabSeparated the tab before it and the newline). */
  endRow(): void {
    if (this.finished) throw new InvariantError('RowWriter: a row was written after finish()')
    if (this.format === 'RowBinary') {
      this.length = this.room(1)
      this.buffer[this.length++] = this.runId.length
      this.runOffsets.push(this.length)
      this.write(this.placeholder)
      return
    }
    this.write('\t')
    this.runOffsets.push(this.length)
    this.write(this.placeholder)
    this.write('\n')
  }

  // --- RowBinary values -------------------------------------------------------------------------

  /** UInt8, or an Enum8 by its value. */
  uint8(value: number): void {
    this.length = this.room(1)
    this.buffer[this.length++] = value
  }

  /** UInt16. */
  uint16(value: number): void {
    this.length = this.room(2)
    this.length = this.buffer.writeUInt16LE(value, this.length)
  }

  /** UInt32, or a DateTime (Unix seconds). */
  uint32(value: number): void {
    this.length = this.room(4)
    this.length = this.buffer.writeUInt32LE(value, this.length)
  }

  /** UInt64 of a non-negative integer below 2^53. */
  uint64(value: number): void {
    this.length = this.room(8)
    this.writeLow8(value)
  }

  /** UInt256 of a non-negative integer below 2^53 (an amount read as a Number). */
  uint256(value: number): void {
    this.length = this.room(32)
    this.writeLow8(value)
    // A loop, not Buffer#fill: for 24 bytes the call costs more than the stores.
    const buffer = this.buffer
    let at = this.length
    for (let i = 0; i < 24; i++) buffer[at++] = 0
    this.length = at
  }

  /**
   * UInt256 of the 64 hex digits at `start` of `source` (a log word, big-endian as the ABI has it),
   * which the caller has checked are hex digits.
   */
  uint256Hex(source: Buffer, start: number): void {
    this.length = this.room(32)
    const buffer = this.buffer
    let at = this.length
    for (let p = start + 62; p >= start; p -= 2)
      buffer[at++] =
        ((HEX_VALUE[source[p] as number] as number) << 4) | (HEX_VALUE[source[p + 1] as number] as number)
    this.length = at
  }

  /** UInt256 of a decimal or 0x-hex text (the reference path's values). */
  uint256Text(text: string): void {
    let value = BigInt(text)
    if (value < 0n || value >= 1n << 256n) throw new RangeError(`not a UInt256: ${text}`)
    this.length = this.room(32)
    for (let i = 0; i < 32; i++) {
      this.buffer[this.length++] = Number(value & 0xffn)
      value >>= 8n
    }
  }

  /** A String's length prefix; its bytes follow by `write` or `copy`. Strings here are under 128 bytes. */
  stringLength(bytes: number): void {
    if (bytes > 127)
      throw new RangeError(`RowWriter: a string of ${bytes} bytes needs a longer length prefix`)
    this.uint8(bytes)
  }

  /** A String (ASCII). */
  string(text: string): void {
    this.stringLength(text.length)
    this.write(text)
  }

  /** A String of `prefix` and the bytes [start, end) of `source` (ASCII): a field where it lies in a reply. */
  stringFrom(source: Buffer, start: number, end: number, prefix = ''): void {
    this.stringLength(prefix.length + end - start)
    if (prefix !== '') this.write(prefix)
    this.copy(source, start, end)
  }

  /**
   * A whole RowBinary row: each of `columns`' values from `values`, by its type, then `endRow`. A
   * value that does not fit its column throws a RangeError (a decoder's bug, not a log's fault) and
   * leaves the row half-written: the caller rewinds (the engine does, steps/block-ranges/fetch.ts).
   */
  row(columns: BinaryColumns, values: RowValues): void {
    for (const [name, type] of columns) {
      const value = values[name]
      if (value === undefined) throw new RangeError(`RowWriter: no value for column ${name}`)
      if (type === 'Array(UInt256)' || type === 'Array(String)') {
        if (!Array.isArray(value)) throw new RangeError(`RowWriter: ${name} is not a list`)
        this.varUInt(value.length)
        for (const element of value) {
          if (type === 'Array(String)') this.string(element)
          else this.uint256Text(element)
        }
      } else if (Array.isArray(value)) {
        throw new RangeError(`RowWriter: ${name} is a list, the column a ${String(type)}`)
      } else if (typeof type !== 'string') {
        const index = type.indexOf(String(value))
        if (index < 0) throw new RangeError(`RowWriter: ${name} '${value}' is none of ${type.join(', ')}`)
        this.uint8(index)
      } else if (type === 'String') this.string(String(value))
      else if (type === 'UInt256') this.uint256Text(String(value))
      else {
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_OF[type])
          throw new RangeError(`RowWriter: ${name} ${value} is not a ${type}`)
        if (type === 'UInt8') this.uint8(value)
        else if (type === 'UInt16') this.uint16(value)
        else if (type === 'UInt64') this.uint64(value)
        else this.uint32(value)
      }
    }
    this.endRow()
  }

  /** An array's length: RowBinary's unsigned LEB128. */
  private varUInt(value: number): void {
    let rest = value
    do {
      const low = rest & 0x7f
      rest = Math.floor(rest / 0x80)
      this.uint8(rest > 0 ? low | 0x80 : low)
    } while (rest > 0)
  }

  /** The buffer has room for `bytes` more; returns the length (the place to write at). */
  private room(bytes: number): number {
    if (this.length + bytes > this.buffer.length) this.grow(this.length + bytes)
    return this.length
  }

  /** The low 8 bytes of an integer below 2^53, little-endian. */
  private writeLow8(value: number): void {
    const low = value % 0x1_0000_0000
    this.buffer.writeUInt32LE(low, this.length)
    this.buffer.writeUInt32LE((value - low) / 0x1_0000_0000, this.length + 4)
    this.length += 8
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
    return this.bytes().toString('latin1')
  }

  /** The bytes written so far, run columns still placeholders (a view, not a copy: tests and benches). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  /**
   * The finished rows: their bytes (run ids filled in) and a digest of the content without them. The
   * digest is computed off the main thread (WebCrypto runs it on the thread pool): hashing every row
   * was ~0.6 s of the main thread's time per 1,000,000 fills, the chain step's scarcest resource.
   */
  async finish(): Promise<{ payload: Buffer; digest: Buffer; rows: number }> {
    if (this.finished) throw new InvariantError('RowWriter: finish() was called twice')
    this.finished = true
    const { buffer, length } = this
    // From here every write needs room the writer no longer has, so it fails in grow() instead of
    // changing the payload (or, pooled, memory given back).
    this.buffer = NO_ROOM
    this.length = 0
    const content = buffer.subarray(0, length)
    // Buffers are views of plain ArrayBuffers (never shared ones); the view only restates that.
    const view = new Uint8Array(content.buffer as ArrayBuffer, content.byteOffset, content.length)
    const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', view))
    for (const offset of this.runOffsets) latin1Write.call(buffer, this.runId, offset)
    let payload = content
    if (this.buffers === undefined && length < buffer.length * (1 - MAX_SLACK)) {
      payload = Buffer.allocUnsafe(length)
      buffer.copy(payload, 0, 0, length)
    }
    return { payload, digest, rows: this.runOffsets.length }
  }

  /** finish() hands the buffer out (or its digest is being taken): writing again would change both. */
  private finished = false

  private grow(atLeast: number): void {
    if (this.finished) throw new InvariantError('RowWriter: a row was written after finish()')
    const bytes = Math.max(this.buffer.length * 2, atLeast)
    const grown = this.buffers ? this.buffers.take(bytes) : Buffer.allocUnsafe(bytes)
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffers?.give(this.buffer)
    this.buffer = grown
  }
}

/** The largest value of each integer column type `row` writes from a Number. */
const MAX_OF = {
  UInt8: 0xff,
  UInt16: 0xffff,
  UInt32: 0xffff_ffff,
  DateTime: 0xffff_ffff,
  UInt64: Number.MAX_SAFE_INTEGER,
} as const

/** The buffer of a finished writer: no room, so any later write reaches grow() and fails. */
const NO_ROOM = Buffer.alloc(0)
