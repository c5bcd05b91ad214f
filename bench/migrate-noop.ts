// How much a no-op migrate costs, since every command pays it first. Prints figures; never fails on time.
// Run: npx tsx bench/migrate-noop.ts
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '../load/migrate.ts'
import { openWarehouse } from '../load/warehouse.ts'

const RUNS = 20
const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-bench-')), 'warehouse')

const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
const first = performance.now()
await migrate(warehouse)
const firstMs = performance.now() - first
const samples: number[] = []
for (let i = 0; i < RUNS; i++) {
  const started = performance.now()
  const result = await migrate(warehouse)
  samples.push(performance.now() - started)
  if (result.planned.length > 0 || result.error) throw new Error('expected a no-op migrate')
}
await warehouse.close()

const cli: number[] = []
for (let i = 0; i < 5; i++) {
  const started = performance.now()
  const run = spawnSync(process.execPath, ['bin/polyhouse.js', '--data-dir', dataDir, 'migrate'], {
    encoding: 'utf8',
  })
  cli.push(performance.now() - started)
  if (run.status !== 0) throw new Error(run.stderr)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
console.log(
  `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
)
console.log(`first migrate (all tables and views): ${firstMs.toFixed(0)} ms`)
console.log(
  `no-op migrate in process: median ${median(samples).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms over ${RUNS} runs`,
)
console.log(
  `\`polyhouse migrate\` no-op, whole process (node + tsx + engine start + migrate): median ${median(cli).toFixed(0)} ms`,
)
