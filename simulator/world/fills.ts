// OrderFilled events, generated one at a time from their index. Fill i sits in the content
// block the chain layout gives it, in a match with its neighbour (matches.ts); a keyed
// permutation of its exchange family sends it to a slot of some position (a wallet and token),
// so a wallet's fills are scattered over the whole chain, yet each pair of slots is an opening
// BUY followed, later in chain order, by a partial SELL of the same shares.
//
// Reconciliation rule (what positions in the Data API equal, per wallet and token):
//   every OrderFilled belongs to the wallet in its `maker` field, and changes its position by
//     BUY:  +shares − (V1 exchange ? fee : 0)     (V1 charges a BUY's fee in the shares received)
//     SELL: −shares                               (fees on sells, and every V2 fee, are in USDC)
//   where BUY means the maker pays collateral (V1: makerAssetId = 0; V2: side = 0), and shares
//   is the outcome-token amount (V1 BUY: takerAmountFilled, V1 SELL: makerAmountFilled; V2 the
//   same by side). Taker legs (taker = the exchange) and maker fills count alike: each wallet's
//   trade appears exactly once, as the maker of one OrderFilled.
import { InvariantError } from '../../core/errors.ts'
import { hash, hexWords, Permutation } from '../random.ts'
import { type Catalog, MarketFlag } from './catalog.ts'
import { type ChainLayout, exchangeAddress } from './chain.ts'
import { type Ledger, SHARE_TICK_UNITS } from './ledger.ts'
import type { Family } from './matches.ts'

/**
 * Log indices reserved per fill in a block: its trade's ERC-1155 transfers (slots 0–2), its
 * OrderFilled (3), then its lifecycle logs (lifecycle-logs.ts). The longest lifecycle — a V2
 * conversion of two questions in a six-question event, followed by the position's redemption — takes
 * 34 slots from slot 4.
 */
export const LOG_SLOTS_PER_FILL = 48
const ORDER_FILLED_LOG_SLOT = 3
/** Fee rates of fee-enabled markets, in basis points of min(price, 1 − price) × size. */
const FEE_RATES_BPS = [100, 200, 500, 1_000, 2_000] as const
/** Share of V2 fills that carry a builder code (the rest: bytes32 zero, as in the fixture). */
const BUILDER_RATE = 0.2

const D = { order: 0x0f01, tx: 0x0f02, builder: 0x0f03, fee: 0x0f04 } as const

export type Side = 'BUY' | 'SELL'

export interface Fill {
  index: number
  /** The block that holds the fill in the current fork (equals contentBlock outside a reorg window). */
  blockNumber: number
  contentBlock: number
  logIndex: number
  transactionIndex: number
  transactionHash: string
  exchange: string
  version: 1 | 2
  negRisk: boolean
  orderHash: string
  /** Ledger wallet index of the maker. */
  wallet: number
  maker: string
  taker: string
  side: Side
  /** Catalog token index; `tokenIdHex` is its uint256 id. */
  token: number
  tokenIdHex: string
  market: number
  /** Outcome-token amount, 1e-6 units. */
  shares: number
  /** USDC amount, 1e-6 units. */
  collateral: number
  /** In shares for a V1 BUY, otherwise in USDC; 1e-6 units. */
  fee: number
  isTakerLeg: boolean
  /** V2 builder code as 64 hex digits (zeros when none). */
  builder: string
  /** This fill's change to the maker's position (the reconciliation rule above), 1e-6 units. */
  positionDelta: number
  /** Position (ledger index) the fill belongs to. */
  position: number
  /** Which of the position's slot pairs the fill is in (its terms: ledger.pair(position, pair)). */
  pair: number
  /** The pair has both its BUY and its later SELL (false only for a position's last, lone slot). */
  paired: boolean
}

interface Located {
  index: number
  family: Family
  local: number
  slot: number
  position: number
  token: number
  market: number
  wallet: number
}

const ZERO_WORD = '0'.repeat(64)
/** Transaction indices advance by this per match: real blocks interleave other transactions. */
const TX_SLOTS_PER_MATCH = 3

export class FillGenerator {
  /** Per exchange family, a keyed bijection from its fill sequence to its slots. */
  private readonly permutations: [Permutation | undefined, Permutation | undefined]

  constructor(
    private readonly seed: number,
    readonly catalog: Catalog,
    readonly ledger: Ledger,
    readonly chain: ChainLayout,
  ) {
    const [fills0, fills1] = ledger.split.familyFills
    this.permutations = [
      fills0 > 0 ? new Permutation(fills0, seed ^ 0x51ab) : undefined,
      fills1 > 0 ? new Permutation(fills1, seed ^ 0x51ac) : undefined,
    ]
  }

  get count(): number {
    return this.chain.fillCount
  }

  private permutation(family: Family): Permutation {
    const permutation = this.permutations[family]
    if (!permutation) throw new InvariantError(`simulator: family ${family} has no fills`)
    return permutation
  }

  /** The taker leg is located twice (for its maker fill's `taker`, then itself): keep the last one. */
  private lastLocated: Located | undefined

  private locate(index: number): Located {
    if (this.lastLocated?.index === index) return this.lastLocated
    const split = this.ledger.split
    const family = split.family(index)
    const local = split.local(index, family)
    const slot = this.permutation(family).forward(local)
    const position = this.ledger.positionOfSlot(family, slot)
    const token = this.ledger.positionToken(position)
    this.lastLocated = {
      index,
      family,
      local,
      slot,
      position,
      token,
      market: this.catalog.tokenMarket[token] as number,
      wallet: this.ledger.positionWallet[position] as number,
    }
    return this.lastLocated
  }

  fill(index: number): Fill {
    const { family, local, slot, position, token, market, wallet } = this.locate(index)
    const ledger = this.ledger
    const { first, end } = ledger.slotsOf(position)
    const ordinal = slot - first
    const terms = ledger.pair(position, ordinal >> 1)
    let side: Side = 'BUY'
    const paired = !(ordinal === end - first - 1 && (end - first) % 2 === 1)
    if (paired) {
      // Local order is chain order within a family: the earlier slot of a pair is the BUY.
      const partner = this.permutation(family).inverse(first + (ordinal ^ 1))
      side = local < partner ? 'BUY' : 'SELL'
    }
    const shares =
      side === 'BUY'
        ? terms.shares
        : Math.floor((terms.shares * terms.sellPercent) / 100 / SHARE_TICK_UNITS) * SHARE_TICK_UNITS
    const priceCents = side === 'BUY' ? terms.buyPriceCents : terms.sellPriceCents
    const collateral = (shares / 100) * priceCents
    const contentBlock = this.chain.contentBlockOfFill(index)
    const version = this.chain.versionOfContentBlock(contentBlock)
    const negRisk = family === 1
    const exchange = exchangeAddress(version, negRisk)
    // Fill 2m is a maker fill whose taker is the maker of 2m+1, the match's taker leg.
    const lone = Math.floor(index / 2) === ledger.split.matches
    const isTakerLeg = lone || index % 2 === 1
    const txFirstFill = index - (lone ? 0 : index % 2)
    const blockFirstFill = this.chain.firstFillOfContentBlock(contentBlock)
    const blockNumber = this.chain.servedBlockOf(contentBlock)
    let fee = 0
    if (isTakerLeg && this.catalog.has(market, MarketFlag.FeesEnabled)) {
      const bps = FEE_RATES_BPS[hash(this.seed, D.fee, market) % FEE_RATES_BPS.length] as number
      const edge = Math.min(priceCents, 100 - priceCents)
      // fee = size × bps/10⁴ × edge/100, in integers that stay below 2^53 (ticks ≤ 10⁷).
      const ticks = shares / SHARE_TICK_UNITS
      fee =
        version === 1 && side === 'BUY'
          ? Math.floor((ticks * bps * edge) / 10_000) * 100
          : Math.floor((ticks * priceCents * bps * edge) / 10_000)
    }
    const positionDelta = side === 'BUY' ? shares - (version === 1 ? fee : 0) : -shares
    const maker = ledger.address(wallet)
    const taker = isTakerLeg ? exchange : ledger.address(this.locate(index + 1).wallet)
    const hasBuilder = version === 2 && hash(this.seed, D.builder, family, slot) / 4294967296 < BUILDER_RATE
    return {
      index,
      blockNumber,
      contentBlock,
      logIndex: (index - blockFirstFill) * LOG_SLOTS_PER_FILL + ORDER_FILLED_LOG_SLOT,
      transactionIndex: ((txFirstFill - blockFirstFill) / 2) * TX_SLOTS_PER_MATCH + 1,
      transactionHash: `0x${hexWords(8, this.seed, D.tx, txFirstFill, this.chain.forkSalt(blockNumber))}`,
      exchange,
      version,
      negRisk,
      orderHash: `0x${hexWords(8, this.seed, D.order, family, slot)}`,
      wallet,
      maker,
      taker,
      side,
      token,
      tokenIdHex: this.catalog.tokenIdHex(token),
      market,
      shares,
      collateral,
      fee,
      isTakerLeg,
      builder: hasBuilder ? hexWords(8, this.seed, D.builder, wallet % 7) : ZERO_WORD,
      positionDelta,
      position,
      pair: ordinal >> 1,
      paired,
    }
  }

  /** Fill indices of position q, in slot order (not chain order). */
  *fillIndicesOfPosition(position: number): Generator<number> {
    const { family, first, end } = this.ledger.slotsOf(position)
    const permutation = this.permutation(family)
    for (let slot = first; slot < end; slot++)
      yield this.ledger.split.global(family, permutation.inverse(slot))
  }

  /** Every fill served in blocks [fromBlock, toBlock] of the current fork, in (block, logIndex) order. */
  *fillsInBlocks(fromBlock: number, toBlock: number): Generator<Fill> {
    const chain = this.chain
    const from = Math.max(fromBlock, chain.startBlock)
    const to = Math.min(toBlock, chain.tip)
    if (from > to) return
    const windowStart = chain.reorgDepth > 0 ? chain.tip - chain.reorgDepth + 1 : chain.tip + 1
    // Below the reorg window a block range is a contiguous run of fill indices.
    const plainEnd = Math.min(to, windowStart - 1)
    if (from <= plainEnd) {
      const end = chain.firstFillOfContentBlock(plainEnd + 1)
      for (let i = chain.firstFillOfContentBlock(from); i < end; i++) yield this.fill(i)
    }
    for (let block = Math.max(from, windowStart); block <= to; block++) {
      const content = chain.contentBlockOf(block)
      const end = chain.firstFillOfContentBlock(content + 1)
      for (let i = chain.firstFillOfContentBlock(content); i < end; i++) yield this.fill(i)
    }
  }
}
