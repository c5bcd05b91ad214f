import { readFileSync } from 'node:fs'
import path from 'node:path'
import { keccak256, toBytes, toEventSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  CONDITIONAL_TOKENS,
  CTF_EXCHANGE_V1,
  CTF_EXCHANGE_V2,
  ERC1155_TRANSFER_ABI,
  EVENT_SIGNATURES,
  EXCHANGES,
  exchangeAt,
  NEG_RISK_ADAPTER,
  NEG_RISK_CTF_EXCHANGE_V1,
  NEG_RISK_CTF_EXCHANGE_V2,
  ORDER_FILLED_V1_ABI,
  ORDER_FILLED_V2_ABI,
  TOPIC0,
} from '../../../extract/chain/contracts.ts'
import { CHAIN_FIXTURES_DIR, fixtures, topicAddress } from './fixtures.ts'

describe('contracts', () => {
  it('computes each topic0 as keccak-256 of its signature, equal to the real logs', () => {
    for (const [name, signature] of Object.entries(EVENT_SIGNATURES)) {
      expect(TOPIC0[name as keyof typeof TOPIC0]).toBe(keccak256(toBytes(signature)))
    }
    expect(TOPIC0.orderFilledV1).toBe(fixtures.orderFilledV1().topics[0])
    expect(TOPIC0.orderFilledV2).toBe(fixtures.orderFilledV2().topics[0])
    expect(TOPIC0.transferSingle).toBe(fixtures.transferSingle().topics[0])
    expect(TOPIC0.transferBatch).toBe(fixtures.transferBatch().topics[0])
    // abbreviations as published
    expect(TOPIC0.orderFilledV1.startsWith('0xd0a08e8c') && TOPIC0.orderFilledV1.endsWith('c0f6')).toBe(true)
    expect(TOPIC0.orderFilledV2.startsWith('0xd543adfd') && TOPIC0.orderFilledV2.endsWith('d8ee')).toBe(true)
  })

  it('holds the addresses lower-case, matching their published checksummed forms', () => {
    expect(CTF_EXCHANGE_V1).toBe('0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E'.toLowerCase())
    expect(NEG_RISK_CTF_EXCHANGE_V1).toBe('0xC5d563A36AE78145C45a50134d48A1215220f80a'.toLowerCase())
    expect(CTF_EXCHANGE_V2).toBe('0xE111180000d2663C0091e4f400237545B87B996B'.toLowerCase())
    expect(NEG_RISK_CTF_EXCHANGE_V2).toBe('0xe2222d279d744050d28e00520010520000310F59'.toLowerCase())
    expect(CONDITIONAL_TOKENS).toBe('0x4D97DCd97eC945f40cF65F87097ACe5EA0476045'.toLowerCase())
    expect(EXCHANGES.map((e) => e.version)).toEqual([1, 1, 2, 2])
  })

  it('takes the NegRiskAdapter address from the fixtures', () => {
    expect(NEG_RISK_ADAPTER).toBe(fixtures.positionsConverted().address)
    expect(NEG_RISK_ADAPTER).toBe(topicAddress(fixtures.transferSingle().topics[1] as string))
    expect(NEG_RISK_ADAPTER.startsWith('0xd91e80cf') && NEG_RISK_ADAPTER.endsWith('5296')).toBe(true)
  })

  it('finds the exchange of a fixture log by its emitter, in any case', () => {
    expect(exchangeAt(fixtures.orderFilledV1().address)?.version).toBe(1)
    expect(exchangeAt('0xE111180000d2663C0091e4f400237545B87B996B')?.version).toBe(2)
    expect(exchangeAt(CONDITIONAL_TOKENS)).toBeUndefined()
  })
})

describe('event ABI fragments', () => {
  const event = (file: string, name: string, inputCount: number) => {
    const abi = JSON.parse(readFileSync(path.join(CHAIN_FIXTURES_DIR, 'abi', file), 'utf8')) as {
      type: string
      name: string
      inputs: { name: string; type: string; indexed: boolean }[]
    }[]
    const found = abi.find((e) => e.type === 'event' && e.name === name && e.inputs.length === inputCount)
    if (!found) throw new Error(`${file} has no ${name}`)
    return found.inputs.map(({ name, type, indexed }) => ({ name, type, indexed }))
  }
  const ours = (fragment: { inputs: readonly { name: string; type: string; indexed: boolean }[] }) =>
    fragment.inputs.map(({ name, type, indexed }) => ({ name, type, indexed }))

  it('match the ABI files in the fixtures, input for input', () => {
    expect(ours(ORDER_FILLED_V1_ABI[0])).toEqual(
      event('Exchange.v1.polymarket-subgraph.json', 'OrderFilled', 8),
    )
    expect(ours(ORDER_FILLED_V2_ABI[0])).toEqual(event('CTFExchangeV2.autonolas.json', 'OrderFilled', 10))
    expect(ours(ERC1155_TRANSFER_ABI[0])).toEqual(
      event('ConditionalTokens.autonolas.json', 'TransferSingle', 5),
    )
    expect(ours(ERC1155_TRANSFER_ABI[1])).toEqual(
      event('ConditionalTokens.autonolas.json', 'TransferBatch', 5),
    )
  })

  it('have the selectors of TOPIC0', () => {
    expect(toEventSelector(ORDER_FILLED_V1_ABI[0])).toBe(TOPIC0.orderFilledV1)
    expect(toEventSelector(ORDER_FILLED_V2_ABI[0])).toBe(TOPIC0.orderFilledV2)
    expect(toEventSelector(ERC1155_TRANSFER_ABI[0])).toBe(TOPIC0.transferSingle)
    expect(toEventSelector(ERC1155_TRANSFER_ABI[1])).toBe(TOPIC0.transferBatch)
  })
})
