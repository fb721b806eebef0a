/**
 * WGSL shared by the two Conv2DBackpropInput programs, which group dx's pixels by stride phase
 * (iy mod sH, ix mod sW): workgroupId.z is the phase; pixel q of a phase is (b, iyq, ixq) with
 * iy = iyq·sH + py. Needs uniforms `strides`, `phaseDims` (⌈H/sH⌉, ⌈W/sW⌉) and inputs dy, W.
 */

/** Declares sH, sW, py, px, ci, oH, oW, fH, fW at the top of main(). */
export const PHASE_LETS = `
        let sH = uniforms.strides.x;
        let sW = uniforms.strides.y;
        let py = i32(workgroupId.z) / sW;
        let px = i32(workgroupId.z) - py * sW;
        let ci = uniforms.outShape[3];
        let oH = uniforms.dyShape[1];
        let oW = uniforms.dyShape[2];
        let fH = uniforms.wShape[0];
        let fW = uniforms.wShape[1];`;

/** phasePixel(q, py, px) → (b, iyq, ixq, 1 if the pixel lies inside dx else 0). */
export const PHASE_PIXEL_FN = `
      fn phasePixel(q : i32, py : i32, px : i32) -> vec4<i32> {
        let perImage = uniforms.phaseDims.x * uniforms.phaseDims.y;
        let b = q / perImage;
        let rest = q - b * perImage;
        let iyq = rest / uniforms.phaseDims.y;
        let ixq = rest - iyq * uniforms.phaseDims.y;
        let inside = b < uniforms.outShape[0] && iyq * uniforms.strides.x + py < uniforms.outShape[1] &&
                     ixq * uniforms.strides.y + px < uniforms.outShape[2];
        return vec4<i32>(b, iyq, ixq, select(0, 1, inside));
      }`;
