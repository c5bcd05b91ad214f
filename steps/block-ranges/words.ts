// Reading eth_getLogs entries by hand, for the encoders' fast paths (steps/chain/encode.ts,
// steps/transfers/encode.ts): the exact shapes a node sends, and the 32-byte words of log data.

export const HASH = /^0x[0-9a-f]{64}$/
/** A log index or other small quantity: at most 13 hex digits, so it fits a Number. */
export const QUANTITY = /^0x[0-9a-f]{1,13}$/
export const DATA_HEX = /^0x[0-9a-f]*$/
/** The 12 zero bytes before an address in a topic. */
export const ADDRESS_PADDING = '0'.repeat(24)
/** A word whose first 51 hex digits are zero holds < 2^52: safe for parseInt and Number. */
const SMALL_PREFIX = '0'.repeat(51)
/** Distinct token ids whose decimal form is cached (a token moves many times; ids are 78 digits). */
const TOKEN_CACHE_SIZE = 100_000
const ZERO = 0x30

/** The word's value when it is below 2^52, else undefined. */
export function wordNumber(word: string): number | undefined {
  return word.startsWith(SMALL_PREFIX) ? Number.parseInt(word.slice(51), 16) : undefined
}

/**
 * The decimal amount of a word, or undefined when it is 10^18 raw units or more: beyond the views'
 * decimals (the reference path then says why and quarantines the log).
 */
export function smallAmount(word: string): string | undefined {
  const value = wordNumber(word)
  return value !== undefined && value < 1e18 ? String(value) : undefined
}

/** uint256 words of token ids → decimal text, cached (BigInt conversion costs more than the rest of a row). */
export class TokenIds {
  private readonly decimals = new Map<string, string>()

  decimal(word: string): string {
    let decimal = this.decimals.get(word)
    if (decimal === undefined) {
      decimal = BigInt(`0x${word}`).toString()
      if (this.decimals.size >= TOKEN_CACHE_SIZE) this.decimals.clear()
      this.decimals.set(word, decimal)
    }
    return decimal
  }
}

// --- the same reads over bytes (scanned replies, extract/chain/log-scan.ts) ----------------------

/** The bytes at `start` spell `text` (ASCII), for its whole length. */
export function spellsAt(bytes: Buffer, start: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false
  return true
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

/** The 64 hex digits at `start` are all zero. */
export function isZeroWordAt(bytes: Buffer, start: number): boolean {
  return isZeroPrefix(bytes, start, 64)
}

/** The 64 hex digits at `start` are the word 1. */
export function isOneWordAt(bytes: Buffer, start: number): boolean {
  return bytes[start + 63] === 0x31 && isZeroPrefix(bytes, start, 63)
}

/** The first `count` hex digits at `start` are zero (e.g. an address's 24 digits of padding). */
export function isZeroPrefix(bytes: Buffer, start: number, count: number): boolean {
  for (let p = start; p < start + count; p++) if (bytes[p] !== ZERO) return false
  return true
}

/** `wordNumber` of the lower-case word at `start`: its value when below 2^52, else -1. */
export function wordNumberAt(bytes: Buffer, start: number): number {
  return isZeroPrefix(bytes, start, 51) ? hexDigitsAt(bytes, start + 51, 13) : -1
}
