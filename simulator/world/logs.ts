// OrderFilled fills as eth_getLogs entries, ABI-encoded for the real event layouts. The event
// fragments are copied as data from test/fixtures/polymarket/chain/abi/ (V1:
// Exchange.v1.polymarket-subgraph.json, V2: CTFExchangeV2.autonolas.json); a test checks them
// against those files. topic0 comes from viem's encodeEventTopics over these fragments.
//
// Two encoders: `encodeLogViem` (viem's encodeEventTopics + encodeAbiParameters) and the default
// `encodeLogFast`, which writes the same 32-byte words by hand (every argument is a static type,
// so each is one left-padded word). viem encodes ~250,000 logs/s here, too slow to serve 10M
// fills faster than an extractor can load them; test/simulator/rpc.test.ts proves the two
// encoders byte-identical over fills of both versions, both sides and both exchange families.
import { encodeAbiParameters, encodeEventTopics, type Hex } from 'viem'
import { ORDER_FILLED_V1_ABI, ORDER_FILLED_V2_ABI, TOPIC0 } from '../../extract/chain/contracts.ts'
import { uint256Word } from '../random.ts'
import type { Fill } from './fills.ts'

// The event fragments and topics are the extractors' own (extract/chain/contracts.ts, checked
// there against the fixture ABIs and logs): the simulator encodes exactly what polyhouse decodes.
export const ORDER_FILLED_V1 = ORDER_FILLED_V1_ABI[0]
export const ORDER_FILLED_V2 = ORDER_FILLED_V2_ABI[0]
export const TOPIC0_V1: string = TOPIC0.orderFilledV1
export const TOPIC0_V2: string = TOPIC0.orderFilledV2

const ZERO_WORD = '0'.repeat(64)
const word = uint256Word
const addressWord = (address: string): string => `000000000000000000000000${address.slice(2)}`
/** (makerAmountFilled, takerAmountFilled): the maker gives collateral on a BUY, shares on a SELL. */
function amounts(fill: Fill): [number, number] {
  return fill.side === 'BUY' ? [fill.collateral, fill.shares] : [fill.shares, fill.collateral]
}

export function topicsOf(fill: Fill): [string, string, string, string] {
  return [
    fill.version === 1 ? TOPIC0_V1 : TOPIC0_V2,
    fill.orderHash,
    `0x${addressWord(fill.maker)}`,
    `0x${addressWord(fill.taker)}`,
  ]
}

export function dataFast(fill: Fill): string {
  const [making, taking] = amounts(fill)
  if (fill.version === 1) {
    const makerAsset = fill.side === 'BUY' ? ZERO_WORD : fill.tokenIdHex
    const takerAsset = fill.side === 'BUY' ? fill.tokenIdHex : ZERO_WORD
    return `0x${makerAsset}${takerAsset}${word(making)}${word(taking)}${word(fill.fee)}`
  }
  const side = fill.side === 'BUY' ? 0 : 1
  return `0x${word(side)}${fill.tokenIdHex}${word(making)}${word(taking)}${word(fill.fee)}${fill.builder}${ZERO_WORD}`
}

export function dataViem(fill: Fill): string {
  const [making, taking] = amounts(fill)
  const tokenId = BigInt(`0x${fill.tokenIdHex}`)
  if (fill.version === 1) {
    const params = ORDER_FILLED_V1.inputs.filter((input) => !input.indexed)
    const [makerAsset, takerAsset] = fill.side === 'BUY' ? [0n, tokenId] : [tokenId, 0n]
    return encodeAbiParameters(params, [
      makerAsset,
      takerAsset,
      BigInt(making),
      BigInt(taking),
      BigInt(fill.fee),
    ])
  }
  const params = ORDER_FILLED_V2.inputs.filter((input) => !input.indexed)
  return encodeAbiParameters(params, [
    fill.side === 'BUY' ? 0 : 1,
    tokenId,
    BigInt(making),
    BigInt(taking),
    BigInt(fill.fee),
    `0x${fill.builder}` as Hex,
    `0x${ZERO_WORD}` as Hex,
  ])
}

export function topicsViem(fill: Fill): string[] {
  const args = { orderHash: fill.orderHash as Hex, maker: fill.maker as Hex, taker: fill.taker as Hex }
  const abi = fill.version === 1 ? [ORDER_FILLED_V1] : [ORDER_FILLED_V2]
  return encodeEventTopics({ abi, eventName: 'OrderFilled', args }) as string[]
}
