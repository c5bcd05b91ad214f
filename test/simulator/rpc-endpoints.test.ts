// More RPC endpoints over one simulated chain: each serves the same logs, with its own eth_getLogs
// caps, its own rate limit and counters, a head that may lag (answering past it with only what it
// has: the answer a client must not take for "no logs"), and an outage after N requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hex, rpc } from '../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'

const LAG = 1_000

describe('several simulated RPC endpoints', () => {
  let sim: Simulator
  let main: string
  let lagging: string
  let limited: string
  let failing: string
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'rpc-endpoints',
      markets: 100,
      wallets: 20,
      fills: 2_000,
      blocks: 20_000,
      rateLimits: false,
      rpcEndpoints: [
        { lagBlocks: LAG, rpcLimits: 'quicknode' },
        { rate: { limit: 3, windowMs: 60_000 } },
        { outageAfter: 2 },
      ],
    })
    ;[main, lagging, limited, failing] = sim.rpcUrls as [string, string, string, string]
  })
  afterAll(() => sim?.close())

  const logsOf = async (url: string, from: number, to: number) =>
    (await rpc(url, 'eth_getLogs', [{ fromBlock: hex(from), toBlock: hex(to) }])) as {
      result?: { transactionHash: string; logIndex: string }[]
      error?: { message: string }
    }

  it('serves the same chain from every endpoint', async () => {
    expect(sim.rpcUrls).toHaveLength(4)
    expect(new Set(sim.rpcUrls).size).toBe(4)
    const { startBlock } = sim.world.chain
    const [a, b] = [
      await logsOf(main, startBlock, startBlock + 999),
      await logsOf(lagging, startBlock, startBlock + 999),
    ]
    expect(a.result?.length).toBeGreaterThan(0)
    expect(b.result).toEqual(a.result)
  })

  it('lags: a lower head, and past it only the logs up to it — an empty list above it', async () => {
    const { tip } = sim.world.chain
    expect((await rpc(main, 'eth_blockNumber')).result).toBe(hex(tip))
    expect((await rpc(lagging, 'eth_blockNumber')).result).toBe(hex(tip - LAG))
    expect((await rpc(lagging, 'eth_getBlockByNumber', [hex(tip - LAG + 1), false])).result).toBeNull()
    const whole = await logsOf(main, tip - 2 * LAG + 1, tip)
    const clamped = await logsOf(lagging, tip - 2 * LAG + 1, tip)
    const belowHead = (await logsOf(main, tip - 2 * LAG + 1, tip - LAG)).result ?? []
    expect(whole.result?.length).toBeGreaterThan(belowHead.length)
    expect(clamped.result).toEqual(belowHead)
    expect(await logsOf(lagging, tip - LAG + 1, tip)).toMatchObject({ result: [] })
    expect((await logsOf(main, tip - LAG + 1, tip)).result?.length).toBeGreaterThan(0)
    // Its own caps: QuickNode's span limit, where the main endpoint (Alchemy) has none.
    const { startBlock } = sim.world.chain
    expect((await logsOf(lagging, startBlock, startBlock + 10_000)).error?.message).toMatch(
      /limited to a 10,000 range/,
    )
  })

  it('keeps its own rate limit and counters', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      const response = await fetch(limited, {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_chainId', params: [] }),
      })
      statuses.push(response.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    const [, limitedStats] = [sim.stats(), sim.rpcEndpointStats()[1]]
    expect(limitedStats?.buckets.rpc).toMatchObject({ limit: 3, admitted: 3, rejected: 2 })
    expect(sim.stats().buckets.rpc).toBeUndefined()
  })

  it('answers 503 to everything after its outage begins', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await fetch(failing, {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_blockNumber', params: [] }),
      })
      statuses.push(response.status)
    }
    expect(statuses).toEqual([200, 200, 503, 503])
    expect((await rpc(main, 'eth_chainId')).result).toBe('0x89')
  })
})
