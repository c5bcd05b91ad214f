// The reference decoder of the AMM era's logs: Polymarket's FixedProductMarketMakerFactory creations
// and its market makers' FPMMBuy, FPMMSell, FPMMFundingAdded and FPMMFundingRemoved, checked at the
// edge (extract/chain/abi.ts) and decoded by viem over the ABI in extract/chain/contracts.ts. A
// creation also carries its outcomes' token ids (extract/chain/ctf-positions.ts), since an AMM event
// names an outcome by its index only.
import { decodeEvent, LogDecodeError, type LogPosition, type RawLog } from '../../extract/chain/abi.ts'
import { FPMM_ABI, TOPIC0 } from '../../extract/chain/contracts.ts'
import { outcomeTokenIds } from '../../extract/chain/ctf-positions.ts'

export const AMM_EVENTS = [
  'FixedProductMarketMakerCreation',
  'FPMMBuy',
  'FPMMSell',
  'FPMMFundingAdded',
  'FPMMFundingRemoved',
] as const
export type AmmEventName = (typeof AMM_EVENTS)[number]

/**
 * Token ids computed per creation: the event does not say how many outcome slots its condition has.
 * Polymarket's AMM markets are binary; four covers any market of up to four outcomes at ~1 ms an id.
 */
export const AMM_OUTCOME_SLOTS = 4

/** One AMM-era log. Amounts are decimal strings of the exact uint256; unused fields are '0' / '' / []. */
export interface AmmEvent extends LogPosition {
  event: AmmEventName
  /** The emitter: the factory for a creation, the market maker for the others. */
  contract: string
  /** creator, buyer, seller or funder. */
  actor: string
  /** FPMMBuy/FPMMSell: the outcome traded. */
  outcome_index: number
  /** FPMMBuy: investmentAmount (fee included); FPMMSell: returnAmount (fee excluded); FPMMFundingRemoved: collateralRemovedFromFeePool. */
  collateral_amount: string
  fee_amount: string
  /** FPMMBuy: outcomeTokensBought; FPMMSell: outcomeTokensSold. */
  outcome_tokens: string
  /** FPMMFundingAdded: amountsAdded; FPMMFundingRemoved: amountsRemoved — per outcome. */
  amounts: string[]
  /** Liquidity shares: sharesMinted or sharesBurnt. */
  shares: string
  /** Creation: the new market maker, its ConditionalTokens, collateral, conditions, fee (1e18 = 100 %). */
  market_maker: string
  conditional_tokens: string
  collateral_token: string
  condition_ids: string[]
  fee: string
  /** Creation of a single-condition market maker: the token id of outcomes 0 … AMM_OUTCOME_SLOTS-1. */
  position_ids: string[]
}

/** uint256 outcome indices beyond this name no outcome (outcome_index is a UInt8 column). */
const MAX_OUTCOME_INDEX = 255

const EMPTY = {
  actor: '',
  outcome_index: 0,
  collateral_amount: '0',
  fee_amount: '0',
  outcome_tokens: '0',
  amounts: [] as string[],
  shares: '0',
  market_maker: '',
  conditional_tokens: '',
  collateral_token: '',
  condition_ids: [] as string[],
  fee: '0',
  position_ids: [] as string[],
}

const lower = (value: string) => value.toLowerCase()
const AMM_TOPICS = new Set<string>([
  TOPIC0.fpmmCreation,
  TOPIC0.fpmmBuy,
  TOPIC0.fpmmSell,
  TOPIC0.fpmmFundingAdded,
  TOPIC0.fpmmFundingRemoved,
])

function outcomeIndex(value: bigint, log: RawLog): number {
  if (value > BigInt(MAX_OUTCOME_INDEX))
    throw new LogDecodeError(`outcomeIndex ${value} names no outcome`, log)
  return Number(value)
}

/** Decodes one AMM-era log. */
export function decodeAmmEvent(log: RawLog): AmmEvent {
  const topic0 = log.topics[0]
  if (topic0 === undefined || !AMM_TOPICS.has(topic0)) {
    throw new LogDecodeError(`topic0 ${topic0 ?? '(none)'} is not an FPMM or FPMM factory event`, log)
  }
  const decoded = decodeEvent(log, FPMM_ABI)
  const base = { ...decoded.position, ...EMPTY, contract: log.address }
  switch (decoded.eventName) {
    case 'FixedProductMarketMakerCreation': {
      const { creator, fixedProductMarketMaker, conditionalTokens, collateralToken, conditionIds, fee } =
        decoded.args
      const collateral = lower(collateralToken) as `0x${string}`
      const conditions = conditionIds.map(lower) as `0x${string}`[]
      // Multi-condition market makers hold products of outcomes; Polymarket created none.
      const positions =
        conditions.length === 1
          ? outcomeTokenIds(collateral, conditions[0] as `0x${string}`, AMM_OUTCOME_SLOTS)
          : []
      return {
        ...base,
        event: decoded.eventName,
        actor: lower(creator),
        market_maker: lower(fixedProductMarketMaker),
        conditional_tokens: lower(conditionalTokens),
        collateral_token: collateral,
        condition_ids: conditions,
        fee: fee.toString(),
        position_ids: positions,
      }
    }
    case 'FPMMBuy': {
      const { buyer, investmentAmount, feeAmount, outcomeIndex: index, outcomeTokensBought } = decoded.args
      return {
        ...base,
        event: decoded.eventName,
        actor: lower(buyer),
        outcome_index: outcomeIndex(index, log),
        collateral_amount: investmentAmount.toString(),
        fee_amount: feeAmount.toString(),
        outcome_tokens: outcomeTokensBought.toString(),
      }
    }
    case 'FPMMSell': {
      const { seller, returnAmount, feeAmount, outcomeIndex: index, outcomeTokensSold } = decoded.args
      return {
        ...base,
        event: decoded.eventName,
        actor: lower(seller),
        outcome_index: outcomeIndex(index, log),
        collateral_amount: returnAmount.toString(),
        fee_amount: feeAmount.toString(),
        outcome_tokens: outcomeTokensSold.toString(),
      }
    }
    case 'FPMMFundingAdded': {
      const { funder, amountsAdded, sharesMinted } = decoded.args
      return {
        ...base,
        event: decoded.eventName,
        actor: lower(funder),
        amounts: amountsAdded.map(String),
        shares: sharesMinted.toString(),
      }
    }
    case 'FPMMFundingRemoved': {
      const { funder, amountsRemoved, collateralRemovedFromFeePool, sharesBurnt } = decoded.args
      return {
        ...base,
        event: decoded.eventName,
        actor: lower(funder),
        amounts: amountsRemoved.map(String),
        collateral_amount: collateralRemovedFromFeePool.toString(),
        shares: sharesBurnt.toString(),
      }
    }
  }
}
