// The trade views on hand-made rows: the snapshot rule of vw_trades_unified (a position missing from
// a wallet's newest snapshot is gone), unknown tokens kept with empty metadata and countable, and
// every status of vw_position_reconciliation — each checked with the exact decimals — including
// 'pending' when the chain side ends before the API snapshot or has rows after it.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseMarket } from '../../../extract/gamma/records.ts'
import { reloadTokenMarkets, unknownTokenCounts } from '../../../steps/chain/index.ts'
import { eventOf, marketRow, tokenRows } from '../../../steps/markets/rows.ts'
import { openStepHarness, rows, type StepHarness } from './harness.ts'

const A = '0x00000000000000000000000000000000000000aa'
const B = '0x00000000000000000000000000000000000000bb'
const NEVER = '0x00000000000000000000000000000000000000cc'
const EXCHANGE = '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'
const KNOWN = '1001'
const OTHER = '1002'
const UNKNOWN = '9999'

let h: StepHarness

/** A V1 fill on the CTF exchange (amounts in raw 6-decimal units). */
function fill(
  block: number,
  maker: string,
  side: 'BUY' | 'SELL',
  token: string,
  shares: number,
  collateral: number,
  fee = 0,
) {
  const [making, taking] = side === 'BUY' ? [collateral, shares] : [shares, collateral]
  return {
    block_number: block,
    log_index: 0,
    tx_hash: `0x${String(block).padStart(64, '0')}`,
    block_hash: `0x${'b'.repeat(64)}`,
    block_time: 1_700_000_000 + block,
    exchange: EXCHANGE,
    exchange_version: 1,
    order_hash: `0x${'0'.repeat(64)}`,
    maker,
    taker: EXCHANGE,
    side,
    token_id: token,
    maker_asset_id: side === 'BUY' ? '0' : token,
    taker_asset_id: side === 'BUY' ? token : '0',
    maker_amount_filled: String(making),
    taker_amount_filled: String(taking),
    fee: String(fee),
    builder: '',
    metadata: '',
    _run_id: 'test',
  }
}

beforeAll(async () => {
  h = await openStepHarness()
  const w = h.warehouse
  await w.insert('markets', [
    {
      market_id: 7,
      condition_id: '0xc7',
      slug: 'will-it',
      question: 'Will it?',
      event_title: 'It',
      _run_id: 't',
    },
  ])
  await w.insert('market_tokens', [
    { token_id: KNOWN, condition_id: '0xc7', market_id: 7, outcome_index: 0, outcome: 'Yes', _run_id: 't' },
    { token_id: OTHER, condition_id: '0xc7', market_id: 7, outcome_index: 1, outcome: 'No', _run_id: 't' },
  ])
  await w.insert('chain_fills', [
    // A: bought 10 @ 0.40 with a 0.1-share fee (V1 BUY), sold 4 → 5.9 shares of KNOWN.
    fill(1, A, 'BUY', KNOWN, 10_000_000, 4_000_000, 100_000),
    fill(2, A, 'SELL', KNOWN, 4_000_000, 2_000_000),
    // A: 3 shares of a token no market lists.
    fill(3, A, 'BUY', UNKNOWN, 3_000_000, 1_500_000),
    // B: bought 2 of OTHER and sold them all: nothing left, nothing listed: a match.
    fill(4, B, 'BUY', OTHER, 2_000_000, 1_000_000),
    fill(5, B, 'SELL', OTHER, 2_000_000, 1_100_000),
    // B: 1 share of KNOWN the API disagrees with.
    fill(6, B, 'BUY', KNOWN, 1_000_000, 500_000),
    // A wallet never fetched.
    fill(7, NEVER, 'BUY', KNOWN, 1_000_000, 500_000),
  ])
  await w.insert('wallets', [
    {
      wallet: A,
      source: 'chain',
      positions_snapshot_at: '2026-07-02 00:00:00.000',
      positions_count: 2,
      _run_id: 't',
    },
    {
      wallet: B,
      source: 'chain',
      positions_snapshot_at: '2026-07-02 00:00:00.000',
      positions_count: 1,
      _run_id: 't',
    },
    { wallet: NEVER, source: 'chain', positions_count: 0, _run_id: 't' },
  ])
  const position = (wallet: string, token: string, size: string, snapshot: string) => ({
    wallet,
    token_id: token,
    condition_id: token === UNKNOWN ? '0xunknown' : '0xc7',
    outcome: 'Yes',
    size,
    avg_price: '0.4',
    snapshot_at: snapshot,
    raw: '{}',
    _run_id: 't',
  })
  await w.insert('positions', [
    position(A, KNOWN, '5.9', '2026-07-02 00:00:00.000'),
    position(A, UNKNOWN, '3', '2026-07-02 00:00:00.000'),
    // From an older snapshot: gone by the newest one.
    position(A, OTHER, '8', '2026-07-01 00:00:00.000'),
    position(B, KNOWN, '1.5', '2026-07-02 00:00:00.000'),
    // Listed by the API, never traded: a split or a transfer.
    position(B, UNKNOWN, '2', '2026-07-02 00:00:00.000'),
  ])
  // Both chain streams are complete through block 100, a block after every snapshot: the chain
  // side holds all the API can count, so a difference is a real one.
  await recordChainDone([{ from: 0, to: 100 }], '2026-07-03 00:00:00')
  await reloadTokenMarkets(w)
}, 60_000)

/** Records the chain streams' ranges done (replacing any before), with block `to` of the last at `time`. */
async function recordChainDone(ranges: { from: number; to: number }[], time: string): Promise<void> {
  const last = ranges.at(-1) as { to: number }
  for (const [stream, blocks] of [
    ['chain_fills', 'chain_blocks'],
    ['chain_transfers', 'chain_transfer_blocks'],
  ] as const) {
    await h.checkpoints.reset(stream)
    for (const range of ranges)
      await h.checkpoints.recordRange(stream, { ...range, blockHash: '', rows: 0, blocks: 0 })
    await h.warehouse.command(`DELETE FROM ${blocks} WHERE block_number > 7`)
    await h.warehouse.insert(blocks, [
      { block_number: last.to, block_hash: '0x', parent_hash: '0x', block_time: time, _run_id: 't' },
    ])
  }
}

afterAll(async () => {
  await h?.close()
})

describe('vw_trades_unified', () => {
  it('serves a wallet from both sources, current positions only, unknown tokens kept with empty metadata', async () => {
    const unified = await rows(
      h.warehouse,
      `SELECT source, toString(token_id) AS token, side, shares, price, condition_id, outcome, question, slug, event_title, toString(market_known) AS known
       FROM vw_trades_unified WHERE wallet = '${A}' ORDER BY source, time, token`,
    )
    expect(unified).toEqual([
      {
        source: 'blockchain',
        token: KNOWN,
        side: 'BUY',
        shares: '10.000000',
        price: '0.400000000000000000',
        condition_id: '0xc7',
        outcome: 'Yes',
        question: 'Will it?',
        slug: 'will-it',
        event_title: 'It',
        known: '1',
      },
      {
        source: 'blockchain',
        token: KNOWN,
        side: 'SELL',
        shares: '4.000000',
        price: '0.500000000000000000',
        condition_id: '0xc7',
        outcome: 'Yes',
        question: 'Will it?',
        slug: 'will-it',
        event_title: 'It',
        known: '1',
      },
      {
        source: 'blockchain',
        token: UNKNOWN,
        side: 'BUY',
        shares: '3.000000',
        price: '0.500000000000000000',
        condition_id: '',
        outcome: '',
        question: '',
        slug: '',
        event_title: '',
        known: '0',
      },
      {
        source: 'clob_api',
        token: KNOWN,
        side: '',
        shares: '5.900000',
        price: '0.400000000000000000',
        condition_id: '0xc7',
        outcome: 'Yes',
        question: 'Will it?',
        slug: 'will-it',
        event_title: 'It',
        known: '1',
      },
      {
        source: 'clob_api',
        token: UNKNOWN,
        side: '',
        shares: '3.000000',
        price: '0.400000000000000000',
        condition_id: '0xunknown',
        outcome: 'Yes',
        question: '',
        slug: '',
        event_title: '',
        known: '0',
      },
    ])
    const [unknown] = await rows(
      h.warehouse,
      `SELECT toString(countIf(market_known = 0)) AS n FROM vw_trades_unified`,
    )
    expect(unknown?.n).toBe('3')
    expect(await unknownTokenCounts(h.warehouse)).toEqual({
      fills: 7,
      fillsWithUnknownToken: 1,
      positions: 4,
      positionsWithUnknownToken: 2,
    })
  })
})

describe('vw_position_reconciliation', () => {
  it('puts chain shares beside the API size with their difference and a status', async () => {
    const reconciled = await rows(
      h.warehouse,
      `SELECT wallet, toString(token_id) AS token, chain_shares, api_shares, difference, toString(fills) AS fills, status,
              toString(positions_fetched) AS fetched
       FROM vw_position_reconciliation ORDER BY wallet, token`,
    )
    expect(reconciled).toEqual([
      {
        wallet: A,
        token: KNOWN,
        chain_shares: '5.900000',
        api_shares: '5.900000',
        difference: '0.000000',
        fills: '2',
        status: 'match',
        fetched: '1',
      },
      {
        wallet: A,
        token: UNKNOWN,
        chain_shares: '3.000000',
        api_shares: '3.000000',
        difference: '0.000000',
        fills: '1',
        status: 'match',
        fetched: '1',
      },
      {
        wallet: B,
        token: KNOWN,
        chain_shares: '1.000000',
        api_shares: '1.500000',
        difference: '0.500000',
        fills: '1',
        status: 'differs',
        fetched: '1',
      },
      {
        wallet: B,
        token: OTHER,
        chain_shares: '0.000000',
        api_shares: '0.000000',
        difference: '0.000000',
        fills: '2',
        status: 'match',
        fetched: '1',
      },
      {
        wallet: B,
        token: UNKNOWN,
        chain_shares: '0.000000',
        api_shares: '2.000000',
        difference: '2.000000',
        fills: '0',
        status: 'only_api',
        fetched: '1',
      },
      {
        wallet: NEVER,
        token: KNOWN,
        chain_shares: '1.000000',
        api_shares: '0.000000',
        difference: '-1.000000',
        fills: '1',
        status: 'only_chain',
        fetched: '0',
      },
    ])
    const one = await rows(
      h.warehouse,
      `SELECT status FROM vw_position_reconciliation WHERE wallet = '${B}' AND status != 'match' ORDER BY status`,
    )
    expect(one.map((row) => row.status)).toEqual(['differs', 'only_api'])
    const complete = await rows(
      h.warehouse,
      `SELECT DISTINCT toString(chain_complete_to_block) AS fills, toString(balance_complete_to_block) AS transfers,
              pending_reason, balance_pending_reason
       FROM vw_position_reconciliation WHERE positions_fetched = 1`,
    )
    expect(complete).toEqual([
      { fills: '100', transfers: '100', pending_reason: '', balance_pending_reason: '' },
    ])
  })

  it('calls a difference pending while the chain side ends before the snapshot', async () => {
    // A hole at 51–59: the fills are complete to block 50 only, a block older than the snapshots.
    await recordChainDone(
      [
        { from: 0, to: 50 },
        { from: 60, to: 100 },
      ],
      '2026-07-03 00:00:00',
    )
    for (const blocks of ['chain_blocks', 'chain_transfer_blocks']) {
      await h.warehouse.insert(blocks, [
        {
          block_number: 50,
          block_hash: '0x',
          parent_hash: '0x',
          block_time: '2026-07-01 12:00:00',
          _run_id: 't',
        },
      ])
    }
    try {
      expect(
        await rows(
          h.warehouse,
          `SELECT stream, toString(first_block) AS first, toString(confirmed_block) AS confirmed, toString(confirmed_time) AS time
           FROM vw_chain_confirmed ORDER BY stream`,
        ),
      ).toEqual([
        { stream: 'chain_fills', first: '0', confirmed: '50', time: '2026-07-01 12:00:00' },
        { stream: 'chain_transfers', first: '0', confirmed: '50', time: '2026-07-01 12:00:00' },
      ])
      const reconciled = await rows(
        h.warehouse,
        `SELECT wallet, toString(token_id) AS token, status, pending_reason, toString(chain_complete_to_block) AS complete
         FROM vw_position_reconciliation WHERE status != 'match' ORDER BY wallet, token`,
      )
      const reason =
        'the API snapshot may count fills after block 50 (2026-07-01 12:00:00), the last block every fill is loaded to'
      expect(reconciled).toEqual([
        { wallet: B, token: KNOWN, status: 'pending', pending_reason: reason, complete: '50' },
        { wallet: B, token: UNKNOWN, status: 'pending', pending_reason: reason, complete: '50' },
        // Never fetched: nothing to be pending against.
        { wallet: NEVER, token: KNOWN, status: 'only_chain', pending_reason: '', complete: '50' },
      ])
    } finally {
      await recordChainDone([{ from: 0, to: 100 }], '2026-07-03 00:00:00')
    }
  })

  it('calls a difference pending while the chain has fills after the snapshot', async () => {
    // B buys 2 more of OTHER after its snapshot: the API cannot list them yet.
    await h.warehouse.insert('chain_fills', [
      { ...fill(90, B, 'BUY', OTHER, 2_000_000, 1_000_000), block_time: '2026-07-02 00:03:00' },
    ])
    try {
      const reconciled = await rows(
        h.warehouse,
        `SELECT toString(token_id) AS token, status, pending_reason FROM vw_position_reconciliation
         WHERE wallet = '${B}' AND token_id = ${OTHER}`,
      )
      expect(reconciled).toEqual([
        {
          token: OTHER,
          status: 'pending',
          pending_reason:
            'fills up to 2026-07-02 00:03:00 came after (or within minutes of) the API snapshot',
        },
      ])
    } finally {
      for (const table of ['chain_fills', 'chain_fills_by_wallet'])
        await h.warehouse.command(`DELETE FROM ${table} WHERE block_number = 90`)
    }
  })
})

describe('tags and category in vw_trades_unified', () => {
  it('adds the market’s and its event’s tag slugs, and Gamma’s category from the stored payload', async () => {
    // A real resolved market (Gamma keyset page): `category` on the market and on its embedded event,
    // which neither schema decodes; its event is stored with tags of its own.
    const fixture = JSON.parse(
      readFileSync(
        path.join(
          import.meta.dirname,
          '../../fixtures/polymarket/gamma/resolved-markets-keyset-limit-1.json',
        ),
        'utf8',
      ),
    ).markets[0]
    const record = parseMarket(fixture)
    if (!record.ok) throw new Error(record.reason)
    const market = record.value
    await h.warehouse.insert('markets', [
      marketRow({ ...market, tags: [] }, fixture, 't', eventOf(market, new Map())),
    ])
    await h.warehouse.insert('market_tokens', tokenRows(market, 't'))
    await h.warehouse.insert('events', [
      {
        event_id: market.events[0]?.id,
        title: 'Republican nominee',
        tags: ['politics', 'elections'],
        raw: '{}',
        _run_id: 't',
      },
    ])
    await h.warehouse.insert('chain_fills', [
      fill(8, A, 'BUY', market.clobTokenIds[0] as string, 1_000_000, 500_000),
    ])
    await reloadTokenMarkets(h.warehouse)
    const trades = await rows(
      h.warehouse,
      `SELECT toString(market_id) AS market, tags, category FROM vw_trades_unified
       WHERE wallet = '${A}' AND source = 'blockchain' ORDER BY time`,
    )
    expect(trades.map((trade) => [trade.market, trade.tags, trade.category])).toEqual([
      ['7', [], ''],
      ['7', [], ''],
      ['0', [], ''],
      ['240379', ['politics', 'elections'], 'US-current-affairs'],
    ])
    const filtered = await rows(
      h.warehouse,
      `SELECT count() AS n FROM vw_trades_unified WHERE has(tags, 'elections') AND category = 'US-current-affairs'`,
    )
    expect(filtered).toEqual([{ n: '1' }])
  })
})
