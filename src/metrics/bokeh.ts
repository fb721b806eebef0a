import Delaunator from 'delaunator';

/**
 * PIC's "bokeh" image (spec guided-ig.md §4.2, method 'linear'): the pixels where `mask` is set keep
 * their values; every other pixel is interpolated linearly, per channel, on a Delaunay triangulation
 * of the kept pixels' (row, col) coordinates. The four corners are always kept, so the triangulation
 * covers the whole image. Integer images are rounded half to even after a float32 work buffer, as
 * the reference does. Delaunay triangles of an integer grid are not unique (co-circular pixels), and
 * Delaunator may pick other diagonals than Qhull: results are close to the reference, not identical.
 *
 * `pixels` is H×W×C (row-major, channels last); `mask` is H×W, nonzero = keep. Returns a new array of
 * `pixels`' type.
 */
export function bokehImage<T extends Uint8Array | Float64Array>(pixels: T, height: number, width: number, channels: number, mask: ArrayLike<number | boolean>): T {
  if (pixels.length !== height * width * channels) throw new Error(`internal: ${pixels.length} pixels for ${height}×${width}×${channels}`);
  if (mask.length !== height * width) throw new Error(`internal: a mask of ${mask.length} for ${height}×${width}`);
  const known = Uint8Array.from(mask, (m) => (m ? 1 : 0));
  for (const at of [0, width - 1, (height - 1) * width, height * width - 1]) known[at] = 1;
  const integer = pixels instanceof Uint8Array;
  const out = (integer ? new Uint8Array(pixels.length) : new Float64Array(pixels.length)) as T;
  if (known.every((k) => k === 1)) {
    out.set(pixels);
    return out;
  }
  const knownIndex: number[] = [];
  const coords: number[] = [];
  for (let i = 0; i < known.length; i++) {
    if (known[i]) {
      knownIndex.push(i);
      coords.push(Math.floor(i / width), i % width);
    }
  }
  const filled = Uint8Array.from(known);
  const write = (pixel: number, channel: number, value: number) => {
    out[pixel * channels + channel] = integer ? roundHalfEven(Math.fround(value)) : value;
  };
  for (const pixel of knownIndex) for (let c = 0; c < channels; c++) out[pixel * channels + c] = pixels[pixel * channels + c];
  const triangles = new Delaunator(coords).triangles;
  for (let t = 0; t < triangles.length; t += 3) {
    const [a, b, c] = [triangles[t], triangles[t + 1], triangles[t + 2]];
    const [ra, ca, rb, cb, rc, cc] = [coords[2 * a], coords[2 * a + 1], coords[2 * b], coords[2 * b + 1], coords[2 * c], coords[2 * c + 1]];
    const det = (rb - ra) * (cc - ca) - (rc - ra) * (cb - ca);
    if (det === 0) continue;
    for (let r = Math.min(ra, rb, rc); r <= Math.max(ra, rb, rc); r++) {
      for (let col = Math.min(ca, cb, cc); col <= Math.max(ca, cb, cc); col++) {
        const pixel = r * width + col;
        if (filled[pixel]) continue;
        const wb = ((r - ra) * (cc - ca) - (rc - ra) * (col - ca)) / det;
        const wc = ((rb - ra) * (col - ca) - (r - ra) * (cb - ca)) / det;
        const wa = 1 - wb - wc;
        const eps = -1e-12;
        if (wa < eps || wb < eps || wc < eps) continue;
        filled[pixel] = 1;
        const [pa, pb, pc] = [knownIndex[a] * channels, knownIndex[b] * channels, knownIndex[c] * channels];
        for (let ch = 0; ch < channels; ch++) write(pixel, ch, wa * pixels[pa + ch] + wb * pixels[pb + ch] + wc * pixels[pc + ch]);
      }
    }
  }
  return out;
}

/** np.round: to the nearest integer, ties to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest < 0.5) return floor;
  if (rest > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
