// RowWriter: the bytes it writes are the text of the values, whichever of its paths writes them
// (short text by a loop, long text natively, numbers digit by digit, spans copied from a reply).
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { RowWriter } from '../../../steps/block-ranges/rows.ts'

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
    out.write('2')
    expect(() => out.endRow()).toThrow(/after finish/)
    await expect(out.finish()).rejects.toThrow(/twice/)
    expect(done.payload.toString('latin1')).toBe(`1\t${RUN}\n`)
  })
})
