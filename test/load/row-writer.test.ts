// RowWriter: the bytes it writes are the text of the values, whichever of its paths writes them
// (short text by a loop, long text natively, spans copied from a reply), or in RowBinary their
// little-endian integers and length-prefixed strings, value by value or a whole row by its columns.
// test/steps/chain/insert.test.ts checks the RowBinary bytes against the engine itself.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { readRowBinary } from '../../bench/shared/row-binary.ts'
import { type BinaryColumns, RowWriter } from '../../load/row-writer.ts'

const RUN = 'run-1'

async function text(out: RowWriter): Promise<string> {
  return (await out.finish()).payload.toString('latin1')
}

describe('RowWriter', () => {
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
    out.uint16(0xfffe)
    out.uint32(1_700_000_000)
    out.uint64(2 ** 53 - 1)
    out.uint256(0x1234)
    out.string('0xab')
    out.endRow()
    const { payload } = await out.finish()
    const expected = Buffer.concat([
      Buffer.from([1]),
      Buffer.from('feff', 'hex'),
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

  it('writes arrays as RowBinary does: a LEB128 length, then each element', async () => {
    const out = new RowWriter(RUN, 1, 'RowBinary')
    const ids = Array.from({ length: 200 }, (_, i) => String(i))
    out.row(
      [
        ['ids', 'Array(UInt256)'],
        ['conditions', 'Array(String)'],
        ['none', 'Array(String)'],
      ],
      { ids, conditions: ['0xab', '0xc'], none: [] },
    )
    const { payload } = await out.finish()
    const expected = Buffer.concat([
      // 200 = 0b1_1001000: low seven bits with the continuation bit, then 1.
      Buffer.from([0xc8, 0x01]),
      ...ids.map((id) => Buffer.from(`${Number(id).toString(16).padStart(2, '0')}${'00'.repeat(31)}`, 'hex')),
      Buffer.from([2, 4]),
      Buffer.from('0xab', 'latin1'),
      Buffer.from([3]),
      Buffer.from('0xc', 'latin1'),
      Buffer.from([0]),
      Buffer.from([RUN.length]),
      Buffer.from(RUN, 'latin1'),
    ])
    expect(payload.toString('hex')).toBe(expected.toString('hex'))
    const wrong = new RowWriter(RUN, 1, 'RowBinary')
    expect(() => wrong.row([['ids', 'Array(UInt256)']], { ids: '1' })).toThrow(/not a list/)
    expect(() => wrong.row([['id', 'UInt256']], { id: ['1'] })).toThrow(/is a list/)
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

describe('RowWriter.row', () => {
  const COLUMNS: BinaryColumns = [
    ['block', 'UInt64'],
    ['index', 'UInt32'],
    ['batch', 'UInt16'],
    ['time', 'DateTime'],
    ['version', 'UInt8'],
    ['side', ['BUY', 'SELL']],
    ['hash', 'String'],
    ['token', 'UInt256'],
  ]
  const ROW = {
    block: 2 ** 53 - 1,
    index: 0xffff_ffff,
    batch: 0xffff,
    time: 1_700_000_000,
    version: 2,
    side: 'SELL',
    hash: '0xab',
    token: (2n ** 256n - 1n).toString(),
  }

  it('writes each value by its column type, the bytes the typed methods write', async () => {
    const byRow = new RowWriter(RUN, 1, 'RowBinary')
    byRow.row(COLUMNS, ROW)
    byRow.row(COLUMNS, { ...ROW, side: 'BUY', token: '0x0' })
    const byValue = new RowWriter(RUN, 1, 'RowBinary')
    for (const [side, token] of [
      [1, ROW.token],
      [0, '0'],
    ] as const) {
      byValue.uint64(ROW.block)
      byValue.uint32(ROW.index)
      byValue.uint16(ROW.batch)
      byValue.uint32(ROW.time)
      byValue.uint8(ROW.version)
      byValue.uint8(side)
      byValue.string(ROW.hash)
      byValue.uint256Text(token)
      byValue.endRow()
    }
    const payload = (await byRow.finish()).payload
    expect(payload.toString('hex')).toBe((await byValue.finish()).payload.toString('hex'))
    expect(
      readRowBinary(
        payload,
        COLUMNS.map(([, type]) => type),
      )[1],
    ).toEqual([
      String(ROW.block),
      String(ROW.index),
      String(ROW.batch),
      String(ROW.time),
      '2',
      'BUY',
      '0xab',
      '0',
      RUN,
    ])
  })

  it('refuses a value its column cannot hold, naming the column', () => {
    const out = new RowWriter(RUN, 1, 'RowBinary')
    expect(() => out.row(COLUMNS, { ...ROW, batch: 0x1_0000 })).toThrow(/batch 65536 is not a UInt16/)
    expect(() => out.row(COLUMNS, { ...ROW, version: 256 })).toThrow(/version 256 is not a UInt8/)
    expect(() => out.row(COLUMNS, { ...ROW, index: -1 })).toThrow(/index -1 is not a UInt32/)
    expect(() => out.row(COLUMNS, { ...ROW, block: 2 ** 53 })).toThrow(/block .* is not a UInt64/)
    expect(() => out.row(COLUMNS, { ...ROW, side: 'HOLD' })).toThrow(/side 'HOLD' is none of BUY, SELL/)
    expect(() => out.row(COLUMNS, { ...ROW, token: '-1' })).toThrow(/UInt256/)
    const { hash: _, ...noHash } = ROW
    expect(() => out.row(COLUMNS, noHash)).toThrow(/no value for column hash/)
  })
})
