// The RPC side of the chain benches, in its own process so that serving logs does not share the
// pipeline's event loop: the simulator's Polygon JSON-RPC for a world of `--fills` fills. Prints one
// JSON line ({ rpcUrl, statsUrl, startBlock, tip, fills }) when ready; stops on SIGTERM.
//
// `--replay-span N` stands in for a remote provider, whose work costs this machine nothing: the
// eth_getLogs replies of every N-block range from the start block are rendered by the simulator
// before the ready line and then served from memory, so serving them costs a copy instead of the
// simulator's ~7 µs of CPU per log on the cores the pipeline runs on. Every other call (and a range
// that was not rendered) goes to the simulator. The pipeline must ask for exactly those ranges:
// bench/chain-ingest.ts fixes its range size to N, which must hold at most half the engine's
// TARGET_LOGS_PER_REQUEST of logs or the engine shrinks its ranges (1,000 blocks at 5 fills a block).
//
// Run by bench/chain-ingest.ts and bench/rpc-reply-reuse.ts; alone: npx tsx bench/chain-source.ts --fills 1000000
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { ACTIVITY_FILTER } from '../extract/chain/activity-events.ts'
import { FILLS_FILTER, TRANSFERS_FILTER } from '../extract/chain/contracts.ts'
import { startSimulator } from '../simulator/index.ts'

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    blocks: { type: 'string' },
    wallets: { type: 'string', default: '20000' },
    markets: { type: 'string', default: '20000' },
    limits: { type: 'string', default: 'none' },
    seed: { type: 'string', default: 'chain-bench' },
    'replay-span': { type: 'string' },
    stream: { type: 'string', default: 'fills' },
  },
})
const fills = Number(values.fills)
const simulator = await startSimulator({
  seed: values.seed,
  fills,
  // Five fills per block by default: Polymarket's density in 2025–26 is of that order.
  blocks: Number(values.blocks ?? Math.max(1_000, Math.round(fills / 5))),
  wallets: Number(values.wallets),
  markets: Number(values.markets),
  rpcLimits: values.limits as 'none',
  rateLimits: false,
})
const chain = simulator.world.chain
const ready = {
  rpcUrl: simulator.rpcUrl,
  statsUrl: `${simulator.gammaUrl}/__stats`,
  startBlock: chain.startBlock,
  tip: chain.tip,
  fills,
}
let replay: http.Server | undefined
if (values['replay-span'] !== undefined) {
  const filter = { fills: FILLS_FILTER, transfers: TRANSFERS_FILTER, activity: ACTIVITY_FILTER }[
    values.stream as 'fills' | 'transfers' | 'activity'
  ]
  if (!filter) throw new Error('--stream: fills, transfers or activity')
  replay = await startReplay(Number(values['replay-span']), filter)
  const url = `http://127.0.0.1:${(replay.address() as AddressInfo).port}`
  Object.assign(ready, { rpcUrl: url, statsUrl: `${url}/__stats` })
}
process.stdout.write(`${JSON.stringify(ready)}\n`)
await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve)
  process.once('SIGINT', resolve)
})
replay?.closeAllConnections()
replay?.close()
await simulator.close()

/** The replay server: rendered getLogs results by "from-to", everything else passed to the simulator. */
async function startReplay(span: number, filter: { address: readonly string[]; topics: readonly unknown[] }) {
  const hex = (n: number) => `0x${n.toString(16)}`
  const filterKey = JSON.stringify([filter.address, filter.topics])
  const results = new Map<string, Buffer>()
  for (let from = chain.startBlock; from <= chain.tip; from += span) {
    const to = Math.min(chain.tip, from + span - 1)
    const params = [
      { address: filter.address, topics: filter.topics, fromBlock: hex(from), toBlock: hex(to) },
    ]
    const { body } = await post(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'eth_getLogs', params }))
    const prefix = '{"jsonrpc":"2.0","id":0,"result":'
    if (body.toString('latin1', 0, prefix.length) !== prefix) {
      throw new Error(`the simulator refused [${from}, ${to}]: ${body.toString('utf8', 0, 200)}`)
    }
    results.set(`${from}-${to}`, body.subarray(prefix.length, body.length - 1))
  }
  const stats = { requests: 0, bytes: 0, replayed: 0 }
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    if (request.url === '/__stats') {
      response.end(JSON.stringify({ endpoints: { rpc: stats } }))
      return
    }
    stats.requests++
    const call = JSON.parse(text) as { id?: unknown; method?: string; params?: unknown[] }
    const wanted = call.method === 'eth_getLogs' ? (call.params?.[0] as Record<string, string>) : undefined
    const result =
      wanted && JSON.stringify([wanted.address, wanted.topics]) === filterKey
        ? results.get(`${Number(wanted.fromBlock)}-${Number(wanted.toBlock)}`)
        : undefined
    let status = 200
    let pieces: Buffer[]
    if (result) {
      stats.replayed++
      pieces = [
        Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(call.id)},"result":`),
        result,
        Buffer.from('}'),
      ]
    } else {
      const forwarded = await post(text)
      status = forwarded.status
      pieces = [forwarded.body]
    }
    response.writeHead(status, { 'content-type': 'application/json' })
    for (const piece of pieces) {
      stats.bytes += piece.length
      response.write(piece)
    }
    response.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/** A request to the simulator's RPC: its status and body. */
async function post(body: string): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(simulator.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) }
}
