// The lifecycle events of Polymarket's outcome tokens — what happens to them besides trading — and
// the exchanges' fee events: the logs of the `activity` step. Facts only: which contract emits what,
// with which signature, and how a raw log becomes one typed record (viem's decodeEventLog).
//
// Sources of the signatures (each topic0 is keccak-256 of its signature, checked by
// test/extract/chain/activity-events.test.ts; the fragments below equal the fixture ABIs input for input):
//   ConditionalTokens (Gnosis conditional-tokens-contracts ConditionalTokens.sol; the
//     pnl-subgraph's subgraph.template.yaml lists the same four): ConditionResolution,
//     PositionSplit, PositionsMerge, PayoutRedemption — fixture ABI ConditionalTokens.autonolas.json.
//   NegRiskAdapter (Polymarket/neg-risk-ctf-adapter src/NegRiskAdapter.sol, INegRiskAdapterEE):
//     PositionSplit, PositionsMerge, PayoutRedemption, PositionsConverted, MarketPrepared,
//     QuestionPrepared — fixture ABI NegRiskAdapter.polymarket-subgraph.json.
//   CTF Exchange V1 (Polymarket/ctf-exchange src/exchange/interfaces/IFees.sol):
//     FeeCharged(address indexed receiver, uint256 tokenId, uint256 amount) — Exchange.v1 fixture ABI.
//   CTF Exchange V2: FeeCharged(address indexed receiver, uint256 amount), USDC only — fixture ABI
//     CTFExchangeV2.autonolas.json.
import { decodeEventLog, toEventSelector } from 'viem'
import { LogDecodeError, type RawLog } from './abi.ts'
import {
  CONDITIONAL_TOKENS,
  EXCHANGES,
  type ExchangeVersion,
  exchangeAt,
  NEG_RISK_ADAPTER,
} from './contracts.ts'

type Hex = `0x${string}`

/** Names of the events as the warehouse stores them (chain_activity.event, sql/040). */
export type ActivityEvent =
  | 'ConditionResolution'
  | 'PositionSplit'
  | 'PositionsMerge'
  | 'PayoutRedemption'
  | 'NegRiskPositionSplit'
  | 'NegRiskPositionsMerge'
  | 'NegRiskPayoutRedemption'
  | 'PositionsConverted'
  | 'MarketPrepared'
  | 'QuestionPrepared'
  | 'FeeCharged'

const ev = (name: string, inputs: { indexed: boolean; name: string; type: string }[]) =>
  ({ type: 'event', name, anonymous: false, inputs }) as const
const i = (name: string, type: string) => ({ indexed: true, name, type })
const d = (name: string, type: string) => ({ indexed: false, name, type })

/** ConditionalTokens' lifecycle events. */
export const CTF_ACTIVITY_ABI = [
  ev('ConditionResolution', [
    i('conditionId', 'bytes32'),
    i('oracle', 'address'),
    i('questionId', 'bytes32'),
    d('outcomeSlotCount', 'uint256'),
    d('payoutNumerators', 'uint256[]'),
  ]),
  ev('PositionSplit', [
    i('stakeholder', 'address'),
    d('collateralToken', 'address'),
    i('parentCollectionId', 'bytes32'),
    i('conditionId', 'bytes32'),
    d('partition', 'uint256[]'),
    d('amount', 'uint256'),
  ]),
  ev('PositionsMerge', [
    i('stakeholder', 'address'),
    d('collateralToken', 'address'),
    i('parentCollectionId', 'bytes32'),
    i('conditionId', 'bytes32'),
    d('partition', 'uint256[]'),
    d('amount', 'uint256'),
  ]),
  ev('PayoutRedemption', [
    i('redeemer', 'address'),
    i('collateralToken', 'address'),
    i('parentCollectionId', 'bytes32'),
    d('conditionId', 'bytes32'),
    d('indexSets', 'uint256[]'),
    d('payout', 'uint256'),
  ]),
] as const

/** The NegRiskAdapter's events (its split, merge and redemption carry no collateral or partition). */
export const NEG_RISK_ACTIVITY_ABI = [
  ev('PositionSplit', [i('stakeholder', 'address'), i('conditionId', 'bytes32'), d('amount', 'uint256')]),
  ev('PositionsMerge', [i('stakeholder', 'address'), i('conditionId', 'bytes32'), d('amount', 'uint256')]),
  ev('PayoutRedemption', [
    i('redeemer', 'address'),
    i('conditionId', 'bytes32'),
    d('amounts', 'uint256[]'),
    d('payout', 'uint256'),
  ]),
  ev('PositionsConverted', [
    i('stakeholder', 'address'),
    i('marketId', 'bytes32'),
    i('indexSet', 'uint256'),
    d('amount', 'uint256'),
  ]),
  ev('MarketPrepared', [
    i('marketId', 'bytes32'),
    i('oracle', 'address'),
    d('feeBips', 'uint256'),
    d('data', 'bytes'),
  ]),
  ev('QuestionPrepared', [
    i('marketId', 'bytes32'),
    i('questionId', 'bytes32'),
    d('index', 'uint256'),
    d('data', 'bytes'),
  ]),
] as const

export const FEE_CHARGED_V1_ABI = [
  ev('FeeCharged', [i('receiver', 'address'), d('tokenId', 'uint256'), d('amount', 'uint256')]),
] as const
export const FEE_CHARGED_V2_ABI = [
  ev('FeeCharged', [i('receiver', 'address'), d('amount', 'uint256')]),
] as const

/** Canonical signatures, by the key the topics use. */
export const ACTIVITY_SIGNATURES = Object.freeze({
  conditionResolution: 'ConditionResolution(bytes32,address,bytes32,uint256,uint256[])',
  positionSplit: 'PositionSplit(address,address,bytes32,bytes32,uint256[],uint256)',
  positionsMerge: 'PositionsMerge(address,address,bytes32,bytes32,uint256[],uint256)',
  payoutRedemption: 'PayoutRedemption(address,address,bytes32,bytes32,uint256[],uint256)',
  negRiskPositionSplit: 'PositionSplit(address,bytes32,uint256)',
  negRiskPositionsMerge: 'PositionsMerge(address,bytes32,uint256)',
  negRiskPayoutRedemption: 'PayoutRedemption(address,bytes32,uint256[],uint256)',
  positionsConverted: 'PositionsConverted(address,bytes32,uint256,uint256)',
  marketPrepared: 'MarketPrepared(bytes32,address,uint256,bytes)',
  questionPrepared: 'QuestionPrepared(bytes32,bytes32,uint256,bytes)',
  feeChargedV1: 'FeeCharged(address,uint256,uint256)',
  feeChargedV2: 'FeeCharged(address,uint256)',
} as const)

export type ActivityTopic = keyof typeof ACTIVITY_SIGNATURES

export const ACTIVITY_TOPIC0: Readonly<Record<ActivityTopic, Hex>> = Object.freeze(
  Object.fromEntries(
    Object.entries(ACTIVITY_SIGNATURES).map(([key, signature]) => [key, toEventSelector(signature)]),
  ) as Record<ActivityTopic, Hex>,
)

/** Which contract emits each topic, and the name the warehouse gives it. */
const EMITTERS: Record<ActivityTopic, { from: 'ctf' | 'negRisk' | 'v1' | 'v2'; event: ActivityEvent }> = {
  conditionResolution: { from: 'ctf', event: 'ConditionResolution' },
  positionSplit: { from: 'ctf', event: 'PositionSplit' },
  positionsMerge: { from: 'ctf', event: 'PositionsMerge' },
  payoutRedemption: { from: 'ctf', event: 'PayoutRedemption' },
  negRiskPositionSplit: { from: 'negRisk', event: 'NegRiskPositionSplit' },
  negRiskPositionsMerge: { from: 'negRisk', event: 'NegRiskPositionsMerge' },
  negRiskPayoutRedemption: { from: 'negRisk', event: 'NegRiskPayoutRedemption' },
  positionsConverted: { from: 'negRisk', event: 'PositionsConverted' },
  marketPrepared: { from: 'negRisk', event: 'MarketPrepared' },
  questionPrepared: { from: 'negRisk', event: 'QuestionPrepared' },
  feeChargedV1: { from: 'v1', event: 'FeeCharged' },
  feeChargedV2: { from: 'v2', event: 'FeeCharged' },
}

const ABI_OF = {
  ctf: CTF_ACTIVITY_ABI,
  negRisk: NEG_RISK_ACTIVITY_ABI,
  v1: FEE_CHARGED_V1_ABI,
  v2: FEE_CHARGED_V2_ABI,
}

const TOPIC_BY_HASH = new Map<string, ActivityTopic>(
  Object.entries(ACTIVITY_TOPIC0).map(([key, hash]) => [hash, key as ActivityTopic]),
)

/**
 * The eth_getLogs filter of the activity step: ConditionalTokens, the NegRiskAdapter and the four
 * exchanges, any of the twelve topics (the node matches address and topic independently; the
 * decoder refuses a topic from the wrong emitter).
 */
export const ACTIVITY_FILTER = Object.freeze({
  address: [CONDITIONAL_TOKENS, NEG_RISK_ADAPTER, ...EXCHANGES.map((e) => e.address)] as const,
  topics: [Object.values(ACTIVITY_TOPIC0)] as const,
})

/** One lifecycle log, as chain_activity stores it (fields a given event lacks are '' or 0). */
export interface ActivityRecord {
  event: ActivityEvent
  /** The emitting contract, lower-case. */
  contract: string
  /** Stakeholder (splits, merges, conversions), redeemer, fee receiver, or oracle (resolution, market). */
  party: string
  conditionId: string
  /** ConditionalTokens' collateralToken; '' for the adapter's and the exchanges' events. */
  collateral: string
  parentCollectionId: string
  /** The neg-risk market id (PositionsConverted, MarketPrepared, QuestionPrepared). */
  negRiskMarketId: string
  /** ConditionResolution's and QuestionPrepared's questionId. */
  questionId: string
  indexSet: bigint
  /** Split, merge and conversion amount; fee amount. */
  amount: bigint
  /** Collateral paid out by a redemption. */
  payout: bigint
  /** partition (split, merge), payoutNumerators (resolution), indexSets (CTF redemption), amounts (adapter redemption). */
  values: readonly bigint[]
  outcomeSlotCount: bigint
  /** QuestionPrepared's index. */
  questionIndex: bigint
  /** MarketPrepared's feeBips (of 10,000). */
  feeBips: bigint
  /** V1 FeeCharged's tokenId (0 = collateral); 0 for V2 (USDC only). */
  tokenId: bigint
}

const EMPTY: Omit<ActivityRecord, 'event' | 'contract'> = {
  party: '',
  conditionId: '',
  collateral: '',
  parentCollectionId: '',
  negRiskMarketId: '',
  questionId: '',
  indexSet: 0n,
  amount: 0n,
  payout: 0n,
  values: [],
  outcomeSlotCount: 0n,
  questionIndex: 0n,
  feeBips: 0n,
  tokenId: 0n,
}

const lower = (value: string) => value.toLowerCase()

function emitterOk(from: (typeof EMITTERS)[ActivityTopic]['from'], address: string): boolean {
  if (from === 'ctf') return address === CONDITIONAL_TOKENS
  if (from === 'negRisk') return address === NEG_RISK_ADAPTER
  const version: ExchangeVersion = from === 'v1' ? 1 : 2
  return exchangeAt(address)?.version === version
}

/**
 * Decodes one lifecycle log. Throws LogDecodeError (→ quarantine) for a topic that is not one of
 * the twelve, a topic from a contract that does not emit it, or data the ABI cannot decode.
 */
export function decodeActivity(log: RawLog): ActivityRecord {
  const topic0 = log.topics[0]
  const topic = topic0 === undefined ? undefined : TOPIC_BY_HASH.get(topic0)
  if (topic === undefined)
    throw new LogDecodeError(`topic0 ${topic0 ?? '(none)'} is not a lifecycle event`, log)
  const { from, event } = EMITTERS[topic]
  if (!emitterOk(from, log.address)) {
    throw new LogDecodeError(
      `${ACTIVITY_SIGNATURES[topic]} emitted by ${log.address}, which does not emit it`,
      log,
    )
  }
  const topics = log.topics as [Hex, ...Hex[]]
  const base = { ...EMPTY, event, contract: log.address }
  const decode = <A extends readonly unknown[]>(abi: A) => {
    try {
      // strict: the data holds exactly the non-indexed inputs.
      return decodeEventLog({ abi: abi as never, data: log.data, topics, strict: true }) as unknown as {
        eventName: string
        args: Record<string, unknown>
      }
    } catch (error) {
      const detail =
        error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : ''
      throw new LogDecodeError(`ABI decoding failed: ${detail}`, log, { cause: error })
    }
  }
  // decodeEventLog picks the fragment whose selector is topic0.
  const { args } = decode(ABI_OF[from])
  const a = args as Record<string, unknown>
  const text = (key: string) => lower(a[key] as string)
  const big = (key: string) => a[key] as bigint
  const list = (key: string) => a[key] as readonly bigint[]
  switch (topic) {
    case 'conditionResolution':
      return {
        ...base,
        party: text('oracle'),
        conditionId: text('conditionId'),
        questionId: text('questionId'),
        outcomeSlotCount: big('outcomeSlotCount'),
        values: list('payoutNumerators'),
      }
    case 'positionSplit':
    case 'positionsMerge':
      return {
        ...base,
        party: text('stakeholder'),
        collateral: text('collateralToken'),
        parentCollectionId: text('parentCollectionId'),
        conditionId: text('conditionId'),
        values: list('partition'),
        amount: big('amount'),
      }
    case 'payoutRedemption':
      return {
        ...base,
        party: text('redeemer'),
        collateral: text('collateralToken'),
        parentCollectionId: text('parentCollectionId'),
        conditionId: text('conditionId'),
        values: list('indexSets'),
        payout: big('payout'),
      }
    case 'negRiskPositionSplit':
    case 'negRiskPositionsMerge':
      return { ...base, party: text('stakeholder'), conditionId: text('conditionId'), amount: big('amount') }
    case 'negRiskPayoutRedemption':
      return {
        ...base,
        party: text('redeemer'),
        conditionId: text('conditionId'),
        values: list('amounts'),
        payout: big('payout'),
      }
    case 'positionsConverted':
      return {
        ...base,
        party: text('stakeholder'),
        negRiskMarketId: text('marketId'),
        indexSet: big('indexSet'),
        amount: big('amount'),
      }
    case 'marketPrepared':
      return { ...base, party: text('oracle'), negRiskMarketId: text('marketId'), feeBips: big('feeBips') }
    case 'questionPrepared':
      return {
        ...base,
        negRiskMarketId: text('marketId'),
        questionId: text('questionId'),
        questionIndex: big('index'),
      }
    case 'feeChargedV1':
      return { ...base, party: text('receiver'), tokenId: big('tokenId'), amount: big('amount') }
    case 'feeChargedV2':
      return { ...base, party: text('receiver'), amount: big('amount') }
  }
}
