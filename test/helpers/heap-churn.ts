// Opens an embedded warehouse (under --memory-limit when a size is given; none when the data
// directory is "-"), then keeps about 100 MB of objects alive while allocating short-lived ones, and
// prints the most heap V8 committed meanwhile as JSON. Run as its own process by
// test/load/engine-memory.test.ts: V8's flags are process-wide.
//
//   node --import tsx test/helpers/heap-churn.ts <data-dir|-> [<memory limit bytes>]
import v8 from 'node:v8'
import { openWarehouse } from '../../load/warehouse.ts'

const [dataDir, limit] = process.argv.slice(2)
if (!dataDir) throw new Error('usage: heap-churn.ts <data-dir|-> [<memory limit bytes>]')
const warehouse =
  dataDir === '-'
    ? undefined
    : await openWarehouse({
        kind: 'embedded',
        dataDir,
        ...(limit === undefined ? {} : { memoryLimitBytes: Number(limit) }),
      })
const live: object[][] = []
for (let i = 0; i < 100; i++) live.push(Array.from({ length: 25_000 }, (_, j) => ({ j })))
const recent: object[][] = []
let peak = 0
for (let round = 0; round < 2_000; round++) {
  recent.push(Array.from({ length: 10_000 }, (_, j) => ({ j, text: `x${j}` })))
  if (recent.length > 20) recent.shift()
  peak = Math.max(peak, v8.getHeapStatistics().total_heap_size)
}
await warehouse?.close()
console.log(JSON.stringify({ peakHeapBytes: peak, liveObjects: live.length * 25_000 }))
