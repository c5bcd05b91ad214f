// The activity step against a real node: anvil runs a log emitter at ConditionalTokens, the
// NegRiskAdapter and the four exchanges, which emit every lifecycle event — words built by hand here
// (no ABI library), plus the real PositionsConverted fixture log — and logs that must be quarantined.
// The step runs with --confirmations 0; every chain_activity row is compared field by field with what
// was emitted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACTIVITY_TOPIC0 } from '../../../extract/chain/activity-events.ts'
import {
  CONDITIONAL_TOKENS,
  CTF_COLLATERAL_ADAPTER,
  CTF_EXCHANGE_V1,
  CTF_EXCHANGE_V2,
  NEG_RISK_ADAPTER,
  NEG_RISK_CTF_EXCHANGE_V1,
  NEG_RISK_CTF_EXCHANGE_V2,
  USDC_E,
} from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { activityCoverage, createActivityStep } from '../../../steps/activity/index.ts'
import { Anvil, type EmittedLog, type LogToEmit } from '../../anvil/anvil.ts'
import { fixtures, topicAddress, word } from '../../extract/chain/fixtures.ts'
import { localChainOptions, openStepHarness, rows, type StepHarness } from '../chain/harness.ts'

const w = (value: bigint | number) => BigInt(value).toString(16).padStart(64, '0')
const topic = (value: bigint | string) =>
  typeof value === 'bigint' ? `0x${w(value)}` : `0x${value.slice(2).toLowerCase().padStart(64, '0')}`
const hash = (n: number) => `0x${n.toString(16).padStart(2, '0').repeat(32)}`
const wallet = (n: number) => `0x${n.toString(16).padStart(40, 'b')}`

/** ABI head/tail encoding of static words and dynamic uint256[] / bytes, by hand. */
type Arg = bigint | string | bigint[] | { bytes: string }
function data(...args: Arg[]): string {
  const head: string[] = []
  const tail: string[] = []
  const headBytes = 32 * args.length
  let tailBytes = 0
  for (const arg of args) {
    if (Array.isArray(arg)) {
      head.push(w(headBytes + tailBytes))
      const words = [w(arg.length), ...arg.map(w)]
      tail.push(...words)
      tailBytes += 32 * words.length
    } else if (typeof arg === 'object') {
      head.push(w(headBytes + tailBytes))
      const hex = arg.bytes.slice(2)
      const padded = hex.padEnd(Math.ceil(hex.length / 64) * 64, '0')
      tail.push(w(hex.length / 2), padded)
      tailBytes += 32 + padded.length / 2
    } else head.push(typeof arg === 'bigint' ? w(arg) : arg.slice(2).toLowerCase().padStart(64, '0'))
  }
  return `0x${head.join('')}${tail.join('')}`
}

const C1 = hash(0xc1)
const C2 = hash(0xc2)
const Q1 = hash(0x91)
const MARKET = `${hash(0x3a).slice(0, 64)}00`
const ORACLE = wallet(0x0e)
const TOKEN = 2n ** 255n + 11n

/** An emitted log and the row it must become (everything but block, log index, tx and time). */
interface Case {
  log: LogToEmit
  row: Record<string, string>
}

const row = (fields: Record<string, string>) => ({
  party: '',
  condition_id: '',
  collateral: '',
  parent_collection_id: '',
  neg_risk_market_id: '',
  question_id: '',
  index_set: '0',
  amount: '0',
  payout: '0',
  values: '[]',
  outcome_slot_count: '0',
  question_index: '0',
  fee_bips: '0',
  token_id: '0',
  ...fields,
})

const converted = fixtures.positionsConverted()
const CASES: Case[] = [
  {
    log: {
      address: CONDITIONAL_TOKENS,
      topics: [ACTIVITY_TOPIC0.conditionResolution, C1, topic(ORACLE), Q1],
      data: data(2n, [1n, 0n]),
    },
    row: row({
      contract: CONDITIONAL_TOKENS,
      event: 'ConditionResolution',
      party: ORACLE,
      condition_id: C1,
      question_id: Q1,
      outcome_slot_count: '2',
      values: '[1,0]',
    }),
  },
  {
    log: {
      address: CONDITIONAL_TOKENS,
      topics: [ACTIVITY_TOPIC0.positionSplit, topic(wallet(1)), topic(0n), C1],
      data: data(USDC_E, [1n, 2n], 12_500_000n),
    },
    row: row({
      contract: CONDITIONAL_TOKENS,
      event: 'PositionSplit',
      party: wallet(1),
      collateral: USDC_E,
      parent_collection_id: topic(0n),
      condition_id: C1,
      values: '[1,2]',
      amount: '12500000',
    }),
  },
  {
    log: {
      address: CONDITIONAL_TOKENS,
      topics: [ACTIVITY_TOPIC0.positionsMerge, topic(CTF_COLLATERAL_ADAPTER), topic(0n), C1],
      data: data(USDC_E, [1n, 2n], 3_000_000n),
    },
    row: row({
      contract: CONDITIONAL_TOKENS,
      event: 'PositionsMerge',
      party: CTF_COLLATERAL_ADAPTER,
      collateral: USDC_E,
      parent_collection_id: topic(0n),
      condition_id: C1,
      values: '[1,2]',
      amount: '3000000',
    }),
  },
  {
    log: {
      address: CONDITIONAL_TOKENS,
      topics: [ACTIVITY_TOPIC0.payoutRedemption, topic(wallet(1)), topic(USDC_E), topic(0n)],
      data: data(C1, [1n, 2n], 9_500_000n),
    },
    row: row({
      contract: CONDITIONAL_TOKENS,
      event: 'PayoutRedemption',
      party: wallet(1),
      collateral: USDC_E,
      parent_collection_id: topic(0n),
      condition_id: C1,
      values: '[1,2]',
      payout: '9500000',
    }),
  },
  {
    log: {
      address: NEG_RISK_ADAPTER,
      topics: [ACTIVITY_TOPIC0.negRiskPositionSplit, topic(wallet(2)), C2],
      data: data(7_000_001n),
    },
    row: row({
      contract: NEG_RISK_ADAPTER,
      event: 'NegRiskPositionSplit',
      party: wallet(2),
      condition_id: C2,
      amount: '7000001',
    }),
  },
  {
    log: {
      address: NEG_RISK_ADAPTER,
      topics: [ACTIVITY_TOPIC0.negRiskPositionsMerge, topic(wallet(2)), C2],
      data: data(1_000_000n),
    },
    row: row({
      contract: NEG_RISK_ADAPTER,
      event: 'NegRiskPositionsMerge',
      party: wallet(2),
      condition_id: C2,
      amount: '1000000',
    }),
  },
  {
    log: {
      address: NEG_RISK_ADAPTER,
      topics: [ACTIVITY_TOPIC0.negRiskPayoutRedemption, topic(wallet(2)), C2],
      data: data([6_000_001n, 0n], 6_000_001n),
    },
    row: row({
      contract: NEG_RISK_ADAPTER,
      event: 'NegRiskPayoutRedemption',
      party: wallet(2),
      condition_id: C2,
      values: '[6000001,0]',
      payout: '6000001',
    }),
  },
  {
    log: { address: converted.address, topics: converted.topics, data: converted.data },
    row: row({
      contract: NEG_RISK_ADAPTER,
      event: 'PositionsConverted',
      party: topicAddress(converted.topics[1] as string),
      neg_risk_market_id: converted.topics[2] as string,
      index_set: '1024',
      amount: word(converted.data, 0).toString(),
    }),
  },
  {
    log: {
      address: NEG_RISK_ADAPTER,
      topics: [ACTIVITY_TOPIC0.marketPrepared, MARKET, topic(ORACLE)],
      data: data(150n, { bytes: '0x7b227469746c65223a2261227d' }),
    },
    row: row({
      contract: NEG_RISK_ADAPTER,
      event: 'MarketPrepared',
      party: ORACLE,
      neg_risk_market_id: MARKET,
      fee_bips: '150',
    }),
  },
  {
    log: {
      address: NEG_RISK_ADAPTER,
      topics: [ACTIVITY_TOPIC0.questionPrepared, MARKET, `${MARKET.slice(0, 64)}02`],
      data: data(2n, { bytes: '0x' }),
    },
    row: row({
      contract: NEG_RISK_ADAPTER,
      event: 'QuestionPrepared',
      neg_risk_market_id: MARKET,
      question_id: `${MARKET.slice(0, 64)}02`,
      question_index: '2',
    }),
  },
  ...[CTF_EXCHANGE_V1, NEG_RISK_CTF_EXCHANGE_V1].map((exchange) => ({
    log: {
      address: exchange,
      topics: [ACTIVITY_TOPIC0.feeChargedV1, topic(wallet(9))],
      data: data(TOKEN, 17_700n),
    },
    row: row({
      contract: exchange,
      event: 'FeeCharged',
      party: wallet(9),
      token_id: TOKEN.toString(),
      amount: '17700',
    }),
  })),
  ...[CTF_EXCHANGE_V2, NEG_RISK_CTF_EXCHANGE_V2].map((exchange) => ({
    log: { address: exchange, topics: [ACTIVITY_TOPIC0.feeChargedV2, topic(wallet(9))], data: data(42n) },
    row: row({ contract: exchange, event: 'FeeCharged', party: wallet(9), amount: '42' }),
  })),
]

/** Logs the step reads (right address, right topic) but cannot load: each is quarantined. */
const BAD: LogToEmit[] = [
  // A V2 fee topic from a V1 exchange.
  { address: CTF_EXCHANGE_V1, topics: [ACTIVITY_TOPIC0.feeChargedV2, topic(wallet(9))], data: data(1n) },
  // ConditionalTokens' split topic from the NegRiskAdapter.
  {
    address: NEG_RISK_ADAPTER,
    topics: [ACTIVITY_TOPIC0.positionSplit, topic(wallet(1)), topic(0n), C1],
    data: data(USDC_E, [1n, 2n], 1n),
  },
  // A split whose data stops short of its amount.
  {
    address: CONDITIONAL_TOKENS,
    topics: [ACTIVITY_TOPIC0.positionSplit, topic(wallet(1)), topic(0n), C1],
    data: data(USDC_E),
  },
]

let anvil: Anvil
let harness: StepHarness
let emitted: EmittedLog[]
let headers: Map<number, BlockHeader>
let outcome: Awaited<ReturnType<ReturnType<typeof createActivityStep>['run']>>

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([
    CONDITIONAL_TOKENS,
    NEG_RISK_ADAPTER,
    CTF_EXCHANGE_V1,
    NEG_RISK_CTF_EXCHANGE_V1,
    CTF_EXCHANGE_V2,
    NEG_RISK_CTF_EXCHANGE_V2,
    // Same topics, another emitter: not in the filter, never read.
    wallet(0x77),
  ])
  emitted = await anvil.emitLogs(CASES.map((c) => c.log))
  await anvil.emitLogs([{ ...(CASES[1] as Case).log, address: wallet(0x77) }])
  await anvil.emitLogs(BAD, { sameBlock: true })
  await anvil.mine(2)
  const tip = await anvil.rpc.blockNumber()
  const numbers = Array.from({ length: tip + 1 }, (_, n) => n)
  headers = new Map(
    (await anvil.rpc.getBlocksByNumber(numbers)).map((h) => [(h as BlockHeader).number, h as BlockHeader]),
  )
  harness = await openStepHarness()
  const step = createActivityStep(localChainOptions(anvil.url), { adaptive: { initial: 3, max: 5 } })
  outcome = await step.run(harness.context())
}, 120_000)

afterAll(async () => {
  await harness?.close()
  await anvil?.close()
})

describe('the activity step on anvil', () => {
  it('covers every block and quarantines what it cannot load', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    const coverage = await activityCoverage(harness.checkpoints, {
      from: 0,
      to: await anvil.rpc.blockNumber(),
    })
    expect(coverage.gaps).toEqual([])
    const quarantined = await rows<{ reason: string }>(
      harness.warehouse,
      "SELECT reason FROM etl_quarantine FINAL WHERE stream = 'chain_activity' ORDER BY reason",
    )
    expect(quarantined.map((entry) => entry.reason)).toEqual([
      expect.stringMatching(/^ABI decoding failed: /),
      `FeeCharged(address,uint256) emitted by ${CTF_EXCHANGE_V1}, which does not emit it`,
      `PositionSplit(address,address,bytes32,bytes32,uint256[],uint256) emitted by ${NEG_RISK_ADAPTER}, which does not emit it`,
    ])
  })

  it('stores every lifecycle event field by field', async () => {
    const loaded = await rows<Record<string, string>>(
      harness.warehouse,
      `SELECT toString(block_number) AS block, toString(log_index) AS log_index, tx_hash, block_hash,
              toString(toUnixTimestamp(block_time)) AS time, contract, toString(event) AS event, party,
              condition_id, collateral, parent_collection_id, neg_risk_market_id, question_id,
              toString(index_set) AS index_set, toString(amount) AS amount, toString(payout) AS payout,
              toString(values) AS values, toString(outcome_slot_count) AS outcome_slot_count,
              toString(question_index) AS question_index, toString(fee_bips) AS fee_bips,
              toString(token_id) AS token_id
       FROM chain_activity FINAL ORDER BY block_number, log_index`,
    )
    const expected = CASES.map((c, i) => {
      const log = emitted[i] as EmittedLog
      const header = headers.get(log.blockNumber) as BlockHeader
      return {
        block: String(log.blockNumber),
        log_index: '0',
        tx_hash: log.txHash,
        block_hash: header.hash,
        time: String(header.timestamp),
        ...c.row,
      }
    })
    expect(loaded).toEqual(expected)
  })
})
