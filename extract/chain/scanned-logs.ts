// The logs of one eth_getLogs reply as the scanner left them (extract/chain/log-scan.ts): for each
// log, the byte spans of the fields the encoders read, whether each is lower-case hex, and where the
// log's object lies, so that it alone can be parsed when the fast paths cannot read it.
import { RetryableError } from '../../core/errors.ts'
import { HEX_VALUE } from '../../core/hex.ts'

/** A log field kept as the span of its string value. */
export const LogField = {
  address: 0,
  topic0: 1,
  topic1: 2,
  topic2: 3,
  topic3: 4,
  data: 5,
  blockNumber: 6,
  blockHash: 7,
  blockTimestamp: 8,
  transactionHash: 9,
  transactionIndex: 10,
  logIndex: 11,
} as const
export type LogField = (typeof LogField)[keyof typeof LogField]

export const FIELDS = 12
// The slots of one log (the scanner writes them): start and end of each field (-1 when absent or
// null), then these.
export const OBJECT_START = 2 * FIELDS
export const OBJECT_END = OBJECT_START + 1
export const TOPIC_COUNT = OBJECT_START + 2
/** Bit per field: its value is `0x` and lower-case hex digits only. */
export const LOWER_HEX = OBJECT_START + 3
/** 0: `removed` absent or false; 1: true. */
export const REMOVED = OBJECT_START + 4
export const IRREGULAR = OBJECT_START + 5
export const STRIDE = OBJECT_START + 6

const NO_BYTES = Buffer.alloc(0)

/** The logs of one eth_getLogs reply, as spans of its bytes. */
export class ScannedLogs {
  constructor(
    public bytes: Buffer,
    readonly length: number,
    private readonly slots: Int32Array,
    /** Called once by `release`: the bytes' buffer may then be reused (RpcClient.requestLogs). */
    private onRelease?: () => void,
  ) {}

  /**
   * The reader is done with the reply: its buffer goes back for the next one. Nothing read from the
   * bytes may be kept past this (the encoders copy what they keep); reading them again finds none.
   */
  release(): void {
    const onRelease = this.onRelease
    this.onRelease = undefined
    this.bytes = NO_BYTES
    onRelease?.()
  }

  start(log: number, field: LogField): number {
    return this.slots[log * STRIDE + 2 * field] as number
  }

  end(log: number, field: LogField): number {
    return this.slots[log * STRIDE + 2 * field + 1] as number
  }

  /** The field is present and is `0x` followed by lower-case hex digits only. */
  isLowerHex(log: number, field: LogField): boolean {
    return ((this.slots[log * STRIDE + LOWER_HEX] as number) & (1 << field)) !== 0
  }

  /** Every one of `fields` is present and lower-case hex (`isLowerHex` of each). */
  isLowerHexAll(log: number, fields: readonly LogField[]): boolean {
    const mask = this.slots[log * STRIDE + LOWER_HEX] as number
    for (const field of fields) if ((mask & (1 << field)) === 0) return false
    return true
  }

  topicCount(log: number): number {
    return this.slots[log * STRIDE + TOPIC_COUNT] as number
  }

  removed(log: number): boolean {
    return this.slots[log * STRIDE + REMOVED] === 1
  }

  /** A known field held something other than a string or null: only `object` reads this log. */
  irregular(log: number): boolean {
    return this.slots[log * STRIDE + IRREGULAR] === 1
  }

  /** The field's text, or undefined when absent or null. */
  text(log: number, field: LogField): string | undefined {
    const start = this.start(log, field)
    return start < 0 ? undefined : this.bytes.toString('latin1', start, this.end(log, field))
  }

  /** A hex quantity of at most 13 digits (either case) as a number; undefined for anything else. */
  quantity(log: number, field: LogField): number | undefined {
    const start = this.start(log, field)
    const end = this.end(log, field)
    const bytes = this.bytes
    if (start < 0 || end - start < 3 || end - start > 15) return undefined
    if (bytes[start] !== 0x30 || bytes[start + 1] !== 0x78) return undefined
    let value = 0
    for (let p = start + 2; p < end; p++) {
      const digit = HEX_VALUE[bytes[p] as number] as number
      if (digit === 255) return undefined
      value = value * 16 + digit
    }
    return value
  }

  /** The log as the JSON parser gives it (for the reference path and the quarantine). */
  object(log: number): unknown {
    const at = log * STRIDE
    const text = this.bytes.toString('utf8', this.slots[at + OBJECT_START], this.slots[at + OBJECT_END])
    try {
      return JSON.parse(text)
    } catch (error) {
      // The scan admits only what JSON.parse reads; should they ever differ, the reply is unreadable.
      throw new RetryableError(`eth_getLogs: log ${log} of the reply is not valid JSON`, { cause: error })
    }
  }
}
