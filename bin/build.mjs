// The compiled CLI: cli/main.ts and everything it imports, bundled by esbuild into plain
// JavaScript under dist/, so a command starts without compiling TypeScript (tsx) on every run.
//
// `npm install` builds it (the `prepare` script runs `node bin/build.mjs`); bin/polyhouse.js
// rebuilds it on demand when a source file changed since, so an edited .ts is never served stale.
// esbuild comes with tsx, a runtime dependency: `npm install --omit=dev` can build too.
//
// Each build lives in dist/<id>/, id = a hash of the sources it was built from, and
// dist/current.json names the current one with every source file's mtime, size and SHA-1, read
// from the very bytes esbuild compiled. A process never sees a half-written build: a build is
// written beside, renamed into place, then current.json is replaced (write, rename). Processes that
// build at once build the same id, and the first rename wins.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DIST = path.join(ROOT, 'dist')
const CURRENT = path.join(DIST, 'current.json')
const ENTRY = 'cli/main.ts'
/**
 * A file modified this close to the moment it was read may have changed again within the same
 * filesystem timestamp tick (ext4 stamps with the kernel's coarse clock, a few ms): its mtime is not
 * trusted, and the freshness check hashes it instead (git's "racily clean" entries, same reason).
 */
const RACY_MS = 2000
/**
 * Dependencies bundled into the build: the pure JavaScript every command loads on its way to the
 * warehouse. One file parses faster than hundreds of files resolved one by one (`polyhouse query`
 * spent ~40 ms more CPU with them left in node_modules). The others stay in node_modules, imported
 * as they are: chdb is native, pino starts worker threads from its own files, and the rest load
 * only for the commands that fetch (viem, undici, p-queue) or draw progress (cli-progress).
 */
const BUNDLED = new Set(['commander', 'zod', '@clickhouse/client', '@clickhouse/client-common'])
/** A build replaced this long ago is removed: a process still running it has had a day to load its chunks. */
const OLD_BUILD_MS = 24 * 60 * 60 * 1000

/**
 * The compiled entry point, or undefined when dist/ is missing or any source changed since it was
 * built. Cheap: one stat per source file; only a file whose mtime or size moved is read and hashed.
 */
export async function freshEntry() {
  let current
  try {
    current = JSON.parse(fs.readFileSync(CURRENT, 'utf8'))
  } catch {
    return undefined
  }
  let settled = false
  for (const [file, recorded] of Object.entries(current.sources)) {
    let stat
    try {
      stat = fs.statSync(path.join(ROOT, file))
    } catch {
      return undefined
    }
    if (stat.mtimeMs === recorded.mtimeMs && stat.size === recorded.size) continue
    if (stat.size !== recorded.size || (await sha1(fs.readFileSync(path.join(ROOT, file)))) !== recorded.sha1)
      return undefined
    // Unchanged, and its mtime is old enough to trust now: record it, so later starts need no hash.
    if (Date.now() - stat.mtimeMs >= RACY_MS) {
      recorded.mtimeMs = stat.mtimeMs
      settled = true
    }
  }
  const entry = path.join(DIST, current.id, 'main.js')
  if (!fs.existsSync(entry)) return undefined
  if (settled) {
    try {
      writeCurrent(current)
    } catch {
      // Read-only: the next start hashes those files again, that is all.
    }
  }
  return entry
}

/** Bundles the CLI into dist/<id>/ and makes it current; returns its entry point. */
export async function build() {
  // First what fails fast where nothing can be written (a read-only install).
  fs.mkdirSync(DIST, { recursive: true })
  const staging = fs.mkdtempSync(path.join(DIST, 'building-'))
  const { build: esbuild } = await import('esbuild')
  const { createHash } = await import('node:crypto')
  /** Every source file esbuild read, as it was read; this file too, as how the bundle is made. */
  const sources = {}
  const read = (file) => {
    // Stat before reading: a write in between moves the mtime, and the check then hashes the file.
    const stat = fs.statSync(file)
    const bytes = fs.readFileSync(file)
    sources[path.relative(ROOT, file)] = {
      mtimeMs: Date.now() - stat.mtimeMs < RACY_MS ? 0 : stat.mtimeMs,
      size: bytes.length,
      sha1: createHash('sha1').update(bytes).digest('hex'),
    }
    return bytes
  }
  try {
    read(fileURLToPath(import.meta.url))
    // esbuild reads compiler options from it (verbatimModuleSyntax, useDefineForClassFields…).
    if (fs.existsSync(path.join(ROOT, 'tsconfig.json'))) read(path.join(ROOT, 'tsconfig.json'))
    const { metafile } = await esbuild({
      absWorkingDir: ROOT,
      entryPoints: [ENTRY],
      outdir: staging,
      bundle: true,
      // Each command's file, imported when the command runs (cli/main.ts), becomes its own chunk.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Bundled CommonJS (commander, @clickhouse/client) requires Node's built-ins.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'error',
      plugins: [
        {
          name: 'polyhouse',
          setup(plugin) {
            plugin.onResolve({ filter: /^[^./]/ }, (args) =>
              BUNDLED.has(packageName(args.path)) ? undefined : { external: true },
            )
            plugin.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
              if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined
              return { contents: read(args.path), loader: args.path.endsWith('ts') ? 'ts' : 'js' }
            })
          },
        },
      ],
    })
    // A bundled package changes only with its version (npm install, npm update).
    for (const input of Object.keys(metafile.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)
      const manifest = match && path.join(ROOT, match[1], 'package.json')
      if (manifest && !sources[path.relative(ROOT, manifest)]) read(manifest)
    }
    const files = Object.keys(sources).sort()
    const id = createHash('sha1')
      .update(files.map((file) => `${file}:${sources[file].sha1}`).join('\n'))
      .digest('hex')
      .slice(0, 16)
    const target = path.join(DIST, id)
    try {
      fs.renameSync(staging, target)
    } catch (error) {
      // Built already, by another process that got there first: its files are the same.
      if (!fs.existsSync(path.join(target, 'main.js'))) throw error
      fs.rmSync(staging, { recursive: true, force: true })
    }
    markReplaced(id)
    writeCurrent({ id, entry: ENTRY, sources })
    removeOldBuilds(id)
    return path.join(target, 'main.js')
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true })
    throw error
  }
}

/**
 * Replaces dist/current.json whole (write, rename). Whatever it names, it describes that build's
 * sources: a race between two writers costs at most a rebuild, never a stale start.
 */
function writeCurrent(current) {
  const next = `${CURRENT}.${process.pid}`
  try {
    fs.writeFileSync(next, `${JSON.stringify(current, null, 1)}\n`)
    fs.renameSync(next, CURRENT)
  } catch (error) {
    fs.rmSync(next, { force: true })
    throw error
  }
}

/**
 * Stamps the build being replaced with the time it stopped being current: every process running
 * it started before then, and removeOldBuilds gives them a day from that moment.
 */
function markReplaced(id) {
  try {
    const previous = JSON.parse(fs.readFileSync(CURRENT, 'utf8')).id
    const now = new Date()
    if (previous !== id) fs.utimesSync(path.join(DIST, previous), now, now)
  } catch {
    // No build before this one, or it is gone already.
  }
}

function removeOldBuilds(keep) {
  const now = Date.now()
  for (const name of fs.readdirSync(DIST)) {
    const dir = path.join(DIST, name)
    if (name === keep || name === 'current.json' || name.startsWith('current.json.')) continue
    try {
      if (now - fs.statSync(dir).mtimeMs > OLD_BUILD_MS) fs.rmSync(dir, { recursive: true, force: true })
    } catch {
      // Removed by another build meanwhile.
    }
  }
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier)
}

/** node:crypto is loaded only when a file must be hashed: most starts need none. */
async function sha1(bytes) {
  const { createHash } = await import('node:crypto')
  return createHash('sha1').update(bytes).digest('hex')
}

// `node bin/build.mjs` (npm's prepare): build now, whatever dist/ holds.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = await build()
  process.stdout.write(`polyhouse: compiled the CLI to ${path.relative(ROOT, entry)}\n`)
}
