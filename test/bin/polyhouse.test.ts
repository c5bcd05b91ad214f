// bin/polyhouse.js as a user meets it: the compiled CLI (dist/, bin/build.mjs) and the TypeScript
// sources (tsx) answer alike, and an edited source is what runs next, never a stale build.
// Each test works on a copy of the project in a temp dir, so it can edit sources and break dist/.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { BIN, cleanEnv, ROOT } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

const execFileAsync = promisify(execFile)
const SOURCE_FOLDERS = [
  'bin',
  'cli',
  'core',
  'extract',
  'load',
  'checkpoints',
  'report',
  'simulator',
  'steps',
]
const QUERY_SUMMARY = 'run SQL against the warehouse'

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], {
      env: { ...cleanEnv(), ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

/**
 * The project's sources, sql/ and views/ copied to a temp dir, its dependencies linked one by one.
 * Without tsx, the copy can only run compiled: a run that succeeds there did not use the sources.
 */
function copyProject(options: { tsx: boolean }): { root: string; bin: string } {
  const root = tempDir('polyhouse-bin-')
  for (const folder of [...SOURCE_FOLDERS, 'sql', 'views']) {
    fs.cpSync(path.join(ROOT, folder), path.join(root, folder), { recursive: true })
  }
  for (const file of ['package.json', 'tsconfig.json'])
    fs.copyFileSync(path.join(ROOT, file), path.join(root, file))
  fs.mkdirSync(path.join(root, 'node_modules'))
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === 'tsx' && !options.tsx) continue
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(root, 'node_modules', name))
  }
  return { root, bin: path.join(root, 'bin/polyhouse.js') }
}

function editQuerySummary(root: string, from: string, to: string): void {
  const file = path.join(root, 'cli/commands.ts')
  const text = fs.readFileSync(file, 'utf8')
  expect(text).toContain(from)
  fs.writeFileSync(file, text.replaceAll(from, to))
}

function home(): NodeJS.ProcessEnv {
  return { POLYHOUSE_HOME: path.join(tempDir(), 'home') }
}

describe('bin/polyhouse.js', () => {
  it('gives the same --help and query output compiled as from the TypeScript sources', async () => {
    const copy = copyProject({ tsx: false })
    const sql = "SELECT 1 AS one, 'polyhouse' AS name, (SELECT count() FROM vw_trades_unified) AS trades"
    for (const args of [['--help'], ['query', '--help'], ['query', sql, '--format', 'json'], ['backfil']]) {
      const compiled = await run(copy.bin, args, home())
      const fromSource = await run(BIN, args, { ...home(), POLYHOUSE_FROM_SOURCE: '1' })
      expect(compiled.code, `${args.join(' ')}: ${compiled.stderr}`).toBe(fromSource.code)
      expect(compiled.stdout).toBe(fromSource.stdout)
      expect(compiled.stderr).toBe(fromSource.stderr)
    }
    // The copy had no tsx: what answered was the build the first run made.
    expect(fs.existsSync(path.join(copy.root, 'dist/current.json'))).toBe(true)
    const query = await run(copy.bin, ['query', sql, '--format', 'json'], home())
    expect(JSON.parse(query.stdout)).toEqual([{ one: 1, name: 'polyhouse', trades: '0' }])
  })

  it('runs an edited source at once, even an edit of the same size right after the last one', async () => {
    const copy = copyProject({ tsx: false })
    expect((await run(copy.bin, ['--help'])).stdout).toContain(QUERY_SUMMARY)
    editQuerySummary(copy.root, QUERY_SUMMARY, 'edited summary number 1')
    expect((await run(copy.bin, ['--help'])).stdout).toContain('edited summary number 1')
    // Same length, same second: neither the size nor (at a coarse clock) the mtime tells it apart.
    editQuerySummary(copy.root, 'edited summary number 1', 'edited summary number 2')
    const help = await run(copy.bin, ['--help'])
    expect(help.stdout).toContain('edited summary number 2')
    expect(help.stdout).not.toContain('edited summary number 1')
    // A file touched but not changed (a checkout back and forth) is hashed, not rebuilt: without
    // esbuild (and tsx) nothing could be rebuilt, and it still runs.
    const earlier = new Date(Date.now() - 60_000)
    fs.utimesSync(path.join(copy.root, 'cli/query.ts'), earlier, earlier)
    fs.rmSync(path.join(copy.root, 'node_modules/esbuild'))
    const touched = await run(copy.bin, ['--help'])
    expect(touched.code, touched.stderr).toBe(0)
    expect(touched.stdout).toContain('edited summary number 2')
  })

  it('runs the sources through tsx when it cannot write a build, with the edit', async () => {
    const copy = copyProject({ tsx: true })
    expect((await run(copy.bin, ['--help'])).code).toBe(0)
    fs.rmSync(path.join(copy.root, 'dist'), { recursive: true })
    // dist/ a file: nothing can be built there (a read-only install, as root can write anywhere).
    fs.writeFileSync(path.join(copy.root, 'dist'), '')
    editQuerySummary(copy.root, QUERY_SUMMARY, 'edited while dist is unusable')
    const help = await run(copy.bin, ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('edited while dist is unusable')
  })
})
