// The OrderFilled fast path (a scanned reply's bytes) and the reference decoder (zod + viem,
// steps/chain/decode.ts) must agree on every log: the same row (compared as text), or the fast path
// declining and the reference refusing it (LogDecodeError → quarantine). Checked
// on the real fixture logs, on thousands of simulator logs of every kind, and on malformed and
// edge-value logs that push the fast path onto the reference path.
import { describe, expect, it } from 'vitest'
import { type Encoded, referenceRows, stepRows } from '../../../bench/shared/encoded-rows.ts'
import { CTF_EXCHANGE_V1, CTF_EXCHANGE_V2, TOPIC0 } from '../../../extract/chain/contracts.ts'
import { World } from '../../../simulator/world/index.ts'
import { dataFast, topicsOf } from '../../../simulator/world/logs.ts'
import type { LogBlock } from '../../../steps/block-ranges/types.ts'
import { CHAIN_FILLS, CHAIN_FILLS_COLUMNS, OrderFilledEncoder } from '../../../steps/chain/encode.ts'
import { fixtures, word } from '../../extract/chain/fixtures.ts'

type Log = Record<string, unknown> & { topics: string[]; data: string; blockNumber: string }

function blockOf(log: Log): LogBlock {
  return {
    number: Number(log.blockNumber),
    hash: typeof log.blockHash === 'string' ? log.blockHash.toLowerCase() : `0x${'ab'.repeat(32)}`,
    time: typeof log.blockTimestamp === 'string' ? Number(log.blockTimestamp) : 1_700_000_000,
  }
}

/** The log through a fresh encoder's reference decoder. */
const reference = (log: unknown, block: LogBlock): Encoded =>
  referenceRows(new OrderFilledEncoder(), CHAIN_FILLS, log, block)

/** The log as the chain step reads a range: scanned, then the fast path or the reference. */
const scanned = (encoder: OrderFilledEncoder, log: unknown, block: LogBlock) =>
  stepRows(encoder, CHAIN_FILLS, log, block)

/** The row of a log that loads, as one line without its newline. */
function lineOf(encoded: Encoded): string {
  if (!('lines' in encoded)) throw new Error(`refused: ${encoded.refused}`)
  return encoded.lines.trimEnd()
}

const w = (value: bigint) => value.toString(16).padStart(64, '0')

describe('the fast OrderFilled encoder', () => {
  it('agrees with the reference decoder on the real fixture logs, field by field', () => {
    const encoder = new OrderFilledEncoder()
    const lines: string[][] = []
    for (const fixture of [fixtures.orderFilledV1(), fixtures.orderFilledV2()]) {
      const log = fixture as unknown as Log
      const block = blockOf(log)
      const expected = reference(log, block)
      expect(scanned(encoder, log, block)).toEqual({ ...expected, fast: true })
      const line = lineOf(expected).split('\t')
      lines.push(line)
      const fields = Object.fromEntries(line.map((value, i) => [CHAIN_FILLS_COLUMNS[i], value]))
      expect(fields.block_number).toBe(String(Number(log.blockNumber)))
      expect(fields.log_index).toBe(String(Number(log.logIndex)))
      expect(fields.tx_hash).toBe(log.transactionHash)
      expect(fields.maker).toBe(`0x${(log.topics[2] as string).slice(26)}`)
      expect(fields.maker_amount_filled).toBe(word(log.data, 2).toString())
      expect(fields.taker_amount_filled).toBe(word(log.data, 3).toString())
      expect(fields.fee).toBe(word(log.data, 4).toString())
    }
    const [v1, v2] = lines
    expect(v1?.[10]).toBe('BUY') // makerAssetId = 0: the maker pays USDC
    expect(v1?.[11]).toBe(word(fixtures.orderFilledV1().data, 1).toString())
    expect(v2?.[10]).toBe('SELL') // side = 1
  })

  it('agrees with the reference decoder on every kind of simulated fill, on the fast path', () => {
    const world = new World({
      seed: 'encode',
      markets: 200,
      wallets: 60,
      fills: 6_000,
      blocks: 6_000,
      driftRate: 0,
    })
    const encoder = new OrderFilledEncoder()
    const kinds = new Set<string>()
    for (const fill of world.fills.fillsInBlocks(0, Number.MAX_SAFE_INTEGER)) {
      const hex = (n: number) => `0x${n.toString(16)}`
      const log: Log = {
        address: fill.exchange,
        topics: topicsOf(fill),
        data: dataFast(fill),
        blockNumber: hex(fill.blockNumber),
        transactionHash: fill.transactionHash,
        transactionIndex: hex(fill.transactionIndex),
        blockHash: world.chain.blockHash(fill.blockNumber),
        blockTimestamp: hex(world.chain.timestamp(fill.blockNumber)),
        logIndex: hex(fill.logIndex),
        removed: false,
      }
      const block = blockOf(log)
      expect(scanned(encoder, log, block)).toEqual({ ...reference(log, block), fast: true })
      kinds.add(`${fill.version} ${fill.side} ${fill.negRisk} ${fill.isTakerLeg}`)
    }
    expect(kinds.size).toBe(16)
  })

  it('hands unusual logs to the reference decoder and agrees with it on each', () => {
    const base = fixtures.orderFilledV2() as unknown as Log
    const v1 = fixtures.orderFilledV1() as unknown as Log
    const variants: [string, Log, 'loads' | 'refused'][] = [
      [
        'upper-case hex everywhere',
        {
          ...base,
          data: base.data.toUpperCase().replace('0X', '0x'),
          transactionHash: (base.transactionHash as string).toUpperCase().replace('0X', '0x'),
        },
        'loads',
      ],
      [
        'an upper-case emitter address',
        { ...base, address: CTF_EXCHANGE_V2.toUpperCase().replace('0X', '0x') },
        'loads',
      ],
      ['one data word too few', { ...base, data: base.data.slice(0, -64) }, 'refused'],
      ['side 2', { ...base, data: `0x${w(2n)}${base.data.slice(66)}` }, 'refused'],
      ['a V2 log from a V1 exchange', { ...base, address: CTF_EXCHANGE_V1 }, 'refused'],
      [
        'a V1 log with two collateral legs',
        { ...v1, data: `0x${w(0n)}${w(0n)}${v1.data.slice(130)}` },
        'refused',
      ],
      [
        'a V1 log with no collateral leg',
        { ...v1, data: `0x${w(5n)}${w(6n)}${v1.data.slice(130)}` },
        'refused',
      ],
      [
        'an amount of 10^18 units',
        { ...v1, data: `${v1.data.slice(0, 130)}${w(10n ** 18n)}${v1.data.slice(194)}` },
        'refused',
      ],
      [
        'an amount of 10^18 − 1 units',
        { ...v1, data: `${v1.data.slice(0, 130)}${w(10n ** 18n - 1n)}${v1.data.slice(194)}` },
        'loads',
      ],
      ['no logIndex', { ...base, logIndex: undefined }, 'refused'],
      // chain_fills.log_index is a UInt32 (2^32 − 1 itself takes the fast path, below).
      ['logIndex 2^32', { ...base, logIndex: '0x100000000' }, 'refused'],
      ['three topics', { ...base, topics: base.topics.slice(0, 3) }, 'refused'],
      [
        'a topic that is not OrderFilled',
        { ...base, topics: [TOPIC0.transferSingle, ...base.topics.slice(1)] },
        'refused',
      ],
      [
        'dirty address padding',
        {
          ...base,
          topics: [
            base.topics[0],
            base.topics[1],
            `0x${'1'.repeat(24)}${(base.topics[2] as string).slice(26)}`,
            base.topics[3],
          ] as string[],
        },
        'loads',
      ],
      [
        'dirty taker padding',
        {
          ...base,
          topics: [
            base.topics[0],
            base.topics[1],
            base.topics[2],
            `0x${'2'.repeat(24)}${(base.topics[3] as string).slice(26)}`,
          ] as string[],
        },
        'loads',
      ],
      ['removed: true', { ...base, removed: true }, 'refused'],
    ]
    for (const [name, log, expected] of variants) {
      const block = blockOf(log)
      const got = reference(log, block)
      expect('lines' in got ? 'loads' : 'refused', name).toBe(expected)
      expect(scanned(new OrderFilledEncoder(), log, block), name).toEqual({ ...got, fast: false })
    }
    const largest = { ...base, logIndex: '0xffffffff' }
    const expected = reference(largest, blockOf(largest))
    expect(lineOf(expected).split('\t')[1]).toBe('4294967295')
    const encoder = new OrderFilledEncoder()
    expect(scanned(encoder, largest, blockOf(largest))).toEqual({ ...expected, fast: true })
  })

  it('refuses a log whose block hash contradicts its block', () => {
    const log = fixtures.orderFilledV2() as unknown as Log
    const block = { ...blockOf(log), hash: `0x${'cd'.repeat(32)}` }
    expect(scanned(new OrderFilledEncoder(), log, block)).toEqual({
      refused: expect.stringMatching(/block hash/),
      fast: false,
    })
  })
})
