// One wallet's world, folded in chain order: every fill of its positions (fills.ts) and every action
// of its own (lifecycle.ts) — splits, merges, redemptions, conversions, transfers — give each token it
// ever touched a balance (what it holds on chain, what the Data API lists) and a PnL by the
// pnl-subgraph's rules (pnl.ts). Read from the world's semantics, never from the logs it serves.
import { MarketFlag } from './catalog.ts'
import type { Fill, FillGenerator } from './fills.ts'
import type { Lifecycle, WorldAction } from './lifecycle.ts'
import type { LifecycleLogs } from './lifecycle-logs.ts'
import { COLLATERAL_SCALE, fillPrice, fullSetPrice, PnlBook, payoutPrice, type TokenPnl } from './pnl.ts'

export interface TokenState {
  token: number
  market: number
  outcomeIndex: number
  /** The ledger position trading this token, or -1 for a token only the lifecycle gave the wallet. */
  position: number
  /** Balance on chain, 1e-6 units. */
  size: number
  /** What the wallet's trades alone left it (Σ positionDelta of its fills), 1e-6 units. */
  traded: number
  fillCount: number
  /** Unix time of the last event that touched the token. */
  lastTimestamp: number
  pnl: TokenPnl
}

export interface WalletBookDeps {
  fills: FillGenerator
  lifecycle: Lifecycle
  lifecycleLogs: LifecycleLogs
}

type Event = { block: number; logIndex: number } & (
  | { kind: 'fill'; fill: Fill }
  | { kind: 'action'; action: WorldAction; time: number }
)

/** Every token the wallet touched, in catalog order. */
export function walletBook(deps: WalletBookDeps, wallet: number): TokenState[] {
  const { fills } = deps
  const { catalog, ledger, chain } = fills
  const events: Event[] = []
  const first = ledger.walletFirstPosition[wallet] as number
  const end = ledger.walletFirstPosition[wallet + 1] as number
  for (let q = first; q < end; q++) {
    for (const index of fills.fillIndicesOfPosition(q)) {
      const fill = fills.fill(index)
      events.push({ kind: 'fill', fill, block: fill.blockNumber, logIndex: fill.logIndex })
      const time = chain.timestamp(fill.blockNumber)
      for (const placed of deps.lifecycleLogs.logsOf(fill).actions)
        events.push({
          kind: 'action',
          action: placed.action,
          time,
          block: fill.blockNumber,
          logIndex: fill.logIndex - 3 + placed.slot,
        })
    }
  }
  events.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex)

  const book = new PnlBook()
  const states = new Map<number, TokenState>()
  const state = (token: number): TokenState => {
    let found = states.get(token)
    if (!found) {
      found = {
        token,
        market: catalog.tokenMarket[token] as number,
        outcomeIndex: catalog.tokenOutcome[token] as number,
        position: -1,
        size: 0,
        traded: 0,
        fillCount: 0,
        lastTimestamp: 0,
        pnl: book.of(token),
      }
      states.set(token, found)
    }
    return found
  }
  const marketTokens = (m: number) =>
    Array.from(
      { length: catalog.marketOutcomes[m] as number },
      (_, k) => (catalog.marketTokenStart[m] as number) + k,
    )
  for (const event of events) {
    if (event.kind === 'fill') {
      const { fill } = event
      const s = state(fill.token)
      s.position = fill.position
      s.size += fill.positionDelta
      s.traded += fill.positionDelta
      s.fillCount++
      s.lastTimestamp = Math.max(s.lastTimestamp, chain.timestamp(fill.contentBlock))
      // Every fill is its maker's trade, of the gross shares (ExchangeMapping.ts, parseOrderFilled.ts).
      const price = fillPrice(fill.collateral, fill.shares)
      if (fill.side === 'BUY') s.pnl.buy(price, BigInt(fill.shares))
      else s.pnl.sell(price, BigInt(fill.shares))
      // A V1 BUY pays its fee in shares: valued at the fill's price.
      const v1Buy = fill.version === 1 && fill.side === 'BUY'
      s.pnl.fees += v1Buy ? (BigInt(fill.fee) * price) / COLLATERAL_SCALE : BigInt(fill.fee)
      continue
    }
    const { action, time } = event
    const touch = (token: number, delta: number) => {
      const s = state(token)
      s.size += delta
      s.lastTimestamp = Math.max(s.lastTimestamp, time)
      return s
    }
    switch (action.kind) {
      case 'send':
      case 'receive':
        // Plain transfers move balances; the PnL rules do not track them (pnl-subgraph notes.md).
        touch(action.token, action.kind === 'send' ? -action.amount : action.amount)
        break
      case 'split':
      case 'merge': {
        const tokens = marketTokens(action.market)
        const price = fullSetPrice(tokens.length)
        for (const token of tokens) {
          const s = touch(token, action.kind === 'split' ? action.amount : -action.amount)
          if (action.kind === 'split') s.pnl.buy(price, BigInt(action.amount))
          else s.pnl.sell(price, BigInt(action.amount))
        }
        break
      }
      case 'redeem': {
        const tokens = marketTokens(action.market)
        const payouts = deps.lifecycle.payouts(action.market)
        // ConditionalTokens' redemption sells everything held of each outcome (ConditionalTokensMapping.ts);
        // the NegRiskAdapter's sells the amounts it names (NegRiskAdapterMapping.ts).
        const negRisk = catalog.has(action.market, MarketFlag.NegRisk)
        tokens.forEach((token, i) => {
          const s = touch(token, -(action.burns[i] as number))
          const price = payoutPrice(payouts, i)
          const sold = s.pnl.sell(price, negRisk ? BigInt(action.burns[i] as number) : s.pnl.amount)
          s.pnl.redeemed += (sold * price) / COLLATERAL_SCALE
        })
        break
      }
      case 'convert': {
        const firstMarket = catalog.eventFirstMarket[action.event] as number
        const size = catalog.eventSize[action.event] as number
        const converted = new Set(action.questions)
        const yes = (q: number) => catalog.marketTokenStart[firstMarket + q] as number
        const noTokens = action.questions.map((q) => yes(q) + 1)
        const yesTokens = Array.from({ length: size }, (_, q) => q)
          .filter((q) => !converted.has(q))
          .map(yes)
        for (const token of noTokens) touch(token, -action.amount)
        for (const token of yesTokens) touch(token, action.amount)
        book.convert(noTokens, yesTokens, size, BigInt(action.amount))
        break
      }
    }
  }
  return [...states.values()].sort((a, b) => a.token - b.token)
}
