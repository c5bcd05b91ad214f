// The transfers encoder's two paths give the same rows: the fast path (canonical logs, words read by
// hand) and the reference path (viem's decodeEventLog), for the real fixture logs, for every log the
// simulator writes, and for shapes only the reference path takes (upper-case hex).
import { describe, expect, it } from 'vitest'
import { startSimulator } from '../../../simulator/index.ts'
import { blockParts, JsonBuffer, writeTransferLog } from '../../../simulator/world/log-writer.ts'
import { RowWriter } from '../../../steps/block-ranges/rows.ts'
import type { LogBlock } from '../../../steps/block-ranges/types.ts'
import { referenceLines, TransferEncoder } from '../../../steps/transfers/encode.ts'
import { fixtures } from '../../extract/chain/fixtures.ts'

function encoded(encoder: TransferEncoder, log: unknown, block: LogBlock): string[] {
  const out = new RowWriter('', 4)
  encoder.encode(log, block, out)
  const text = out.text()
  return text === '' ? [] : text.replace(/\t\n$/, '').split('\t\n')
}

const BLOCK: LogBlock = { number: 0x568339e, hash: `0x${'ab'.repeat(32)}`, time: 1_760_000_000 }

describe('TransferEncoder', () => {
  it('reads the real TransferSingle and TransferBatch on the fast path, as the reference decoder does', () => {
    for (const [fixture, index] of [
      [fixtures.transferSingle(), '0x7'],
      [fixtures.transferBatch(), '0x8'],
    ] as const) {
      const log = { ...fixture, logIndex: index }
      const encoder = new TransferEncoder()
      const fast = encoded(encoder, log, BLOCK)
      expect(encoder.slowPath).toBe(0)
      expect(fast).toEqual(referenceLines(log, BLOCK))
    }
    const batch = encoded(new TransferEncoder(), { ...fixtures.transferBatch(), logIndex: '0x8' }, BLOCK)
    expect(batch.map((line) => line.split('\t').slice(2, 3)[0])).toEqual(['0', '1'])
    expect(batch.map((line) => line.split('\t').at(-1))).toEqual(['5000000', '0'])
  })

  it('sends upper-case hex to the reference path, with the same rows', () => {
    const fixture = { ...fixtures.transferBatch(), logIndex: '0x8' }
    const upper = { ...fixture, data: `0x${fixture.data.slice(2).toUpperCase()}` }
    const encoder = new TransferEncoder()
    expect(encoded(encoder, upper, BLOCK)).toEqual(encoded(new TransferEncoder(), fixture, BLOCK))
    expect(encoder.slowPath).toBe(1)
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
          expect(encoded(encoder, log, block)).toEqual(referenceLines(log, block))
          events.add(`${transfer.event}:${transfer.tokens.length}`)
          logs++
        }
      }
      expect(encoder.slowPath).toBe(0)
      // At least one per fill: a BUY is a mint and a delivery, a SELL a delivery, plus the extras.
      expect(logs).toBeGreaterThan(4_000)
      expect([...events].sort()).toEqual(expect.arrayContaining(['TransferBatch:2', 'TransferSingle:1']))
    } finally {
      await sim.close()
    }
  })
})
