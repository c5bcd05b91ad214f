// The analytics truths: each wallet's PnL per token (the pnl-subgraph's rules over the wallet's book,
// wallet-book.ts) and each market's volume, traders, open interest and resolution — what polyhouse's
// vw_position_pnl and vw_market_stats must equal when the whole chain is loaded. Computed from the
// world's semantics by the simulator's own code.
import type { World } from './index.ts'
import { COLLATERAL_SCALE, fillPrice, payoutPrice } from './pnl.ts'

export interface PnlTruth {
  wallet: string
  /** Decimal token id. */
  tokenId: string
  conditionId: string
  /** Decimals with 6 places (shares, USDC per share, USDC). */
  amount: string
  avgPrice: string
  totalBought: string
  realizedPnl: string
  /** The resolution payout once resolved, else the price of the token's latest match; null: never matched. */
  lastPrice: string | null
  unrealizedPnl: string | null
  fees: string
  redeemed: string
}

export interface MarketStatsTruth {
  conditionId: string
  /** Σ USDC of the taker legs (each match once), 6 places. */
  volume: string
  /** Taker legs. */
  trades: number
  /** Wallets that traded any of the market's tokens (makers: each wallet trade is its maker's). */
  traders: number
  /** Collateral locked: splits less merges and redemption payouts (the oi-subgraph's rules), 6 places. */
  openInterest: string
  /** Index of the winning outcome once resolved (payout 1), else null. */
  winner: number | null
}

/** 1e-6 units → a decimal with exactly 6 places, sign first. */
export function signedUnits(units: bigint): string {
  const negative = units < 0n
  const abs = negative ? -units : units
  return `${negative ? '-' : ''}${abs / COLLATERAL_SCALE}.${(abs % COLLATERAL_SCALE).toString().padStart(6, '0')}`
}

export class AnalyticsTruth {
  private lastPrices: Map<number, bigint> | undefined
  private stats: MarketStatsTruth[] | undefined

  constructor(private readonly world: World) {}

  /**
   * The price of a token's latest match (its taker leg: one per match, the last OrderFilled of its
   * transaction), as the subgraph prices a fill; from one pass over every fill.
   */
  private lastTradePrice(token: number): bigint | undefined {
    if (!this.lastPrices) {
      const prices = new Map<number, { key: number; price: bigint }>()
      const { fills, chain } = this.world
      for (const fill of fills.fillsInBlocks(chain.startBlock, chain.tip)) {
        if (!fill.isTakerLeg) continue
        const key = fill.blockNumber * 1e7 + fill.logIndex
        const seen = prices.get(fill.token)
        if (!seen || seen.key < key)
          prices.set(fill.token, { key, price: fillPrice(fill.collateral, fill.shares) })
      }
      this.lastPrices = new Map([...prices].map(([token, { price }]) => [token, price]))
    }
    return this.lastPrices.get(token)
  }

  /** vw_position_pnl's last_price: the resolution payout once resolved, else the latest trade's price. */
  lastPrice(token: number): bigint | undefined {
    const { catalog, lifecycle } = this.world
    const m = catalog.tokenMarket[token] as number
    if (lifecycle.resolutionBlock(m) !== undefined)
      return payoutPrice(lifecycle.payouts(m), catalog.tokenOutcome[token] as number)
    return this.lastTradePrice(token)
  }

  pnl(address: string): PnlTruth[] {
    const { catalog, ledger } = this.world
    const wallet = ledger.walletByAddress(address)
    if (wallet < 0) return []
    return this.world.walletBook(wallet).map((state) => {
      const { pnl } = state
      const last = this.lastPrice(state.token)
      return {
        wallet: ledger.address(wallet),
        tokenId: catalog.tokenIdDecimal(state.token),
        conditionId: catalog.conditionId(state.market),
        amount: signedUnits(pnl.amount),
        avgPrice: signedUnits(pnl.avgPrice),
        totalBought: signedUnits(pnl.totalBought),
        realizedPnl: signedUnits(pnl.realizedPnl),
        lastPrice: last === undefined ? null : signedUnits(last),
        unrealizedPnl:
          last === undefined ? null : signedUnits((pnl.amount * (last - pnl.avgPrice)) / COLLATERAL_SCALE),
        fees: signedUnits(pnl.fees),
        redeemed: signedUnits(pnl.redeemed),
      }
    })
  }

  /** Per deployed market with any activity: one pass over every fill and its lifecycle. */
  marketStats(): MarketStatsTruth[] {
    if (this.stats) return this.stats
    const { catalog, fills, chain, lifecycle, lifecycleLogs } = this.world
    const volume = new Map<number, bigint>()
    const trades = new Map<number, number>()
    const traders = new Map<number, Set<string>>()
    const interest = new Map<number, bigint>()
    const add = (m: number, units: bigint) => interest.set(m, (interest.get(m) ?? 0n) + units)
    for (const fill of fills.fillsInBlocks(chain.startBlock, chain.tip)) {
      const m = fill.market
      if (fill.isTakerLeg) {
        volume.set(m, (volume.get(m) ?? 0n) + BigInt(fill.collateral))
        trades.set(m, (trades.get(m) ?? 0) + 1)
      }
      const makers = traders.get(m) ?? new Set<string>()
      traders.set(m, makers)
      makers.add(fill.maker)
      // A BUY is the exchange's split of a full set (world/transfers.ts): collateral locked.
      if (fill.side === 'BUY') add(m, BigInt(fill.shares))
      for (const { action } of lifecycleLogs.logsOf(fill).actions) {
        if (action.kind === 'split') add(action.market, BigInt(action.amount))
        else if (action.kind === 'merge') add(action.market, -BigInt(action.amount))
        else if (action.kind === 'redeem') {
          const payouts = lifecycle.payouts(action.market)
          const denominator = payouts.reduce((a, b) => a + b, 0)
          const paid = action.burns.reduce((sum, burn, i) => sum + burn * (payouts[i] as number), 0)
          add(action.market, -BigInt(Math.floor(paid / denominator)))
        } else if (action.kind === 'convert' && action.questions.length > 1) {
          // (noCount − 1) × amount of collateral released, a noCount-th from each converted market
          // (oi-subgraph NegRiskAdapterMapping.ts; the simulator's markets charge no conversion fee).
          const released = BigInt(action.amount) * BigInt(action.questions.length - 1)
          const first = catalog.eventFirstMarket[action.event] as number
          for (const q of action.questions) add(first + q, -(released / BigInt(action.questions.length)))
        }
      }
    }
    const stats: MarketStatsTruth[] = []
    for (let m = 0; m < catalog.marketCount; m++) {
      if (!traders.has(m) && !interest.has(m)) continue
      const resolved = lifecycle.resolutionBlock(m) !== undefined
      stats.push({
        conditionId: catalog.conditionId(m),
        volume: signedUnits(volume.get(m) ?? 0n),
        trades: trades.get(m) ?? 0,
        traders: traders.get(m)?.size ?? 0,
        openInterest: signedUnits(interest.get(m) ?? 0n),
        winner: resolved ? catalog.winner(m) : null,
      })
    }
    this.stats = stats
    return stats
  }
}
