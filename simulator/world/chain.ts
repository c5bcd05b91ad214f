// The simulated Polygon chain: which block holds which fills, block timestamps and hashes, the
// V1 → V2 exchange cutover, and reorgs of the last blocks. Fills are numbered 0..N-1 in chain
// order and placed in matches of two (fills 2m and 2m+1 share a block and a transaction); a
// block's fills are a contiguous index range, so a block range maps to an index range with
// arithmetic alone (no table, memory independent of N).
import { hexWords } from '../random.ts'

/** CTF Exchange V1 deployment block: the first block with fills (Polymarket's documentation, docs.polymarket.com). */
export const V1_START_BLOCK = 33_605_403
/**
 * Timestamp of V1_START_BLOCK, approximately (late September 2022: the polymarket-subgraph
 * Exchange ABI in the fixtures was committed 2022-09-26). Only the order of magnitude matters.
 */
export const START_TIMESTAMP = 1_664_100_000
/** Polygon averaged ~2.11 s per block from block 33.6M (2022-09) to 90.8M (2026-07, fixture v2 log). */
const SECONDS_PER_9_BLOCKS = 19
/** Share of the chain (in blocks) before the V2 exchanges take over. */
const V2_CUTOVER_AT = 0.75
/** Share of the fills that happen on the V1 exchanges (the V2 era is busier per block). */
const V1_FILL_SHARE = 0.6
/** Polygon PoS chain id (eth_chainId 0x89). */
export const CHAIN_ID = 137

/** Exchange contracts, lower-case (Polymarket's documentation, docs.polymarket.com). */
export const EXCHANGES = {
  v1: {
    ctf: '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
    negRisk: '0xc5d563a36ae78145c45a50134d48a1215220f80a',
  },
  v2: {
    ctf: '0xe111180000d2663c0091e4f400237545b87b996b',
    negRisk: '0xe2222d279d744050d28e00520010520000310f59',
  },
} as const

export function exchangeAddress(version: 1 | 2, negRisk: boolean): string {
  const family = version === 1 ? EXCHANGES.v1 : EXCHANGES.v2
  return negRisk ? family.negRisk : family.ctf
}

const DOMAIN_BLOCK_HASH = 0xb10c

/** floor(a / b) for non-negative integers whose product terms stay below 2^53. */
export function div(a: number, b: number): number {
  let q = Math.floor(a / b)
  if (q * b > a) q--
  else if ((q + 1) * b <= a) q++
  return q
}

export class ChainLayout {
  readonly startBlock = V1_START_BLOCK
  readonly tip: number
  readonly cutoverBlock: number
  private readonly v1Blocks: number
  private readonly v2Blocks: number
  /** Placement units are matches (two fills in one tx); an odd fill count ends with a lone fill. */
  private readonly v1Units: number
  private readonly v2Units: number
  /** Incremented by each reorg; blocks inside the reorg window hash and order differently per epoch. */
  forkEpoch = 0
  /** How many blocks below and including the tip the last reorg rewrote (0: none yet). */
  reorgDepth = 0

  constructor(
    private readonly seed: number,
    readonly fillCount: number,
    readonly blockCount: number,
  ) {
    this.tip = this.startBlock + blockCount - 1
    this.v1Blocks = Math.max(1, Math.min(blockCount - 1, Math.floor(blockCount * V2_CUTOVER_AT)))
    this.v2Blocks = blockCount - this.v1Blocks
    this.cutoverBlock = this.startBlock + this.v1Blocks
    const units = Math.ceil(fillCount / 2)
    this.v1Units = Math.floor(units * V1_FILL_SHARE)
    this.v2Units = units - this.v1Units
  }

  private firstUnitOfContentBlock(block: number): number {
    const offset = block - this.startBlock
    if (offset <= 0) return 0
    if (offset >= this.blockCount) return this.v1Units + this.v2Units
    if (offset < this.v1Blocks) return div(offset * this.v1Units, this.v1Blocks)
    return this.v1Units + div((offset - this.v1Blocks) * this.v2Units, this.v2Blocks)
  }

  /** Index of the first fill whose content block is ≥ `block` (so block b holds [first(b), first(b+1))). */
  firstFillOfContentBlock(block: number): number {
    return Math.min(this.fillCount, 2 * this.firstUnitOfContentBlock(block))
  }

  /** The content block of fill `index` (where it sits before any reorg); both fills of a match share it. */
  contentBlockOfFill(index: number): number {
    const unit = Math.floor(index / 2)
    if (unit < this.v1Units) return this.startBlock + div((unit + 1) * this.v1Blocks - 1, this.v1Units)
    const j = unit - this.v1Units
    return this.cutoverBlock + div((j + 1) * this.v2Blocks - 1, this.v2Units)
  }

  /** V1 exchanges before the cutover block, V2 from it on. Keyed by content block, so reorg-proof. */
  versionOfContentBlock(block: number): 1 | 2 {
    return block < this.cutoverBlock ? 1 : 2
  }

  timestamp(block: number): number {
    return START_TIMESTAMP + Math.floor(((block - this.startBlock) * SECONDS_PER_9_BLOCKS) / 9)
  }

  private inReorgWindow(block: number): boolean {
    return this.reorgDepth > 0 && block > this.tip - this.reorgDepth && block <= this.tip
  }

  /** Salt for hashes of things in `block` (block hash, tx hashes): changes with each reorg inside the window. */
  forkSalt(block: number): number {
    return this.inReorgWindow(block) ? this.forkEpoch : 0
  }

  blockHash(block: number): string {
    return `0x${hexWords(8, this.seed, DOMAIN_BLOCK_HASH, block, this.forkSalt(block))}`
  }

  /**
   * A reorg replaces the last `reorgDepth` blocks: same fills (same orders, makers, amounts), but
   * the window's block contents rotate by the fork epoch, and hashes change. A pipeline that keeps
   * rows of the abandoned blocks therefore ends up with duplicates under new (block, logIndex) keys.
   */
  contentBlockOf(servedBlock: number): number {
    if (!this.inReorgWindow(servedBlock)) return servedBlock
    const windowStart = this.tip - this.reorgDepth + 1
    const d = this.reorgDepth
    return windowStart + ((((servedBlock - windowStart - this.forkEpoch) % d) + d) % d)
  }

  servedBlockOf(contentBlock: number): number {
    if (!this.inReorgWindow(contentBlock)) return contentBlock
    const windowStart = this.tip - this.reorgDepth + 1
    return windowStart + ((contentBlock - windowStart + this.forkEpoch) % this.reorgDepth)
  }

  reorg(depth: number): void {
    if (!Number.isInteger(depth) || depth < 1)
      throw new RangeError(`reorg depth must be a positive integer, got ${depth}`)
    this.reorgDepth = Math.min(this.blockCount, Math.max(this.reorgDepth, depth))
    this.forkEpoch++
  }
}
