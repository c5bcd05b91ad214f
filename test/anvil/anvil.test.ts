// The test helper itself: the hand-assembled emitter must produce LOG0…LOG4 with exactly the
// topics and data asked for, in one block or several, and anvil must go away on close().
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Anvil, emitterCalldata } from './anvil.ts'

const EMITTER = '0x000000000000000000000000000000000000beef'
let anvil: Anvil

beforeAll(async () => {
  anvil = await Anvil.start()
  await anvil.placeLogEmitter([EMITTER])
}, 60_000)
afterAll(async () => {
  await anvil?.close()
})

describe('Anvil log emitter', () => {
  it('emits LOG0 to LOG4 with the given topics and data', async () => {
    for (let n = 0; n <= 4; n++) {
      const topics = Array.from({ length: n }, (_, i) => `0x${(i + 1).toString(16).repeat(64)}`)
      const data = n % 2 === 0 ? '0x' : `0x${'00ff'.repeat(33)}` // empty, and not a multiple of 32
      const emitted = await anvil.emitLog({ address: EMITTER, topics, data })
      const logs = await anvil.rpc.getLogs({
        address: EMITTER,
        fromBlock: emitted.blockNumber,
        toBlock: emitted.blockNumber,
      })
      expect(logs).toHaveLength(1)
      expect(logs[0]).toMatchObject({ address: EMITTER, topics, data, transactionHash: emitted.txHash })
    }
  })

  it('puts several logs in one block, in order', async () => {
    const logs = [1, 2, 3].map((i) => ({
      address: EMITTER,
      topics: [`0x${'a'.repeat(63)}${i}`],
      data: `0x0${i}`,
    }))
    const emitted = await anvil.emitLogs(logs, { sameBlock: true })
    const block = emitted[0]?.blockNumber as number
    expect(emitted.every((e) => e.blockNumber === block)).toBe(true)
    const fetched = await anvil.rpc.getLogs({ address: EMITTER, fromBlock: block, toBlock: block })
    expect(fetched.map((l) => [l.logIndex, l.data])).toEqual([
      ['0x0', '0x01'],
      ['0x1', '0x02'],
      ['0x2', '0x03'],
    ])
    // Automine is back on: the next log gets its own block.
    expect((await anvil.emitLog(logs[0] as (typeof logs)[0])).blockNumber).toBe(block + 1)
  })

  it('mines each log in a block of its own unless asked for one block, each at log index 0', async () => {
    // Sent back to back, two transactions could share an automined block on a busy machine (2 in
    // 200 did, before each send waited for the one before).
    const logs = Array.from({ length: 40 }, (_, i) => ({
      address: EMITTER,
      topics: [`0x${'b'.repeat(62)}${(i + 16).toString(16)}`],
      data: '0x',
    }))
    const emitted = await anvil.emitLogs(logs)
    const blocks = emitted.map((e) => e.blockNumber)
    expect(new Set(blocks).size).toBe(logs.length)
    const first = blocks[0] as number
    const fetched = await anvil.rpc.getLogs({
      address: EMITTER,
      fromBlock: first,
      toBlock: first + logs.length,
    })
    expect(fetched.map((l) => l.logIndex)).toEqual(logs.map(() => '0x0'))
  })

  it('refuses calldata the emitter cannot honour', () => {
    expect(() => emitterCalldata(Array(5).fill(`0x${'0'.repeat(64)}`), '0x')).toThrow(/at most 4/)
    expect(() => emitterCalldata(['0x12'], '0x')).toThrow(/32 bytes/)
    expect(() => emitterCalldata([], '0x1')).toThrow(/hex bytes/)
  })

  it('stops anvil on close', async () => {
    const other = await Anvil.start()
    const url = other.url
    await other.close()
    const probe = await fetch(url, { method: 'POST', body: '{}' }).then(
      () => 'answered',
      () => 'refused',
    )
    expect(probe).toBe('refused')
  })
})
