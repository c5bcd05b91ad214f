// Several RPC endpoints against one: the chain step over 1, 2, … N simulated endpoints, each limited
// to the same calls per second by the server (429 past it), the client's limiter per endpoint set a
// little below (`--client-rate`, so the figures show the limits, not recoveries from 429s), ranges
// of a fixed span so every run makes the same eth_getLogs calls; wall time, calls/s and fills/s per
// endpoint count, and the speed-up over one endpoint (ideally N×). Calls/s are measured while the
// calls are made (first to last eth_getLogs the simulator served, sampled every 20 ms): the step's
// fixed costs (chain id, heads, reorg checks, the last commit) are in the wall time, not in the rate.
// Prints figures; never fails on time.
//
//   npx tsx bench/rpc-endpoints.ts [--endpoints 3] [--rate 20] [--client-rate 18] [--span 1000]
//                                  [--blocks 300000] [--fills 30000] [--latency 50±25] [--repeat 1]
//
// With `--repeat K` every endpoint count runs K times (1, 2, … N, then again) and the medians close.
import os from 'node:os'
import { parseArgs } from 'node:util'
import { stepContext } from '../bench/shared/step-context.ts'
import { openWarehouse } from '../load/warehouse.ts'
import { type RpcEndpointOptions, startSimulator } from '../simulator/index.ts'
import { createChainStep, resolveChainOptions } from '../steps/chain/index.ts'
import { tempDir } from './shared/cli.ts'

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '3' },
    rate: { type: 'string', default: '20' },
    'client-rate': { type: 'string', default: '18' },
    span: { type: 'string', default: '1000' },
    blocks: { type: 'string', default: '300000' },
    fills: { type: 'string', default: '30000' },
    latency: { type: 'string', default: '50±25' },
    repeat: { type: 'string', default: '1' },
  },
})
const endpointCount = Number(values.endpoints)
const rate = Number(values.rate)
const clientRate = Number(values['client-rate'])
const span = Number(values.span)
const perSecond = { limit: rate, windowMs: 1_000 }
const extra: RpcEndpointOptions = { rate: perSecond, rpcLimits: 'none', latency: values.latency }

const sim = await startSimulator({
  seed: 'bench-rpc-endpoints',
  markets: 200,
  wallets: 100,
  fills: Number(values.fills),
  blocks: Number(values.blocks),
  rpcLimits: 'none',
  latency: values.latency,
  rateLimits: { rpc: perSecond },
  rpcEndpoints: Array.from({ length: endpointCount - 1 }, () => extra),
})
const { startBlock, tip } = sim.world.chain
const calls = Math.ceil((tip - startBlock + 1) / span)
process.stdout.write(
  `chain step, blocks ${startBlock}–${tip} (${sim.truth.summary().chain.fills.toLocaleString('en-US')} fills) in ranges of ${span} blocks: ` +
    `${calls} eth_getLogs calls; each endpoint limited to ${rate} calls/s, the client pacing each at ${clientRate}/s (latency ${values.latency} ms)\n` +
    `load average before: ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} (${os.cpus().length} cores)\n\n`,
)

/** Per endpoint so far: eth_getLogs calls answered, requests refused at the limit, the most admitted in one second. */
function served(): { getLogs: number; refused: number; maxInWindow: number }[] {
  return [sim.stats(), ...sim.rpcEndpointStats()].map((stats) => ({
    getLogs: stats.rpcCalls.eth_getLogs ?? 0,
    refused: stats.endpoints.rpc?.rateLimited ?? 0,
    maxInWindow: stats.buckets.rpc?.maxInWindow ?? 0,
  }))
}

const rates = new Map<number, number[]>()
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
try {
  const runs = Array.from({ length: Number(values.repeat) }, () =>
    Array.from({ length: endpointCount }, (_, i) => i + 1),
  ).flat()
  for (const count of runs) {
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir: `${tempDir()}/warehouse` })
    try {
      const context = await stepContext(warehouse)
      const options = resolveChainOptions(
        {
          rpcUrl: sim.rpcUrls.slice(0, count),
          rate: `rpc=${clientRate}/s`,
          confirmations: '0',
          fromBlock: startBlock,
        },
        {},
      )
      const step = createChainStep(options, { adaptive: { initial: span, max: span } })
      const before = served()
      const total = () => served().reduce((sum, entry) => sum + entry.getLogs, 0)
      const base = total()
      const samples: { at: number; calls: number }[] = []
      const sampler = setInterval(() => samples.push({ at: performance.now(), calls: total() - base }), 20)
      const started = performance.now()
      const outcome = await step.run(context)
      const seconds = (performance.now() - started) / 1000
      clearInterval(sampler)
      const after = served()
      if (!outcome.complete)
        throw new Error(`run with ${count} endpoints incomplete: ${JSON.stringify(outcome.failures)}`)
      const made = after.reduce((sum, entry, i) => sum + entry.getLogs - (before[i]?.getLogs ?? 0), 0)
      const refused = after.reduce((sum, entry, i) => sum + entry.refused - (before[i]?.refused ?? 0), 0)
      // From the first sample with a call served to the first with all of them.
      const first = samples.find((sample) => sample.calls > 0)
      const last = samples.find((sample) => sample.calls === made)
      const fetching = first && last && last.at > first.at ? (last.at - first.at) / 1000 : seconds
      const callsPerSecond = (made - (first?.calls ?? 0)) / fetching
      rates.set(count, [...(rates.get(count) ?? []), callsPerSecond])
      const single = median(rates.get(1) ?? [callsPerSecond])
      const shares = after
        .slice(0, count)
        .map((entry, i) => `${entry.getLogs - (before[i]?.getLogs ?? 0)}`)
        .join('/')
      process.stdout.write(
        `${count} endpoint${count === 1 ? ' ' : 's'}: ${seconds.toFixed(2)} s · ${made} eth_getLogs (${shares} per endpoint), ${refused} refused (429) · ` +
          `${callsPerSecond.toFixed(1)} calls/s while fetching (${fetching.toFixed(2)} s) of ${count * clientRate} paced · ${Math.round(outcome.rows / seconds).toLocaleString('en-US')} fills/s · ` +
          `${(callsPerSecond / single).toFixed(2)}× one endpoint (ideal ${count}×)\n`,
      )
    } finally {
      await warehouse.close()
    }
  }
  if (Number(values.repeat) > 1) {
    process.stdout.write('\nmedians:\n')
    const single = median(rates.get(1) ?? [])
    for (const [count, measured] of rates) {
      const rate = median(measured)
      process.stdout.write(
        `  ${count} endpoint${count === 1 ? ' ' : 's'}: ${rate.toFixed(1)} calls/s while fetching (of ${measured.map((value) => value.toFixed(1)).join(', ')}) · ${(rate / single).toFixed(2)}× one endpoint (ideal ${count}×)\n`,
      )
    }
  }
  const peaks = served()
    .map((entry) => entry.maxInWindow)
    .join('/')
  process.stdout.write(
    `\nmost calls any endpoint admitted in one second: ${peaks} (limit ${rate})\n` +
      `load average after: ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}\n`,
  )
} finally {
  await sim.close()
}
