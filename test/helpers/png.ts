// A small PNG decoder (8-bit RGB/RGBA, non-interlaced: what Chromium's screenshots are), enough to
// tell a rendered page from a blank one. node:zlib does the inflating.
import fs from 'node:fs'
import { inflateSync } from 'node:zlib'

export interface Picture {
  width: number
  height: number
  /** RGB(A) of pixel (x, y). */
  pixel(x: number, y: number): [number, number, number]
}

export function readPng(file: string): Picture {
  const data = fs.readFileSync(file)
  if (data.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${file} is not a PNG`)
  let offset = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (offset < data.length) {
    const length = data.readUInt32BE(offset)
    const type = data.toString('latin1', offset + 4, offset + 8)
    const body = data.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      const [depth, colorType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]]
      if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`)
      }
      channels = colorType === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(body)
    else if (type === 'IEND') break
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (pixels[y * stride + x - channels] as number) : 0
      const up = y > 0 ? (pixels[(y - 1) * stride + x] as number) : 0
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] as number) : 0
      const value = line[x] as number
      const predicted =
        filter === 0
          ? 0
          : filter === 1
            ? left
            : filter === 2
              ? up
              : filter === 3
                ? (left + up) >> 1
                : paeth(left, up, upLeft)
      pixels[y * stride + x] = (value + predicted) & 0xff
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => {
      const at = y * stride + x * channels
      return [pixels[at] as number, pixels[at + 1] as number, pixels[at + 2] as number]
    },
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** Distinct colours, and the share of pixels that are not (near) white or the page background. */
export function colourStats(picture: Picture, background: [number, number, number]) {
  const colours = new Set<number>()
  let ink = 0
  for (let y = 0; y < picture.height; y++) {
    for (let x = 0; x < picture.width; x++) {
      const [r, g, b] = picture.pixel(x, y)
      colours.add((r << 16) | (g << 8) | b)
      const near = (c: [number, number, number]) =>
        Math.abs(r - c[0]) + Math.abs(g - c[1]) + Math.abs(b - c[2]) < 12
      if (!near([255, 255, 255]) && !near(background)) ink++
    }
  }
  return { colours: colours.size, inkShare: ink / (picture.width * picture.height) }
}
