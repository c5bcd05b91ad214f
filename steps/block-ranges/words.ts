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

  /** `decimal` of the 64 lower-case hex digits at `start`. */
  decimalAt(bytes: Buffer, start: number): string {
    return this.decimal(bytes.toString('latin1', start, start + 64))
  }

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

const ZERO = 0x30

/** The 64 hex digits at `start` are all zero. */
export function isZeroWordAt(bytes: Buffer, start: number): boolean {
  for (let p = start; p < start + 64; p++) if (bytes[p] !== ZERO) return false
  return true
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

/** `smallAmount` of the lower-case word at `start`. */
export function smallAmountAt(bytes: Buffer, start: number): string | undefined {
  if (!isZeroPrefix(bytes, start, 51)) return undefined
  let value = 0
  for (let p = start + 51; p < start + 64; p++) {
    const c = bytes[p] as number
    value = value * 16 + (c <= 0x39 ? c - ZERO : c - 0x57)
  }
  return value < 1e18 ? String(value) : undefined
}
