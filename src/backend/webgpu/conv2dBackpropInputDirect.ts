import { PHASE_LETS, PHASE_PIXEL_FN } from './phase.js';

/**
 * Conv2DBackpropInput for 'webgpu', direct variant: no workgroup memory. Output pixels are grouped
 * by stride phase as in the tiled variant (conv2dBackpropInput.ts), so each thread visits only the
 * taps that reach dy, with no per-tap branching on divisibility. Each thread computes 4 pixels × 4
 * input channels from vec4 loads of dy and W (16 dot products per 8 loads; stock tfjs: 8 per 6).
 * Needs output channels (dy's) divisible by 4; input channels that are not are written one by one.
 * bench/gpu.ts times it against the tiled one.
 */
export class Conv2DBackpropInputDirectProgram {
  readonly variableNames = ['dy', 'W'];
  readonly variableComponents = [4, 4];
  readonly outputComponent: number;
  readonly uniforms = 'pads : vec2<i32>, strides : vec2<i32>, phaseDims : vec2<i32>, pixelGroups : i32,';
  readonly workgroupSize: [number, number, number] = [8, 8, 1];
  readonly dispatchLayout = { x: [3], y: [0, 1, 2] };
  readonly dispatch: [number, number, number];
  readonly outputShape: number[];
  readonly shaderKey: string;

  /** Groups of 4 pixels per phase: the pixelGroups uniform. */
  readonly pixelGroups: number;

  /** `maxGroupsY`: the device's limit on workgroups per dimension (the rest are looped over). */
  constructor(outputShape: number[], pixelsPerPhase: number, phases: number, maxGroupsY: number) {
    this.outputShape = outputShape;
    this.outputComponent = outputShape[3] % 4 === 0 ? 4 : 1;
    this.shaderKey = `pathlensConv2DBackpropInputDirect_${this.outputComponent}`;
    this.pixelGroups = Math.ceil(pixelsPerPhase / 4);
    this.dispatch = [Math.ceil(outputShape[3] / 4 / 8), Math.min(maxGroupsY, Math.ceil(this.pixelGroups / 8)), phases];
  }

  getUserCode(): string {
    return `
      ${PHASE_PIXEL_FN}

      ${'fn main()'} {${PHASE_LETS}
        let co4 = uniforms.dyShape[3] / 4;
        let c = i32(globalId.x) * 4;  // the first of this thread's 4 input channels
        if (c >= ci) { return; }

        // Groups of 4 pixels of the phase; a grid too tall for one dispatch loops over the rest.
        for (var g = i32(globalId.y); g < uniforms.pixelGroups; g += i32(numWorkgroups.y) * 8) {
          var pix : array<vec4<i32>, 4>;
          for (var r = 0; r < 4; r++) {
            pix[r] = phasePixel(g * 4 + r, py, px);
          }
          var acc : array<vec4<f32>, 4>;
          for (var r = 0; r < 4; r++) { acc[r] = vec4<f32>(0.0); }
          for (var fy = (py + uniforms.pads.x) % sH; fy < fH; fy += sH) {
            let offY = (py + uniforms.pads.x - fy) / sH;
            for (var fx = (px + uniforms.pads.y) % sW; fx < fW; fx += sW) {
              let offX = (px + uniforms.pads.y - fx) / sW;
              var dyBase : array<i32, 4>;
              for (var r = 0; r < 4; r++) {
                let oy = pix[r].y + offY;
                let ox = pix[r].z + offX;
                let ok = pix[r].w == 1 && oy >= 0 && oy < oH && ox >= 0 && ox < oW;
                dyBase[r] = select(-1, ((pix[r].x * oH + oy) * oW + ox) * co4, ok);
              }
              let wBase = ((fy * fW + fx) * ci + c) * co4;
              // Rows c + j past ci (ci not in 4s) read row c instead, and are never written.
              let step1 = select(0, co4, c + 1 < ci);
              let step2 = select(0, 2 * co4, c + 2 < ci);
              let step3 = select(0, 3 * co4, c + 3 < ci);
              for (var k = 0; k < co4; k++) {
                let w0 = W[wBase + k];
                let w1 = W[wBase + step1 + k];
                let w2 = W[wBase + step2 + k];
                let w3 = W[wBase + step3 + k];
                for (var r = 0; r < 4; r++) {
                  if (dyBase[r] >= 0) {
                    let d = dy[dyBase[r] + k];
                    acc[r] += vec4<f32>(dot(d, w0), dot(d, w1), dot(d, w2), dot(d, w3));
                  }
                }
              }
            }
          }
          for (var r = 0; r < 4; r++) {
            if (pix[r].w == 1) {
              let iy = pix[r].y * sH + py;
              let ix = pix[r].z * sW + px;
              let at = ((pix[r].x * uniforms.outShape[1] + iy) * uniforms.outShape[2] + ix) * ci + c;
              ${this.outputComponent === 4 ? 'result[at / 4] = acc[r];' : `for (var j = 0; j < 4; j++) {
                if (c + j < ci) { result[at + j] = acc[r][j]; }
              }`}
            }
          }
        }
      }
    `;
  }
}

/** Whether the direct variant applies: dy's channels in vec4s. */
export function directApplies(outChannels: number): boolean {
  return outChannels % 4 === 0;
}
