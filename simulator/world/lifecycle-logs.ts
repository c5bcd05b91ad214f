// The logs a real chain shows for each lifecycle action (lifecycle.ts), in the order the contracts
// emit them: ERC-1155 transfers of ConditionalTokens, and the events of ConditionalTokens, the
// NegRiskAdapter and the exchanges — their words written by hand (every argument is a word or a
// uint256[]), as log-writer.ts writes the fills; the pipeline decodes them with viem's ABI decoder.
// Flows follow the contracts' code (Polymarket/neg-risk-ctf-adapter src/NegRiskAdapter.sol:
// splitPosition, mergePositions, redeemPositions, convertPositions; Gnosis ConditionalTokens):
//   split    mint (0 → splitter), PositionSplit; the adapter then passes the tokens on
//   merge    tokens to the merger, burn (→ 0), PositionsMerge
//   redeem   burns, PayoutRedemption (the NegRiskAdapter takes the tokens first, emits its own after)
//   convert  a split per YES question, NO tokens to the burn address, YES tokens out, PositionsConverted
// Through a V2 collateral adapter, the adapter holds the tokens in between and is the stakeholder.
import { InvariantError } from '../../core/errors.ts'
import { ACTIVITY_TOPIC0 } from '../../extract/chain/activity-events.ts'
import {
  CONDITIONAL_TOKENS,
  CTF_COLLATERAL_ADAPTER,
  NEG_RISK_ADAPTER,
  NEG_RISK_CTF_COLLATERAL_ADAPTER,
  NEG_RISK_WRAPPED_COLLATERAL,
  NO_TOKEN_BURN_ADDRESS,
  USDC_E,
  ZERO_ADDRESS,
} from '../../extract/chain/contracts.ts'
import { uint256Word } from '../random.ts'
import { type Catalog, MarketFlag } from './catalog.ts'
import { type Fill, LOG_SLOTS_PER_FILL } from './fills.ts'
import type { Lifecycle, Route, WorldAction } from './lifecycle.ts'
import type { OutcomeTransfer } from './transfers.ts'

/** A log of ConditionalTokens' events, the NegRiskAdapter's or an exchange's FeeCharged. */
export interface ActivityLog {
  address: string
  topics: string[]
  /** 0x-prefixed ABI data. */
  data: string
  slot: number
  transactionHash: string
  transactionIndex: number
}

/** A wallet action and the slot of the log whose event the PnL rules read it from. */
export interface PlacedAction {
  action: WorldAction
  route: Route
  slot: number
}

export interface FillLogs {
  transfers: OutcomeTransfer[]
  activity: ActivityLog[]
  actions: PlacedAction[]
}

/** Slots 0–2 hold the trade's own transfers and 3 its OrderFilled (fills.ts); lifecycle logs follow. */
export const FIRST_LIFECYCLE_SLOT = 4
/** The fee receiver of the simulated exchanges (an operator, not a wallet: it holds no tokens). */
export const FEE_RECEIVER = '0x7e57fee0000000000000000000000000000fee01'
/** The NegRiskOperator, oracle of every neg-risk market (polymarket-subgraph networks.yaml). */
export const NEG_RISK_OPERATOR = '0x71523d0f655b41e805cec45b17163f528b59b820'
/** The oracle of binary markets' resolutions (docs.polymarket.com contracts: UMA CTF Adapter). */
export const UMA_CTF_ADAPTER = '0x6a9d222616c90fca5754cd1333cfd9b7fb6a4f74'

const word = uint256Word
const addressWord = (address: string) => `000000000000000000000000${address.slice(2)}`
const addressTopic = (address: string) => `0x${addressWord(address)}`
const ZERO_WORD = '0'.repeat(64)
/** The ABI tail of a uint256[]: its length, then its items. */
const list = (items: readonly (number | string)[]) =>
  `${word(items.length)}${items.map((item) => (typeof item === 'number' ? word(item) : item)).join('')}`

export class LifecycleLogs {
  constructor(
    private readonly catalog: Catalog,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** Every log of `fill` after its OrderFilled: the exchange's split and fee, then the maker's extras. */
  logsOf(fill: Fill): FillLogs {
    const out = new LogSink(this.catalog, FIRST_LIFECYCLE_SLOT, fill.transactionHash, fill.transactionIndex)
    if (fill.side === 'BUY') this.exchangeSplit(out, fill)
    if (fill.fee > 0) {
      const v1 = fill.version === 1
      out.event(
        fill.exchange,
        [v1 ? ACTIVITY_TOPIC0.feeChargedV1 : ACTIVITY_TOPIC0.feeChargedV2, addressTopic(FEE_RECEIVER)],
        [...(v1 ? [fill.side === 'BUY' ? fill.tokenIdHex : ZERO_WORD] : []), word(fill.fee)],
      )
    }
    const actions = this.lifecycle.actionsOf(fill)
    const extrasTx = this.lifecycle.extrasTransactionHash(fill)
    const extrasTxIndex = fill.transactionIndex + 1 + (fill.index % 2)
    // A transfer coming back to a SELL's maker lands before the SELL (slot 0, free on a SELL), so
    // the maker never sells shares it lent out; everything else follows the OrderFilled.
    const before = new LogSink(this.catalog, 0, extrasTx, extrasTxIndex)
    out.transaction(extrasTx, extrasTxIndex)
    for (const { action, route } of actions) {
      const sink = action.kind === 'receive' ? before : out
      const slot = this.render(sink, fill.maker, action, route)
      out.actions.push({ action, route, slot })
    }
    return {
      transfers: [...before.transfers, ...out.transfers],
      activity: out.activity,
      actions: out.actions,
    }
  }

  /** A BUY is the exchange minting a full set (world/transfers.ts slot 0): its PositionSplit. */
  private exchangeSplit(out: LogSink, fill: Fill): void {
    const m = fill.market
    if (this.catalog.has(m, MarketFlag.NegRisk)) {
      // The neg-risk exchange splits through the adapter: its split on ConditionalTokens is in wrapped collateral.
      out.ctfSplitOrMerge('split', NEG_RISK_ADAPTER, m, fill.shares)
      out.negRiskEvent(ACTIVITY_TOPIC0.negRiskPositionSplit, fill.exchange, m, fill.shares)
    } else out.ctfSplitOrMerge('split', fill.exchange, m, fill.shares)
  }

  /** Writes one action's logs; returns the slot of the event the PnL rules read. */
  private render(out: LogSink, wallet: string, action: WorldAction, route: Route): number {
    if (action.kind === 'send' || action.kind === 'receive') {
      const [from, to] =
        action.kind === 'send' ? [wallet, action.counterparty] : [action.counterparty, wallet]
      out.transfer(from, from, to, [action.token], [action.amount])
      return out.last
    }
    if (action.kind === 'convert') return this.convert(out, wallet, action, route)
    const m = action.market
    const tokens = out.marketTokens(m)
    const negRisk = this.catalog.has(m, MarketFlag.NegRisk)
    const adapter =
      route === 'adapter' ? (negRisk ? NEG_RISK_CTF_COLLATERAL_ADAPTER : CTF_COLLATERAL_ADAPTER) : undefined
    const actor = adapter ?? wallet
    if (action.kind === 'split') {
      const amounts = tokens.map(() => action.amount)
      if (!negRisk) {
        out.transfer(actor, ZERO_ADDRESS, actor, tokens, amounts)
        out.ctfSplitOrMerge('split', actor, m, action.amount)
        const slot = out.last
        if (adapter) out.transfer(adapter, adapter, wallet, tokens, amounts)
        return slot
      }
      out.transfer(NEG_RISK_ADAPTER, ZERO_ADDRESS, NEG_RISK_ADAPTER, tokens, amounts)
      out.ctfSplitOrMerge('split', NEG_RISK_ADAPTER, m, action.amount)
      out.transfer(NEG_RISK_ADAPTER, NEG_RISK_ADAPTER, actor, tokens, amounts)
      out.negRiskEvent(ACTIVITY_TOPIC0.negRiskPositionSplit, actor, m, action.amount)
      const slot = out.last
      if (adapter) out.transfer(adapter, adapter, wallet, tokens, amounts)
      return slot
    }
    if (action.kind === 'merge') {
      const amounts = tokens.map(() => action.amount)
      if (adapter) out.transfer(adapter, wallet, adapter, tokens, amounts)
      if (!negRisk) {
        out.transfer(actor, actor, ZERO_ADDRESS, tokens, amounts)
        out.ctfSplitOrMerge('merge', actor, m, action.amount)
        return out.last
      }
      out.transfer(NEG_RISK_ADAPTER, actor, NEG_RISK_ADAPTER, tokens, amounts)
      out.transfer(NEG_RISK_ADAPTER, NEG_RISK_ADAPTER, ZERO_ADDRESS, tokens, amounts)
      out.ctfSplitOrMerge('merge', NEG_RISK_ADAPTER, m, action.amount)
      out.negRiskEvent(ACTIVITY_TOPIC0.negRiskPositionsMerge, actor, m, action.amount)
      return out.last
    }
    // Redemption: the payout is what the burned tokens are worth at the resolution's payouts.
    return this.redeem(out, wallet, action as WorldAction & { kind: 'redeem' }, actor, adapter)
  }

  private redeem(
    out: LogSink,
    wallet: string,
    action: WorldAction & { kind: 'redeem' },
    actor: string,
    adapter: string | undefined,
  ): number {
    const m = action.market
    const tokens = out.marketTokens(m)
    const negRisk = this.catalog.has(m, MarketFlag.NegRisk)
    const payouts = this.lifecycle.payouts(m)
    const denominator = payouts.reduce((a, b) => a + b, 0)
    const payout = Math.floor(
      action.burns.reduce((sum, burn, i) => sum + burn * (payouts[i] as number), 0) / denominator,
    )
    const handed = tokens.filter((_, i) => (action.burns[i] as number) > 0)
    const handedAmounts = action.burns.filter((burn) => burn > 0)
    if (adapter) out.transfer(adapter, wallet, adapter, handed, handedAmounts)
    const holder = negRisk ? NEG_RISK_ADAPTER : actor
    if (negRisk) out.transfer(NEG_RISK_ADAPTER, actor, NEG_RISK_ADAPTER, tokens, action.burns)
    for (const [i, token] of handed.entries())
      out.transfer(holder, holder, ZERO_ADDRESS, [token], [handedAmounts[i] as number])
    const indexSets = action.burns
      .map((_, i) => 2 ** i)
      .filter((_, i) => negRisk || (action.burns[i] as number) > 0)
    out.ctfRedemption(holder, negRisk ? NEG_RISK_WRAPPED_COLLATERAL : USDC_E, m, indexSets, payout)
    if (!negRisk) return out.last
    out.event(
      NEG_RISK_ADAPTER,
      [ACTIVITY_TOPIC0.negRiskPayoutRedemption, addressTopic(actor), this.catalog.conditionId(m)],
      [word(0x40), word(payout), list(action.burns)],
    )
    return out.last
  }

  private convert(
    out: LogSink,
    wallet: string,
    action: WorldAction & { kind: 'convert' },
    route: Route,
  ): number {
    const { catalog } = this
    const first = catalog.eventFirstMarket[action.event] as number
    const size = catalog.eventSize[action.event] as number
    const actor = route === 'adapter' ? NEG_RISK_CTF_COLLATERAL_ADAPTER : wallet
    const converted = new Set(action.questions)
    const yes = (q: number) => catalog.marketTokenStart[first + q] as number
    const no = (q: number) => yes(q) + 1
    const others = Array.from({ length: size }, (_, q) => q).filter((q) => !converted.has(q))
    const noTokens = action.questions.map(no)
    const amounts = (tokens: number[]) => tokens.map(() => action.amount)
    if (actor !== wallet) out.transfer(actor, wallet, actor, noTokens, amounts(noTokens))
    for (const q of others) {
      out.transfer(
        NEG_RISK_ADAPTER,
        ZERO_ADDRESS,
        NEG_RISK_ADAPTER,
        [yes(q), no(q)],
        [action.amount, action.amount],
      )
      out.ctfSplitOrMerge('split', NEG_RISK_ADAPTER, first + q, action.amount)
    }
    out.transfer(NEG_RISK_ADAPTER, actor, NO_TOKEN_BURN_ADDRESS, noTokens, amounts(noTokens))
    const yesTokens = others.map(yes)
    if (others.length > 0) {
      const accumulated = others.map(no)
      out.transfer(
        NEG_RISK_ADAPTER,
        NEG_RISK_ADAPTER,
        NO_TOKEN_BURN_ADDRESS,
        accumulated,
        amounts(accumulated),
      )
      out.transfer(NEG_RISK_ADAPTER, NEG_RISK_ADAPTER, actor, yesTokens, amounts(yesTokens))
    }
    const indexSet = action.questions.reduce((set, q) => set + 2 ** q, 0)
    out.event(
      NEG_RISK_ADAPTER,
      [
        ACTIVITY_TOPIC0.positionsConverted,
        addressTopic(actor),
        catalog.negRiskMarketId(action.event),
        `0x${word(indexSet)}`,
      ],
      [word(action.amount)],
    )
    const slot = out.last
    if (actor !== wallet && yesTokens.length > 0)
      out.transfer(actor, actor, wallet, yesTokens, amounts(yesTokens))
    return slot
  }
}

/** Collects logs at consecutive slots, each stamped with the transaction it belongs to. */
class LogSink {
  readonly transfers: OutcomeTransfer[] = []
  readonly activity: ActivityLog[] = []
  readonly actions: PlacedAction[] = []
  private next: number

  constructor(
    private readonly catalog: Catalog,
    firstSlot: number,
    private transactionHash: string,
    private transactionIndex: number,
  ) {
    this.next = firstSlot
  }

  /** The slot of the last log written. */
  get last(): number {
    return this.next - 1
  }

  transaction(hash: string, index: number): void {
    this.transactionHash = hash
    this.transactionIndex = index
  }

  marketTokens(m: number): number[] {
    const first = this.catalog.marketTokenStart[m] as number
    return Array.from({ length: this.catalog.marketOutcomes[m] as number }, (_, k) => first + k)
  }

  private take(): number {
    if (this.next >= LOG_SLOTS_PER_FILL)
      throw new InvariantError(`simulator: a fill's logs exceed its ${LOG_SLOTS_PER_FILL} slots`)
    return this.next++
  }

  transfer(operator: string, from: string, to: string, tokens: number[], amounts: number[]): void {
    const { transactionHash, transactionIndex } = this
    const event = tokens.length === 1 ? 'TransferSingle' : 'TransferBatch'
    this.transfers.push({
      event,
      operator,
      from,
      to,
      tokens,
      amounts,
      slot: this.take(),
      transactionHash,
      transactionIndex,
    })
  }

  event(address: string, topics: string[], words: string[]): void {
    const { transactionHash, transactionIndex } = this
    this.activity.push({
      address,
      topics,
      data: `0x${words.join('')}`,
      slot: this.take(),
      transactionHash,
      transactionIndex,
    })
  }

  ctfSplitOrMerge(kind: 'split' | 'merge', stakeholder: string, m: number, amount: number): void {
    const collateral = this.catalog.has(m, MarketFlag.NegRisk) ? NEG_RISK_WRAPPED_COLLATERAL : USDC_E
    const partition = this.marketTokens(m).map((_, i) => 2 ** i)
    this.event(
      CONDITIONAL_TOKENS,
      [
        kind === 'split' ? ACTIVITY_TOPIC0.positionSplit : ACTIVITY_TOPIC0.positionsMerge,
        addressTopic(stakeholder),
        `0x${ZERO_WORD}`,
        this.catalog.conditionId(m),
      ],
      [addressWord(collateral), word(0x60), word(amount), list(partition)],
    )
  }

  ctfRedemption(redeemer: string, collateral: string, m: number, indexSets: number[], payout: number): void {
    this.event(
      CONDITIONAL_TOKENS,
      [ACTIVITY_TOPIC0.payoutRedemption, addressTopic(redeemer), addressTopic(collateral), `0x${ZERO_WORD}`],
      [this.catalog.conditionId(m).slice(2), word(0x60), word(payout), list(indexSets)],
    )
  }

  negRiskEvent(topic0: string, stakeholder: string, m: number, amount: number): void {
    this.event(
      NEG_RISK_ADAPTER,
      [topic0, addressTopic(stakeholder), this.catalog.conditionId(m)],
      [word(amount)],
    )
  }
}

/** The market-level logs of a content block (resolutions, preparations), after its fills' slots. */
export function marketLogsOf(
  catalog: Catalog,
  lifecycle: Lifecycle,
  contentBlock: number,
  servedBlock: number,
  firstLogIndex: number,
): (ActivityLog & { logIndex: number })[] {
  const logs: (ActivityLog & { logIndex: number })[] = []
  let logIndex = firstLogIndex
  let txIndex = 10_000
  const add = (kind: number, id: number, address: string, topics: string[], words: string[]) =>
    logs.push({
      address,
      topics,
      data: `0x${words.join('')}`,
      slot: 0,
      logIndex: logIndex++,
      transactionHash: lifecycle.marketTransactionHash(kind, id, servedBlock),
      transactionIndex: txIndex,
    })
  for (const event of lifecycle.eventsPreparedAt(contentBlock)) {
    const marketId = catalog.negRiskMarketId(event)
    add(
      0,
      event,
      NEG_RISK_ADAPTER,
      [ACTIVITY_TOPIC0.marketPrepared, marketId, addressTopic(NEG_RISK_OPERATOR)],
      [word(0), word(0x40), word(0)],
    )
    const first = catalog.eventFirstMarket[event] as number
    for (let q = 0; q < (catalog.eventSize[event] as number); q++)
      add(
        0,
        event,
        NEG_RISK_ADAPTER,
        [ACTIVITY_TOPIC0.questionPrepared, marketId, catalog.questionId(first + q)],
        [word(q), word(0x40), word(0)],
      )
    txIndex++
  }
  for (const m of lifecycle.marketsResolvingAt(contentBlock)) {
    const payouts = lifecycle.payouts(m)
    const oracle = catalog.has(m, MarketFlag.NegRisk) ? NEG_RISK_ADAPTER : UMA_CTF_ADAPTER
    add(
      1,
      m,
      CONDITIONAL_TOKENS,
      [
        ACTIVITY_TOPIC0.conditionResolution,
        catalog.conditionId(m),
        addressTopic(oracle),
        catalog.questionId(m),
      ],
      [word(payouts.length), word(0x40), list(payouts)],
    )
    txIndex++
  }
  return logs
}
