// Stateless, keyed randomness: every value in the simulated world is a pure function of the seed
// and the value's coordinates (market index, fill index, ...). Nothing is drawn from a stream,
// so any part of the world (one block range, one wallet) can be generated alone, in any order,
// and comes out byte-identical every time.

/** 32-bit finalizer (lowbias32, Chris Wellons' hash-prospector): full avalanche, two multiplies. */
function fmix(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** Combines one more key into a running hash (keys may be any integer below 2^53). */
function step(h: number, key: number): number {
  const low = key >>> 0
  const high = Math.floor(key / 4294967296) >>> 0
  return fmix((h ^ fmix(low + 0x9e3779b9)) + Math.imul(high, 0x85ebca6b))
}

/** A uint32 that depends on the seed and every key. */
export function hash(seed: number, a: number, b = 0, c = 0, d = 0): number {
  return step(step(step(step(fmix(seed ^ 0x5bd1e995), a), b), c), d)
}

/** A float in [0, 1) keyed like `hash`. */
export function unit(seed: number, a: number, b = 0, c = 0, d = 0): number {
  return hash(seed, a, b, c, d) / 4294967296
}

/** An integer in [min, max] keyed like `hash`. */
export function between(min: number, max: number, seed: number, a: number, b = 0, c = 0): number {
  return min + Math.floor(unit(seed, a, b, c) * (max - min + 1))
}

const scratch = Buffer.allocUnsafe(64)

/**
 * `words` × 32 bits of keyed randomness as lower-case hex (no 0x): one keyed hash, then a cheap
 * expansion. Hex goes through a Buffer: Number#toString(16) is ~15× slower, and this runs for
 * every hash and address of every log served.
 */
export function hexWords(words: number, seed: number, a: number, b = 0, c = 0): string {
  const base = hash(seed, a, b, c, 0x4e7)
  for (let k = 0; k < words; k++)
    scratch.writeUInt32BE(fmix((base + Math.imul(k + 1, 0x9e3779b9)) >>> 0), 4 * k)
  return scratch.toString('hex', 0, 4 * words)
}

const ZERO_HEX_48 = '0'.repeat(48)

/** A non-negative integer below 2^53 as a 64-digit hex word (a uint256 in ABI encoding). */
export function uint256Word(n: number): string {
  scratch.writeUInt32BE(Math.floor(n / 4294967296), 0)
  scratch.writeUInt32BE(n >>> 0, 4)
  return ZERO_HEX_48 + scratch.toString('hex', 0, 8)
}

/** A seed given as text or number becomes a uint32 (FNV-1a over the text). */
export function seedFrom(seed: string | number): number {
  const text = String(seed)
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Pareto-distributed value ≥ `min` (heavy tail: a few huge, most small). */
export function pareto(u: number, min: number, alpha: number): number {
  return min / (1 - u) ** (1 / alpha)
}

/**
 * A keyed bijection of [0, size): a balanced Feistel network over the smallest even bit width
 * that covers `size`, with cycle walking to stay inside the domain. Forward and inverse cost the
 * same (a few hashes), which lets the fill generator map a fill index to its place in a wallet's
 * history and back without any table.
 */
export class Permutation {
  private readonly halfBits: number
  private readonly halfMask: number
  private readonly roundKeys: number[]
  private static readonly ROUNDS = 4

  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (size < 1) throw new RangeError('Permutation needs a non-empty domain')
    let bits = 2
    while (2 ** bits < size) bits += 2
    this.halfBits = bits / 2
    this.halfMask = 2 ** this.halfBits - 1
    this.roundKeys = Array.from({ length: Permutation.ROUNDS }, (_, r) => hash(seed, 0x7e157e1, r))
  }

  forward(x: number): number {
    do x = this.round(x, false)
    while (x >= this.size)
    return x
  }

  inverse(y: number): number {
    do y = this.round(y, true)
    while (y >= this.size)
    return y
  }

  private round(x: number, inverse: boolean): number {
    const scale = this.halfMask + 1
    let left = Math.floor(x / scale)
    let right = x % scale
    for (let r = 0; r < Permutation.ROUNDS; r++) {
      if (inverse) {
        const round = Permutation.ROUNDS - 1 - r
        const previousRight = left
        left = (right ^ (fmix(previousRight ^ (this.roundKeys[round] as number)) & this.halfMask)) >>> 0
        right = previousRight
      } else {
        const next = (left ^ (fmix(right ^ (this.roundKeys[r] as number)) & this.halfMask)) >>> 0
        left = right
        right = next
      }
    }
    return left * scale + right
  }
}
