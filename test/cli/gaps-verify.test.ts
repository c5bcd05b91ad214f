// `polyhouse gaps --verify` counts what every done unit holds against what its commit recorded, and
// `polyhouse repair --verify` fetches exactly the units that no longer match. After a backfill (the
// chain read in several runs, as nights and `sync` leave it: many recorded ranges), rows are deleted
// inside done ranges the way an operator's mistake would: chain_fills rows with their chain_blocks
// (lightweight DELETE), chain_blocks rows alone and transfer legs (ALTER TABLE … DELETE), and the
// markets of one month window; and, after a first --verify recorded every range's content digest,
// amounts are changed in place in two other done ranges (ALTER TABLE … UPDATE on chain_fills and
// chain_transfers), which leaves every count as it was. Plain `gaps` trusts the checkpoints and sees
// nothing; --verify names exactly those units (the changed ones by their content digest); repair
// --verify restores every table to what the clean run held.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CheckpointStore } from '../../checkpoints/store.ts'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { partitionWindow } from '../../steps/verify.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** Every table a repair may touch, compared by content (run ids and insert times aside). */
const TABLES = [
  'chain_fills',
  'chain_fills_by_wallet',
  'chain_blocks',
  'chain_transfers',
  'chain_transfers_by_wallet',
  'chain_transfer_blocks',
  'markets',
  'market_tokens',
  'events',
]

interface Range {
  from: number
  to: number
}

describe('polyhouse gaps --verify and repair --verify', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string
  let clean: Record<string, string>
  const damaged = {
    fills: [] as Range[],
    transfers: [] as Range[],
    /** Ranges whose rows were changed in place: all there, counts intact. */
    changed: { fills: { from: 0, to: 0 }, transfers: { from: 0, to: 0 } },
    /** A range whose checkpoint is made to look recorded before digests were kept. */
    countedOnly: { from: 0, to: 0 },
    window: '',
    markets: 0,
    fillRows: 0,
  }

  async function withDirectory<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      return await work(warehouse)
    } finally {
      await warehouse.close()
    }
  }

  async function contents(warehouse: Warehouse): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const table of TABLES) {
      const [row] = await warehouse.query<{ n: string; hash: string }>(
        `SELECT toString(count()) AS n, toString(sum(cityHash64(*))) AS hash
         FROM (SELECT * EXCEPT (_run_id, _ingested_at) FROM ${table} FINAL)`,
      )
      out[table] = `${row?.n} rows, ${row?.hash}`
    }
    return out
  }

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'verify',
      markets: 150,
      wallets: 20,
      fills: 3_000,
      blocks: 20_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s,rpc=2000/s' }
    dataDir = path.join(tempDir(), 'warehouse')
    const start = sim.world.chain.startBlock
    // The chain in four runs, then the whole backfill to the tip (less the confirmations).
    for (const to of [start + 4_000, start + 8_000, start + 12_000, start + 16_000]) {
      const run = await runCli(
        ['--data-dir', dataDir, 'backfill', '--steps', 'chain,transfers', '--to-block', String(to)],
        env,
      )
      expect(run.code).toBe(0)
    }
    const backfill = await runCli(['--data-dir', dataDir, 'backfill'], env)
    expect(backfill.code).toBe(0)
    clean = await withDirectory(contents)
    // The first --verify finds every range whole: nothing to repair, and each range's digest recorded.
    const first = await runCli(['--data-dir', dataDir, 'gaps', '--verify', '--json'], env)
    expect(first.code).toBe(0)
    for (const stream of JSON.parse(first.stdout).verified.blocks) {
      expect(stream.mismatched).toEqual([])
      expect(stream.countedOnly).toBe(stream.checked)
    }

    await withDirectory(async (warehouse) => {
      const checkpoints = new CheckpointStore(warehouse, 'damage')
      const fills = (await checkpoints.rangeRows('chain_fills')).filter(
        (range) => range.counted && range.rows > 0,
      )
      const transfers = (await checkpoints.rangeRows('chain_transfers')).filter(
        (range) => range.counted && range.rows > 0,
      )
      expect(fills.length).toBeGreaterThanOrEqual(5)
      expect(transfers.length).toBeGreaterThanOrEqual(3)
      const [second, fourth, third] = [fills[1], fills[3], transfers[2]] as [Range, Range, Range]
      // Amounts changed in place, every row still there: the third fills range, the first transfers one.
      const [fillsChanged, transfersChanged] = [fills[2], transfers[0]] as [Range, Range]
      for (const [table, column, range] of [
        ['chain_fills', 'maker_amount_filled', fillsChanged],
        ['chain_transfers', 'amount', transfersChanged],
      ] as const) {
        await warehouse.command(
          `ALTER TABLE ${table} UPDATE ${column} = ${column} + 1
           WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64} SETTINGS mutations_sync = 2`,
          { from: range.from, to: range.to },
        )
      }
      damaged.changed = {
        fills: { from: fillsChanged.from, to: fillsChanged.to },
        transfers: { from: transfersChanged.from, to: transfersChanged.to },
      }
      // The last fills range as if committed since that --verify: no digest yet, its counts only.
      const old = fills[fills.length - 1] as Range
      await warehouse.command(
        `ALTER TABLE etl_checkpoints UPDATE content_digest = NULL
         WHERE stream = 'chain_fills' AND kind = 'range' AND from_block = {from:UInt64} SETTINGS mutations_sync = 2`,
        { from: old.from },
      )
      damaged.countedOnly = { from: old.from, to: old.to }
      // Half the blocks of one range lose their fills and their chain_blocks rows.
      const half = { from: second.from, to: second.from + Math.floor((second.to - second.from) / 2) }
      const [lost] = await warehouse.query<{ n: string }>(
        'SELECT toString(count()) AS n FROM chain_fills FINAL WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}',
        half,
      )
      damaged.fillRows = Number(lost?.n)
      expect(damaged.fillRows).toBeGreaterThan(0)
      for (const table of ['chain_fills', 'chain_blocks'])
        await warehouse.command(
          `DELETE FROM ${table} WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}`,
          half,
        )
      // Another loses three chain_blocks rows only; a transfers range loses the legs the views read.
      await warehouse.command(
        `ALTER TABLE chain_blocks DELETE WHERE block_number IN
           (SELECT block_number FROM chain_blocks WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64} ORDER BY block_number LIMIT 3)
         SETTINGS mutations_sync = 2`,
        { from: fourth.from, to: fourth.to },
      )
      await warehouse.command(
        `ALTER TABLE chain_transfers_by_wallet DELETE WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}
         SETTINGS mutations_sync = 2`,
        { from: third.from, to: third.to },
      )
      damaged.fills = [second, fillsChanged, fourth].map(({ from, to }) => ({ from, to }))
      damaged.transfers = [transfersChanged, third].map(({ from, to }) => ({ from, to }))
      // The markets of the fullest month window whose open and closed walks both ended.
      const cursors = await checkpoints.cursors('markets')
      const windows = new Map<string, number>()
      for (const checkpoint of cursors.values()) {
        const window = partitionWindow(checkpoint.unit)
        if (window && checkpoint.done)
          windows.set(window.window, (windows.get(window.window) ?? 0) + checkpoint.rows)
      }
      const [fullest] = [...windows.entries()]
        .filter(([window]) => /^\d/.test(window))
        .sort((a, b) => b[1] - a[1])
      damaged.window = fullest?.[0] ?? ''
      const bounds = partitionWindow(`closed=true|${damaged.window}`) as { min: number; max: number }
      const [deleted] = await warehouse.query<{ n: string }>(
        `SELECT toString(count()) AS n FROM markets FINAL
         WHERE toUnixTimestamp64Milli(start_date) BETWEEN {min:Int64} AND {max:Int64}`,
        bounds,
      )
      damaged.markets = Number(deleted?.n)
      expect(damaged.markets).toBeGreaterThan(1)
      await warehouse.command(
        'DELETE FROM markets WHERE toUnixTimestamp64Milli(start_date) BETWEEN {min:Int64} AND {max:Int64}',
        bounds,
      )
    })
  }, 900_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('plain gaps trusts the checkpoints and sees none of it', { timeout: 120_000 }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'gaps', '--json'], env)
    expect(result.code).toBe(0)
    const gaps = JSON.parse(result.stdout)
    expect(gaps.blocks.ranges).toEqual([])
    expect(gaps.verified).toBeUndefined()
  })

  it('gaps --verify lists exactly the units whose rows were deleted or changed', {
    timeout: 120_000,
  }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'gaps', '--verify', '--json'], env)
    expect(result.code).toBe(0)
    const { verified } = JSON.parse(result.stdout)
    const byStream = Object.fromEntries(
      verified.blocks.map((stream: { stream: string; mismatched: Range[] }) => [
        stream.stream,
        stream.mismatched.map(({ from, to }) => ({ from, to })),
      ]),
    )
    expect(byStream).toEqual({ chain_fills: damaged.fills, chain_transfers: damaged.transfers })
    // The ranges changed in place: every count as committed, the content digest not.
    for (const [index, range] of [
      [0, damaged.changed.fills],
      [1, damaged.changed.transfers],
    ] as const) {
      const found = verified.blocks[index].mismatched.find((r: Range) => r.from === range.from)
      for (const table of found.tables) expect(table.stored, table.table).toBe(table.recorded)
      expect(found.content.stored).not.toBe(found.content.recorded)
    }
    // A checkpoint without a digest is counted, not called damaged.
    expect(verified.blocks[0].countedOnly).toBe(1)
    expect(verified.blocks[1].countedOnly).toBe(0)
    expect(byStream.chain_fills).not.toContainEqual(damaged.countedOnly)
    const [first] = verified.blocks[0].mismatched
    expect(first.tables).toContainEqual({
      table: 'chain_fills',
      recorded: expect.any(Number),
      stored: expect.any(Number),
    })
    const fills = first.tables.find((table: { table: string }) => table.table === 'chain_fills')
    expect(fills.recorded - fills.stored).toBe(damaged.fillRows)
    // The copy the views read was not touched: it still holds every fill.
    expect(
      first.tables.find((table: { table: string }) => table.table === 'chain_fills_by_wallet'),
    ).toMatchObject({
      stored: fills.recorded,
    })
    expect(verified.keyset).toEqual([
      {
        kind: 'markets',
        checked: expect.any(Number),
        mismatched: [
          {
            kind: 'markets',
            window: damaged.window,
            partitions: [`closed=false|${damaged.window}`, `closed=true|${damaged.window}`],
            recorded: expect.any(Number),
            stored: 0,
          },
        ],
      },
      { kind: 'events', checked: expect.any(Number), mismatched: [] },
    ])
    expect(verified.keyset[0].mismatched[0].recorded).toBeGreaterThanOrEqual(damaged.markets)

    const text = await runCli(['--data-dir', dataDir, 'gaps', '--verify'], env)
    expect(text.stdout).toMatch(
      // The JSON run above recorded the missing digest: none is counted only now.
      /done block ranges of chain_fills that no longer hold what was committed: 3 of \d+ counted\n/,
    )
    expect(text.stdout).toMatch(
      /done block ranges of chain_transfers that no longer hold what was committed: 2 of \d+ counted\n/,
    )
    const changed = damaged.changed.fills
    expect(text.stdout).toMatch(
      new RegExp(
        `\n  ${changed.from.toLocaleString('en-US')}–${changed.to.toLocaleString('en-US')}  chain_fills ([\\d,]+) of \\1 rows, .*, chain_fills rows changed \\(content digest differs\\)\n`,
      ),
    )
    expect(text.stdout).toContain(
      `  ${damaged.fills[0]?.from.toLocaleString('en-US')}–${damaged.fills[0]?.to.toLocaleString('en-US')}  chain_fills ${(fills.stored as number).toLocaleString('en-US')} of ${(fills.recorded as number).toLocaleString('en-US')} rows`,
    )
    expect(text.stdout).toMatch(
      /done markets windows holding fewer markets than their walks recorded: 1 of \d+ counted/,
    )
    expect(text.stdout).toMatch(/fetch them with: polyhouse repair --verify\n$/)
  })

  it('repair --verify fetches exactly those again, and every table equals the clean run’s', {
    timeout: 600_000,
  }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'repair', '--verify'], env)
    expect(result.stderr).toContain(
      'polyhouse: repairing 0 block ranges (0 blocks), 3 done chain_fills ranges that no longer match, 2 done chain_transfers ranges that no longer match, 0 orphan markets, 0 markets missing tokens, 1 short markets windows, 0 short events windows, 0 wallets\n',
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('blocks: 5 ranges (')
    expect(result.stdout).toContain(', 5 of them no longer as committed) fetched, ')
    expect(result.stdout).toContain('1 short windows walked again')
    expect(result.stdout).toMatch(/gaps now: none\n$/)
    const after = JSON.parse(
      (await runCli(['--data-dir', dataDir, 'gaps', '--verify', '--json'], env)).stdout,
    )
    for (const stream of after.verified.blocks) expect(stream.mismatched).toEqual([])
    for (const keyset of after.verified.keyset) expect(keyset.mismatched).toEqual([])
    expect(await withDirectory(contents)).toEqual(clean)
  })
})
