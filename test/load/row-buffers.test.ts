// RowBuffers: the memory RowWriters write into comes back once given back, never while held.
import { describe, expect, it } from 'vitest'
import { readRowBinary } from '../../bench/shared/row-binary.ts'
import { RowBuffers } from '../../load/row-buffers.ts'
import { RowWriter } from '../../load/row-writer.ts'

const RUN = 'run-1'

describe('RowBuffers', () => {
  const write = async (buffers: RowBuffers, rows: number, runId = RUN, expectedRows = rows) => {
    const out = new RowWriter(runId, expectedRows, 'RowBinary', buffers)
    for (let n = 0; n < rows; n++) {
      out.uint64(n)
      out.string(`row ${n}`)
      out.endRow()
    }
    return await out.finish()
  }
  const last = (payload: Buffer) => readRowBinary(payload, ['UInt64', 'String']).at(-1)

  it('writes the next rows into a buffer given back, and never into one still held', async () => {
    const buffers = new RowBuffers()
    const first = await write(buffers, 5_000)
    const held = await write(buffers, 5_000, 'held')
    expect(held.payload.buffer).not.toBe(first.payload.buffer)
    buffers.give(first.payload)
    buffers.give(first.payload)
    const next = await write(buffers, 5_000, 'next')
    expect(next.payload.buffer).toBe(first.payload.buffer)
    expect(last(next.payload)).toEqual(['4999', 'row 4999', 'next'])
    // Given twice before it was taken again: it was freed once, so the next writer gets other memory.
    const after = await write(buffers, 5_000, 'later')
    expect(after.payload.buffer).not.toBe(next.payload.buffer)
    // `held` was never given back: its rows are as written.
    expect(last(held.payload)).toEqual(['4999', 'row 4999', 'held'])
  })

  it('gives back what a growing writer outgrew, and refuses writes once finished', async () => {
    const taken: Buffer[] = []
    const buffers = new (class extends RowBuffers {
      override take(bytes: number): Buffer {
        const buffer = super.take(bytes)
        taken.push(buffer)
        return buffer
      }
    })()
    // 100 rows' worth (72 KB) to start with, 5,000 rows of ~16 bytes (80 KB) written: it grows once.
    const grown = await write(buffers, 5_000, RUN, 100)
    expect(last(grown.payload)).toEqual(['4999', 'row 4999', RUN])
    expect(taken.map((buffer) => buffer.length)).toEqual([72_000, 144_000])
    expect(grown.payload.buffer).toBe(taken[1]?.buffer)
    // The first buffer went back when the writer outgrew it.
    expect(buffers.take(72_000).buffer).toBe(taken[0]?.buffer)
    const out = new RowWriter(RUN, 100, 'RowBinary', buffers)
    out.uint64(1)
    out.endRow()
    const done = await out.finish()
    expect(() => out.uint64(2)).toThrow(/after finish/)
    expect(() => out.write('x')).toThrow(/after finish/)
    expect(readRowBinary(done.payload, ['UInt64'])).toEqual([['1', RUN]])
  })

  it('takes back only memory it lent, keeps no more than its bound, and fits requests closely', async () => {
    const buffers = new RowBuffers(1_024 * 1_024)
    const foreign = Buffer.allocUnsafeSlow(100_000)
    buffers.give(foreign)
    expect(buffers.take(100_000).buffer).not.toBe(foreign.buffer)
    const big = buffers.take(2 * 1_024 * 1_024)
    buffers.give(big)
    expect(buffers.take(100_000).buffer).not.toBe(big.buffer)
    const medium = buffers.take(400_000)
    buffers.give(medium.subarray(0, 10))
    // Over twice the request: left for a larger one.
    expect(buffers.take(150_000).buffer).not.toBe(medium.buffer)
    expect(buffers.take(300_000).buffer).toBe(medium.buffer)
    // Small buffers are not pooled at all.
    const small = buffers.take(4_096)
    buffers.give(small)
    expect(buffers.take(4_096).buffer).not.toBe(small.buffer)
  })
})
