// The fast OrderFilled encoder and the reference decoder (zod + viem, extract/chain/abi.ts) must
// agree on every log: the same row (compared as text), or both refusing it (LogDecodeError → quarantine). Checked
// on the real fixture logs, on thousands of simulator logs of every kind, and on malformed and
// edge-value logs that push the fast path onto the reference path.
import { describe, expect, it } from 'vitest'
import { LogDecodeError } from '../../../extract/chain/abi.ts'
import { CTF_EXCHANGE_V1, CTF_EXCHANGE_V2, TOPIC0 } from '../../../extract/chain/contracts.ts'
import { scanLogsReply } from '../../../extract/chain/log-scan.ts'
import { World } from '../../../simulator/world/index.ts'
import { dataFast, topicsOf } from '../../../simulator/world/logs.ts'
import { RowWriter } from '../../../steps/block-ranges/rows.ts'
import type { LogBlock } from '../../../steps/block-ranges/types.ts'
import {
  CHAIN_FILLS_COLUMNS,
  encodeLine,
  fillLines,
  OrderFilledEncoder,
  referenceLine,
} from '../../../steps/chain/encode.ts'
import { fixtures, word } from '../../extract/chain/fixtures.ts'

type Log = Record<string, unknown> & { topics: string[]; data: string; blockNumber: string }

function blockOf(log: Log): LogBlock {
  return {
    number: Number(log.blockNumber),
    hash: typeof log.blockHash === 'string' ? log.blockHash.toLowerCase() : `0x${'ab'.repeat(32)}`,
    time: typeof log.blockTimestamp === 'string' ? Number(log.blockTimestamp) : 1_700_000_000,
  }
}

type Outcome = { line: string } | { refused: string }

function fast(encoder: OrderFilledEncoder, log: unknown, block: LogBlock): Outcome {
  try {
    return { line: encodeLine(encoder, log, block) }
  } catch (error) {
    if (error instanceof LogDecodeError) return { refused: error.reason }
    throw error
  }
}

/**
 * The log as the chain step reads a deep range: scanned from a reply's bytes, encoded by the scanned
 * fast path, or — when that declines — by `encode` on the parsed log. `scannedFast` says which.
 */
function scanned(
  encoder: OrderFilledEncoder,
  log: unknown,
  block: LogBlock,
): Outcome & { scannedFast: boolean } {
  const logs = scanLogsReply(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: [log] })))
  if (!logs) throw new Error('the reply was not scanned')
  const out = new RowWriter('', 1, 'RowBinary')
  if (!logs.irregular(0) && encoder.encodeScanned(logs, 0, block, out)) {
    return { line: fillLines(out.bytes()), scannedFast: true }
  }
  expect(out.bytes().length, 'a declined log wrote nothing').toBe(0)
  return { ...fast(encoder, logs.object(0), block), scannedFast: false }
}

function reference(log: unknown, block: LogBlock): Outcome {
  try {
    return { line: referenceLine(log, block) }
  } catch (error) {
    if (error instanceof LogDecodeError) return { refused: error.reason }
    throw error
  }
}

const w = (value: bigint) => value.toString(16).padStart(64, '0')

describe('the fast OrderFilled encoder', () => {
  it('agrees with the reference decoder on the real fixture logs, field by field', () => {
    const encoder = new OrderFilledEncoder()
    for (const fixture of [fixtures.orderFilledV1(), fixtures.orderFilledV2()]) {
      const log = fixture as unknown as Log
      const block = blockOf(log)
      const line = encodeLine(encoder, log, block)
      expect(line).toBe(referenceLine(log, block))
      expect(scanned(encoder, log, block)).toEqual({ line, scannedFast: true })
      const fields = Object.fromEntries(
        line
          .trimEnd()
          .split('\t')
          .map((value, i) => [CHAIN_FILLS_COLUMNS[i], value]),
      )
      expect(fields.block_number).toBe(String(Number(log.blockNumber)))
      expect(fields.log_index).toBe(String(Number(log.logIndex)))
      expect(fields.tx_hash).toBe(log.transactionHash)
      expect(fields.maker).toBe(`0x${(log.topics[2] as string).slice(26)}`)
      expect(fields.maker_amount_filled).toBe(word(log.data, 2).toString())
      expect(fields.taker_amount_filled).toBe(word(log.data, 3).toString())
      expect(fields.fee).toBe(word(log.data, 4).toString())
    }
    const v1 = encodeLine(
      encoder,
      fixtures.orderFilledV1(),
      blockOf(fixtures.orderFilledV1() as unknown as Log),
    ).split('\t')
    expect(v1[10]).toBe('BUY') // makerAssetId = 0: the maker pays USDC
    expect(v1[11]).toBe(word(fixtures.orderFilledV1().data, 1).toString())
    const v2 = encodeLine(
      encoder,
      fixtures.orderFilledV2(),
      blockOf(fixtures.orderFilledV2() as unknown as Log),
    ).split('\t')
    expect(v2[10]).toBe('SELL') // side = 1
    expect(encoder.slowPath).toBe(0)
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
      const line = referenceLine(log, block)
      expect(encodeLine(encoder, log, block)).toBe(line)
      expect(scanned(encoder, log, block)).toEqual({ line, scannedFast: true })
      kinds.add(`${fill.version} ${fill.side} ${fill.negRisk} ${fill.isTakerLeg}`)
    }
    expect(kinds.size).toBe(16)
    expect(encoder.slowPath).toBe(0)
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
      const encoder = new OrderFilledEncoder()
      const block = blockOf(log)
      const got = fast(encoder, log, block)
      expect(got, name).toEqual(reference(log, block))
      expect('line' in got ? 'loads' : 'refused', name).toBe(expected)
      expect(encoder.slowPath, name).toBe(1)
      expect(scanned(encoder, log, block), name).toEqual({ ...got, scannedFast: false })
    }
    const largest = { ...base, logIndex: '0xffffffff' }
    const line = referenceLine(largest, blockOf(largest))
    expect(line.split('\t')[1]).toBe('4294967295')
    const encoder = new OrderFilledEncoder()
    expect(fast(encoder, largest, blockOf(largest))).toEqual({ line })
    expect(scanned(encoder, largest, blockOf(largest))).toEqual({ line, scannedFast: true })
    expect(encoder.slowPath).toBe(0)
  })

  it('refuses a log whose block hash contradicts its block', () => {
    const log = fixtures.orderFilledV2() as unknown as Log
    const block = { ...blockOf(log), hash: `0x${'cd'.repeat(32)}` }
    expect(fast(new OrderFilledEncoder(), log, block)).toMatchObject({
      refused: expect.stringMatching(/block hash/),
    })
    expect(scanned(new OrderFilledEncoder(), log, block)).toMatchObject({
      refused: expect.stringMatching(/block hash/),
      scannedFast: false,
    })
  })
})
