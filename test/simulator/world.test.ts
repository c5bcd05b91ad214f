// The world is consistent, checked only through the HTTP APIs and the real ABIs, the way the
// pipeline will see it: every fill's token is in some market's clobTokenIds; each wallet's Data
// API positions equal what its fills add up to (the rule in world/fills.ts, re-derived here from
// decoded logs alone); every wallet with positions is a maker on chain; matched volume agrees.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type Abi, decodeEventLog, type Hex } from 'viem'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { EXCHANGE_ADDRESSES, TOPIC0 } from '../../extract/chain/contracts.ts'
import { positionV1Schema } from '../../extract/data-api/schemas.ts'
import { gammaMarketSchema, marketsKeysetPageSchema } from '../../extract/gamma/schemas.ts'
import { get, hex, rpc } from '../../simulator/client.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { unitsToDecimal } from '../../simulator/world/truth.ts'

const ABI_DIR = path.resolve(import.meta.dirname, '../fixtures/polymarket/chain/abi')
const V1_ABI = JSON.parse(
  readFileSync(path.join(ABI_DIR, 'Exchange.v1.polymarket-subgraph.json'), 'utf8'),
) as Abi
const V2_ABI = JSON.parse(readFileSync(path.join(ABI_DIR, 'CTFExchangeV2.autonolas.json'), 'utf8')) as Abi
const V2_EXCHANGES = new Set([
  '0xe111180000d2663c0091e4f400237545b87b996b',
  '0xe2222d279d744050d28e00520010520000310f59',
])

let sim: Simulator
const tokens = new Set<string>()
/** wallet → token → shares (1e-6 units), from decoded logs only. */
const chainPositions = new Map<string, Map<string, bigint>>()
const makers = new Set<string>()
const walletTakers = new Set<string>()
let takerLegVolume = 0n
let fillCount = 0

beforeAll(async () => {
  sim = await startSimulator({
    seed: 'world',
    markets: 400,
    wallets: 50,
    fills: 8_000,
    blocks: 8_000,
    rateLimits: false,
  })
  for (const closed of ['true', 'false']) {
    let cursor: string | undefined
    do {
      const page = marketsKeysetPageSchema.parse(
        (
          await get(sim.gammaUrl, '/markets/keyset', {
            closed,
            limit: 100,
            ...(cursor ? { after_cursor: cursor } : {}),
          })
        ).json,
      )
      for (const raw of page.records)
        for (const id of gammaMarketSchema.parse(raw).clobTokenIds) tokens.add(id)
      cursor = page.nextCursor
    } while (cursor)
  }
  const { startBlock, tip } = sim.world.chain
  for (let from = startBlock; from <= tip; from += 2_000) {
    const reply = await rpc(sim.rpcUrl, 'eth_getLogs', [
      // The exchanges' OrderFilled logs only: ConditionalTokens' transfers are the transfers tests'
      // subject, the exchanges' FeeCharged the activity tests'.
      {
        fromBlock: hex(from),
        toBlock: hex(Math.min(tip, from + 1_999)),
        address: [...EXCHANGE_ADDRESSES],
        topics: [[TOPIC0.orderFilledV1, TOPIC0.orderFilledV2]],
      },
    ])
    for (const log of reply.result as Array<{ address: string; data: Hex; topics: [Hex, ...Hex[]] }>) {
      const v2 = V2_EXCHANGES.has(log.address)
      const { args } = decodeEventLog({
        abi: v2 ? V2_ABI : V1_ABI,
        data: log.data,
        topics: log.topics,
      }) as unknown as { args: Record<string, bigint | string | number> }
      const buy = v2 ? Number(args.side) === 0 : args.makerAssetId === 0n
      const token = String(v2 ? args.tokenId : buy ? args.takerAssetId : args.makerAssetId)
      const making = args.makerAmountFilled as bigint
      const taking = args.takerAmountFilled as bigint
      const fee = args.fee as bigint
      const delta = buy ? taking - (v2 ? 0n : fee) : -making
      const maker = String(args.maker).toLowerCase()
      const taker = String(args.taker).toLowerCase()
      const held = chainPositions.get(maker) ?? new Map<string, bigint>()
      held.set(token, (held.get(token) ?? 0n) + delta)
      chainPositions.set(maker, held)
      tokens.has(token) || expect.fail(`fill token ${token} is in no market's clobTokenIds`)
      makers.add(maker)
      if (taker === log.address) takerLegVolume += buy ? making : taking
      else walletTakers.add(taker)
      fillCount++
    }
  }
})
afterAll(() => sim.close())

it('serves every fill once, each on a token some market lists', () => {
  expect(fillCount).toBe(sim.options.fills)
})

it('gives each wallet Data API positions equal, to the unit, to what its fills add up to', async () => {
  // Splits, merges, redemptions and conversions (world/lifecycle.ts) move some positions away from
  // what trading alone leaves: those are compared in test/steps/chain/simulator.test.ts, here only
  // the tokens the lifecycle left alone.
  let compared = 0
  let lifecycle = 0
  for (const wallet of sim.truth.wallets()) {
    const moved = new Set(
      sim.world
        .walletBook(sim.world.ledger.walletByAddress(wallet))
        .filter((state) => state.size !== state.traded)
        .map((state) => sim.world.catalog.tokenIdDecimal(state.token)),
    )
    lifecycle += moved.size
    const rows = []
    for (let offset = 0; ; offset += 500) {
      const page = (
        await get(sim.dataApiUrl, '/positions', { user: wallet, limit: 500, offset, sizeThreshold: 0 })
      ).json as unknown[]
      rows.push(...page.map((row) => positionV1Schema.parse(row)))
      if (page.length < 500) break
    }
    const fromChain = chainPositions.get(wallet) ?? new Map<string, bigint>()
    const expected = new Map(
      [...fromChain]
        .filter(([token, units]) => units !== 0n && !moved.has(token))
        .map(([token, units]) => [token, unitsToDecimal(units)]),
    )
    const served = rows.filter((row) => !moved.has(row.asset))
    expect(new Map(served.map((row) => [row.asset, row.size]))).toEqual(expected)
    for (const units of fromChain.values()) expect(units >= 0n).toBe(true)
    compared += served.length
  }
  expect(compared).toBeGreaterThan(lifecycle)
})

it('has every wallet with positions on chain as a maker, and every non-exchange taker among them', () => {
  expect([...makers].sort()).toEqual([...sim.truth.wallets()].sort())
  for (const taker of walletTakers) expect(makers.has(taker)).toBe(true)
  expect(walletTakers.size).toBeGreaterThan(0)
})

it('reports the matched volume (taker legs only) that the logs add up to', () => {
  const totals = sim.truth.fillTotals()
  expect(totals.matchedVolumeUsdc).toBe(unitsToDecimal(takerLegVolume))
  expect(totals.takerLegs + totals.makerFills).toBe(fillCount)
})
