// Ground truth: what a loss-free, duplicate-free backfill of the simulator must end up with.
// Catalog and ledger facts are immediate; fill totals need one pass over every fill, computed on
// first request and kept (a few seconds per million fills, memory per position).
import { type AmmLiquidityTruth, type AmmTradeTruth, ammLiquidity, ammTrades } from './amm-truth.ts'
import { EventKind, MarketFlag } from './catalog.ts'
import { eventFacts } from './event-json.ts'
import type { Fill } from './fills.ts'
import type { World } from './index.ts'
import { clobTokenIds } from './market-json.ts'
import type { OwnerTruth } from './owners.ts'
import { positionDrifted } from './positions.ts'
import { AnalyticsTruth, type MarketStatsTruth, type PnlTruth } from './truth-analytics.ts'

export type { MarketStatsTruth, PnlTruth } from './truth-analytics.ts'

export interface FillTotals {
  count: number
  takerLegs: number
  makerFills: number
  byExchange: Record<string, number>
  /** Σ collateral of taker legs: each match counted once (the public dashboards' method). */
  matchedVolumeUsdc: string
  /** Σ fee of all fills, in their own units (shares for V1 BUYs, USDC otherwise), 1e-6 units. */
  feeUnits: string
  /** Wallets that are the maker of at least one fill (every wallet, by construction). */
  makers: number
  /** Positions whose trades alone leave ≥ 1 share (the lifecycle may add or take more, positions.ts). */
  positionsAtDefaultThreshold: number
  /** Σ of what the trades leave every position, shares (before the lifecycle, positions.ts). */
  totalShares: string
}

export interface TruthSummary {
  seed: string | number
  markets: {
    count: number
    closed: number
    undeployed: number
    missingEndDate: number
    multiOutcome: number
    negRisk: number
    orphans: number
    standalone: number
    drifted: number
  }
  events: { count: number; negRisk: number; drifted: number }
  tokens: number
  wallets: number
  positions: { count: number; drifted: number }
  chain: {
    chainId: number
    startBlock: number
    tip: number
    cutoverBlock: number
    forkEpoch: number
    reorgDepth: number
    fills: number
  }
}

export interface MarketTruth {
  id: string
  conditionId: string
  clobTokenIds: string[]
  eventId: string | null
  eventTitle: string | null
  closed: boolean
  negRisk: boolean
  /** Served with a field of the wrong type (schema drift fault): a correct pipeline quarantines it. */
  drifted: boolean
  /** False when served without startDate: no start-date filter matches it. */
  hasStartDate: boolean
}

export interface EventTruth {
  id: string
  title: string
  marketIds: string[]
  closed: boolean
  drifted: boolean
  /** False when served without startDate: no start-date filter matches it. */
  hasStartDate: boolean
}

export interface PositionTruth {
  wallet: string
  asset: string
  conditionId: string
  outcomeIndex: number
  /** Exact size in shares, 6 decimals (it is always a multiple of 1e-4). */
  size: string
  sizeUnits: number
  /** What the wallet's fills of this token alone add up to (Σ positionDelta), 1e-6 units. */
  tradedUnits: number
  drifted: boolean
}

export class Truth {
  private totals: FillTotals | undefined
  private readonly analytics: AnalyticsTruth

  constructor(private readonly world: World) {
    this.analytics = new AnalyticsTruth(world)
  }

  /**
   * Every token the wallet's PnL touched (fills, splits, merges, redemptions, conversions), by the
   * pnl-subgraph's rules: what vw_position_pnl must hold for it once the whole chain is loaded.
   */
  pnl(address: string): PnlTruth[] {
    return this.analytics.pnl(address)
  }

  /** Volume, trades, traders, open interest and winner of every market with activity. */
  marketStats(): MarketStatsTruth[] {
    return this.analytics.marketStats()
  }

  summary(): TruthSummary {
    const { catalog, ledger, chain, shape } = this.world
    const count = (flag: number) => {
      let n = 0
      for (let m = 0; m < catalog.marketCount; m++) if (catalog.has(m, flag as never)) n++
      return n
    }
    let multiOutcome = 0
    let standalone = 0
    for (let m = 0; m < catalog.marketCount; m++) {
      if ((catalog.marketOutcomes[m] as number) > 2) multiOutcome++
      if ((catalog.marketEvent[m] as number) < 0) standalone++
    }
    let negRiskEvents = 0
    let driftedEvents = 0
    for (let e = 0; e < catalog.eventCount; e++) {
      if (catalog.eventKind[e] === EventKind.NegRisk) negRiskEvents++
      if (catalog.eventDrift[e]) driftedEvents++
    }
    let driftedPositions = 0
    for (let q = 0; q < ledger.positionCount; q++)
      if (positionDrifted(this.world.seed, q, shape.driftRate)) driftedPositions++
    return {
      seed: shape.seed,
      markets: {
        count: catalog.marketCount,
        closed: count(MarketFlag.Closed),
        undeployed: count(MarketFlag.Undeployed),
        missingEndDate: count(MarketFlag.MissingEndDate),
        multiOutcome,
        negRisk: count(MarketFlag.NegRisk),
        orphans: count(MarketFlag.Orphan),
        standalone,
        drifted: count(MarketFlag.Drift),
      },
      events: { count: catalog.eventCount, negRisk: negRiskEvents, drifted: driftedEvents },
      tokens: catalog.tokenCount,
      wallets: ledger.walletCount,
      positions: { count: ledger.positionCount, drifted: driftedPositions },
      chain: {
        chainId: 137,
        startBlock: chain.startBlock,
        tip: chain.tip,
        cutoverBlock: chain.cutoverBlock,
        forkEpoch: chain.forkEpoch,
        reorgDepth: chain.reorgDepth,
        fills: chain.fillCount,
      },
    }
  }

  /** Totals over every fill (one full pass on first call; reorgs move fills but change no total). */
  fillTotals(): FillTotals {
    if (this.totals) return this.totals
    const { fills, ledger } = this.world
    const sizes = new Float64Array(ledger.positionCount)
    const makers = new Uint8Array(ledger.walletCount)
    const byExchange: Record<string, number> = {}
    let takerLegs = 0
    let volume = 0n
    let fees = 0n
    for (let i = 0; i < fills.count; i++) {
      const fill = fills.fill(i)
      sizes[fill.position] = (sizes[fill.position] as number) + fill.positionDelta
      makers[fill.wallet] = 1
      byExchange[fill.exchange] = (byExchange[fill.exchange] ?? 0) + 1
      fees += BigInt(fill.fee)
      if (fill.isTakerLeg) {
        takerLegs++
        volume += BigInt(fill.collateral)
      }
    }
    let visible = 0
    let total = 0n
    for (const size of sizes) {
      if (size >= 1_000_000) visible++
      total += BigInt(size)
    }
    this.totals = {
      count: fills.count,
      takerLegs,
      makerFills: fills.count - takerLegs,
      byExchange,
      matchedVolumeUsdc: unitsToDecimal(volume),
      feeUnits: fees.toString(),
      makers: makers.reduce((a, b) => a + b, 0),
      positionsAtDefaultThreshold: visible,
      totalShares: unitsToDecimal(total),
    }
    return this.totals
  }

  *markets(): Generator<MarketTruth> {
    const catalog = this.world.catalog
    for (let m = 0; m < catalog.marketCount; m++) {
      const event = catalog.marketEvent[m] as number
      yield {
        id: String(catalog.marketIds[m]),
        conditionId: catalog.conditionId(m),
        clobTokenIds: clobTokenIds(catalog, m),
        eventId: event >= 0 ? String(catalog.eventIds[event]) : null,
        eventTitle: event >= 0 ? eventFacts(catalog, event).title : null,
        closed: catalog.has(m, MarketFlag.Closed),
        negRisk: catalog.has(m, MarketFlag.NegRisk),
        drifted: catalog.has(m, MarketFlag.Drift),
        hasStartDate: !catalog.has(m, MarketFlag.MissingStartDate),
      }
    }
  }

  *events(): Generator<EventTruth> {
    const catalog = this.world.catalog
    for (let e = 0; e < catalog.eventCount; e++) {
      const facts = eventFacts(catalog, e)
      const first = catalog.eventFirstMarket[e] as number
      yield {
        id: String(catalog.eventIds[e]),
        title: facts.title,
        marketIds: Array.from({ length: catalog.eventSize[e] as number }, (_, k) =>
          String(catalog.marketIds[first + k]),
        ),
        closed: facts.closed,
        drifted: catalog.eventDrift[e] === 1,
        hasStartDate: catalog.eventMissingStart[e] === 0,
      }
    }
  }

  /** Who owns each proxy wallet and Safe (plain EOAs are absent: their own owners), by wallet. */
  walletOwners(): OwnerTruth[] {
    return [...this.world.owners.truth].sort((a, b) =>
      a.wallet < b.wallet ? -1 : a.wallet > b.wallet ? 1 : 0,
    )
  }

  wallets(): string[] {
    const ledger = this.world.ledger
    return Array.from({ length: ledger.walletCount }, (_, w) => ledger.address(w))
  }

  positions(address: string): PositionTruth[] {
    const wallet = this.world.ledger.walletByAddress(address)
    if (wallet < 0) return []
    return this.world.walletPositionViews(wallet).map((view) => ({
      wallet: view.proxyWallet,
      asset: view.asset,
      conditionId: view.conditionId,
      outcomeIndex: view.outcomeIndex,
      size: unitsToDecimal(BigInt(view.state.size)),
      sizeUnits: view.state.size,
      tradedUnits: view.state.traded,
      drifted: view.drifted,
    }))
  }

  /** Every AMM-era trade (world/amm.ts), in chain order. */
  ammTrades(): AmmTradeTruth[] {
    return ammTrades(this.world)
  }

  /** Every AMM-era funding add and removal, in chain order. */
  ammLiquidity(): AmmLiquidityTruth[] {
    return ammLiquidity(this.world)
  }

  /** The fills served in blocks [fromBlock, toBlock] of the current fork, in chain order. */
  fills(fromBlock: number, toBlock: number): Generator<Fill> {
    return this.world.fills.fillsInBlocks(fromBlock, toBlock)
  }
}

/** 1e-6 units as a decimal with exactly 6 places (the warehouse's Decimal(18,6) text). */
export function unitsToDecimal(units: bigint): string {
  const whole = units / 1_000_000n
  const fraction = (units % 1_000_000n).toString().padStart(6, '0')
  return `${whole}.${fraction}`
}
