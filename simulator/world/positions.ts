// Data API positions: every token a wallet holds (balance > 0), as the wallet's book folds its world
// in chain order (wallet-book.ts) — its trades (Σ positionDelta, the reconciliation rule in fills.ts)
// plus what its splits, merges, redemptions and conversions added or took — with the PnL figures of the
// pnl-subgraph's rules (pnl.ts): avgPrice, totalBought, realizedPnl. Sizes are multiples of 1e-4
// shares (fills move hundredths; V1 BUY fees are rounded down to 1e-4; lifecycle amounts are whole
// shares), so the Data API's 4-decimal `size` is exact and chain and API reconcile to the unit; the
// PnL figures are printed at 4 decimals as the Data API prints them, rounded half away from zero from
// their exact integers.
import { hash } from '../random.ts'
import { MarketFlag } from './catalog.ts'
import { eventFacts } from './event-json.ts'
import type { FillGenerator } from './fills.ts'
import { dateOnly, round4 } from './format.ts'
import { type JsonObject, marketIcon, marketOutcomes, marketSlug } from './market-json.ts'
import { question } from './texts.ts'
import type { TokenState } from './wallet-book.ts'

/** A held token of a wallet, with its wallet index. */
export type PositionState = TokenState & { wallet: number }

/** Units of 1e-6 → a number with 4 decimals, rounded half away from zero exactly (no float midpoint). */
export function units4(units: bigint): number {
  const negative = units < 0n
  const abs = negative ? -units : units
  const rounded = (abs + 50n) / 100n
  const text = `${rounded / 10_000n}.${(rounded % 10_000n).toString().padStart(4, '0')}`
  return Number(negative ? `-${text}` : text)
}

/** Everything the v1 and v2 rows print, in natural units (shares, USDC, prices 0..1). */
export interface PositionView {
  state: PositionState
  proxyWallet: string
  asset: string
  conditionId: string
  size: number
  avgPrice: number
  initialValue: number
  currentValue: number
  cashPnl: number
  percentPnl: number
  totalBought: number
  realizedPnl: number
  percentRealizedPnl: number
  curPrice: number
  redeemable: boolean
  mergeable: boolean
  title: string
  slug: string
  icon: string
  eventId: string
  eventSlug: string
  outcome: string
  outcomeIndex: number
  oppositeOutcome: string
  oppositeAsset: string
  endDate: string
  negativeRisk: boolean
  /** v2 `status`: REDEEMABLE / REDEEMABLE_LOST once the market resolved, MERGEABLE, else OPEN. */
  status: 'OPEN' | 'REDEEMABLE' | 'REDEEMABLE_LOST' | 'MERGEABLE'
  drifted: boolean
}

export function positionView(
  fills: FillGenerator,
  state: PositionState,
  heldTokens: ReadonlySet<number>,
  driftRate: number,
): PositionView {
  const { catalog, ledger } = fills
  const m = state.market
  const closed = catalog.has(m, MarketFlag.Closed)
  const outcomes = marketOutcomes(catalog, m)
  const firstToken = catalog.marketTokenStart[m] as number
  const oppositeIndex = (state.outcomeIndex + 1) % outcomes.length
  const curPrice = (catalog.pricesMilli(m)[state.outcomeIndex] as number) / 1000
  const size = state.size / 1e6
  const avgPrice = units4(state.pnl.avgPrice)
  const initialValue = size * avgPrice
  const currentValue = size * curPrice
  const realizedPnl = units4(state.pnl.realizedPnl)
  const boughtCost = (Number(state.pnl.totalBought) / 1e6) * avgPrice
  const event = catalog.marketEvent[m] as number
  const facts = event >= 0 ? eventFacts(catalog, event) : undefined
  const mergeable = !closed && heldTokens.has(firstToken + oppositeIndex)
  const won = closed && catalog.winner(m) === state.outcomeIndex
  return {
    state,
    proxyWallet: ledger.address(state.wallet),
    asset: catalog.tokenIdDecimal(state.token),
    conditionId: catalog.conditionId(m),
    size: round4(size),
    avgPrice,
    initialValue: round4(initialValue),
    currentValue: round4(currentValue),
    cashPnl: round4(currentValue - initialValue),
    percentPnl: round4(initialValue > 0 ? ((currentValue - initialValue) / initialValue) * 100 : 0),
    totalBought: units4(state.pnl.totalBought),
    realizedPnl,
    percentRealizedPnl: round4(boughtCost > 0 ? (realizedPnl / boughtCost) * 100 : 0),
    curPrice,
    redeemable: closed,
    mergeable,
    title: question(catalog.seed, m),
    slug: marketSlug(catalog, m),
    icon: marketIcon(catalog, m),
    eventId: event >= 0 ? String(catalog.eventIds[event]) : '',
    eventSlug: facts ? facts.slug : '',
    outcome: outcomes[state.outcomeIndex] as string,
    outcomeIndex: state.outcomeIndex,
    oppositeOutcome: outcomes[oppositeIndex] as string,
    oppositeAsset: catalog.tokenIdDecimal(firstToken + oppositeIndex),
    endDate: catalog.has(m, MarketFlag.MissingEndDate) ? '' : dateOnly(catalog.marketEnd[m] as number),
    negativeRisk: catalog.has(m, MarketFlag.NegRisk),
    status: closed ? (won ? 'REDEEMABLE' : 'REDEEMABLE_LOST') : mergeable ? 'MERGEABLE' : 'OPEN',
    drifted: state.position >= 0 && positionDrifted(catalog.seed, state.position, driftRate),
  }
}

/** Schema drift fault for positions: a property of the position, so every fetch shows the same ones. */
export function positionDrifted(seed: number, position: number, driftRate: number): boolean {
  return driftRate > 0 && hash(seed, 0x9d01, position) / 4294967296 < driftRate
}

/** A v1 `/positions` row, keys in the order of fixtures/polymarket/data-api/polyprinter_positions_sample.json. */
export function positionRowV1(view: PositionView): JsonObject {
  return {
    proxyWallet: view.proxyWallet,
    asset: view.asset,
    conditionId: view.conditionId,
    size: view.drifted ? 'n/a' : view.size,
    avgPrice: view.avgPrice,
    initialValue: view.initialValue,
    currentValue: view.currentValue,
    cashPnl: view.cashPnl,
    percentPnl: view.percentPnl,
    totalBought: view.totalBought,
    realizedPnl: view.realizedPnl,
    percentRealizedPnl: view.percentRealizedPnl,
    curPrice: view.curPrice,
    redeemable: view.redeemable,
    mergeable: view.mergeable,
    title: view.title,
    slug: view.slug,
    icon: view.icon,
    eventId: view.eventId,
    eventSlug: view.eventSlug,
    outcome: view.outcome,
    outcomeIndex: view.outcomeIndex,
    oppositeOutcome: view.oppositeOutcome,
    oppositeAsset: view.oppositeAsset,
    endDate: view.endDate,
    negativeRisk: view.negativeRisk,
  }
}

/** A v2 `/v2/positions` row: snake_case (docs.polymarket.com "Data API v2", "Migrating from v1"). */
export function positionRowV2(view: PositionView): JsonObject {
  return {
    proxy_wallet: view.proxyWallet,
    condition_id: view.conditionId,
    token_id: view.asset,
    outcome: view.outcome,
    outcome_index: view.outcomeIndex,
    title: view.title,
    slug: view.slug,
    event_id: view.eventId,
    event_slug: view.eventSlug,
    status: view.status,
    current_size: view.drifted ? 'n/a' : view.size,
    avg_price: view.avgPrice,
    entry_cost_usdc: view.initialValue,
    current_value: view.currentValue,
    realized_pnl: view.realizedPnl,
    unrealized_pnl: view.cashPnl,
    total_bought: view.totalBought,
    cur_price: view.curPrice,
    redeemable: view.redeemable,
    mergeable: view.mergeable,
    negative_risk: view.negativeRisk,
    end_date: view.endDate,
    last_event_at: view.state.lastTimestamp,
  }
}
