// Bad input as a user meets it: every command refuses a bad flag, environment variable, data
// directory or --wallets file with exit code 2 and one line naming the problem and the fix — and
// touches nothing: the data directory it was pointed at does not exist afterwards.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, type CliResult, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** A valid address, so a --wallets file can mix good lines with bad ones. */
const WALLET = '0x1111111111111111111111111111111111111111'
/** Source URLs nothing listens on: a command that fetched anything would fail differently. */
const SOURCES = {
  GAMMA_URL: 'http://127.0.0.1:9',
  DATA_API_URL: 'http://127.0.0.1:9',
  POLYGON_RPC_URL: 'http://127.0.0.1:9',
}

function oneLine(result: CliResult): string {
  const lines = result.stderr.split('\n').filter(Boolean)
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^polyhouse: /)
  return lines[0] as string
}

/** Runs `args` against a data directory that does not exist yet, and checks it still does not. */
async function refuses(args: string[], env: NodeJS.ProcessEnv = SOURCES): Promise<string> {
  const dataDir = path.join(tempDir(), 'warehouse')
  const result = await runCli(['--data-dir', dataDir, ...args], env)
  expect(result.code, result.stderr).toBe(2)
  const line = oneLine(result)
  expect(fs.existsSync(dataDir), `${args.join(' ')} created ${dataDir}`).toBe(false)
  return line
}

function file(name: string, content: string | Buffer): string {
  const target = path.join(tempDir(), name)
  fs.writeFileSync(target, content)
  return target
}

/** [what is wrong, the arguments, what the one line must say] */
const BAD_FLAGS: [string, string[], RegExp][] = [
  ['--from-block', ['backfill', '--from-block', 'soon'], /--from-block must be a whole number/],
  ['--to-block', ['backfill', '--to-block', '1e9'], /--to-block must be a whole number/],
  ['--to-block below --from-block', ['backfill', '--from-block', '10', '--to-block', '5'], /below/],
  ['--confirmations', ['backfill', '--confirmations', 'x'], /--confirmations must be a whole number/],
  ['--shard', ['backfill', '--shard', '3/2'], /--shard must be i\/n/],
  ['--serve PORT', ['backfill', '--serve', 'http'], /--serve http is not a port/],
  ['--serve out of range', ['backfill', '--serve', '70000'], /--serve 70000 is not a port/],
  ['--max-wallets', ['backfill', '--max-wallets', 'lots'], /--max-wallets lots is not a whole number/],
  ['--wallet-order', ['backfill', '--wallet-order', 'foo'], /--wallet-order foo is not an order/],
  [
    '--wallet-order of a step not run',
    ['backfill', '--steps', 'chain', '--wallet-order', 'foo'],
    /--wallet-order foo/,
  ],
  [
    '--max-wallets of a step not run',
    ['backfill', '--steps', 'markets', '--max-wallets', '-'],
    /--max-wallets/,
  ],
  ['--from-block of a step not run', ['backfill', '--steps', 'markets', '--from-block', 'x'], /--from-block/],
  ['--data-api', ['backfill', '--data-api', 'v3'], /--data-api v3 is not a Data API version/],
  ['--rate', ['backfill', '--rate', 'gamma=fast'], /rate/i],
  ['--gamma-url', ['backfill', '--gamma-url', 'ftp://gamma'], /GAMMA_URL is not an http\(s\) URL/],
  ['--rpc-url', ['backfill', '--rpc-url', 'polygon'], /POLYGON_RPC_URL is not an http\(s\) URL/],
  ['--log-format', ['backfill', '--log-format', 'xml'], /--log-format xml/],
  ['--steps', ['backfill', '--steps', 'trades'], /unknown step 'trades'/],
  ['--skip', ['backfill', '--skip', 'trades'], /unknown step 'trades'/],
  ['--fresh', ['backfill', '--fresh', 'trades'], /unknown step 'trades'/],
  ['--fresh without --yes off a terminal', ['backfill', '--fresh', 'markets'], /--yes/],
  ['--simulate', ['backfill', '--simulate', 'huge'], /--simulate huge is not a demo size/],
  ['--wallets missing', ['backfill', '--wallets', '/nonexistent/wallets.txt'], /--wallets/],
  ['sync --from-block', ['sync', '--once', '--from-block', 'x'], /--from-block must be a whole number/],
  ['sync --confirmations', ['sync', '--once', '--confirmations', '-'], /--confirmations/],
  ['sync --serve', ['sync', '--serve', 'x'], /--serve x is not a port/],
  ['sync --data-api', ['sync', '--once', '--data-api', 'v9'], /--data-api v9/],
  ['sync --hot-interval', ['sync', '--hot-interval', 'often'], /--hot-interval often/],
  ['sync --pollers', ['sync', '--pollers', 'trades'], /unknown poller 'trades'/],
  ['sync --log-format', ['sync', '--log-format', 'xml'], /--log-format xml/],
  ['sync --rate', ['sync', '--once', '--rate', 'rpc=x'], /rate/i],
  ['status --interval', ['status', '--interval', '0'], /--interval 0/],
  ['status --stale', ['status', '--stale', 'weekly'], /--stale/],
  ['status --since', ['status', '--since', 'yesterday'], /--since/],
  ['status --rate', ['status', '--rate', 'gamma=fast'], /rate/i],
  ['status --rpc-url', ['status', '--rpc-url', 'polygon'], /POLYGON_RPC_URL is not an http\(s\) URL/],
  ['report --stale', ['report', '--html', 'x.html', '--stale', 'weekly'], /--stale/],
  ['report --html in no folder', ['report', '--html', '/nonexistent/report.html'], /does not exist/],
  ['report --html a folder', ['report', '--html', '/tmp'], /--html \/tmp is a directory/],
  ['query --format', ['query', 'SELECT 1', '--format', 'xml'], /--format xml/],
  ['query --param', ['query', 'SELECT 1', '--param', 'novalue'], /--param/],
  ['market', ['market', 'not a market!'], /is not a market/],
  ['market --gamma-url', ['market', '12', '--gamma-url', 'ftp://x'], /GAMMA_URL/],
  ['wallet', ['wallet', '0x12'], /is not a wallet address/],
  ['wallet --format', ['wallet', WALLET, '--format', 'xml'], /--format xml/],
  ['wallet --data-api-url', ['wallet', WALLET, '--data-api-url', 'ftp://x'], /DATA_API_URL/],
  ['serve --port', ['serve', '--port', 'http'], /port/],
  ['serve --user without a password', ['serve', '--user', 'alice'], /needs a password/],
  ['migrate --sql-dir', ['--sql-dir', '/nonexistent/sql', 'migrate'], /--sql-dir \/nonexistent\/sql/],
  ['views --views-dir', ['--views-dir', '/nonexistent/views', 'views', 'rebuild'], /--views-dir/],
  [
    '--cluster on the embedded engine',
    ['--cluster', 'main', 'status'],
    /--cluster main needs a ClickHouse server/,
  ],
]

describe.concurrent('a bad flag exits 2 with one line and creates nothing', () => {
  for (const [what, args, message] of BAD_FLAGS) {
    it(what, async () => {
      expect(await refuses(args)).toMatch(message)
    })
  }
})

describe.concurrent('report --html', () => {
  it('a directory as the page: refused, and no partial page is left beside it', async () => {
    const parent = tempDir()
    const pages = path.join(parent, 'pages')
    fs.mkdirSync(pages)
    const line = await refuses(['report', '--html', pages])
    expect(line).toMatch(/--html .*pages is a directory/)
    expect(fs.readdirSync(parent)).toEqual(['pages'])
    expect(fs.readdirSync(pages)).toEqual([])
  })
})

describe.concurrent('bad environment', () => {
  it('POLYGON_RPC_URL that is not a URL, for a step that reads it', async () => {
    const line = await refuses(['backfill', '--steps', 'chain'], { ...SOURCES, POLYGON_RPC_URL: 'polygon' })
    expect(line).toMatch(/POLYGON_RPC_URL is not an http\(s\) URL/)
  })

  it('POLYGON_RPC_URL unset, for a step that needs it', async () => {
    const line = await refuses(['backfill', '--steps', 'transfers'], { GAMMA_URL: SOURCES.GAMMA_URL })
    expect(line).toMatch(/POLYGON_RPC_URL is not set/)
  })

  it('GAMMA_URL that is not a URL', async () => {
    const line = await refuses(['backfill', '--steps', 'markets'], { ...SOURCES, GAMMA_URL: 'gamma' })
    expect(line).toMatch(/GAMMA_URL is not an http\(s\) URL/)
  })

  it('POLYHOUSE_RATE that cannot be read', async () => {
    const line = await refuses(['sync', '--once'], { ...SOURCES, POLYHOUSE_RATE: 'everything' })
    expect(line).toMatch(/rate/i)
  })

  it('CLICKHOUSE_URL that is not a URL', async () => {
    const line = await refuses(['status'], { CLICKHOUSE_URL: 'localhost' })
    expect(line).toMatch(/CLICKHOUSE_URL is not a URL: got 'localhost'; try http:\/\/localhost:8123/)
  })
})

describe.concurrent('a data directory that cannot be one', () => {
  it('--data-dir "" is refused, and nothing appears in the current directory', async () => {
    const cwd = tempDir()
    const result = await runCli(['--data-dir', '', 'status'], {}, { cwd })
    expect(result.code).toBe(2)
    expect(oneLine(result)).toMatch(/--data-dir is empty/)
    expect(fs.readdirSync(cwd)).toEqual([])
  })

  it('a file', async () => {
    const target = file('not-a-dir', 'x')
    const result = await runCli(['--data-dir', target, 'migrate'])
    expect(result.code).toBe(2)
    expect(oneLine(result)).toMatch(/is a file, not a directory/)
    expect(fs.readFileSync(target, 'utf8')).toBe('x')
  })

  it('/dev/null', async () => {
    const result = await runCli(['--data-dir', '/dev/null', 'status'])
    expect(result.code).toBe(2)
    expect(oneLine(result)).toMatch(/\/dev\/null is not a directory/)
  })

  it('a directory below a file', async () => {
    const target = path.join(file('in-the-way', 'x'), 'warehouse')
    const result = await runCli(['--data-dir', target, 'status'])
    expect(result.code).toBe(2)
    expect(oneLine(result)).toMatch(/in-the-way is a file, not a directory/)
  })

  it('a directory that may not be written (read-only mount, else a read-only folder)', async () => {
    const result = readOnlyRun()
    expect(result.code, result.stderr).toBe(2)
    expect(oneLine(result)).toMatch(/cannot write|not writable/)
    expect(result.stderr).not.toMatch(/Code: 76|DB::|EEXIST|EROFS:|EACCES:/)
  })
})

/**
 * `status` on a warehouse directory that may not be written. As root neither chmod nor access()
 * stops a write, so root gets a real read-only mount (a tmpfs, remounted read-only, in a private
 * mount namespace: `unshare -m`); other users get a folder without write permission.
 */
function readOnlyRun(): CliResult {
  const base = tempDir()
  if (process.getuid?.() !== 0) {
    const parent = path.join(base, 'locked')
    fs.mkdirSync(parent, { mode: 0o555 })
    const run = spawnSync(process.execPath, [BIN, '--data-dir', path.join(parent, 'warehouse'), 'status'], {
      encoding: 'utf8',
    })
    return { code: run.status, stdout: run.stdout, stderr: run.stderr }
  }
  // An existing warehouse on a mount that became read-only: chDB printed its own "Code: 76" here.
  const script = [
    'mount -t tmpfs -o size=64m tmpfs "$1"',
    '"$2" "$3" --data-dir "$1/warehouse" migrate > /dev/null',
    'mount -o remount,ro "$1"',
    'exec "$2" "$3" --data-dir "$1/warehouse" status',
  ].join(' && ')
  const run = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', base, process.execPath, BIN], {
    encoding: 'utf8',
  })
  if (run.error || /mount:|unshare:/.test(run.stderr))
    throw new Error(`cannot make a read-only mount as root here: ${run.error ?? run.stderr}`)
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe.concurrent('--wallets FILE', () => {
  it('a missing file', async () => {
    const line = await refuses(['backfill', '--steps', 'wallets', '--wallets', '/nonexistent/list.txt'])
    expect(line).toMatch(/--wallets \/nonexistent\/list\.txt: no such file/)
  })

  it('one bad line: named by number, nothing fetched', async () => {
    const list = file('wallets.txt', `${WALLET}\n# a comment\n0xnotanaddress\n${WALLET.replace('1', '2')}\n`)
    const line = await refuses(['backfill', '--steps', 'wallets', '--wallets', list])
    expect(line).toMatch(/line 3: '0xnotanaddress'/)
    expect(line).not.toMatch(/etl_errors/)
  })

  it('100,000 bad lines: a bounded line with the count', async () => {
    const list = file('many.txt', `${Array.from({ length: 100_000 }, (_, i) => `bad${i}`).join('\n')}\n`)
    const line = await refuses(['backfill', '--steps', 'wallets', '--wallets', list])
    expect(line.length).toBeLessThan(600)
    expect(line).toMatch(/100,000 lines are not wallet addresses/)
    expect(line).toMatch(/and 99,99\d more/)
  })

  it('a binary file: no raw bytes reach the terminal', async () => {
    const bytes = Buffer.alloc(4096)
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 7 === 0 ? 0x1b : (i * 31) % 256
    const list = file('binary.bin', bytes)
    const line = await refuses(['backfill', '--steps', 'wallets', '--wallets', list])
    expect(line).toMatch(/not a text file/)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none gets through
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
  })

  it('a line with a terminal escape is shown escaped', async () => {
    const list = file('escape.txt', `${WALLET}\n\u001b[31mred\u001b[0m\n`)
    const line = await refuses(['backfill', '--steps', 'wallets', '--wallets', list])
    expect(line).toContain(String.raw`'\u001b[31mred\u001b[0m'`)
  })
})
