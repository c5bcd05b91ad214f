// Issue 4's positions figures: the wallets step at 2,000 and 20,000 wallets against the simulator
// at its documented /positions limit (150 per 10 s) with realistic latency; wall time against the
// rate-limit floor, and peak RSS, which should not grow with the wallet count.
//   npx tsx bench/wallets.ts [--sizes 2000,20000] [--latency 100±50]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createSimulatorParts } from '../simulator/index.ts'
import { printBench, runBench } from './harness.ts'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(name)
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback
}
const sizes = flag('--sizes', '2000,20000').split(',').map(Number)
const latency = flag('--latency', '100±50')

for (const wallets of sizes) {
  // Enough markets that portfolios are not capped by the token count; fills scale with wallets.
  const simulator = { seed: 'bench-wallets', markets: 2_000, wallets, fills: wallets * 20, latency }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-wallets-')), 'wallets.txt')
  fs.writeFileSync(file, createSimulatorParts(simulator).truth.wallets().join('\n'))
  const result = await runBench({
    label: `wallets step, ${wallets.toLocaleString('en-US')} wallets`,
    simulator,
    command: ['backfill', '--steps', 'wallets', '--wallets', file],
  })
  printBench(result)
}
