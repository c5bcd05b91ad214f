// The simulated Polygon RPC: logs encoded for the real ABIs (checked against the fixture ABI
// files and real logs, decoded by viem), providers' eth_getLogs caps answered with their real
// errors, blocks and tags, batches, and reorgs at the tip.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type Abi, decodeEventLog, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CONDITIONAL_TOKENS,
  GSN_RELAY_HUB,
  SAFE_PROXY_FACTORY,
  TOPIC0,
} from '../../extract/chain/contracts.ts'
import { hex, rpc } from '../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import type { Fill } from '../../simulator/world/fills.ts'
import {
  dataFast,
  dataViem,
  ORDER_FILLED_V1,
  ORDER_FILLED_V2,
  TOPIC0_V1,
  TOPIC0_V2,
  topicsOf,
  topicsViem,
} from '../../simulator/world/logs.ts'

const CHAIN = path.resolve(import.meta.dirname, '../fixtures/polymarket/chain')
const abiFile = (name: string) => JSON.parse(readFileSync(path.join(CHAIN, 'abi', name), 'utf8')) as Abi
const V1_ABI = abiFile('Exchange.v1.polymarket-subgraph.json')
const V2_ABI = abiFile('CTFExchangeV2.autonolas.json')
const fixtureLog = (name: string) =>
  JSON.parse(readFileSync(path.join(CHAIN, name), 'utf8')) as { topics: string[] }

interface Log {
  address: string
  topics: Hex[]
  data: Hex
  blockNumber: string
  blockHash: string
  blockTimestamp: string
  logIndex: string
  transactionHash: string
}

const sims: Simulator[] = []
async function start(options: Parameters<typeof startSimulator>[0]) {
  const sim = await startSimulator({ rateLimits: false, markets: 300, wallets: 40, ...options })
  sims.push(sim)
  return sim
}
afterAll(() => Promise.all(sims.map((sim) => sim.close())))

describe('log encoding', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start({ seed: 'abi', fills: 4_000, blocks: 4_000 })
  })

  it('uses the OrderFilled fragments of the fixture ABI files, whose topic0 the real logs carry', () => {
    const orderFilled = (abi: Abi) => abi.find((item) => item.type === 'event' && item.name === 'OrderFilled')
    expect(orderFilled(V1_ABI)).toMatchObject(ORDER_FILLED_V1)
    expect(orderFilled(V2_ABI)).toMatchObject(ORDER_FILLED_V2)
    expect(fixtureLog('vike_orderfilled_v1_log.json').topics[0]).toBe(TOPIC0_V1)
    expect(fixtureLog('vike_orderfilled_v2_log.json').topics[0]).toBe(TOPIC0_V2)
  })

  it('writes the same bytes as viem encodeEventTopics + encodeAbiParameters for every kind of fill', () => {
    const kinds = new Set<string>()
    for (const fill of sim.truth.fills(0, sim.world.chain.tip)) {
      expect(dataFast(fill)).toBe(dataViem(fill))
      expect(topicsOf(fill)).toEqual(topicsViem(fill))
      kinds.add(
        `v${fill.version} ${fill.side} negRisk=${fill.negRisk} taker=${fill.isTakerLeg} fee=${fill.fee > 0}`,
      )
    }
    // 2 versions × 2 sides × 2 exchange families × (maker fill, taker leg without fee, taker leg with fee).
    expect(kinds.size).toBe(24)
  })

  it('serves byte-identical eth_getLogs replies with the viem encoder and the fast one', async () => {
    const viem = await start({ seed: 'abi', fills: 4_000, blocks: 4_000, logEncoder: 'viem' })
    const { startBlock } = sim.world.chain
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'eth_getLogs',
      params: [{ fromBlock: hex(startBlock), toBlock: hex(startBlock + 1_999) }],
    })
    const [fast, slow] = await Promise.all(
      [sim, viem].map(async (s) => (await fetch(s.rpcUrl, { method: 'POST', body })).text()),
    )
    expect(fast?.length).toBeGreaterThan(100_000)
    expect(slow).toBe(fast)
  })

  it('serves logs that viem decodes with the real ABIs into the world fills', async () => {
    const tip = sim.world.chain.tip
    const reply = await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip - 1_999), toBlock: hex(tip) }])
    // Without an address filter the node sends every log: fills, ConditionalTokens' transfers, the
    // lifecycle events (test/steps/activity/simulator.test.ts reads those) and the wallet factories'
    // logs (world/owners.ts), which end their blocks.
    const all = reply.result as Log[]
    const logs = all.filter((log) => log.topics[0] === TOPIC0_V1 || log.topics[0] === TOPIC0_V2)
    const fills = [...sim.truth.fills(tip - 1_999, tip)]
    expect(logs.length).toBe(fills.length)
    const transfers = fills.reduce((sum, fill) => sum + sim.world.transfers.transfersOf(fill).length, 0)
    const transferTopics = new Set([TOPIC0.transferSingle, TOPIC0.transferBatch])
    expect(
      all.filter((log) => log.address === CONDITIONAL_TOKENS && transferTopics.has(log.topics[0] as Hex))
        .length,
    ).toBe(transfers)
    const factories = new Set<string>([SAFE_PROXY_FACTORY, GSN_RELAY_HUB])
    const ownerLogs = sim.world.owners.logs.filter((log) => log.block >= tip - 1_999 && log.block <= tip)
    expect(all.filter((log) => factories.has(log.address)).length).toBe(ownerLogs.length)
    // In (block, log index) order, each fill's transfers before its OrderFilled.
    const keys = all.map((log) => Number(log.blockNumber) * 1e7 + Number(log.logIndex))
    expect(keys).toEqual([...keys].sort((a, b) => a - b))
    const tokens = new Set([...sim.truth.markets()].flatMap((m) => m.clobTokenIds))
    for (const [i, log] of logs.entries()) {
      const fill = fills[i] as Fill
      const decoded = decodeEventLog({
        abi: fill.version === 1 ? V1_ABI : V2_ABI,
        data: log.data,
        topics: log.topics as [Hex, ...Hex[]],
      })
      const args = decoded.args as unknown as Record<string, unknown>
      const tokenId =
        fill.version === 1 ? (args.makerAssetId === 0n ? args.takerAssetId : args.makerAssetId) : args.tokenId
      expect(tokens.has(String(tokenId))).toBe(true)
      expect(String(args.maker).toLowerCase()).toBe(fill.maker)
      expect(String(args.taker).toLowerCase()).toBe(fill.taker)
      expect(args.fee).toBe(BigInt(fill.fee))
      expect(Number(log.blockNumber)).toBe(fill.blockNumber)
      expect(Number(log.blockTimestamp)).toBe(sim.world.chain.timestamp(fill.blockNumber))
      if (fill.version === 2) expect(args.side).toBe(fill.side === 'BUY' ? 0 : 1)
    }
  })
})

describe('provider limits', () => {
  // Dense chain: ~6–7 logs per block (fills, transfers, lifecycle and owner logs).
  const dense = { seed: 'limits', fills: 30_000, blocks: 20_000 }

  it('Alchemy: over 2K blocks and 10K logs → -32602 with a range that then works', async () => {
    const sim = await start({ ...dense, rpcLimits: 'alchemy' })
    const { startBlock, tip } = sim.world.chain
    const wide = await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(startBlock), toBlock: hex(tip) }])
    expect(wide.error?.code).toBe(-32602)
    expect(wide.error?.message).toMatch(
      /^Log response size exceeded\. You can make eth_getLogs requests with up to a 2K block range/,
    )
    const [, from, to] =
      /this block range should work: \[(0x[0-9a-f]+), (0x[0-9a-f]+)\]$/.exec(wide.error?.message ?? '') ?? []
    expect(Number(from)).toBe(startBlock)
    const fits = await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: from, toBlock: to }])
    expect((fits.result as Log[]).length).toBeLessThanOrEqual(10_000)
    expect((fits.result as Log[]).length).toBeGreaterThan(9_000)
    // Up to 2,000 blocks there is no cap at all.
    const narrow = await rpc(sim.rpcUrl, 'eth_getLogs', [
      { fromBlock: hex(startBlock), toBlock: hex(startBlock + 1_999) },
    ])
    expect(Array.isArray(narrow.result)).toBe(true)
    expect(sim.stats().endpoints.rpc?.providerLimitErrors).toBe(1)
  })

  it('Infura: over 10K logs → -32005 with data {from, limit, to} and its suggested range', async () => {
    const sim = await start({ ...dense, rpcLimits: 'infura' })
    const { startBlock, tip } = sim.world.chain
    const wide = await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(startBlock), toBlock: hex(tip) }])
    expect(wide.error?.code).toBe(-32005)
    expect(wide.error?.message).toMatch(
      /^query returned more than 10000 results\. Try with this block range \[0x[0-9A-F]+, 0x[0-9A-F]+\]\.$/,
    )
    const data = wide.error?.data as { from: string; to: string; limit: number }
    expect(data.limit).toBe(10_000)
    const fits = await rpc(sim.rpcUrl, 'eth_getLogs', [
      { fromBlock: data.from.toLowerCase(), toBlock: data.to.toLowerCase() },
    ])
    expect((fits.result as Log[]).length).toBeLessThanOrEqual(10_000)
  })

  it('QuickNode: more than 10,000 blocks → -32614, whatever the result size', async () => {
    const sim = await start({ ...dense, rpcLimits: 'quicknode' })
    const { startBlock } = sim.world.chain
    const wide = await rpc(sim.rpcUrl, 'eth_getLogs', [
      { fromBlock: hex(startBlock), toBlock: hex(startBlock + 10_000) },
    ])
    expect(wide.error).toEqual({ code: -32614, message: 'eth_getLogs is limited to a 10,000 range' })
    const ok = await rpc(sim.rpcUrl, 'eth_getLogs', [
      { fromBlock: hex(startBlock), toBlock: hex(startBlock + 9_999) },
    ])
    expect(Array.isArray(ok.result)).toBe(true)
  })
})

describe('the simulator memory cap', () => {
  it('refuses a single reply of more than 150,000 logs even without provider limits', async () => {
    const sim = await start({ seed: 'cap', fills: 160_000, blocks: 2_000, wallets: 100, rpcLimits: 'none' })
    const { startBlock, tip } = sim.world.chain
    const reply = await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(startBlock), toBlock: hex(tip) }])
    expect(reply.error?.code).toBe(-32005)
    expect(reply.error?.message).toMatch(
      /^query returned more than 150000 results\. Try with this block range \[0x[0-9a-f]+, 0x[0-9a-f]+\]\. \(simulator memory cap\)$/,
    )
  })
})

describe('blocks, filters and batches', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start({ seed: 'blocks', fills: 3_000, blocks: 5_000 })
  })

  it('answers chain id, tip, blocks by number and tag, and null past the tip', async () => {
    const { tip } = sim.world.chain
    expect((await rpc(sim.rpcUrl, 'eth_chainId')).result).toBe('0x89')
    expect((await rpc(sim.rpcUrl, 'eth_blockNumber')).result).toBe(hex(tip))
    const latest = (await rpc(sim.rpcUrl, 'eth_getBlockByNumber', ['latest', false])).result as Record<
      string,
      string
    >
    const previous = (await rpc(sim.rpcUrl, 'eth_getBlockByNumber', [hex(tip - 1), false])).result as Record<
      string,
      string
    >
    expect(latest.number).toBe(hex(tip))
    expect(latest.parentHash).toBe(previous.hash)
    expect(Number(latest.timestamp) - Number(previous.timestamp)).toBeGreaterThanOrEqual(2)
    const finalized = (await rpc(sim.rpcUrl, 'eth_getBlockByNumber', ['finalized', false])).result as Record<
      string,
      string
    >
    expect(Number(finalized.number)).toBeLessThan(tip)
    expect((await rpc(sim.rpcUrl, 'eth_getBlockByNumber', [hex(tip + 1), false])).result).toBeNull()
    expect(
      (await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip), toBlock: hex(tip + 1) }])).error?.code,
    ).toBe(-32602)
    expect((await rpc(sim.rpcUrl, 'eth_sendRawTransaction', ['0x'])).error?.code).toBe(-32601)
  })

  it('filters by address and topics, and answers batches in order', async () => {
    const { startBlock, tip } = sim.world.chain
    const all = [...sim.truth.fills(startBlock, tip)]
    const v2NegRisk = all.filter((f) => f.version === 2 && f.negRisk)
    const someMaker = (all[0] as Fill).maker
    const response = await fetch(sim.rpcUrl, {
      method: 'POST',
      body: JSON.stringify([
        {
          jsonrpc: '2.0',
          id: 'a',
          method: 'eth_getLogs',
          params: [
            {
              fromBlock: hex(startBlock),
              toBlock: hex(tip),
              address: '0xE2222D279D744050D28E00520010520000310F59',
            },
          ],
        },
        {
          jsonrpc: '2.0',
          id: 'b',
          method: 'eth_getLogs',
          params: [
            {
              fromBlock: hex(startBlock),
              toBlock: hex(tip),
              topics: [TOPIC0_V1, null, `0x${someMaker.slice(2).padStart(64, '0')}`],
            },
          ],
        },
      ]),
    })
    const [a, b] = (await response.json()) as Array<{ id: string; result: Log[] }>
    expect(a?.id).toBe('a')
    // The exchange's logs: its fills, and the FeeCharged of those that paid a fee.
    expect(a?.result.length).toBe(v2NegRisk.length + v2NegRisk.filter((f) => f.fee > 0).length)
    expect(b?.result.length).toBe(all.filter((f) => f.version === 1 && f.maker === someMaker).length)
  })
})

describe('reorgs', () => {
  it('rewrite the last blocks: new hashes and (block, logIndex) keys, same fills and positions', async () => {
    const sim = await start({ seed: 'reorg', fills: 6_000, blocks: 3_000 })
    const { tip } = sim.world.chain
    const before = (await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip - 9), toBlock: hex(tip) }]))
      .result as Log[]
    const hashBefore = (
      (await rpc(sim.rpcUrl, 'eth_getBlockByNumber', ['latest', false])).result as { hash: string }
    ).hash
    const economics = () => {
      const sizes = new Map<number, number>()
      let volume = 0
      for (const fill of sim.truth.fills(sim.world.chain.startBlock, tip)) {
        sizes.set(fill.position, (sizes.get(fill.position) ?? 0) + fill.positionDelta)
        if (fill.isTakerLeg) volume += fill.collateral
      }
      return JSON.stringify({ sizes: [...sizes].sort(([a], [b]) => a - b), volume })
    }
    const economicsBefore = economics()
    sim.reorg(10)
    const after = (await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip - 9), toBlock: hex(tip) }]))
      .result as Log[]
    const hashAfter = (
      (await rpc(sim.rpcUrl, 'eth_getBlockByNumber', ['latest', false])).result as { hash: string }
    ).hash
    expect(hashAfter).not.toBe(hashBefore)
    const content = (logs: Log[]) => logs.map((l) => `${l.topics[1]}${l.data}`).sort()
    expect(content(after)).toEqual(content(before))
    const keys = (logs: Log[]) =>
      new Set(logs.map((l) => `${l.blockNumber}/${l.logIndex}/${l.transactionHash}`))
    const kept = [...keys(after)].filter((key) => keys(before).has(key))
    expect(kept).toHaveLength(0)
    expect(economics()).toBe(economicsBefore)
  })

  it('happens once, after the tip has been read, with the reorg fault', async () => {
    const sim = await start({ seed: 'reorg-fault', fills: 3_000, blocks: 3_000, faults: 'reorg=6' })
    const { tip } = sim.world.chain
    const latest = async () =>
      ((await rpc(sim.rpcUrl, 'eth_getBlockByNumber', ['latest', false])).result as { hash: string }).hash
    const early = await latest()
    await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip - 100), toBlock: hex(tip - 50) }])
    expect(await latest()).toBe(early)
    await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip - 100), toBlock: hex(tip) }])
    const reorged = await latest()
    expect(reorged).not.toBe(early)
    expect(sim.stats().forkEpoch).toBe(1)
    await rpc(sim.rpcUrl, 'eth_getLogs', [{ fromBlock: hex(tip - 100), toBlock: hex(tip) }])
    expect(await latest()).toBe(reorged)
    const finalized = (await rpc(sim.rpcUrl, 'eth_getBlockByNumber', ['finalized', false])).result as {
      number: string
    }
    expect(Number(finalized.number)).toBeLessThanOrEqual(tip - 6)
  })
})
