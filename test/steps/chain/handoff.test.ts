// A range that fails on one endpoint is handed to another, and the last endpoint able to fetch it
// gives it every attempt (MAX_ATTEMPTS) rather than the few meant for a handoff: two endpoints, each
// in front of the same simulated chain and each answering its first four eth_getLogs calls with a
// 502, fetch a world small enough to be one range. Whichever endpoint claims it first fails three
// attempts and hands it over; the other fails four and succeeds on its fifth — with only three it
// would record the range failed.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_ATTEMPTS } from '../../../extract/http/retry.ts'
import { HANDOFF_ATTEMPTS } from '../../../steps/block-ranges/workers.ts'
import { createChainStep } from '../../../steps/chain/index.ts'
import { chainOptions, harness, loadedLines, simulator, truthLines } from './sim-helpers.ts'

const FAILURES_PER_ENDPOINT = 4

interface FlakyProxy {
  url: string
  getLogsCalls: number
  close(): Promise<void>
}

/** An RPC endpoint in front of `target` whose first `failures` eth_getLogs requests get a 502. */
async function flakyProxy(target: string, failures: number): Promise<FlakyProxy> {
  const proxy: FlakyProxy = { url: '', getLogsCalls: 0, close: async () => {} }
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    if (body.includes('eth_getLogs') && ++proxy.getLogsCalls <= failures) {
      response.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
      return
    }
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    response.writeHead(answer.status, { 'content-type': 'application/json' })
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()))
  return proxy
}

const proxies: FlakyProxy[] = []
afterAll(async () => {
  for (const proxy of proxies) await proxy.close()
})

describe('a range every endpoint fails at first', () => {
  it('is handed over, then fetched with every attempt by the last endpoint able to', async () => {
    expect(HANDOFF_ATTEMPTS).toBeLessThan(FAILURES_PER_ENDPOINT + 1)
    expect(MAX_ATTEMPTS).toBeGreaterThan(FAILURES_PER_ENDPOINT)
    const sim = await simulator({ seed: 'handoff', markets: 20, wallets: 20, fills: 300, blocks: 2_000 })
    const blocks = sim.world.chain.tip - sim.world.chain.startBlock + 1
    const first = await flakyProxy(sim.rpcUrl, FAILURES_PER_ENDPOINT)
    const second = await flakyProxy(sim.rpcUrl, FAILURES_PER_ENDPOINT)
    proxies.push(first, second)
    const h = await harness()
    const step = createChainStep(chainOptions(sim, { rpcUrls: [first.url, second.url], concurrency: 1 }), {
      adaptive: { initial: blocks, max: blocks },
    })
    const outcome = await step.run(h.context())
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    // One endpoint gave up after its handoff attempts; the other went past them.
    const calls = [first.getLogsCalls, second.getLogsCalls].sort((a, b) => a - b)
    expect(calls).toEqual([HANDOFF_ATTEMPTS, FAILURES_PER_ENDPOINT + 1])
    const truth = truthLines(sim)
    expect(truth.length).toBe(300)
    expect(await loadedLines(h)).toEqual(truth)
  }, 120_000)
})
