// A process that opens an embedded warehouse as polyhouse does (so it leaves the same owner record)
// and holds it until killed, ignoring SIGTERM: a stuck holder, for `polyhouse stop`'s last resort.
// Run as: node --import tsx test/helpers/hold-warehouse.ts <data dir>; prints "holding" when it does.
import { openWarehouse } from '../../load/warehouse.ts'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: hold-warehouse.ts <data dir>')
await openWarehouse({ kind: 'embedded', dataDir })
process.on('SIGTERM', () => {})
process.stdout.write('holding\n')
setInterval(() => {}, 60_000)
