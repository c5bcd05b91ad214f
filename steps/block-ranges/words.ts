// Reading a scanned eth_getLogs reply by hand (extract/chain/log-scan.ts), for the encoders' fast
// paths: topics and 32-byte words of log data compared and read where they lie in the reply's bytes,
// no string made. Every reader expects what the scan has checked: lower-case hex digits.

const ZERO = 0x30

/** The bytes at `start` spell `text` (ASCII), for its whole length. */
export function spellsAt(bytes: Buffer, start: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false
  return true
}

/** The bytes [start, end) spell `text` (ASCII), no more and no less. */
export function equalsText(bytes: Buffer, start: number, end: number, text: string): boolean {
  return end - start === text.length && spellsAt(bytes, start, text)
}

/** The value of `count` (≤ 13) lower-case hex digits at `start`. */
function hexDigitsAt(bytes: Buffer, start: number, count: number): number {
  let value = 0
  for (let p = start; p < start + count; p++) {
    const c = bytes[p] as number
    value = value * 16 + (c <= 0x39 ? c - ZERO : c - 0x57)
  }
  return value
}

/** The first `count` hex digits at `start` are zero (e.g. an address's 24 digits of padding). */
export function isZeroPrefix(bytes: Buffer, start: number, count: number): boolean {
  for (let p = start; p < start + count; p++) if (bytes[p] !== ZERO) return false
  return true
}

/** The 64 hex digits at `start` are all zero. */
export function isZeroWordAt(bytes: Buffer, start: number): boolean {
  return isZeroPrefix(bytes, start, 64)
}

/** The 64 hex digits at `start` are the word 1. */
export function isOneWordAt(bytes: Buffer, start: number): boolean {
  return bytes[start + 63] === 0x31 && isZeroPrefix(bytes, start, 63)
}

/** The word's value when it is below 2^52 (safe for a Number, and below any amount limit), else -1. */
export function wordNumberAt(bytes: Buffer, start: number): number {
  return isZeroPrefix(bytes, start, 51) ? hexDigitsAt(bytes, start + 51, 13) : -1
}

/**
 * The 0x-prefixed topic at `start` holds an address: 12 zero bytes, then the address's 20 (which are
 * its last 40 digits, from `start + 26`).
 */
export function isAddressTopicAt(bytes: Buffer, start: number): boolean {
  return isZeroPrefix(bytes, start + 2, 24)
}
