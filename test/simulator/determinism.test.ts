// Same seed → byte-identical responses, from two independent simulators; another seed → another
// world. Requests cover every endpoint, including fills from the middle of the chain (generated
// on demand from the seed, never stored).
import { afterAll, beforeAll, expect, it } from 'vitest'
import { hex } from '../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'

const OPTIONS = { markets: 400, wallets: 30, fills: 20_000, blocks: 40_000, rateLimits: false } as const
let a: Simulator
let b: Simulator
let other: Simulator

beforeAll(async () => {
  ;[a, b, other] = await Promise.all([
    startSimulator({ seed: 42, ...OPTIONS }),
    startSimulator({ seed: 42, ...OPTIONS }),
    startSimulator({ seed: 43, ...OPTIONS }),
  ])
})
afterAll(() => Promise.all([a, b, other].map((sim) => sim.close())))

async function transcript(sim: Simulator): Promise<string[]> {
  const wallets = sim.truth.wallets()
  const cursor = (
    (await (await fetch(`${sim.gammaUrl}/markets/keyset?closed=true&limit=3`)).json()) as {
      next_cursor: string
    }
  ).next_cursor
  const gets = [
    `${sim.gammaUrl}/markets/keyset?closed=true&limit=3`,
    `${sim.gammaUrl}/markets/keyset?closed=true&limit=3&after_cursor=${cursor}`,
    `${sim.gammaUrl}/events/keyset?limit=2&include_tag=true`,
    `${sim.gammaUrl}/markets?limit=5&offset=40&closed=true`,
    `${sim.gammaUrl}/events?limit=2&offset=10`,
    `${sim.gammaUrl}/markets/${[...sim.truth.markets()][17]?.id}`,
    `${sim.gammaUrl}/tags`,
    `${sim.dataApiUrl}/positions?user=${wallets[3]}&sizeThreshold=0&limit=50`,
    `${sim.dataApiUrl}/v2/positions?user=${wallets[1]}&limit=20`,
  ]
  const bodies: string[] = []
  for (const url of gets) bodies.push(await (await fetch(url)).text())
  const { startBlock, tip } = sim.world.chain
  const middle = Math.floor((startBlock + tip) / 2)
  for (const params of [
    [{ fromBlock: hex(middle), toBlock: hex(middle + 1_999) }],
    [{ fromBlock: hex(tip - 500), toBlock: 'latest' }],
    ['latest', false],
  ]) {
    const method = params.length === 2 ? 'eth_getBlockByNumber' : 'eth_getLogs'
    const response = await fetch(sim.rpcUrl, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    bodies.push(await response.text())
  }
  return bodies
}

it('serves byte-identical responses for the same seed', async () => {
  const [first, second] = [await transcript(a), await transcript(b)]
  expect(second).toEqual(first)
  for (const body of first) expect(body.length).toBeGreaterThan(20)
})

it('serves another world for another seed', async () => {
  const [first, third] = [await transcript(a), await transcript(other)]
  const same = first.filter((body, i) => body === third[i])
  // Only the static tag list is shared.
  expect(same).toHaveLength(1)
})
