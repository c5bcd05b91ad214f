// Reorgs on a real node, through a provider that sends no blockTimestamp (so block times come from
// batched eth_getBlockByNumber): anvil mines fills, the chain step loads them, anvil reverts to an
// earlier block and mines other fills at the same heights; the next run steps back to the last
// block whose hash still agrees, deletes the rows above it and loads the new branch — nothing of the
// abandoned blocks remains. Also: rows left by a commit that never recorded its range are replaced,
// not lost to insert deduplication, when the very same rows come back.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXCHANGE_ADDRESSES, NEG_RISK_CTF_EXCHANGE_V2, TOPIC0 } from '../../../extract/chain/contracts.ts'
import type { BlockHeader } from '../../../extract/chain/rpc.ts'
import { createChainStep, FILLS_STREAM_NAME } from '../../../steps/chain/index.ts'
import { Anvil, type LogToEmit } from '../../anvil/anvil.ts'
import { localChainOptions, openStepHarness, rows, type StepHarness } from './harness.ts'

const w = (value: bigint) => value.toString(16).padStart(64, '0')
const topic = (address: string) => `0x${address.slice(2).padStart(64, '0')}`

/** A V2 BUY on the NegRisk V2 exchange whose maker is wallet `n` (so each log is recognisable). */
function fill(n: number): LogToEmit {
  return {
    address: NEG_RISK_CTF_EXCHANGE_V2,
    topics: [
      TOPIC0.orderFilledV2,
      `0x${w(BigInt(n))}`,
      topic(`0x${n.toString(16).padStart(40, '0')}`),
      topic(`0x${'9'.repeat(40)}`),
    ],
    data: `0x${w(0n)}${w(BigInt(1000 + n))}${w(500_000n)}${w(1_000_000n)}${w(0n)}${w(0n)}${w(0n)}`,
  }
}

/** Forwards JSON-RPC to anvil, dropping blockTimestamp from logs and counting what was asked. */
class NoTimestampProxy {
  readonly calls: Record<string, number> = {}
  httpRequests = 0
  private server!: http.Server
  url = ''

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = http.createServer(async (req, res) => {
      let body = ''
      for await (const chunk of req) body += chunk
      this.httpRequests++
      const parsed = JSON.parse(body) as { method: string } | { method: string }[]
      for (const call of Array.isArray(parsed) ? parsed : [parsed])
        this.calls[call.method] = (this.calls[call.method] ?? 0) + 1
      const answer = await fetch(this.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      const json = (await answer.json()) as unknown
      const strip = (reply: { result?: unknown }) => {
        if (Array.isArray(reply.result))
          for (const log of reply.result as Record<string, unknown>[]) delete log.blockTimestamp
      }
      for (const reply of (Array.isArray(json) ? json : [json]) as { result?: unknown }[]) strip(reply)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(json))
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

let anvil: Anvil
let proxy: NoTimestampProxy
let harness: StepHarness

beforeAll(async () => {
  anvil = await Anvil.start({ chainId: 137 })
  await anvil.placeLogEmitter([...EXCHANGE_ADDRESSES])
  proxy = new NoTimestampProxy(anvil.url)
  await proxy.start()
  harness = await openStepHarness()
}, 60_000)

afterAll(async () => {
  await harness?.close()
  await proxy?.close()
  await anvil?.close()
})

async function loaded(): Promise<{ makers: string[]; raw: number; byWallet: number }> {
  const fills = await rows(
    harness.warehouse,
    `SELECT maker, block_hash, toString(block_number) AS block FROM chain_fills FINAL ORDER BY block_number, log_index`,
  )
  const heads = await anvil.rpc.getBlocksByNumber(fills.map((f) => Number(f.block)))
  for (const [i, f] of fills.entries())
    expect(f.block_hash, `block ${f.block}`).toBe((heads[i] as BlockHeader).hash)
  const [counts] = await rows(
    harness.warehouse,
    `SELECT toString((SELECT count() FROM chain_fills)) AS raw, toString((SELECT count() FROM chain_fills_by_wallet)) AS by_wallet`,
  )
  return {
    makers: fills.map((f) => String(Number(f.maker))),
    raw: Number(counts?.raw),
    byWallet: Number(counts?.by_wallet),
  }
}

describe('reorgs', () => {
  it('reads block times from batched headers when logs carry none', async () => {
    await anvil.emitLogs([fill(1)])
    await anvil.emitLogs([fill(2)])
    await anvil.emitLogs([fill(3), fill(4)], { sameBlock: true })
    await anvil.mine(2)
    const outcome = await createChainStep(localChainOptions(proxy.url), {
      adaptive: { initial: 2, max: 2 },
    }).run(harness.context())
    expect(outcome).toMatchObject({ rows: 4, failures: [], complete: true })
    expect((await loaded()).makers).toEqual(['1', '2', '3', '4'])
    const blocks = await rows(
      harness.warehouse,
      `SELECT toString(block_number) AS n, parent_hash, toString(toUnixTimestamp(block_time)) AS t FROM chain_blocks FINAL ORDER BY block_number`,
    )
    const heads = await anvil.rpc.getBlocksByNumber(blocks.map((b) => Number(b.n)))
    expect(blocks).toEqual(
      heads.map((h) => ({ n: String(h?.number), parent_hash: h?.parentHash, t: String(h?.timestamp) })),
    )
    // One batch per range for the headers its logs need, never one request per log.
    expect(proxy.calls.eth_getBlockByNumber ?? 0).toBeLessThanOrEqual(
      blocks.length + (proxy.calls.eth_getLogs ?? 0) + 1,
    )
  })

  it('steps back to the last agreeing block, drops the abandoned branch and loads the new one', async () => {
    // Fork below block 3: blocks 3 and up are replaced by a longer branch with other fills.
    const tipBefore = await anvil.rpc.blockNumber()
    await anvil.rpc.request('anvil_rollback', [tipBefore - 2])
    expect(await anvil.rpc.blockNumber()).toBe(2)
    await anvil.emitLogs([fill(5)])
    await anvil.emitLogs([fill(6), fill(7)], { sameBlock: true })
    await anvil.mine(3)
    const outcome = await createChainStep(localChainOptions(proxy.url)).run(harness.context())
    expect(outcome).toMatchObject({ failures: [], complete: true })
    expect(harness.notes.filter((note) => note.startsWith('reorg:'))).toHaveLength(1)
    expect(harness.notes.find((note) => note.startsWith('reorg:'))).toMatch(/block 2 agrees/)
    expect(await loaded()).toEqual({ makers: ['1', '2', '5', '6', '7'], raw: 5, byWallet: 5 })
    const stale = await rows(
      harness.warehouse,
      `SELECT toString(block_number) AS n, block_hash FROM chain_blocks FINAL`,
    )
    const heads = await anvil.rpc.getBlocksByNumber(stale.map((b) => Number(b.n)))
    expect(stale.filter((b, i) => b.block_hash !== heads[i]?.hash)).toEqual([])
  })

  it('replaces rows a commit left without its checkpoint, even when the same rows come back', async () => {
    // As after a kill between the insert and the checkpoint: rows are there, their ranges are not.
    const before = await loaded()
    await harness.checkpoints.forgetBlocksFrom(FILLS_STREAM_NAME, 3)
    const outcome = await createChainStep(localChainOptions(proxy.url), {
      adaptive: { initial: 1_000, max: 1_000 },
    }).run(harness.context())
    expect(outcome).toMatchObject({ failures: [], complete: true, rows: 3 })
    expect(harness.notes.some((note) => /left by an interrupted commit/.test(note))).toBe(true)
    // Deleted and inserted again under a renewed token: present once, not dropped as a duplicate.
    expect(await loaded()).toEqual(before)
    // And once more, with the same ranges and rows: still present.
    await harness.checkpoints.forgetBlocksFrom(FILLS_STREAM_NAME, 3)
    await createChainStep(localChainOptions(proxy.url), { adaptive: { initial: 1_000, max: 1_000 } }).run(
      harness.context(),
    )
    expect(await loaded()).toEqual(before)
  })
})
