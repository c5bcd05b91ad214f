// `npm run bench` lists the benchmarks with the first line of each one's header;
// `npm run bench -- NAME [ARGS…]` runs bench/NAME.ts with those arguments in a child process.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** Modules of bench/ that other benches import; they measure nothing on their own. */
const LIBRARIES = new Set(['index', 'harness', 'machine', 'analyst-crowd', 'chain-source'])

function benches(): { name: string; summary: string }[] {
  return readdirSync(HERE)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .filter((name) => !LIBRARIES.has(name))
    .sort()
    .map((name) => {
      const first = readFileSync(path.join(HERE, `${name}.ts`), 'utf8').split('\n')[0] ?? ''
      return { name, summary: first.replace(/^\/\/\s*/, '') }
    })
}

const [name, ...args] = process.argv.slice(2)
const all = benches()
if (!name) {
  process.stdout.write('usage: npm run bench -- NAME [ARGS…]\n\n')
  for (const bench of all) process.stdout.write(`  ${bench.name.padEnd(22)} ${bench.summary}\n`)
  process.exit(0)
}
if (!all.some((bench) => bench.name === name)) {
  process.stderr.write(`bench: no benchmark named '${name}'; run \`npm run bench\` for the list\n`)
  process.exit(2)
}
const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(HERE, `${name}.ts`), ...args], {
  stdio: 'inherit',
})
process.exit(run.status ?? 1)
