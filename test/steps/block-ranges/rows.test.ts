// RowWriter: the bytes it writes are the text of the values, whichever of its paths writes them
// (short text by a loop, long text natively, numbers digit by digit, spans copied from a reply), or
// in RowBinary their little-endian integers and length-prefixed strings. test/steps/chain/insert.test.ts
// checks the RowBinary bytes against the engine itself.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { RowBuffers, RowWriter, readRowBinary } from '../../../steps/block-ranges/rows.ts'

const RUN = 'run-1'

async function text(out: RowWriter): Promise<string> {
  return (await out.finish()).payload.toString('latin1')
}

describe('RowWriter', () => {
  it('writes numbers as their decimal text, on both sides of 2^31 and up to 2^53', async () => {
    const values = [
      0,
      7,
      9,
      10,
      99,
      100,
      65_535,
      2 ** 31 - 1,
      2 ** 31,
      1_700_000_000,
      4_503_599_627_370_495,
      2 ** 53 - 1,
    ]
    const out = new RowWriter(RUN, 1)
    for (const value of values) {
      out.writeNumber(value)
      out.endRow()
    }
    expect(await text(out)).toBe(values.map((value) => `${value}\t${RUN}\n`).join(''))
  })

  it('writes short and long text, and copied spans, as given, growing past its first guess', async () => {
    const reply = Buffer.from('{"hash":"0xabcdef0123456789"}', 'latin1')
    const long = `0x${'ab'.repeat(500)}`
    const out = new RowWriter(RUN, 1)
    for (let row = 0; row < 50; row++) {
      out.write('\t0x')
      out.copy(reply, 9, 27)
      out.write(long)
      out.endRow()
    }
    const expected = `\t0x0xabcdef0123456789${long}\t${RUN}\n`.repeat(50)
    expect(await text(out)).toBe(expected)
  })

  it('digests the rows without their run ids, and a rewind drops what followed the mark', async () => {
    const rows = async (runId: string) => {
      const out = new RowWriter(runId, 4)
      out.write('1\ta')
      out.endRow()
      const mark = out.mark()
      out.write('2\thalf-written')
      out.rewind(mark)
      out.write('3\tc')
      out.endRow()
      return await out.finish()
    }
    const a = await rows('aaaa')
    const b = await rows('bbbb')
    expect(a.payload.toString('latin1')).toBe('1\ta\taaaa\n3\tc\taaaa\n')
    expect(a.rows).toBe(2)
    expect(a.digest).toEqual(b.digest)
    expect(a.digest).toEqual(createHash('sha256').update('1\ta\t----\n3\tc\t----\n').digest())
  })

  it('refuses rows and a second finish once finished: its buffer may be the payload handed out', async () => {
    const out = new RowWriter(RUN, 1)
    out.write('1')
    out.endRow()
    const done = await out.finish()
    expect(() => out.write('2')).toThrow(/after finish/)
    expect(() => out.endRow()).toThrow(/after finish/)
    await expect(out.finish()).rejects.toThrow(/twice/)
    expect(done.payload.toString('latin1')).toBe(`1\t${RUN}\n`)
  })
})

describe('RowWriter in RowBinary', () => {
  const hexWord = (value: bigint) => value.toString(16).padStart(64, '0')
  const TOKEN = 98022490269692409998126496127597032490334070080325855126491859374983463996227n

  it('writes each type as the engine reads it: little-endian integers, length-prefixed strings', async () => {
    const out = new RowWriter(RUN, 1, 'RowBinary')
    out.uint8(1)
    out.uint32(1_700_000_000)
    out.uint64(2 ** 53 - 1)
    out.uint256(0x1234)
    out.string('0xab')
    out.endRow()
    const { payload } = await out.finish()
    const expected = Buffer.concat([
      Buffer.from([1]),
      Buffer.from('00f15365', 'hex'),
      Buffer.from('ffffffffffff1f00', 'hex'),
      Buffer.from(`3412${'00'.repeat(30)}`, 'hex'),
      Buffer.from([4]),
      Buffer.from('0xab', 'latin1'),
      Buffer.from([RUN.length]),
      Buffer.from(RUN, 'latin1'),
    ])
    expect(payload.toString('hex')).toBe(expected.toString('hex'))
  })

  it('UInt256 from a word of hex digits, from text and from a Number give the same exact value', async () => {
    const values = [0n, 1n, 999_999n, 2n ** 52n - 1n, 2n ** 128n + 7n, TOKEN, 2n ** 256n - 1n]
    const source = Buffer.from(`xx${values.map(hexWord).join('')}`, 'latin1')
    const out = new RowWriter(RUN, 1, 'RowBinary')
    for (const [i, value] of values.entries()) {
      out.uint256Hex(source, 2 + 64 * i)
      out.uint256Text(value.toString())
      out.uint256Text(`0x${value.toString(16)}`)
      out.uint256(value < 2n ** 53n ? Number(value) : 0)
      out.endRow()
    }
    const rows = readRowBinary((await out.finish()).payload, ['UInt256', 'UInt256', 'UInt256', 'UInt256'])
    expect(rows).toEqual(
      values.map((value) => [
        value.toString(),
        value.toString(),
        value.toString(),
        value < 2n ** 53n ? value.toString() : '0',
        RUN,
      ]),
    )
    expect(() => new RowWriter(RUN, 1, 'RowBinary').uint256Text((2n ** 256n).toString())).toThrow(/UInt256/)
    expect(() => new RowWriter(RUN, 1, 'RowBinary').uint256Text('-1')).toThrow(/UInt256/)
  })

  it('leaves run ids out of the digest, as in TabSeparated, and refuses strings its prefix cannot hold', async () => {
    const rows = async (runId: string) => {
      const out = new RowWriter(runId, 1, 'RowBinary')
      for (let n = 0; n < 3; n++) {
        out.uint64(n)
        out.string(`row ${n}`)
        out.endRow()
      }
      return await out.finish()
    }
    const a = await rows('aaaa')
    const b = await rows('bbbb')
    expect(a.digest).toEqual(b.digest)
    expect(readRowBinary(a.payload, ['UInt64', 'String'])).toEqual([
      ['0', 'row 0', 'aaaa'],
      ['1', 'row 1', 'aaaa'],
      ['2', 'row 2', 'aaaa'],
    ])
    expect(() => new RowWriter(RUN, 1, 'RowBinary').string('x'.repeat(128))).toThrow(/length prefix/)
    expect(() => readRowBinary(a.payload.subarray(0, 20), ['UInt64', 'String'])).toThrow(/ends inside/)
  })
})

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
