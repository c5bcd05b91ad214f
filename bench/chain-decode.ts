// The JavaScript half of the chain step's cost per fill, without network or engine: eth_getLogs
// answers (simulator logs, as bytes) → OrderFilled rows (RowBinary, as the step writes them) with
// their content digest. The step's two ways in to the one fast path — a reply scanned where it lies
// (extract/chain/log-scan.ts, every range below the reorg window), and logs already parsed (the batch
// near the tip) written back as bytes and scanned — beside the reference decoder (zod + viem). A fast
// path over the parsed objects was measured here against the scanned one and dropped (steps/chain/
// encode.ts). Prints figures.
//
//   npx tsx bench/chain-decode.ts [--fills 200000]
import os from 'node:os'
import { parseArgs } from 'node:util'
import { scanLogsReply, scanParsedLogs } from '../extract/chain/log-scan.ts'
import { LogField, type ScannedLogs } from '../extract/chain/scanned-logs.ts'
import { RowWriter } from '../load/row-writer.ts'
import { World } from '../simulator/world/index.ts'
import { dataFast, topicsOf } from '../simulator/world/logs.ts'
import type { LogBlock } from '../steps/block-ranges/types.ts'
import { OrderFilledEncoder } from '../steps/chain/encode.ts'
import { FILLS_STREAM } from '../steps/chain/stream.ts'

const { values } = parseArgs({ options: { fills: { type: 'string', default: '200000' } } })
const fills = Number(values.fills)
const LOGS_PER_ANSWER = 10_000

const world = new World({
  seed: 'decode-bench',
  markets: 20_000,
  wallets: 20_000,
  fills,
  blocks: fills / 5,
  driftRate: 0,
})
const hex = (n: number) => `0x${n.toString(16)}`
const answers: Buffer[] = []
let batch: string[] = []
for (const fill of world.fills.fillsInBlocks(0, Number.MAX_SAFE_INTEGER)) {
  batch.push(
    JSON.stringify({
      address: fill.exchange,
      topics: topicsOf(fill),
      data: dataFast(fill),
      blockNumber: hex(fill.blockNumber),
      transactionHash: fill.transactionHash,
      transactionIndex: hex(fill.transactionIndex),
      blockHash: world.chain.blockHash(fill.blockNumber),
      blockTimestamp: hex(world.chain.timestamp(fill.blockNumber)),
      logIndex: hex(fill.logIndex),
      removed: false,
    }),
  )
  if (batch.length === LOGS_PER_ANSWER) {
    answers.push(Buffer.from(`{"jsonrpc":"2.0","id":1,"result":[${batch.join(',')}]}`))
    batch = []
  }
}
if (batch.length) answers.push(Buffer.from(`{"jsonrpc":"2.0","id":1,"result":[${batch.join(',')}]}`))
const bytes = answers.reduce((sum, answer) => sum + answer.length, 0)

async function time(label: string, run: () => number | Promise<number>): Promise<void> {
  await run() // warm up
  const started = process.cpuUsage()
  const wall = performance.now()
  const n = await run()
  const cpu = process.cpuUsage(started)
  const ms = performance.now() - wall
  console.log(
    `${label.padEnd(58)} ${Math.round((n / ms) * 1000)
      .toLocaleString('en-US')
      .padStart(11)} logs/s  ${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU per log`,
  )
}

const parsed = answers.map(
  (answer) => (JSON.parse(answer.toString('latin1')) as { result: Record<string, unknown>[] }).result,
)
const blockOf = (log: Record<string, unknown>) => ({
  number: Number(log.blockNumber),
  hash: log.blockHash as string,
  time: Number(log.blockTimestamp),
})

console.log(
  `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}; load average ${os.loadavg()[0]?.toFixed(2)}`,
)
console.log(
  `${fills.toLocaleString('en-US')} logs in ${answers.length} answers, ${(bytes / fills).toFixed(0)} bytes per log`,
)
await time('bytes → text (utf8)', () =>
  answers.reduce((n, a) => n + (a.toString('utf8').length > 0 ? LOGS_PER_ANSWER : 0), 0),
)
await time('bytes → text (latin1)', () =>
  answers.reduce((n, a) => n + (a.toString('latin1').length > 0 ? LOGS_PER_ANSWER : 0), 0),
)
await time('text → JSON.parse', () => {
  const texts = answers.map((a) => a.toString('latin1'))
  let n = 0
  for (const text of texts) n += (JSON.parse(text) as { result: unknown[] }).result.length
  return n
})
const RUN_ID = '00000000-0000-0000-0000-000000000000'

/** The scanned logs' rows through the fast path, one block object per block as the engine hands them out. */
async function fastRows(encoder: OrderFilledEncoder, logs: ScannedLogs): Promise<number> {
  const out = new RowWriter(RUN_ID, logs.length, FILLS_STREAM.format)
  let block: LogBlock | undefined
  for (let i = 0; i < logs.length; i++) {
    const number = logs.quantity(i, LogField.blockNumber) as number
    if (block?.number !== number) {
      const hash = logs.text(i, LogField.blockHash) as string
      block = { number, hash, time: logs.quantity(i, LogField.blockTimestamp) as number }
    }
    if (!encoder.encodeScanned(logs, i, block, out)) throw new Error('a log left the fast path')
  }
  return (await out.finish()).rows
}

await time('bytes → scan → rows + content digest (deep ranges)', async () => {
  const encoder = new OrderFilledEncoder()
  let n = 0
  for (const answer of answers) n += await fastRows(encoder, scanLogsReply(answer) as ScannedLogs)
  return n
})
await time('parsed logs → bytes → scan → rows + digest (near the tip)', async () => {
  const encoder = new OrderFilledEncoder()
  let n = 0
  for (const logs of parsed) n += await fastRows(encoder, scanParsedLogs(logs) as ScannedLogs)
  return n
})
const sample = parsed[0]?.slice(0, 2_000) ?? []
await time('reference decoder (zod + viem) → rows, 2,000 logs', async () => {
  const encoder = new OrderFilledEncoder()
  const out = new RowWriter(RUN_ID, sample.length, FILLS_STREAM.format)
  for (const log of sample) encoder.encode(log, blockOf(log), out)
  return (await out.finish()).rows
})
