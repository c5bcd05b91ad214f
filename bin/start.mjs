// Started by bin/polyhouse.js. Runs the compiled CLI (dist/, made by bin/build.mjs) when it matches
// the sources, building it first when a source changed; runs the TypeScript sources through tsx's
// loader when it cannot be built (a read-only install) or when POLYHOUSE_FROM_SOURCE=1 asks. Either
// way no build step to forget.
import { pathToFileURL } from 'node:url'
import { build, freshEntry } from './build.mjs'

async function compiledEntry() {
  if (process.env.POLYHOUSE_FROM_SOURCE === '1') return undefined
  try {
    return (await freshEntry()) ?? (await build())
  } catch (error) {
    // A read-only install cannot build: no noise on every run, the reason with --verbose.
    if (verbose) process.stderr.write(`polyhouse: running from the sources: cannot build dist/: ${error}\n`)
    return undefined
  }
}

const verbose = process.argv.includes('--verbose')
// Stack traces (--verbose) point into the .ts sources, through the bundle's source maps.
if (verbose) process.setSourceMapsEnabled(true)
const entry = await compiledEntry()
if (entry) {
  await import(pathToFileURL(entry).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../cli/main.ts')
}
