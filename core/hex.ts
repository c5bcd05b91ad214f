// Hex digits as bytes, for the code that reads hex where it lies in a buffer (the eth_getLogs scanner,
// extract/chain/log-scan.ts) and writes it as binary (the RowBinary writer, load/row-writer.ts).

/** The value of a hex digit of either case by its byte, 255 for any other byte. */
export const HEX_VALUE = new Uint8Array(256).fill(255)
for (let d = 0; d < 16; d++) {
  HEX_VALUE[d.toString(16).charCodeAt(0)] = d
  HEX_VALUE[d.toString(16).toUpperCase().charCodeAt(0)] = d
}
