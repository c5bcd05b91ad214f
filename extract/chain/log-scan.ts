// An eth_getLogs reply read where it lies: the response bytes are scanned once and each log's fields
// are kept as byte spans, so the encoders copy hashes and addresses straight into their rows.
//
// Why not JSON.parse: a fill is ~1 KB of JSON holding a dozen hex strings; decoding the body to a
// string, parsing it into objects and checking each string with a regex cost ~6 µs of the main
// thread per fill (decode 1.1 s, parse 1.6 s, regexes 1.8 s, and the garbage, per 1,000,000 fills),
// more than the rest of the row. The scan checks the same shape byte by byte as it goes.
//
// It reads only the shape nodes send: one JSON-RPC object whose `result` is an array of log objects.
// Anything else — an `error`, a batch, malformed JSON (what JSON.parse would refuse) — makes
// `scanLogsReply` return undefined and the caller parses the body as before (extract/chain/rpc.ts),
// so every error path stays the one the JSON parser feeds. A log whose known fields hold something
// unexpected (a number, an object, an escape, a repeated key, more than four topics) is scanned past
// and marked irregular: `object(i)` parses just that log for the reference path. Keys it does not
// know are skipped, whatever their values.
import { HEX_VALUE } from '../../core/hex.ts'
import {
  FIELDS,
  IRREGULAR,
  LOWER_HEX,
  LogField,
  OBJECT_END,
  OBJECT_START,
  REMOVED,
  ScannedLogs,
  STRIDE,
  TOPIC_COUNT,
} from './scanned-logs.ts'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** 1 for the bytes of lower-case hex digits. */
const LOWER_HEX_DIGIT = new Uint8Array(256)
for (const c of '0123456789abcdef') LOWER_HEX_DIGIT[c.charCodeAt(0)] = 1
/** 1 for every byte that is not a lower-case hex digit. */
const NOT_LOWER_HEX = LOWER_HEX_DIGIT.map((digit) => 1 - digit)

/**
 * The bytes [start, end) are all lower-case hex digits. Eight at a time with no branch between them:
 * a log is ~900 hex digits, and a test per digit was the scan's largest cost.
 */
function isLowerHexRun(b: Buffer, start: number, end: number): boolean {
  let bad = 0
  let q = start
  for (; q + 8 <= end; q += 8) {
    bad |=
      (NOT_LOWER_HEX[b[q] as number] as number) |
      (NOT_LOWER_HEX[b[q + 1] as number] as number) |
      (NOT_LOWER_HEX[b[q + 2] as number] as number) |
      (NOT_LOWER_HEX[b[q + 3] as number] as number) |
      (NOT_LOWER_HEX[b[q + 4] as number] as number) |
      (NOT_LOWER_HEX[b[q + 5] as number] as number) |
      (NOT_LOWER_HEX[b[q + 6] as number] as number) |
      (NOT_LOWER_HEX[b[q + 7] as number] as number)
    if (bad !== 0) return false
  }
  for (; q < end; q++) bad |= NOT_LOWER_HEX[b[q] as number] as number
  return bad === 0
}
/** 1 for the characters JSON allows after a backslash, \u aside. */
const JSON_ESCAPES = new Uint8Array(256)
for (const c of '"\\/bfnrt') JSON_ESCAPES[c.charCodeAt(0)] = 1
const WHITESPACE = new Uint8Array(256)
for (const c of ' \t\n\r') WHITESPACE[c.charCodeAt(0)] = 1

/** Keys of a log object the scan keeps, grouped by length; `topics` and `removed` are read apart. */
const TOPICS_KEY = -2
const REMOVED_KEY = -3
const LOG_KEYS: { bytes: Buffer; key: number }[][] = []
for (const [name, key] of [
  ['address', LogField.address],
  ['topics', TOPICS_KEY],
  ['data', LogField.data],
  ['blockNumber', LogField.blockNumber],
  ['blockHash', LogField.blockHash],
  ['blockTimestamp', LogField.blockTimestamp],
  ['transactionHash', LogField.transactionHash],
  ['transactionIndex', LogField.transactionIndex],
  ['logIndex', LogField.logIndex],
  ['removed', REMOVED_KEY],
] as const) {
  const sameLength = LOG_KEYS[name.length] ?? []
  sameLength.push({ bytes: Buffer.from(name, 'latin1'), key })
  LOG_KEYS[name.length] = sameLength
}
const OTHER_KEY = -1

/** The scan stopped: the body is not in the shape read here (the caller parses it instead). */
const NOT_READ = -1

/**
 * Slots to scan into (any size; grown as needed), and where they go once the scanned logs are
 * released: with the reply's buffer, to scan the next reply into (extract/chain/rpc.ts).
 */
export interface SlotReuse {
  slots: Int32Array
  release(slots: Int32Array): void
}

/**
 * The logs of a JSON-RPC reply `{"jsonrpc":…,"id":…,"result":[…logs…]}` (keys in any order), or
 * undefined when the body is anything else.
 */
export function scanLogsReply(bytes: Buffer, reuse?: SlotReuse): ScannedLogs | undefined {
  try {
    return new Scanner(bytes, reuse).reply()
  } catch (error) {
    // Nesting deeper than the stack (no node sends it): the JSON parser reports on such a body.
    if (error instanceof RangeError) return undefined
    throw error
  }
}

/**
 * Logs already parsed — an eth_getLogs answer that came in a batch (near the tip), or a reply the
 * scan declined and the JSON-RPC reader parsed — written back as the reply a node sends and scanned,
 * so they take the encoders' fast paths too. JSON.stringify writes each string back with only the
 * escapes JSON needs, so every log reads as the parsed object it came from. Undefined when they cannot
 * be (an entry that is not an object, or nesting deeper than the stack): the caller reads the objects.
 */
export function scanParsedLogs(logs: readonly unknown[]): ScannedLogs | undefined {
  let text: string
  try {
    text = JSON.stringify({ jsonrpc: '2.0', id: 0, result: logs })
  } catch (error) {
    // Nesting deeper than the stack: JSON.parse (iterative in V8) reads what JSON.stringify cannot write.
    if (error instanceof RangeError) return undefined
    throw error
  }
  return scanLogsReply(Buffer.from(text, 'utf8'))
}

class Scanner {
  /** Slots for 1,024 logs to start with (~120 KB), unless reused; doubled as needed (a 2,000-block range holds ~10,000). */
  private slots: Int32Array
  private count = 0
  private readonly n: number

  constructor(
    private readonly b: Buffer,
    private readonly reuse: SlotReuse | undefined,
  ) {
    this.n = b.length
    this.slots = reuse?.slots ?? new Int32Array(STRIDE * 1_024)
  }

  reply(): ScannedLogs | undefined {
    const b = this.b
    let p = this.ws(0)
    if (b[p] !== OPEN_BRACE) return undefined
    let sawResult = false
    p = this.ws(p + 1)
    if (b[p] === CLOSE_BRACE) return undefined
    for (;;) {
      if (b[p] !== QUOTE) return undefined
      const keyEnd = this.plainString(p)
      if (keyEnd < 0) return undefined
      const key = b.toString('latin1', p + 1, keyEnd)
      p = this.ws(keyEnd + 1)
      if (b[p] !== COLON) return undefined
      p = this.ws(p + 1)
      if (key === 'result') {
        if (sawResult) return undefined
        sawResult = true
        p = this.logArray(p)
      } else if (key === 'jsonrpc' || key === 'id') {
        p = this.skipValue(p)
      } else {
        // `error`, or anything unexpected: the JSON-RPC reader decides.
        return undefined
      }
      if (p < 0) return undefined
      p = this.ws(p)
      if (b[p] === COMMA) {
        p = this.ws(p + 1)
        continue
      }
      if (b[p] !== CLOSE_BRACE) return undefined
      break
    }
    if (!sawResult || this.ws(p + 1) !== this.n) return undefined
    const { slots, reuse } = this
    return new ScannedLogs(this.b, this.count, slots, reuse && (() => reuse.release(slots)))
  }

  /** The array of logs starting at `p`; returns the position after it, or NOT_READ. */
  private logArray(p: number): number {
    const b = this.b
    if (b[p] !== OPEN_BRACKET) return NOT_READ
    p = this.ws(p + 1)
    if (b[p] === CLOSE_BRACKET) return p + 1
    for (;;) {
      p = this.log(p)
      if (p < 0) return NOT_READ
      p = this.ws(p)
      if (b[p] === COMMA) {
        p = this.ws(p + 1)
        continue
      }
      return b[p] === CLOSE_BRACKET ? p + 1 : NOT_READ
    }
  }

  /** One log object starting at `p`: its spans go to the next slot. */
  private log(p: number): number {
    const b = this.b
    if (b[p] !== OPEN_BRACE) return NOT_READ
    if ((this.count + 1) * STRIDE > this.slots.length) {
      const grown = new Int32Array(Math.max(STRIDE * 1_024, this.slots.length * 2))
      grown.set(this.slots)
      this.slots = grown
    }
    const slots = this.slots
    const at = this.count * STRIDE
    slots.fill(-1, at, at + 2 * FIELDS)
    slots[at + OBJECT_START] = p
    slots[at + TOPIC_COUNT] = 0
    slots[at + LOWER_HEX] = 0
    slots[at + REMOVED] = 0
    slots[at + IRREGULAR] = 0
    p = this.ws(p + 1)
    if (b[p] === CLOSE_BRACE) return this.closeLog(at, p)
    /** Keys kept so far (bit key + 3): a repeated one makes the log irregular (JSON.parse keeps the last). */
    let seen = 0
    for (;;) {
      if (b[p] !== QUOTE) return NOT_READ
      const keyEnd = this.plainString(p)
      if (keyEnd < 0) return NOT_READ
      const key = this.logKey(p + 1, keyEnd)
      p = this.ws(keyEnd + 1)
      if (b[p] !== COLON) return NOT_READ
      p = this.ws(p + 1)
      if (key !== OTHER_KEY) {
        if ((seen & (1 << (key + 3))) !== 0) slots[at + IRREGULAR] = 1
        seen |= 1 << (key + 3)
      }
      if (key >= 0) p = this.field(at, key, p)
      else if (key === TOPICS_KEY) p = this.topics(at, p)
      else if (key === REMOVED_KEY) p = this.removed(at, p)
      else p = this.skipValue(p)
      if (p < 0) return NOT_READ
      p = this.ws(p)
      if (b[p] === COMMA) {
        p = this.ws(p + 1)
        continue
      }
      if (b[p] !== CLOSE_BRACE) return NOT_READ
      return this.closeLog(at, p)
    }
  }

  private closeLog(at: number, p: number): number {
    this.slots[at + OBJECT_END] = p + 1
    this.count++
    return p + 1
  }

  /** A known string field's value at `p` (null: absent; anything else: the log is irregular). */
  private field(at: number, field: number, p: number): number {
    const b = this.b
    if (b[p] === QUOTE) {
      const end = this.hexString(at, field, p)
      if (end !== NOT_READ) return end
    } else if (this.isNull(p)) {
      this.slots[at + 2 * field] = -1
      return p + 4
    }
    this.slots[at + IRREGULAR] = 1
    return this.skipValue(p)
  }

  /** The string at `p` into `field`'s span, marking whether it is lower-case hex; NOT_READ on an escape. */
  private hexString(at: number, field: number, p: number): number {
    const b = this.b
    const start = p + 1
    const end = b.indexOf(QUOTE, start)
    if (end < 0) return NOT_READ
    let hex = end - start >= 2 && b[start] === 0x30 && b[start + 1] === 0x78 ? 1 : 0
    if (hex === 1) hex = isLowerHexRun(b, start + 2, end) ? 1 : 0
    // Not hex: the string may still be plain text, or hold an escape (the end found is then wrong).
    if (hex === 0 && this.plainString(p) !== end) return NOT_READ
    const slots = this.slots
    slots[at + 2 * field] = start
    slots[at + 2 * field + 1] = end
    if (hex === 1) slots[at + LOWER_HEX] = (slots[at + LOWER_HEX] as number) | (1 << field)
    return end + 1
  }

  /** `topics`: an array of at most four strings (or null, read as no topics). */
  private topics(at: number, p: number): number {
    const b = this.b
    if (this.isNull(p)) return p + 4
    if (b[p] === OPEN_BRACKET) {
      let q = this.ws(p + 1)
      let count = 0
      if (b[q] === CLOSE_BRACKET) {
        this.slots[at + TOPIC_COUNT] = 0
        return q + 1
      }
      for (;;) {
        if (count === 4 || b[q] !== QUOTE) break
        q = this.hexString(at, LogField.topic0 + count, q)
        if (q < 0) break
        count++
        q = this.ws(q)
        if (b[q] === COMMA) {
          q = this.ws(q + 1)
          continue
        }
        if (b[q] !== CLOSE_BRACKET) return NOT_READ
        this.slots[at + TOPIC_COUNT] = count
        return q + 1
      }
    }
    this.slots[at + IRREGULAR] = 1
    return this.skipValue(p)
  }

  private removed(at: number, p: number): number {
    const b = this.b
    if (b[p] === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65)
      return p + 5
    if (b[p] === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) {
      this.slots[at + REMOVED] = 1
      return p + 4
    }
    this.slots[at + IRREGULAR] = 1
    return this.skipValue(p)
  }

  private logKey(start: number, end: number): number {
    const b = this.b
    const candidates = LOG_KEYS[end - start]
    if (candidates === undefined) return OTHER_KEY
    for (const { bytes, key } of candidates) {
      let q = 0
      while (q < bytes.length && bytes[q] === b[start + q]) q++
      if (q === bytes.length) return key
    }
    return OTHER_KEY
  }

  private isNull(p: number): boolean {
    const b = this.b
    return b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c
  }

  /** End of a string without escapes starting at `p` (its closing quote), or NOT_READ. */
  private plainString(p: number): number {
    const b = this.b
    const n = this.n
    for (let q = p + 1; q < n; q++) {
      const c = b[q] as number
      if (c === QUOTE) return q
      if (c === BACKSLASH || c < 0x20) return NOT_READ
    }
    return NOT_READ
  }

  /** Past any JSON value at `p` (strings may hold escapes here); NOT_READ when it is not one. */
  private skipValue(p: number): number {
    const b = this.b
    const n = this.n
    const c = b[p]
    if (c === QUOTE) {
      for (let q = p + 1; q < n; q++) {
        const d = b[q] as number
        if (d === BACKSLASH) {
          // Only the escapes JSON has: \" \\ \/ \b \f \n \r \t and \u with four hex digits.
          const e = b[q + 1] as number
          if (e === 0x75) {
            for (let h = q + 2; h < q + 6; h++) if (HEX_VALUE[b[h] as number] === 255) return NOT_READ
            q += 5
          } else if (JSON_ESCAPES[e] === 1) q++
          else return NOT_READ
        } else if (d === QUOTE) return q + 1
        else if (d < 0x20) return NOT_READ
      }
      return NOT_READ
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET
      let q = this.ws(p + 1)
      if (b[q] === close) return q + 1
      for (;;) {
        if (close === CLOSE_BRACE) {
          if (b[q] !== QUOTE) return NOT_READ
          q = this.ws(this.skipValue(q))
          if (b[q] !== COLON) return NOT_READ
          q = this.ws(q + 1)
        }
        q = this.skipValue(q)
        if (q < 0) return NOT_READ
        q = this.ws(q)
        if (b[q] === COMMA) {
          q = this.ws(q + 1)
          continue
        }
        return b[q] === close ? q + 1 : NOT_READ
      }
    }
    // A number or a literal: its characters up to the next delimiter.
    let q = p
    while (q < n) {
      const d = b[q] as number
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || WHITESPACE[d] === 1) break
      if (
        !(
          (d >= 0x30 && d <= 0x39) ||
          d === 0x2d ||
          d === 0x2b ||
          d === 0x2e ||
          (d >= 0x61 && d <= 0x7a) ||
          d === 0x45
        )
      )
        return NOT_READ
      q++
    }
    if (q === p) return NOT_READ
    const token = b.toString('latin1', p, q)
    if (token === 'true' || token === 'false' || token === 'null') return q
    return /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(token) ? q : NOT_READ
  }

  private ws(p: number): number {
    const b = this.b
    const n = this.n
    while (p < n && WHITESPACE[b[p] as number] === 1) p++
    return p
  }
}
