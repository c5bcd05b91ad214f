// The transfers encoder's two decoders give the same rows: the fast path (a scanned reply's bytes,
// canonical logs only) and the reference decoder (viem's decodeEventLog, steps/transfers/decode.ts),
// for the real fixture logs, for every log the simulator writes, and for shapes only the reference
// takes (upper-case hex) or refuses.
import { describe, expect, it } from 'vitest'
import { type Encoded, referenceRows, stepRows } from '../../../bench/shared/encoded-rows.ts'
import { startSimulator } from '../../../simulator/index.ts'
import { blockParts, JsonBuffer, writeTransferLog } from '../../../simulator/world/log-writer.ts'
import type { LogBlock } from '../../../steps/block-ranges/types.ts'
import { CHAIN_TRANSFERS, TransferEncoder } from '../../../steps/transfers/encode.ts'
import { fixtures } from '../../extract/chain/fixtures.ts'

const reference = (log: unknown, block: LogBlock): Encoded =>
  referenceRows(new TransferEncoder(), CHAIN_TRANSFERS, log, block)
const scanned = (encoder: TransferEncoder, log: unknown, block: LogBlock) =>
  stepRows(encoder, CHAIN_TRANSFERS, log, block)

/** The rows of a log that loads, each split into its values. */
function rowsOf(encoded: Encoded): string[][] {
  if (!('lines' in encoded)) throw new Error(`refused: ${encoded.refused}`)
  return encoded.lines
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'))
}

const BLOCK: LogBlock = { number: 0x568339e, hash: `0x${'ab'.repeat(32)}`, time: 1_760_000_000 }
const w = (value: bigint) => value.toString(16).padStart(64, '0')

describe('TransferEncoder', () => {
  it('reads the real TransferSingle and TransferBatch on the fast path, as the reference decoder does', () => {
    const encoder = new TransferEncoder()
    for (const [fixture, index] of [
      [fixtures.transferSingle(), '0x7'],
      [fixtures.transferBatch(), '0x8'],
    ] as const) {
      const log = { ...fixture, logIndex: index }
      expect(scanned(encoder, log, BLOCK)).toEqual({ ...reference(log, BLOCK), fast: true })
    }
    const batch = rowsOf(reference({ ...fixtures.transferBatch(), logIndex: '0x8' }, BLOCK))
    expect(batch.map((row) => row[2])).toEqual(['0', '1'])
    expect(batch.map((row) => row[6])).toEqual(['TransferBatch', 'TransferBatch'])
    expect(batch.map((row) => row.at(-1))).toEqual(['5000000', '0'])
  })

  it('hands unusual logs to the reference decoder and agrees with it on each', () => {
    const batch = { ...fixtures.transferBatch(), logIndex: '0x8' }
    const single = { ...fixtures.transferSingle(), logIndex: '0x7' }
    const data = single.data.slice(2)
    const variants: [string, Record<string, unknown>, 'loads' | 'refused'][] = [
      ['upper-case data', { ...batch, data: `0x${batch.data.slice(2).toUpperCase()}` }, 'loads'],
      ['an amount of 2^52', { ...single, data: `0x${data.slice(0, 64)}${w(2n ** 52n)}` }, 'loads'],
      ['an amount of 10^18', { ...single, data: `0x${data.slice(0, 64)}${w(10n ** 18n)}` }, 'refused'],
      // viem's strict decoding refuses data too short for the inputs, not a trailing word.
      ['one data word too many', { ...single, data: `${single.data}${w(1n)}` }, 'loads'],
      ['another emitter', { ...single, address: `0x${'12'.repeat(20)}` }, 'refused'],
      ['logIndex 2^32', { ...single, logIndex: '0x100000000' }, 'refused'],
      ['removed: true', { ...single, removed: true }, 'refused'],
    ]
    for (const [name, log, expected] of variants) {
      const got = reference(log, BLOCK)
      expect('lines' in got ? 'loads' : 'refused', name).toBe(expected)
      expect(scanned(new TransferEncoder(), log, BLOCK), name).toEqual({ ...got, fast: false })
    }
  })

  it('agrees with the reference decoder on every log the simulator writes', async () => {
    const sim = await startSimulator({
      seed: 'transfer-encode',
      markets: 200,
      wallets: 60,
      fills: 4_000,
      blocks: 40_000,
    })
    try {
      const chain = sim.world.chain
      const encoder = new TransferEncoder()
      let logs = 0
      const events = new Set<string>()
      for (const fill of sim.truth.fills(chain.startBlock, chain.tip)) {
        const block = {
          number: fill.blockNumber,
          hash: chain.blockHash(fill.blockNumber),
          time: chain.timestamp(fill.blockNumber),
        }
        for (const transfer of sim.world.transfers.transfersOf(fill)) {
          const out = new JsonBuffer()
          writeTransferLog(
            out,
            fill,
            transfer,
            (token) => sim.world.catalog.tokenIdHex(token),
            blockParts(block.number, block.hash, block.time),
          )
          const log = JSON.parse(out.bytes().toString('latin1'))
          expect(scanned(encoder, log, block)).toEqual({ ...reference(log, block), fast: true })
          events.add(`${transfer.event}:${transfer.tokens.length}`)
          logs++
        }
      }
      // At least one per fill: a BUY is a mint and a delivery, a SELL a delivery, plus the extras.
      expect(logs).toBeGreaterThan(4_000)
      expect([...events].sort()).toEqual(expect.arrayContaining(['TransferBatch:2', 'TransferSingle:1']))
    } finally {
      await sim.close()
    }
  })
})
