// Ground truth of the AMM era (world/amm.ts), from the world itself: every trade a loss-free load
// must show in the trade views and every funding event the liquidity view must list, in the views'
// terms (6-decimal amounts, price collateral ÷ outcome tokens truncated to 18 places), computed
// here and never read back from polyhouse.
import type { AmmEvent } from './amm.ts'
import type { World } from './index.ts'
import { marketOutcomes } from './market-json.ts'

export interface AmmTradeTruth {
  wallet: string
  side: 'BUY' | 'SELL'
  marketId: string
  conditionId: string
  outcome: string
  outcomeIndex: number
  /** 1e-6 units as decimals with 6 places. */
  shares: string
  collateral: string
  fee: string
  /** Collateral ÷ shares, 18 places, truncated. */
  price: string
  marketMaker: string
  blockNumber: number
  logIndex: number
  transactionHash: string
}

export interface AmmLiquidityTruth {
  wallet: string
  marketMaker: string
  marketId: string
  kind: 'add' | 'remove'
  amounts: string[]
  collateral: string
  lpShares: string
  blockNumber: number
  logIndex: number
}

const units = (value: bigint) => `${value / 1_000_000n}.${(value % 1_000_000n).toString().padStart(6, '0')}`

function price(collateral: bigint, tokens: bigint): string {
  const scaled = (collateral * 10n ** 18n) / tokens
  return `${scaled / 10n ** 18n}.${(scaled % 10n ** 18n).toString().padStart(18, '0')}`
}

export function ammTrades(world: World): AmmTradeTruth[] {
  const catalog = world.catalog
  return world.amm.events
    .filter((event) => event.kind === 'buy' || event.kind === 'sell')
    .map((event) => ({
      wallet: event.actor,
      side: event.kind === 'buy' ? 'BUY' : 'SELL',
      marketId: String(catalog.marketIds[event.market]),
      conditionId: catalog.conditionId(event.market),
      outcome: marketOutcomes(catalog, event.market)[event.outcome] ?? '',
      outcomeIndex: event.outcome,
      shares: units(event.tokens),
      collateral: units(event.collateral),
      fee: units(event.fee),
      price: price(event.collateral, event.tokens),
      marketMaker: event.marketMaker,
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      transactionHash: event.transactionHash,
    }))
}

export function ammLiquidity(world: World): AmmLiquidityTruth[] {
  const catalog = world.catalog
  // An add spends the largest amount added (FixedProductMarketMaker.addFunding); a removal pays fees.
  // biome-ignore lint/complexity/useMathMinMax: bigints; Math.max takes numbers
  const largest = (amounts: bigint[]) => amounts.reduce((max, amount) => (amount > max ? amount : max), 0n)
  const collateral = (event: AmmEvent) => (event.kind === 'added' ? largest(event.amounts) : event.collateral)
  return world.amm.events
    .filter((event) => event.kind === 'added' || event.kind === 'removed')
    .map((event) => ({
      wallet: event.actor,
      marketMaker: event.marketMaker,
      marketId: String(catalog.marketIds[event.market]),
      kind: event.kind === 'added' ? 'add' : 'remove',
      amounts: event.amounts.map(units),
      collateral: units(collateral(event)),
      lpShares: units(event.shares),
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
    }))
}
