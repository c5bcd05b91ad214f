// Opaque, signed pagination cursors. Gamma's look like base64url(32-byte MAC ‖ JSON), the JSON
// naming the kind, an order hash and the last key (decoded from the real next_cursor values in
// fixtures/polymarket/gamma/*-keyset-limit-1.json). The MAC covers the JSON and the request's
// filters, so a cursor replayed with different filters is refused, as the real keyset API does.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

const MAC_BYTES = 32
/** sha256("[]"): the `oh` (order hash) of the default ordering in every real cursor seen. */
const DEFAULT_ORDER_HASH = createHash('sha256').update('[]').digest('hex')

export class CursorSigner {
  private readonly key: Buffer

  constructor(seed: number) {
    this.key = createHash('sha256').update(`polyhouse-simulator-cursor:${seed}`).digest()
  }

  private mac(payload: string, binding: string): Buffer {
    return createHmac('sha256', this.key).update(payload).update('\n').update(binding).digest()
  }

  sign(payload: unknown, binding: string): string {
    const text = JSON.stringify(payload)
    return Buffer.concat([this.mac(text, binding), Buffer.from(text)]).toString('base64url')
  }

  /** The payload, or undefined when the cursor is malformed or was issued for another binding. */
  verify(cursor: string, binding: string): unknown {
    let raw: Buffer
    try {
      raw = Buffer.from(cursor, 'base64url')
    } catch {
      return undefined
    }
    if (raw.length <= MAC_BYTES) return undefined
    const text = raw.subarray(MAC_BYTES).toString()
    const expected = this.mac(text, binding)
    if (!timingSafeEqual(expected, raw.subarray(0, MAC_BYTES))) return undefined
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  }
}

export interface KeysetCursor {
  v: 1
  k: 'markets' | 'events'
  oh: string
  keys: [{ t: 'string'; v: string }]
}

export function keysetPayload(kind: 'markets' | 'events', lastId: number): KeysetCursor {
  return { v: 1, k: kind, oh: DEFAULT_ORDER_HASH, keys: [{ t: 'string', v: String(lastId) }] }
}

/** The last id a keyset cursor carries, if the payload has the expected shape and kind. */
export function keysetLastId(payload: unknown, kind: 'markets' | 'events'): number | undefined {
  const cursor = payload as Partial<KeysetCursor> | undefined
  if (cursor?.v !== 1 || cursor.k !== kind || !Array.isArray(cursor.keys)) return undefined
  const id = Number(cursor.keys[0]?.v)
  return Number.isInteger(id) ? id : undefined
}

/** The filters a cursor is bound to: every parameter except paging and projection, sorted. */
export function filterBinding(query: URLSearchParams, ignored: readonly string[]): string {
  const entries = [...query.entries()].filter(([key]) => !ignored.includes(key))
  entries.sort(([a, x], [b, y]) => (a === b ? x.localeCompare(y) : a.localeCompare(b)))
  return entries.map(([key, value]) => `${key}=${value}`).join('&')
}
