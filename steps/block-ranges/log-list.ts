// The logs of one eth_getLogs answer as the block-range engine reads them: a scanned reply whose
// fields are still bytes (extract/chain/log-scan.ts), or parsed JSON objects (for a stream without a
// fast path, or logs that cannot be scanned). fetch.ts reads block positions through this; encoders
// with a scanned fast path read the bytes, every other log is handed over as its parsed object.
import { LogField, type ScannedLogs } from '../../extract/chain/scanned-logs.ts'

export interface LogList {
  readonly length: number
  /** The scanned reply, when the logs are one. */
  readonly scanned: ScannedLogs | undefined
  /** blockNumber as a number; undefined when missing or not a hex quantity that fits one. */
  blockNumber(index: number): number | undefined
  /** blockHash lower-cased; undefined when missing or not a 32-byte hex hash. */
  blockHash(index: number): string | undefined
  /** blockTimestamp as a number; undefined when missing or not a hex quantity. */
  blockTimestamp(index: number): number | undefined
  /** The log as parsed JSON (for the reference path and the quarantine). */
  object(index: number): unknown
}

/** Either case here (a position is only read); the encoders' fast paths take lower case only. */
const ANY_CASE_QUANTITY = /^0x[0-9a-fA-F]{1,13}$/
const ANY_CASE_HASH = /^0x[0-9a-fA-F]{64}$/

export function quantity(value: unknown): number | undefined {
  return typeof value === 'string' && ANY_CASE_QUANTITY.test(value)
    ? Number.parseInt(value.slice(2), 16)
    : undefined
}

export function lowerHash(value: unknown): string | undefined {
  return typeof value === 'string' && ANY_CASE_HASH.test(value) ? value.toLowerCase() : undefined
}

type PositionFields = { blockNumber?: unknown; blockHash?: unknown; blockTimestamp?: unknown } | null

export class ObjectLogs implements LogList {
  readonly scanned = undefined

  constructor(private readonly logs: readonly unknown[]) {}

  get length(): number {
    return this.logs.length
  }

  blockNumber(index: number): number | undefined {
    return quantity((this.logs[index] as PositionFields)?.blockNumber)
  }

  blockHash(index: number): string | undefined {
    return lowerHash((this.logs[index] as PositionFields)?.blockHash)
  }

  blockTimestamp(index: number): number | undefined {
    return quantity((this.logs[index] as PositionFields)?.blockTimestamp)
  }

  object(index: number): unknown {
    return this.logs[index]
  }
}

export class ScannedLogList implements LogList {
  /** The last lower-case block hash read: where it lies and its string. */
  private lastHash: { start: number; text: string } | undefined
  /** The last irregular log parsed, so its three position reads parse it once. */
  private parsed: { index: number; log: PositionFields } | undefined

  constructor(readonly scanned: ScannedLogs) {}

  get length(): number {
    return this.scanned.length
  }

  blockNumber(index: number): number | undefined {
    if (this.scanned.irregular(index)) return quantity(this.irregular(index)?.blockNumber)
    return this.scanned.quantity(index, LogField.blockNumber)
  }

  blockHash(index: number): string | undefined {
    if (this.scanned.irregular(index)) return lowerHash(this.irregular(index)?.blockHash)
    const { scanned } = this
    const start = scanned.start(index, LogField.blockHash)
    if (start < 0) return undefined
    const end = scanned.end(index, LogField.blockHash)
    // The common case needs no regex: 66 characters already known to be 0x and lower-case hex, most
    // often the same as the previous log's (a block's logs come together), whose string is reused.
    if (scanned.isLowerHex(index, LogField.blockHash) && end - start === 66) {
      const last = this.lastHash
      if (last !== undefined && sameBytes(scanned.bytes, start, last.start)) return last.text
      const text = scanned.text(index, LogField.blockHash) as string
      this.lastHash = { start, text }
      return text
    }
    return lowerHash(scanned.text(index, LogField.blockHash))
  }

  blockTimestamp(index: number): number | undefined {
    if (this.scanned.irregular(index)) return quantity(this.irregular(index)?.blockTimestamp)
    return this.scanned.quantity(index, LogField.blockTimestamp)
  }

  object(index: number): unknown {
    return this.scanned.object(index)
  }

  private irregular(index: number): PositionFields {
    if (this.parsed?.index !== index)
      this.parsed = { index, log: this.scanned.object(index) as PositionFields }
    return this.parsed.log
  }
}

/** The 66 bytes at `a` and at `b` are the same. */
function sameBytes(bytes: Buffer, a: number, b: number): boolean {
  for (let i = 0; i < 66; i++) if (bytes[a + i] !== bytes[b + i]) return false
  return true
}
