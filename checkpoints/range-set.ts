// A set of block numbers held as merged closed ranges [from, to]: the progress of a chain step.
// Ranges finish in any order; adding one merges it with its neighbours, so the set stays as
// short as the number of holes in it, and a resumed run fetches exactly `gaps(from, to)`.
// Immutable: every operation returns a new set. Pure: no I/O, the warehouse stores `serialize()`.
import { PolyhouseError, UsageError } from '../core/errors.ts'

export interface BlockRange {
  /** First block, inclusive. */
  from: number
  /** Last block, inclusive. */
  to: number
}

function check(from: number, to: number): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < 0) {
    throw new RangeError(`block numbers must be non-negative integers, got [${from}, ${to}]`)
  }
  if (from > to) throw new RangeError(`empty range: ${from} > ${to}`)
}

export class RangeSet {
  /** Sorted, disjoint and non-adjacent (gaps of at least one block between ranges). */
  private readonly spans: readonly BlockRange[]

  private constructor(spans: readonly BlockRange[]) {
    this.spans = spans
  }

  private static readonly EMPTY = new RangeSet([])

  static empty(): RangeSet {
    return RangeSet.EMPTY
  }

  static of(...ranges: BlockRange[]): RangeSet {
    return ranges.reduce((set, r) => set.add(r.from, r.to), RangeSet.EMPTY)
  }

  /** Adds [from, to], merging with overlapping and adjacent ranges. */
  add(from: number, to: number): RangeSet {
    check(from, to)
    const out: BlockRange[] = []
    let merged = { from, to }
    let placed = false
    for (const span of this.spans) {
      if (span.to < merged.from - 1) {
        out.push(span)
      } else if (span.from > merged.to + 1) {
        if (!placed) {
          out.push(merged)
          placed = true
        }
        out.push(span)
      } else {
        merged = { from: Math.min(span.from, merged.from), to: Math.max(span.to, merged.to) }
      }
    }
    if (!placed) out.push(merged)
    return new RangeSet(out)
  }

  /** Removes [from, to] (e.g. the blocks abandoned by a reorg). */
  subtract(from: number, to: number): RangeSet {
    check(from, to)
    const out: BlockRange[] = []
    for (const span of this.spans) {
      if (span.to < from || span.from > to) {
        out.push(span)
        continue
      }
      if (span.from < from) out.push({ from: span.from, to: from - 1 })
      if (span.to > to) out.push({ from: to + 1, to: span.to })
    }
    return new RangeSet(out)
  }

  union(other: RangeSet): RangeSet {
    return other.spans.reduce<RangeSet>((set, r) => set.add(r.from, r.to), this)
  }

  difference(other: RangeSet): RangeSet {
    return other.spans.reduce<RangeSet>((set, r) => set.subtract(r.from, r.to), this)
  }

  intersection(other: RangeSet): RangeSet {
    const out: BlockRange[] = []
    let i = 0
    let j = 0
    while (i < this.spans.length && j < other.spans.length) {
      const a = this.spans[i] as BlockRange
      const b = other.spans[j] as BlockRange
      const from = Math.max(a.from, b.from)
      const to = Math.min(a.to, b.to)
      if (from <= to) out.push({ from, to })
      if (a.to < b.to) i++
      else j++
    }
    // Pieces of two normalized sets never touch each other, so `out` is normalized already.
    return new RangeSet(out)
  }

  contains(block: number): boolean {
    let lo = 0
    let hi = this.spans.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const span = this.spans[mid] as BlockRange
      if (block < span.from) hi = mid - 1
      else if (block > span.to) lo = mid + 1
      else return true
    }
    return false
  }

  /** True when every block of [from, to] is in the set. */
  containsRange(from: number, to: number): boolean {
    check(from, to)
    return this.gaps(from, to).length === 0
  }

  /** The blocks of [from, to] not in the set, as merged ranges in order: what is left to fetch. */
  gaps(from: number, to: number): BlockRange[] {
    check(from, to)
    const out: BlockRange[] = []
    let cursor = from
    for (const span of this.spans) {
      if (span.to < cursor) continue
      if (span.from > to) break
      if (span.from > cursor) out.push({ from: cursor, to: span.from - 1 })
      cursor = span.to + 1
      if (cursor > to) return out
    }
    if (cursor <= to) out.push({ from: cursor, to })
    return out
  }

  /** How many blocks are in the set, within [from, to] when given. */
  covered(from?: number, to?: number): number {
    if (from === undefined || to === undefined) {
      return this.spans.reduce((sum, r) => sum + (r.to - r.from + 1), 0)
    }
    const gapBlocks = this.gaps(from, to).reduce((sum, r) => sum + (r.to - r.from + 1), 0)
    return to - from + 1 - gapBlocks
  }

  ranges(): readonly BlockRange[] {
    return this.spans
  }

  get isEmpty(): boolean {
    return this.spans.length === 0
  }

  /** Lowest block in the set. */
  get min(): number | undefined {
    return this.spans[0]?.from
  }

  /** Highest block in the set. */
  get max(): number | undefined {
    return this.spans.at(-1)?.to
  }

  equals(other: RangeSet): boolean {
    return this.serialize() === other.serialize()
  }

  /** Compact text for a String column: "33605403-33700000,33700500,33800000-33899999". */
  serialize(): string {
    return this.spans.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',')
  }

  /** Inverse of serialize(); also accepts unsorted or overlapping input and normalizes it. */
  static parse(text: string): RangeSet {
    const trimmed = text.trim()
    if (trimmed === '') return RangeSet.EMPTY
    let set = RangeSet.EMPTY
    for (const part of trimmed.split(',')) {
      const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
      if (!match) {
        throw new PolyhouseError(`a stored block range set is corrupt: cannot read '${part}'`, {
          hint: 'expected comma-separated "from-to" or "block" items',
        })
      }
      const from = Number(match[1])
      const to = match[2] === undefined ? from : Number(match[2])
      set = set.add(from, to)
    }
    return set
  }

  /** [[from, to], ...] for an Array(Tuple(UInt64, UInt64)) column or JSON. */
  toJSON(): [number, number][] {
    return this.spans.map((r) => [r.from, r.to])
  }

  static fromJSON(pairs: readonly (readonly [number, number])[]): RangeSet {
    return pairs.reduce((set, [from, to]) => set.add(from, to), RangeSet.EMPTY)
  }

  toString(): string {
    return `RangeSet(${this.serialize()})`
  }
}

// --- sharding ------------------------------------------------------------------------------------

/**
 * Block chunk for `--shard i/n`: block b belongs to chunk floor(b / SHARD_CHUNK_BLOCKS), and
 * chunk k to shard (k mod n) + 1. About 2.3 days of Polygon blocks (~2 s each); the span from
 * the V1 exchange's deployment to today holds several hundred chunks, so even dozens of shards
 * get near-equal shares, while each chunk is still far wider than one eth_getLogs range.
 *
 * Why fixed chunks dealt round-robin rather than n contiguous slices: fills are not spread
 * evenly — Polymarket's activity grew by orders of magnitude, so the last slice of a contiguous
 * split would hold most of the fills and finish last. Interleaving small chunks gives every shard
 * the same mix of quiet and busy eras. Chunks are aligned to absolute block numbers, not to the
 * span's start, so ownership depends on the block alone: processes started at different times
 * (different tips) or with different --from-block never overlap and never leave a hole.
 */
export const SHARD_CHUNK_BLOCKS = 100_000

export interface Shard {
  /** 1-based: `--shard 1/4` … `--shard 4/4` (the Jest/Playwright convention). */
  index: number
  count: number
}

export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n: got '${text}'`, {
      hint: 'for 4 processes run --shard 1/4, --shard 2/4, --shard 3/4 and --shard 4/4',
    })
  }
  return { index, count }
}

/** The shard (1-based) that owns `block`. */
export function shardOfBlock(block: number, count: number, chunkBlocks = SHARD_CHUNK_BLOCKS): number {
  return (Math.floor(block / chunkBlocks) % count) + 1
}

/** The blocks of `span` that `shard` owns. */
export function shardRanges(span: BlockRange, shard: Shard, chunkBlocks = SHARD_CHUNK_BLOCKS): RangeSet {
  check(span.from, span.to)
  if (!Number.isSafeInteger(chunkBlocks) || chunkBlocks < 1) throw new RangeError(`chunk must be ≥ 1 block`)
  if (shard.count === 1) return RangeSet.of(span)
  const out: BlockRange[] = []
  const firstChunk = Math.floor(span.from / chunkBlocks)
  const lastChunk = Math.floor(span.to / chunkBlocks)
  // The first chunk at or after firstChunk that this shard owns, then every count-th one.
  const offset = (((shard.index - 1 - firstChunk) % shard.count) + shard.count) % shard.count
  for (let k = firstChunk + offset; k <= lastChunk; k += shard.count) {
    out.push({ from: Math.max(span.from, k * chunkBlocks), to: Math.min(span.to, (k + 1) * chunkBlocks - 1) })
  }
  return RangeSet.of(...out)
}
