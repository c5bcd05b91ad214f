// RowBinary read back as text, the inverse of load/row-writer.ts: the tests and benches compare rows
// as tab-separated lines (the fast paths' with the reference decoders'; what the engine read with
// what was written). Nothing the pipeline runs reads RowBinary.
import type { BinaryColumn, BinaryColumns } from '../../load/row-writer.ts'

/**
 * RowBinary rows (each followed by its run column) read back as their values' text (integers in
 * decimal, enums by name): for tests and benches, which compare rows as text.
 */
export function readRowBinary(bytes: Buffer, columns: readonly BinaryColumn[]): string[][] {
  const rows: string[][] = []
  let p = 0
  const take = (n: number) => {
    if (p + n > bytes.length) throw new RangeError(`RowBinary ends inside a value at byte ${p}`)
    p += n
    return p - n
  }
  while (p < bytes.length) {
    const values: string[] = []
    for (const column of [...columns, 'String' as const]) {
      if (typeof column !== 'string') values.push(column[bytes[take(1)] as number] ?? '?')
      else if (column === 'UInt8') values.push(String(bytes[take(1)]))
      else if (column === 'UInt16') values.push(String(bytes.readUInt16LE(take(2))))
      else if (column === 'UInt32' || column === 'DateTime') values.push(String(bytes.readUInt32LE(take(4))))
      else if (column === 'UInt64') values.push(bytes.readBigUInt64LE(take(8)).toString())
      else if (column === 'UInt256') {
        const at = take(32)
        values.push(
          BigInt(
            `0x${Buffer.from(bytes.subarray(at, at + 32))
              .reverse()
              .toString('hex')}`,
          ).toString(),
        )
      } else {
        const length = bytes[take(1)] as number
        if (length > 127) throw new RangeError(`RowBinary string of ${length} bytes at byte ${p - 1}`)
        const at = take(length)
        values.push(bytes.toString('latin1', at, at + length))
      }
    }
    rows.push(values)
  }
  return rows
}

/** RowBinary rows of `columns` as tab-separated lines (each ending in a newline) without their run column. */
export function rowLines(bytes: Buffer, columns: BinaryColumns): string {
  return readRowBinary(
    bytes,
    columns.map(([, type]) => type),
  )
    .map((values) => `${values.slice(0, -1).join('\t')}\n`)
    .join('')
}
