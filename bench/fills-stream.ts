// Streaming 10,000,000 fills with bounded memory. Two measurements:
//   generate: this process builds the world and generates every fill as eth_getLogs JSON, in
//             chain order, block range by block range (what the RPC serves), then the truth pass.
//   http:     `polyhouse simulate` runs as a child; this process walks eth_getLogs over the whole
//             chain in 2,000-block ranges (Alchemy limits) with N concurrent clients; the
//             simulator's peak RSS is its VmHWM read just before it is stopped.
//
//   npx tsx bench/fills-stream.ts [--mode generate|http|both] [--fills 10000000] [--blocks 5000000] [--clients 2]
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { World } from '../simulator/world/index.ts'
import { type BlockParts, blockParts, JsonBuffer, writeLog } from '../simulator/world/log-writer.ts'
import { Truth } from '../simulator/world/truth.ts'
import { machineLine, selfPeakRssMiB, vmHwmKiB } from './machine.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? (args[i + 1] as string) : fallback
}
const FILLS = Number(option('fills', '10000000'))
/** 5M blocks (~4 months of 2 s blocks): 2 fills per block on average at 10M fills. */
const BLOCKS = Number(option('blocks', '5000000'))
const MODE = option('mode', 'both')
const CLIENTS = Number(option('clients', '2'))
/** Alchemy answers 2,000-block ranges whatever their size (limits.ts). */
const RANGE = 2_000
const SHAPE = {
  seed: 'fills-stream',
  markets: 20_000,
  wallets: 10_000,
  fills: FILLS,
  blocks: BLOCKS,
  driftRate: 0,
}
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits })
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20)} MiB`

function generate(): void {
  let started = performance.now()
  const world = new World(SHAPE)
  const built = performance.now() - started
  process.stdout.write(
    `generate: world of ${fmt(SHAPE.markets, 0)} markets, ${fmt(SHAPE.wallets, 0)} wallets, ${fmt(world.ledger.positionCount, 0)} positions built in ${fmt(built, 0)} ms; RSS ${mib(process.memoryUsage().rss)}\n`,
  )
  started = performance.now()
  const { chain } = world
  let logs = 0
  let bytes = 0
  let maxRss = 0
  for (let from = chain.startBlock; from <= chain.tip; from += RANGE) {
    // One response body per 2,000-block range, written as the RPC writes it.
    const out = new JsonBuffer()
    let parts: BlockParts = blockParts(-1, '', 0)
    out.write('[')
    for (const fill of world.fills.fillsInBlocks(from, Math.min(chain.tip, from + RANGE - 1))) {
      if (fill.blockNumber !== parts.block)
        parts = blockParts(
          fill.blockNumber,
          chain.blockHash(fill.blockNumber),
          chain.timestamp(fill.blockNumber),
        )
      if (out.length > 1) out.write(',')
      writeLog(out, fill, parts)
      logs++
    }
    out.write(']')
    bytes += out.length
    if ((from - chain.startBlock) % (RANGE * 250) === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss)
  }
  const seconds = (performance.now() - started) / 1000
  process.stdout.write(
    `generate: ${fmt(logs, 0)} fills as log JSON (${fmt(bytes / 2 ** 30, 2)} GiB) in ${fmt(seconds)} s = ${fmt(logs / seconds, 0)} fills/s; RSS sampled max ${mib(maxRss)}\n`,
  )
  started = performance.now()
  const totals = new Truth(world).fillTotals()
  process.stdout.write(
    `generate: truth pass over ${fmt(totals.count, 0)} fills in ${fmt((performance.now() - started) / 1000)} s (matched volume ${totals.matchedVolumeUsdc} USDC); peak RSS of this process ${fmt(selfPeakRssMiB())} MiB\n`,
  )
}

async function http(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/polyhouse.js'),
      'simulate',
      '--seed',
      SHAPE.seed,
      '--markets',
      String(SHAPE.markets),
      '--wallets',
      String(SHAPE.wallets),
      '--fills',
      String(FILLS),
      '--blocks',
      String(BLOCKS),
      '--rpc-limits',
      'alchemy',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /POLYGON_RPC_URL=(\S+)/.exec(output)
      if (match) resolve(match[1] as string)
    })
    child.on('exit', (code) => reject(new Error(`simulate exited with ${code}`)))
  })
  const startBlock = 33_605_403
  const tip = startBlock + BLOCKS - 1
  let next = startBlock
  let logs = 0
  let bytes = 0
  let errors = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next <= tip) {
        const from = next
        next += RANGE
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_getLogs',
          params: [
            {
              fromBlock: `0x${from.toString(16)}`,
              toBlock: `0x${Math.min(tip, from + RANGE - 1).toString(16)}`,
            },
          ],
        })
        const text = await (await fetch(rpcUrl, { method: 'POST', body })).text()
        if (!text.includes('"result"')) errors++
        logs += text.split('"logIndex"').length - 1
        bytes += text.length
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const peakKiB = vmHwmKiB(child.pid ?? -1)
  child.kill('SIGTERM')
  process.stdout.write(
    `http: ${fmt(logs, 0)} fills served over eth_getLogs (${fmt(bytes / 2 ** 30, 2)} GiB, ${errors} errors) to ${CLIENTS} clients in ${fmt(seconds)} s = ${fmt(logs / seconds, 0)} fills/s; simulator peak RSS (VmHWM) ${peakKiB ? `${fmt(peakKiB / 1024)} MiB` : 'n/a'}\n`,
  )
}

process.stdout.write(`${machineLine()}\nfills: ${fmt(FILLS, 0)} over ${fmt(BLOCKS, 0)} blocks\n`)
if (MODE === 'generate' || MODE === 'both') generate()
if (MODE === 'http' || MODE === 'both') await http()
