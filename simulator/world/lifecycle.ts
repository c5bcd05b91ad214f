// What happens to outcome tokens besides trading, decided per fill from the fill alone (plus one
// per-position fact, its last fill, computed once and kept): splits, merges, redemptions after a
// market's resolution, neg-risk conversions, and — for every BUY — the exchange's own split. Each
// action is rendered to the logs a real chain shows (lifecycle-logs.ts) and read back by the truth
// (positions.ts) as what it means for the wallet's balances and PnL.
//
// When things happen:
//   resolution   every closed, deployed market resolves at block R(m), in the chain's second half;
//                its winner (catalog.winner) pays 1, the others 0.
//   preparation  every neg-risk event is prepared (MarketPrepared, one QuestionPrepared per market)
//                at block P(e), among the chain's first blocks.
//   extras       drawn once per pair of slots (an opening BUY and its later SELL, fills.ts):
//                  transfer      out to another wallet at the BUY, back at the SELL (existing);
//                  split-merge   a split at the BUY, a merge at the SELL;
//                  split-redeem  (binary, closed) a split at the BUY, a redemption of both outcomes
//                                at the SELL when the market has resolved by then, else a merge;
//                  convert       (neg-risk events of 3+ questions) at the BUY: a split of one or two
//                                questions, then their NO tokens converted into the YES tokens of the
//                                other questions (kept: the wallet now holds YES tokens it never traded).
//   redemption   a position whose last fill comes after its market resolved redeems, in a tenth of
//                the cases, what its trades left it (Σ positionDelta) right after that fill — never a
//                position served with a drifted field, so the drift fault stays countable.
// Route: actions of V1-era fills go straight to ConditionalTokens (neg-risk ones through the
// NegRiskAdapter); V2-era ones go through the collateral adapters (contracts.ts), which become the
// stakeholder on chain — the case vw_activity attributes to the user by the transfers of the tx.
//
// Real ConditionalTokens burns a redeemer's whole balance of the outcomes it redeems; the simulator
// burns what its story needs (the split's amount, or the position's trades), so that fills later in
// the chain still find the shares they sell. Its PnL rules do not depend on the burned amount.
import { hash, hexWords } from '../random.ts'
import { EventKind, MarketFlag } from './catalog.ts'
import type { Fill, FillGenerator } from './fills.ts'
import { SHARE_TICK_UNITS } from './ledger.ts'
import { positionDrifted } from './positions.ts'

/** Per hundred pairs: transfers, then split-merges, split-redeems, conversions (cumulative). */
const EXTRA_TRANSFER = 8
const EXTRA_SPLIT_MERGE = 14
const EXTRA_SPLIT_REDEEM = 20
const EXTRA_CONVERT = 26
/**
 * Share of eligible positions (last fill after the resolution) that redeem after their last fill. A
 * redeemed position leaves the Data API; a tenth keeps the test worlds' whales above one 500-row page.
 */
const REDEEM_RATE = 0.1
/** Resolutions fall in this share of the chain (from its start): the second half, mostly. */
const RESOLVE_FROM = 0.55
const RESOLVE_SPAN = 0.4
/** Neg-risk events are prepared within the chain's first blocks: at most this many, one per block. */
const PREPARE_BLOCKS = 1_000

const D = {
  kind: 0x7a01,
  other: 0x7a02,
  amount: 0x7a03,
  resolve: 0x7a04,
  redeem: 0x7a05,
  convert: 0x7a06,
} as const

export type ExtraKind = 'none' | 'transfer' | 'split-merge' | 'split-redeem' | 'convert'

/** Straight to the contract (V1 era), or through the V2 collateral adapter. */
export type Route = 'direct' | 'adapter'

export type WorldAction =
  /** A full set of the market's outcomes bought with `amount` collateral. */
  | { kind: 'split'; market: number; amount: number }
  | { kind: 'merge'; market: number; amount: number }
  /** Redemption after resolution: `burns[i]` of outcome i handed in. */
  | { kind: 'redeem'; market: number; burns: number[] }
  /** NO tokens of `questions` (indexes in the event) → YES of the others, `amount` each. */
  | { kind: 'convert'; event: number; questions: number[]; amount: number }
  /** A plain ERC-1155 transfer of the wallet's token to (or back from) another wallet. */
  | { kind: 'send'; token: number; amount: number; counterparty: string }
  | { kind: 'receive'; token: number; amount: number; counterparty: string }

/** An action of the fill's maker, in the order of the fill's transaction. */
export interface WalletAction {
  action: WorldAction
  route: Route
}

export class Lifecycle {
  /** Per position: the index of its last fill in chain order (-1: not computed yet). */
  private readonly lastFill: Int32Array
  /** Per neg-risk event: its preparation block; -1 for other events. */
  private readonly prepareBlock: Int32Array
  /** Content block → the closed markets resolving there. */
  private readonly resolutions = new Map<number, number[]>()
  /** Content block → the neg-risk events prepared there. */
  private readonly preparations = new Map<number, number[]>()
  /** Content blocks holding market-level logs (resolutions, preparations), ascending. */
  private readonly marketBlocks: number[]

  constructor(
    private readonly seed: number,
    private readonly fills: FillGenerator,
    private readonly driftRate: number,
  ) {
    const { catalog, chain, ledger } = fills
    this.lastFill = new Int32Array(ledger.positionCount).fill(-1)
    this.prepareBlock = new Int32Array(catalog.eventCount).fill(-1)
    let rank = 0
    const prepareSpan = Math.max(1, Math.min(PREPARE_BLOCKS, Math.floor(chain.blockCount / 10)))
    for (let e = 0; e < catalog.eventCount; e++) {
      if (catalog.eventKind[e] !== EventKind.NegRisk) continue
      const block = chain.startBlock + (rank++ % prepareSpan)
      this.prepareBlock[e] = block
      push(this.preparations, block, e)
    }
    for (let m = 0; m < catalog.marketCount; m++) {
      const block = this.resolutionBlock(m)
      if (block !== undefined) push(this.resolutions, block, m)
    }
    this.marketBlocks = [...new Set([...this.resolutions.keys(), ...this.preparations.keys()])].sort(
      (a, b) => a - b,
    )
  }

  /** Served blocks in [from, to] of the current fork that hold market-level logs, ascending. */
  marketBlocksServedIn(from: number, to: number): number[] {
    const chain = this.fills.chain
    const windowStart = chain.reorgDepth > 0 ? chain.tip - chain.reorgDepth + 1 : chain.tip + 1
    const served: number[] = []
    // Below the reorg window a block serves its own content.
    let lo = 0
    let hi = this.marketBlocks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.marketBlocks[mid] as number) < from) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < this.marketBlocks.length; i++) {
      const block = this.marketBlocks[i] as number
      if (block > to || block >= windowStart) break
      served.push(block)
    }
    for (let block = Math.max(from, windowStart); block <= Math.min(to, chain.tip); block++) {
      const content = chain.contentBlockOf(block)
      if (this.resolutions.has(content) || this.preparations.has(content)) served.push(block)
    }
    return served
  }

  /** Content block of market m's resolution; undefined when it does not resolve (open, undeployed). */
  resolutionBlock(m: number): number | undefined {
    const { catalog, chain } = this.fills
    if (!catalog.has(m, MarketFlag.Closed) || (catalog.marketTokenStart[m] as number) < 0) return undefined
    const u = hash(this.seed, D.resolve, m) / 4294967296
    return chain.startBlock + Math.floor(chain.blockCount * (RESOLVE_FROM + RESOLVE_SPAN * u))
  }

  /** Payout numerators of a resolved market: 1 for its winner, 0 for the others (denominator 1). */
  payouts(m: number): number[] {
    const { catalog } = this.fills
    const winner = catalog.winner(m)
    return Array.from({ length: catalog.marketOutcomes[m] as number }, (_, o) => (o === winner ? 1 : 0))
  }

  /** Content block of a neg-risk event's preparation; undefined for other events. */
  preparationBlock(event: number): number | undefined {
    const block = this.prepareBlock[event] as number
    return block < 0 ? undefined : block
  }

  marketsResolvingAt(contentBlock: number): readonly number[] {
    return this.resolutions.get(contentBlock) ?? []
  }

  eventsPreparedAt(contentBlock: number): readonly number[] {
    return this.preparations.get(contentBlock) ?? []
  }

  /** Index of position q's last fill in chain order. */
  lastFillOf(q: number): number {
    let last = this.lastFill[q] as number
    if (last < 0) {
      for (const index of this.fills.fillIndicesOfPosition(q)) last = Math.max(last, index)
      this.lastFill[q] = last
    }
    return last
  }

  /** The extra a pair carries (drawn once per pair, seen alike by its BUY and its SELL). */
  extraOf(fill: Fill): ExtraKind {
    if (!fill.paired) return 'none'
    const { catalog, ledger } = this.fills
    const draw = hash(this.seed, D.kind, fill.position, fill.pair) % 100
    if (draw < EXTRA_TRANSFER) return ledger.walletCount > 1 ? 'transfer' : 'none'
    if (draw < EXTRA_SPLIT_MERGE) return 'split-merge'
    const binary = (catalog.marketOutcomes[fill.market] as number) === 2
    if (draw < EXTRA_SPLIT_REDEEM)
      return binary && catalog.has(fill.market, MarketFlag.Closed) ? 'split-redeem' : 'none'
    if (draw < EXTRA_CONVERT) {
      const event = catalog.marketEvent[fill.market] as number
      const prepared = event >= 0 ? this.preparationBlock(event) : undefined
      const questions = event >= 0 ? (catalog.eventSize[event] as number) : 0
      return prepared !== undefined && questions >= 3 ? 'convert' : 'none'
    }
    return 'none'
  }

  /** The wallet a pair's plain transfer goes to and comes back from: never the maker. */
  counterparty(fill: Fill): string {
    const { ledger } = this.fills
    let other = hash(this.seed, D.other, fill.position, fill.pair) % ledger.walletCount
    if (other === fill.wallet) other = (other + 1) % ledger.walletCount
    return ledger.address(other)
  }

  /** The pair's extra amount in 1e-6 units, a whole number of share ticks. */
  extraAmount(fill: Fill, kind: ExtraKind): number {
    const terms = this.fills.ledger.pair(fill.position, fill.pair)
    if (kind === 'transfer') {
      // 10–50 % of the shares bought: below what the BUY delivered (fees take at most 10 %).
      const percent = 10 + (hash(this.seed, D.amount, fill.position, fill.pair) % 41)
      return Math.max(1, Math.floor((terms.shares * percent) / 100 / SHARE_TICK_UNITS)) * SHARE_TICK_UNITS
    }
    return (1 + (hash(this.seed, D.amount, fill.position, fill.pair) % 2_000)) * 100 * SHARE_TICK_UNITS
  }

  /** The maker's actions in the fill's own transaction of extras, in order. */
  actionsOf(fill: Fill): WalletAction[] {
    const route: Route = fill.version === 2 ? 'adapter' : 'direct'
    const kind = this.extraOf(fill)
    const amount = kind === 'none' ? 0 : this.extraAmount(fill, kind)
    const actions: WorldAction[] = []
    const buy = fill.side === 'BUY'
    if (kind === 'transfer') {
      const counterparty = this.counterparty(fill)
      actions.push({ kind: buy ? 'send' : 'receive', token: fill.token, amount, counterparty } as WorldAction)
    } else if (kind === 'split-merge') {
      actions.push({ kind: buy ? 'split' : 'merge', market: fill.market, amount })
    } else if (kind === 'split-redeem') {
      if (buy) actions.push({ kind: 'split', market: fill.market, amount })
      else if (this.resolvedBy(fill.market, fill.contentBlock))
        actions.push({ kind: 'redeem', market: fill.market, burns: [amount, amount] })
      else actions.push({ kind: 'merge', market: fill.market, amount })
    } else if (kind === 'convert' && buy) {
      actions.push(...this.conversion(fill, amount))
    }
    const redemption = this.finalRedemption(fill)
    if (redemption) actions.push(redemption)
    return actions.map((action) => ({ action, route }))
  }

  private resolvedBy(m: number, contentBlock: number): boolean {
    const block = this.resolutionBlock(m)
    return block !== undefined && block < contentBlock
  }

  /** Splits of one or two questions, then their NO tokens converted (needs the event prepared before). */
  private conversion(fill: Fill, amount: number): WorldAction[] {
    const { catalog } = this.fills
    const event = catalog.marketEvent[fill.market] as number
    if ((this.preparationBlock(event) as number) >= fill.contentBlock) return []
    const first = catalog.eventFirstMarket[event] as number
    const size = catalog.eventSize[event] as number
    const own = fill.market - first
    const questions = [own]
    // Two NO tokens a third of the time: collateral comes back too ((noCount − 1) × amount).
    if (hash(this.seed, D.convert, fill.position, fill.pair) % 3 === 0) questions.push((own + 1) % size)
    questions.sort((a, b) => a - b)
    return [
      ...questions.map((q): WorldAction => ({ kind: 'split', market: first + q, amount })),
      { kind: 'convert', event, questions, amount },
    ]
  }

  /** After the position's last fill, once its market resolved: redeem what its trades left it. */
  private finalRedemption(fill: Fill): WorldAction | undefined {
    const { catalog } = this.fills
    if (!this.resolvedBy(fill.market, fill.contentBlock)) return undefined
    if (this.lastFillOf(fill.position) !== fill.index) return undefined
    if (hash(this.seed, D.redeem, fill.position) / 4294967296 >= REDEEM_RATE) return undefined
    if (positionDrifted(this.seed, fill.position, this.driftRate)) return undefined
    let held = 0
    for (const index of this.fills.fillIndicesOfPosition(fill.position))
      held += this.fills.fill(index).positionDelta
    if (held <= 0) return undefined
    const burns = Array.from({ length: catalog.marketOutcomes[fill.market] as number }, (_, o) =>
      o === (catalog.tokenOutcome[fill.token] as number) ? held : 0,
    )
    return { kind: 'redeem', market: fill.market, burns }
  }

  /** Hash of the fill's own transaction of extras (mined right after its match, same block). */
  extrasTransactionHash(fill: Fill): string {
    return `0x${hexWords(8, this.seed, 0x7a10, fill.index, this.fills.chain.forkSalt(fill.blockNumber))}`
  }

  /** Hash of a market-level transaction (a resolution or a preparation) in `servedBlock`. */
  marketTransactionHash(kind: number, id: number, servedBlock: number): string {
    return `0x${hexWords(8, this.seed, 0x7a11 + kind, id, this.fills.chain.forkSalt(servedBlock))}`
  }
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
