// Self-check of the simulator alone: concurrent clients drive each rate-limited
// endpoint at its documented limit (honouring Retry-After) and the RPC at full speed; prints
// admitted rates against the limits, the most admitted in any window, 429s, latency, records/s
// and MB/s, and the process's peak RSS. Never fails on timing.
//
//   npx tsx bench/simulator-selfcheck.ts [--seconds 21] [--clients 8] [--markets 20000] [--wallets 2000] [--fills 1000000]
import { startSimulator } from '../simulator/index.ts'
import { machineLine, selfPeakRssMiB } from './machine.ts'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
/** Seconds per endpoint: two full 10 s windows after the first. */
const SECONDS = flag('seconds', 21)
const CLIENTS = flag('clients', 8)
const SCALE = {
  markets: flag('markets', 20_000),
  wallets: flag('wallets', 2_000),
  fills: flag('fills', 1_000_000),
  blocks: flag('blocks', 1_000_000),
}

interface Sample {
  at: number
  status: number
  ms: number
  bytes: number
  records: number
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits })

function retryAfterMs(value: string | null): number {
  if (!value) return 1_000
  return /^\d+$/.test(value) ? Number(value) * 1000 : Math.max(0, Date.parse(value) - Date.now())
}

/** Runs `clients` loops for SECONDS; each loop asks `next(client, i)` for a URL and how to count records. */
async function drive(
  next: (client: number, i: number) => { url: string; init?: RequestInit; count: (text: string) => number },
): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = []
  const started = performance.now()
  const deadline = started + SECONDS * 1000
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const request = next(client, i)
        const sent = performance.now()
        const response = await fetch(request.url, request.init)
        const text = await response.text()
        const at = performance.now()
        samples.push({
          at: at - started,
          status: response.status,
          ms: at - sent,
          bytes: text.length,
          records: response.status === 200 ? request.count(text) : 0,
        })
        if (response.status === 429) {
          const wait = Math.min(
            retryAfterMs(response.headers.get('retry-after')),
            deadline - performance.now(),
          )
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        }
      }
    }),
  )
  return { samples, seconds: (performance.now() - started) / 1000 }
}

function report(name: string, run: { samples: Sample[]; seconds: number }, bucket?: string) {
  const ok = run.samples.filter((s) => s.status === 200)
  const limited = run.samples.filter((s) => s.status === 429).length
  const latencies = ok.map((s) => s.ms).sort((a, b) => a - b)
  const records = ok.reduce((a, s) => a + s.records, 0)
  const bytes = run.samples.reduce((a, s) => a + s.bytes, 0)
  const lines = [`-- ${name}: ${CLIENTS} clients for ${fmt(run.seconds)} s`]
  lines.push(
    `   requests ${run.samples.length}, ok ${ok.length}, 429 ${limited}; ok ${fmt(ok.length / run.seconds)} req/s`,
  )
  const limit = bucket ? sim.stats().buckets[bucket] : undefined
  if (limit) {
    // A sliding window admits at most limit × (⌊T/W⌋ + 1) in T seconds (a full window at the start, then one per window).
    const windows = Math.floor((run.seconds * 1000) / limit.windowMs) + 1
    const allowed = limit.limit / (limit.windowMs / 1000)
    lines.push(
      `   documented ${limit.limit} per ${limit.windowMs / 1000} s (${fmt(allowed)} req/s): at most ${limit.limit * windows} in this run, admitted ${ok.length} (${fmt(ok.length / (limit.limit * windows), 3)} of that); most in any window (server clock): ${limit.maxInWindow}`,
    )
  }
  lines.push(
    `   latency p50 ${fmt(percentile(latencies, 0.5))} ms, p95 ${fmt(percentile(latencies, 0.95))} ms; ${fmt(records / run.seconds, 0)} records/s; ${fmt(bytes / run.seconds / 2 ** 20, 2)} MiB/s`,
  )
  process.stdout.write(`${lines.join('\n')}\n`)
}

process.stdout.write(`${machineLine()}\n`)
let started = performance.now()
const sim = await startSimulator({ seed: 'selfcheck', ...SCALE })
process.stdout.write(
  `world: ${fmt(SCALE.markets, 0)} markets, ${fmt(SCALE.wallets, 0)} wallets (${fmt(sim.world.ledger.positionCount, 0)} positions), ${fmt(SCALE.fills, 0)} fills over ${fmt(SCALE.blocks, 0)} blocks; built in ${fmt(performance.now() - started, 0)} ms, RSS ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB\n`,
)
const count = (key: string) => (text: string) => text.split(key).length - 1

// Gamma /markets/keyset: each client walks its own slice (closed × start-date window), looping.
const cursors = new Map<number, string | undefined>()
const nextCursor = (client: number, text: string) => {
  const match = /"next_cursor":"([^"]+)"/.exec(text)
  cursors.set(client, match?.[1])
}
report(
  'gamma /markets/keyset (300 per 10 s)',
  await drive((client) => {
    const cursor = cursors.get(client)
    const params = new URLSearchParams({ closed: String(client % 2 === 0), limit: '100' })
    if (cursor) params.set('after_cursor', cursor)
    return {
      url: `${sim.gammaUrl}/markets/keyset?${params}`,
      count: (text) => {
        nextCursor(client, text)
        return count('"conditionId"')(text)
      },
    }
  }),
  'gamma-markets',
)
cursors.clear()
report(
  'gamma /events/keyset (500 per 10 s)',
  await drive((client) => {
    const cursor = cursors.get(client)
    const params = new URLSearchParams({ closed: String(client % 2 === 0), limit: '500' })
    if (cursor) params.set('after_cursor', cursor)
    return {
      url: `${sim.gammaUrl}/events/keyset?${params}`,
      count: (text) => {
        nextCursor(client, text)
        return count('"ticker"')(text)
      },
    }
  }),
  'gamma-events',
)
const wallets = sim.truth.wallets()
report(
  'data /positions (150 per 10 s)',
  await drive((client, i) => ({
    url: `${sim.dataApiUrl}/positions?user=${wallets[(client * 997 + i) % wallets.length]}&limit=500&sizeThreshold=0`,
    count: count('"proxyWallet"'),
  })),
  'data-positions',
)
// RPC has no documented limit: this measures how fast the simulator serves logs (2K-block ranges).
const { startBlock, tip } = sim.world.chain
let nextFrom = startBlock
report(
  'rpc eth_getLogs, 2,000-block ranges (no rate limit)',
  await drive(() => {
    const from = nextFrom > tip ? startBlock : nextFrom
    nextFrom = from + 2_000
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_getLogs',
      params: [
        { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${Math.min(tip, from + 1_999).toString(16)}` },
      ],
    })
    return { url: sim.rpcUrl, init: { method: 'POST', body }, count: count('"logIndex"') }
  }),
)
started = performance.now()
await sim.close()
process.stdout.write(`peak RSS of this process (simulator + clients): ${fmt(selfPeakRssMiB())} MiB\n`)
