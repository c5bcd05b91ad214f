import { describe, expect, it } from 'vitest'
import {
  type BlockRange,
  parseShard,
  RangeSet,
  SHARD_CHUNK_BLOCKS,
  shardOfBlock,
  shardRanges,
} from '../../checkpoints/range-set.ts'
import { UsageError } from '../../core/errors.ts'

// Seeded PRNG (mulberry32) so every property run is reproducible.
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const UNIVERSE = 300
function randomRange(rand: () => number): BlockRange {
  const a = Math.floor(rand() * UNIVERSE)
  const len = Math.floor(rand() * 25)
  return { from: a, to: Math.min(UNIVERSE - 1, a + len) }
}
/** The model: a plain array of booleans. */
function model(ranges: BlockRange[]): boolean[] {
  const bits = new Array<boolean>(UNIVERSE).fill(false)
  for (const r of ranges) for (let b = r.from; b <= r.to; b++) bits[b] = true
  return bits
}
function bitsOf(set: RangeSet): boolean[] {
  const bits = new Array<boolean>(UNIVERSE).fill(false)
  for (const r of set.ranges()) for (let b = r.from; b <= r.to; b++) bits[b] = true
  return bits
}
function isNormalized(set: RangeSet): boolean {
  const spans = set.ranges()
  return spans.every((r, i) => r.from <= r.to && (i === 0 || r.from > (spans[i - 1] as BlockRange).to + 1))
}
function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

describe('RangeSet basics', () => {
  it('merges overlapping and adjacent ranges', () => {
    const set = RangeSet.empty().add(10, 20).add(21, 30).add(5, 12).add(40, 40).add(32, 39)
    expect(set.ranges()).toEqual([
      { from: 5, to: 30 },
      { from: 32, to: 40 },
    ])
    expect(set.serialize()).toBe('5-30,32-40')
    expect(set.covered()).toBe(26 + 9)
  })

  it('subtracts, splitting a range in two', () => {
    const set = RangeSet.of({ from: 0, to: 99 }).subtract(40, 59)
    expect(set.serialize()).toBe('0-39,60-99')
    expect(set.subtract(0, 99).isEmpty).toBe(true)
  })

  it('lists the gaps within a span (what a resumed run fetches)', () => {
    const done = RangeSet.of({ from: 10, to: 19 }, { from: 30, to: 39 })
    expect(done.gaps(0, 50)).toEqual([
      { from: 0, to: 9 },
      { from: 20, to: 29 },
      { from: 40, to: 50 },
    ])
    expect(done.gaps(12, 35)).toEqual([{ from: 20, to: 29 }])
    expect(done.gaps(10, 19)).toEqual([])
    expect(done.covered(0, 50)).toBe(20)
    expect(done.covered(15, 32)).toBe(5 + 3)
    expect(done.containsRange(30, 39)).toBe(true)
    expect(done.containsRange(18, 21)).toBe(false)
    expect(done.contains(19)).toBe(true)
    expect(done.contains(20)).toBe(false)
    expect([done.min, done.max]).toEqual([10, 39])
  })

  it('serializes compactly and reads its own output back', () => {
    const set = RangeSet.of({ from: 33_605_403, to: 33_700_000 }, { from: 33_700_500, to: 33_700_500 })
    expect(set.serialize()).toBe('33605403-33700000,33700500')
    expect(RangeSet.parse(set.serialize()).equals(set)).toBe(true)
    expect(RangeSet.parse('')).toEqual(RangeSet.empty())
    expect(RangeSet.parse(' 7-9 , 1-3,4 ').serialize()).toBe('1-4,7-9')
    expect(RangeSet.fromJSON(set.toJSON()).equals(set)).toBe(true)
    expect(JSON.parse(JSON.stringify(set))).toEqual([
      [33_605_403, 33_700_000],
      [33_700_500, 33_700_500],
    ])
  })

  it('refuses nonsense', () => {
    expect(() => RangeSet.empty().add(5, 4)).toThrow(RangeError)
    expect(() => RangeSet.empty().add(-1, 4)).toThrow(RangeError)
    expect(() => RangeSet.empty().add(1.5, 4)).toThrow(RangeError)
    expect(() => RangeSet.parse('1-2,x')).toThrow(/corrupt/)
    expect(() => RangeSet.parse('5-3')).toThrow(RangeError)
  })
})

describe('RangeSet properties (seeded random)', () => {
  it('adding ranges in any order gives their union', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(seed)
      const ranges = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => randomRange(rand))
      const a = RangeSet.of(...ranges)
      const b = RangeSet.of(...shuffle(ranges, rand))
      expect(isNormalized(a)).toBe(true)
      expect(a.equals(b)).toBe(true)
      expect(bitsOf(a)).toEqual(model(ranges))
      expect(a.covered()).toBe(model(ranges).filter(Boolean).length)
    }
  })

  it('subtract, gaps, contains, set algebra and serialization agree with the model', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(seed * 7919)
      const adds = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => randomRange(rand))
      const removes = Array.from({ length: Math.floor(rand() * 8) }, () => randomRange(rand))
      let set = RangeSet.of(...adds)
      const bits = model(adds)
      for (const r of removes) {
        set = set.subtract(r.from, r.to)
        for (let b = r.from; b <= r.to; b++) bits[b] = false
      }
      expect(isNormalized(set)).toBe(true)
      expect(bitsOf(set)).toEqual(bits)
      expect(Array.from({ length: UNIVERSE }, (_, b) => set.contains(b))).toEqual(bits)

      const window = randomRange(rand)
      const gaps = set.gaps(window.from, window.to)
      expect(model(gaps)).toEqual(bits.map((v, b) => b >= window.from && b <= window.to && !v))
      expect(set.covered(window.from, window.to)).toBe(
        bits.slice(window.from, window.to + 1).filter(Boolean).length,
      )
      // Filling the gaps completes the window.
      expect(set.union(RangeSet.of(...gaps)).containsRange(window.from, window.to)).toBe(true)

      const other = RangeSet.of(...Array.from({ length: 5 }, () => randomRange(rand)))
      const otherBits = bitsOf(other)
      expect(bitsOf(set.union(other))).toEqual(bits.map((v, i) => v || (otherBits[i] as boolean)))
      expect(bitsOf(set.intersection(other))).toEqual(bits.map((v, i) => v && (otherBits[i] as boolean)))
      expect(bitsOf(set.difference(other))).toEqual(bits.map((v, i) => v && !otherBits[i]))
      expect(isNormalized(set.intersection(other))).toBe(true)

      expect(RangeSet.parse(set.serialize()).equals(set)).toBe(true)
    }
  })
})

describe('--shard i/n', () => {
  it('parses 1-based i/n and explains a bad value', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 })
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 })
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '2', '']) {
      expect(() => parseShard(bad)).toThrow(UsageError)
    }
    expect(() => parseShard('0/4')).toThrow(/1 ≤ i ≤ n/)
  })

  it('splits a span into disjoint parts that cover it exactly, for any n', () => {
    const span = { from: 33_605_403, to: 90_840_326 }
    for (const count of [1, 2, 3, 7, 16]) {
      const parts = Array.from({ length: count }, (_, i) => shardRanges(span, { index: i + 1, count }))
      let union = RangeSet.empty()
      let total = 0
      for (const part of parts) {
        expect(union.intersection(part).isEmpty).toBe(true)
        union = union.union(part)
        total += part.covered()
      }
      expect(union.serialize()).toBe(`${span.from}-${span.to}`)
      expect(total).toBe(span.to - span.from + 1)
      // Balanced: no shard holds more than one chunk beyond another.
      const sizes = parts.map((p) => p.covered())
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(SHARD_CHUNK_BLOCKS)
    }
  })

  it('gives each block one owner whatever span a process computed', () => {
    const shard = { index: 3, count: 4 }
    // Two processes with different tips and --from-block agree on every block they share.
    const a = shardRanges({ from: 40_000_000, to: 60_123_456 }, shard)
    const b = shardRanges({ from: 45_555_555, to: 70_000_000 }, shard)
    const shared = { from: 45_555_555, to: 60_123_456 }
    const aShared = a.intersection(RangeSet.of(shared))
    const bShared = b.intersection(RangeSet.of(shared))
    expect(aShared.equals(bShared)).toBe(true)
    for (const block of [45_555_555, 50_000_000, 50_099_999, 60_123_456]) {
      expect(aShared.contains(block)).toBe(shardOfBlock(block, 4) === 3)
    }
  })

  it('interleaves fixed chunks round-robin', () => {
    const parts = shardRanges({ from: 0, to: 999 }, { index: 2, count: 3 }, 100)
    expect(parts.serialize()).toBe('100-199,400-499,700-799')
    expect(shardOfBlock(250, 3, 100)).toBe(3)
  })
})
