// `polyhouse report --html FILE` writes one self-contained page that a browser draws: rendered in
// headless Chromium (Debian's `chromium` package), its screenshot holds the charts' colours, not a
// blank page. Skipped, saying so, only when chromium is not installed.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { runChainStep } from '../helpers/chain-run.ts'
import { runCli } from '../helpers/cli.ts'
import { colourStats, readPng } from '../helpers/png.ts'
import { tempDir } from '../helpers/warehouse.ts'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => fs.existsSync(file))
const SKIPPED = 'SKIPPED: chromium is not installed (apt-get install -y --no-install-recommends chromium)'
if (!CHROMIUM) console.warn(`report.test.ts: ${SKIPPED}`)
/** The report's step colours (report/svg.ts): each must be on screen. */
const STEP_COLOURS = { markets: [0x2f, 0x6f, 0xdf], chain: [0x8e, 0x44, 0xad], wallets: [0x1f, 0x9d, 0x6b] }
/** The page background (report/html.ts). */
const BACKGROUND: [number, number, number] = [0xf6, 0xf7, 0xf9]

describe('polyhouse report --html', () => {
  let sim: Simulator
  let dataDir: string
  let html: string
  const file = path.join(tempDir('polyhouse-report-'), 'report.html')

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'report',
      markets: 200,
      wallets: 20,
      fills: 3_000,
      blocks: 30_000,
      // Schema drift only: the report needs rows in every table and quarantined records, not retries.
      faults: 'drift=0.02',
      rateLimits: false,
      latency: { baseMs: 2, jitterMs: 2 },
      rpcLimits: 'alchemy',
    })
    dataDir = path.join(tempDir(), 'warehouse')
    await runChainStep(dataDir, sim.rpcUrl)
    const env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s' }
    const backfill = await runCli(['--data-dir', dataDir, 'backfill', '--steps', 'markets,wallets'], env)
    expect(backfill.code).toBe(0)
    const report = await runCli(['--data-dir', dataDir, 'report', '--html', file], env)
    expect(report.code).toBe(0)
    expect(report.stdout).toBe(`wrote ${file} (${Math.ceil(fs.statSync(file).size / 1024)} KB)\n`)
    html = fs.readFileSync(file, 'utf8')
  }, 300_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('is one self-contained page with its pictures inline', () => {
    expect(html).toMatch(/^<!doctype html>/)
    // Nothing to fetch: no scripts, stylesheets, images, fonts or CDNs.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import|https?:\/\//i)
    for (const heading of [
      'Block coverage',
      'Block coverage over time',
      'Rows per step',
      'Throughput over the run',
      'Errors by kind',
    ]) {
      expect(html).toContain(`>${heading}</h2>`)
    }
    // Coverage strip, coverage over time, rows per step, throughput: drawn, not placeholders.
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4)
    expect(html).toContain('markets · market_tokens')
    expect(html).toContain('wallets rows / ')
  })

  it.skipIf(!CHROMIUM)(
    CHROMIUM
      ? 'renders in headless Chromium: the screenshot is not blank'
      : `renders in headless Chromium — ${SKIPPED}`,
    { timeout: 120_000 },
    () => {
      const profile = tempDir('polyhouse-chromium-')
      const screenshot = path.join(profile, 'report.png')
      const run = spawnSync(
        CHROMIUM as string,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--hide-scrollbars',
          `--user-data-dir=${profile}`,
          `--screenshot=${screenshot}`,
          '--window-size=1200,1800',
          `file://${file}`,
        ],
        { encoding: 'utf8', timeout: 90_000 },
      )
      expect(fs.existsSync(screenshot), run.stderr).toBe(true)
      const picture = readPng(screenshot)
      expect([picture.width, picture.height]).toEqual([1200, 1800])
      const stats = colourStats(picture, BACKGROUND)
      expect(stats.colours).toBeGreaterThan(50)
      expect(stats.inkShare).toBeGreaterThan(0.05)
      const seen = new Set<string>()
      for (let y = 0; y < picture.height; y += 2) {
        for (let x = 0; x < picture.width; x += 2) {
          const [r, g, b] = picture.pixel(x, y)
          for (const [step, [cr, cg, cb]] of Object.entries(STEP_COLOURS)) {
            if (
              Math.abs(r - (cr as number)) + Math.abs(g - (cg as number)) + Math.abs(b - (cb as number)) <
              10
            )
              seen.add(step)
          }
        }
      }
      expect([...seen].sort()).toEqual(['chain', 'markets', 'wallets'])
    },
  )
})
