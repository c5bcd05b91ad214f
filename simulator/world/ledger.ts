// Wallets and their positions, laid out so that every fill has a home: position q (a wallet and
// one outcome token) owns a run of fill slots in its exchange family's slot space. Slots pair up —
// an opening BUY and a later partial SELL of the same shares — so a position never goes negative
// and its final size is known from the pair terms alone. Memory is per position, not per fill.
import { InvariantError } from '../../core/errors.ts'
import { hash, hexWords, pareto, unit } from '../random.ts'
import { type Family, MatchSplit } from './matches.ts'
import { ownerOf, proxyAddressOf, safeAddressOf, type WalletKind, walletKind } from './owners.ts'

// Portfolio sizes (positions per wallet): a Pareto tail, plus whales above one Data API page.
const POSITIONS_MIN = 2
const POSITIONS_ALPHA = 1.2
const POSITIONS_CAP = 400
/** Whales hold more than 500 positions, so `/positions?limit=500` must paginate. */
const WHALE_POSITIONS_MIN = 520
const WHALE_POSITIONS_SPREAD = 700
const WHALE_RATE = 0.004
// Fills per position: at least one, the rest spread with a heavy tail.
const FILL_WEIGHT_ALPHA = 1.3
const FILL_WEIGHT_CAP = 2_000
/** Shares move in hundredths of a share (10,000 units of 1e-6), like the real fixture fills (4.18, 17.7). */
export const SHARE_TICK_UNITS = 10_000
/** Opening buys are at least Gamma's orderMinSize (5 shares) and at most MAX_SHARES. */
const MIN_SHARES = 5
/** The largest opening buy, in shares. */
const MAX_SHARES = 100_000
/** Fills kept in reserve beyond one per position, so both families can form whole matches. */
const FILL_HEADROOM = 4
/** Vanity addresses with leading zero bytes exist (SOURCES.md: maker 0x00000003a358…). */
const VANITY_EVERY = 53

const D = { wallet: 0x3a11, portfolio: 0x3a12, weight: 0x3a13, pair: 0x3a14 } as const

/** What a pair of slots trades: an opening buy, then a partial sell of the same position. */
export interface PairTerms {
  /** Shares bought, in 1e-6 units (multiple of SHARE_TICK_UNITS). */
  shares: number
  buyPriceCents: number
  sellPriceCents: number
  /** The later sell is this percentage of the shares bought, rounded down to a share tick. */
  sellPercent: number
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

export class Ledger {
  readonly walletCount: number
  /** Each wallet's kind and owner EOA ('' for a plain EOA), by wallet index (owners.ts). */
  readonly walletKinds: WalletKind[] = []
  readonly walletOwners: string[] = []
  readonly positionCount: number
  readonly walletFirstPosition: Int32Array
  readonly positionWallet: Int32Array
  readonly positionFamily: Uint8Array
  /** Index of each position within its family's position list. */
  private readonly positionRank: Int32Array
  /** Per family: its positions in ascending order, and their slot boundaries (length + 1). */
  private readonly familyPositions: [Int32Array, Int32Array]
  private readonly familySlotStart: [Int32Array, Int32Array]
  readonly split: MatchSplit
  private readonly walletTokenStart: Int32Array
  private readonly walletTokenStep: Int32Array
  private readonly byAddress = new Map<string, number>()
  private readonly addresses: string[] = []

  constructor(
    private readonly seed: number,
    walletCount: number,
    private readonly tokenCount: number,
    fillCount: number,
    tokenFamily: (token: number) => Family,
  ) {
    this.walletCount = walletCount
    const sizes = new Int32Array(walletCount)
    let total = 0
    for (let w = 0; w < walletCount; w++) {
      const whale = w === 1 || unit(seed, D.portfolio, w, 0) < WHALE_RATE
      const size = whale
        ? WHALE_POSITIONS_MIN + (hash(seed, D.portfolio, w, 1) % WHALE_POSITIONS_SPREAD)
        : Math.min(
            POSITIONS_CAP,
            Math.floor(pareto(unit(seed, D.portfolio, w, 2), POSITIONS_MIN, POSITIONS_ALPHA)),
          )
      sizes[w] = Math.max(1, Math.min(size, tokenCount))
      total += sizes[w] as number
    }
    // Every position needs a fill and matches need room: keep positions ≤ fills − FILL_HEADROOM.
    // Σ max(1, ⌊size·f⌋) ≤ wallets + f·total = budget when f = (budget − wallets) / total.
    const budget = fillCount - FILL_HEADROOM
    if (total > budget) {
      const factor = (budget - walletCount) / total
      total = 0
      for (let w = 0; w < walletCount; w++) {
        sizes[w] = Math.max(1, Math.floor((sizes[w] as number) * factor))
        total += sizes[w] as number
      }
    }
    this.positionCount = total
    this.walletFirstPosition = new Int32Array(walletCount + 1)
    this.positionWallet = new Int32Array(total)
    this.positionFamily = new Uint8Array(total)
    this.walletTokenStart = new Int32Array(walletCount)
    this.walletTokenStep = new Int32Array(walletCount)
    for (let w = 0, q = 0; w < walletCount; w++) {
      this.walletFirstPosition[w] = q
      this.walletTokenStart[w] = hash(seed, D.portfolio, w, 3) % tokenCount
      let step = tokenCount > 1 ? 1 + (hash(seed, D.portfolio, w, 4) % (tokenCount - 1)) : 1
      while (gcd(step, tokenCount) !== 1) step++
      this.walletTokenStep[w] = step
      for (let k = 0; k < (sizes[w] as number); k++, q++) {
        this.positionWallet[q] = w
        this.positionFamily[q] = tokenFamily(this.positionToken(q))
      }
      const hex = hexWords(5, seed, D.wallet, w)
      const vanity = w % VANITY_EVERY === 0
      // Proxy wallets and Safes have an owner (owners.ts); a proxy wallet's address derives from it.
      const kind = walletKind(seed, w, vanity)
      const owner = kind === 'eoa' ? '' : ownerOf(seed, w)
      const address =
        kind === 'proxy'
          ? proxyAddressOf(owner)
          : kind === 'safe'
            ? safeAddressOf(seed, w)
            : `0x${vanity ? `0000000${hex.slice(7)}` : hex}`
      this.addresses.push(address)
      this.walletKinds.push(kind)
      this.walletOwners.push(owner)
      if (this.byAddress.has(address)) throw new InvariantError(`simulator: wallet address collision at ${w}`)
      this.byAddress.set(address, w)
    }
    this.walletFirstPosition[walletCount] = total
    // Families: positions of each, then the matches each gets (in proportion, at least enough fills).
    this.positionRank = new Int32Array(total)
    const members: [number[], number[]] = [[], []]
    for (let q = 0; q < total; q++) {
      const family = this.positionFamily[q] as Family
      this.positionRank[q] = members[family].length
      members[family].push(q)
    }
    this.familyPositions = [Int32Array.from(members[0]), Int32Array.from(members[1])]
    const [p0, p1] = [members[0].length, members[1].length]
    const matches = Math.floor(fillCount / 2)
    const lone = fillCount % 2 === 1
    const loneFamily: Family = p1 > p0 ? 1 : 0
    const least = (positions: number, family: Family) =>
      Math.ceil((positions - (lone && loneFamily === family ? 1 : 0)) / 2)
    const wanted = Math.round((matches * p1) / total)
    const negRiskMatches = Math.min(Math.max(wanted, least(p1, 1)), matches - least(p0, 0))
    this.split = new MatchSplit(fillCount, negRiskMatches, loneFamily)
    this.familySlotStart = [
      this.allocateSlots(this.familyPositions[0], this.split.familyFills[0]),
      this.allocateSlots(this.familyPositions[1], this.split.familyFills[1]),
    ]
  }

  /** One slot per position, the remaining fills spread by heavy-tailed weights (exact totals). */
  private allocateSlots(positions: Int32Array, fills: number): Int32Array {
    const count = positions.length
    const cumulative = new Float64Array(count + 1)
    for (let r = 0; r < count; r++) {
      const weight = Math.min(
        FILL_WEIGHT_CAP,
        pareto(unit(this.seed, D.weight, positions[r] as number), 1, FILL_WEIGHT_ALPHA),
      )
      cumulative[r + 1] = (cumulative[r] as number) + weight
    }
    const extra = fills - count
    const start = new Int32Array(count + 1)
    for (let r = 1; r <= count; r++)
      start[r] = r + Math.floor((extra * (cumulative[r] as number)) / (cumulative[count] as number))
    start[count] = fills
    return start
  }

  /** Lower-case 0x address; every 53rd wallet is a vanity address with leading zeros. */
  address(w: number): string {
    return this.addresses[w] as string
  }

  walletByAddress(address: string): number {
    return this.byAddress.get(address.toLowerCase()) ?? -1
  }

  /** The outcome token (catalog token index) of position q: distinct within a wallet. */
  positionToken(q: number): number {
    const w = this.positionWallet[q] as number
    const k = q - (this.walletFirstPosition[w] as number)
    return ((this.walletTokenStart[w] as number) + k * (this.walletTokenStep[w] as number)) % this.tokenCount
  }

  /** The slots [first, end) of position q within its family's slot space. */
  slotsOf(q: number): { family: Family; first: number; end: number } {
    const family = this.positionFamily[q] as Family
    const starts = this.familySlotStart[family]
    const rank = this.positionRank[q] as number
    return { family, first: starts[rank] as number, end: starts[rank + 1] as number }
  }

  /** The position owning `slot` of a family (binary search over slot boundaries). */
  positionOfSlot(family: Family, slot: number): number {
    const starts = this.familySlotStart[family]
    let lo = 0
    let hi = starts.length - 2
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if ((starts[mid] as number) <= slot) lo = mid
      else hi = mid - 1
    }
    return this.familyPositions[family][lo] as number
  }

  pair(q: number, p: number): PairTerms {
    const u = unit(this.seed, D.pair, q, p, 0)
    const hundredths = Math.min(MAX_SHARES * 100, Math.floor(100 * pareto(u, MIN_SHARES, 1.1)))
    const buyPriceCents = 1 + (hash(this.seed, D.pair, q, p, 1) % 99)
    const drift = (hash(this.seed, D.pair, q, p, 2) % 41) - 20
    return {
      shares: hundredths * SHARE_TICK_UNITS,
      buyPriceCents,
      sellPriceCents: Math.min(99, Math.max(1, buyPriceCents + drift)),
      sellPercent: 10 + (hash(this.seed, D.pair, q, p, 3) % 81),
    }
  }
}
