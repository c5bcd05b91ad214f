// The lifecycle events' facts: each topic0 is keccak-256 of its signature (computed here with viem's
// keccak256, not the selector helper the code uses), each fragment equals the fixture ABIs input for
// input, the addresses are the documented ones, and the real PositionsConverted log decodes to what
// its words say.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { keccak256, toBytes } from 'viem'
import { describe, expect, it } from 'vitest'
import { parseRawLog } from '../../../extract/chain/abi.ts'
import {
  ACTIVITY_FILTER,
  ACTIVITY_SIGNATURES,
  ACTIVITY_TOPIC0,
  CTF_ACTIVITY_ABI,
  decodeActivity,
  FEE_CHARGED_V1_ABI,
  FEE_CHARGED_V2_ABI,
  NEG_RISK_ACTIVITY_ABI,
} from '../../../extract/chain/activity-events.ts'
import {
  CONDITIONAL_TOKENS,
  CTF_COLLATERAL_ADAPTER,
  CTF_EXCHANGE_V1,
  CTF_EXCHANGE_V2,
  NEG_RISK_ADAPTER,
  NEG_RISK_CTF_COLLATERAL_ADAPTER,
  NEG_RISK_WRAPPED_COLLATERAL,
  NO_TOKEN_BURN_ADDRESS,
  USDC_E,
} from '../../../extract/chain/contracts.ts'
import { CHAIN_FIXTURES_DIR, fixtures, topicAddress, word } from './fixtures.ts'

type Input = { name: string; type: string; indexed: boolean }
const fixtureEvent = (file: string, name: string, inputCount: number): Input[] => {
  const abi = JSON.parse(readFileSync(path.join(CHAIN_FIXTURES_DIR, 'abi', file), 'utf8')) as {
    type: string
    name: string
    inputs: Input[]
  }[]
  const found = abi.find((e) => e.type === 'event' && e.name === name && e.inputs.length === inputCount)
  if (!found) throw new Error(`${file} has no ${name} with ${inputCount} inputs`)
  return found.inputs.map(({ name, type, indexed }) => ({ name, type, indexed }))
}
const ours = (fragment: { inputs: readonly Input[] }) =>
  fragment.inputs.map(({ name, type, indexed }) => ({ name, type, indexed }))

describe('lifecycle event topics', () => {
  it('are keccak-256 of their signatures', () => {
    for (const [key, signature] of Object.entries(ACTIVITY_SIGNATURES)) {
      expect(ACTIVITY_TOPIC0[key as keyof typeof ACTIVITY_TOPIC0], key).toBe(keccak256(toBytes(signature)))
    }
    expect(new Set(Object.values(ACTIVITY_TOPIC0)).size).toBe(12)
    // The values other indexers publish (polymarket-subgraph handlers, SOURCES.md for the converted log).
    expect(ACTIVITY_TOPIC0.conditionResolution).toBe(
      '0xb44d84d3289691f71497564b85d4233648d9dbae8cbdbb4329f301c3a0185894',
    )
    expect(ACTIVITY_TOPIC0.feeChargedV2).toBe(
      '0x55bb3cade9d43b798a4fe5ffdd05024b2d7870df53920673bfc7e68047cd0ab1',
    )
    expect(ACTIVITY_TOPIC0.positionsConverted).toBe(fixtures.positionsConverted().topics[0])
  })

  it('select the six contracts that emit them', () => {
    expect(ACTIVITY_FILTER.address).toEqual([
      CONDITIONAL_TOKENS,
      NEG_RISK_ADAPTER,
      CTF_EXCHANGE_V1,
      '0xc5d563a36ae78145c45a50134d48a1215220f80a',
      CTF_EXCHANGE_V2,
      '0xe2222d279d744050d28e00520010520000310f59',
    ])
    expect(ACTIVITY_FILTER.topics[0]).toHaveLength(12)
  })
})

describe('lifecycle event fragments', () => {
  it('match the fixture ABIs input for input', () => {
    const ctf = 'ConditionalTokens.autonolas.json'
    const negRisk = 'NegRiskAdapter.polymarket-subgraph.json'
    const [resolution, split, merge, redemption] = CTF_ACTIVITY_ABI
    expect(ours(resolution)).toEqual(fixtureEvent(ctf, 'ConditionResolution', 5))
    expect(ours(split)).toEqual(fixtureEvent(ctf, 'PositionSplit', 6))
    expect(ours(merge)).toEqual(fixtureEvent(ctf, 'PositionsMerge', 6))
    expect(ours(redemption)).toEqual(fixtureEvent(ctf, 'PayoutRedemption', 6))
    const [nSplit, nMerge, nRedemption, converted, market, question] = NEG_RISK_ACTIVITY_ABI
    expect(ours(nSplit)).toEqual(fixtureEvent(negRisk, 'PositionSplit', 3))
    expect(ours(nMerge)).toEqual(fixtureEvent(negRisk, 'PositionsMerge', 3))
    expect(ours(nRedemption)).toEqual(fixtureEvent(negRisk, 'PayoutRedemption', 4))
    expect(ours(converted)).toEqual(fixtureEvent(negRisk, 'PositionsConverted', 4))
    expect(ours(market)).toEqual(fixtureEvent(negRisk, 'MarketPrepared', 4))
    expect(ours(question)).toEqual(fixtureEvent(negRisk, 'QuestionPrepared', 4))
    expect(ours(FEE_CHARGED_V1_ABI[0])).toEqual(
      fixtureEvent('Exchange.v1.polymarket-subgraph.json', 'FeeCharged', 3),
    )
    expect(ours(FEE_CHARGED_V2_ABI[0])).toEqual(fixtureEvent('CTFExchangeV2.autonolas.json', 'FeeCharged', 2))
  })
})

describe('addresses', () => {
  it('are the documented ones, lower-case', () => {
    expect(CTF_COLLATERAL_ADAPTER).toBe('0xAdA100Db00Ca00073811820692005400218FcE1f'.toLowerCase())
    expect(NEG_RISK_CTF_COLLATERAL_ADAPTER).toBe('0xadA2005600Dec949baf300f4C6120000bDB6eAab'.toLowerCase())
    expect(NEG_RISK_WRAPPED_COLLATERAL).toBe('0x3A3BD7bb9528E159577F7C2e685CC81A765002E2'.toLowerCase())
    expect(USDC_E).toBe('0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174'.toLowerCase())
    // The real conversion's stakeholder is the neg-risk collateral adapter.
    expect(topicAddress(fixtures.positionsConverted().topics[1] as string)).toBe(
      NEG_RISK_CTF_COLLATERAL_ADAPTER,
    )
  })

  it('derive the NO-token burn address as the NegRiskAdapter does', () => {
    // address(bytes20(bytes32(keccak256("NO_TOKEN_BURN_ADDRESS")))): the hash's first 20 bytes.
    expect(NO_TOKEN_BURN_ADDRESS).toBe(keccak256(toBytes('NO_TOKEN_BURN_ADDRESS')).slice(0, 42))
  })
})

describe('decodeActivity', () => {
  it('reads the real PositionsConverted log word for word', () => {
    const log = fixtures.positionsConverted()
    const record = decodeActivity(parseRawLog(log))
    expect(record).toMatchObject({
      event: 'PositionsConverted',
      contract: NEG_RISK_ADAPTER,
      party: NEG_RISK_CTF_COLLATERAL_ADAPTER,
      negRiskMarketId: log.topics[2],
      indexSet: 0x400n,
      amount: word(log.data, 0),
    })
    expect(record.amount).toBe(10_000_000n)
  })

  it('refuses a topic from a contract that does not emit it', () => {
    const log = { ...fixtures.positionsConverted(), address: CONDITIONAL_TOKENS }
    expect(() => decodeActivity(parseRawLog(log))).toThrow(/does not emit it/)
  })
})
