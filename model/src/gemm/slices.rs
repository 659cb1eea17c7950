//! The GEMM path's work outside the matrix products, on plain slices of channel-major
//! activations (`[channels, batch, height, width]`, each `height × width` plane contiguous).

/// The geometry of one convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Conv {
    /// Channels, height, width of one image's input.
    pub input: [usize; 3],
    /// Height and width of the output.
    pub output: [usize; 2],
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    /// Zero rows above and zero columns left of the input (those below and right follow from
    /// the output size).
    pub pad: [usize; 2],
}

impl Conv {
    /// Columns of the patch matrix (and of the output) for `batch` images.
    pub fn columns(&self, batch: usize) -> usize {
        batch * self.output[0] * self.output[1]
    }
}

/// The geometry of one unpadded max-pool layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pool {
    /// Height and width of the input.
    pub input: [usize; 2],
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
}

impl Pool {
    /// Height and width of the output (rounded down, as without ceil mode).
    pub fn output(&self) -> [usize; 2] {
        let ([h, w], [kh, kw], [sh, sw]) = (self.input, self.kernel, self.stride);
        [(h - kh) / sh + 1, (w - kw) / sw + 1]
    }
}

/// The range of output positions `o` whose input position `o·stride + k - pad` lies in
/// `0..size`.
fn valid_outputs(
    size: usize,
    outputs: usize,
    k: usize,
    stride: usize,
    pad: usize,
) -> (usize, usize) {
    let first = pad.saturating_sub(k).div_ceil(stride);
    let end = (size + pad).saturating_sub(k).div_ceil(stride).min(outputs);
    (first, end.max(first))
}

/// The im2col matrix of a convolution over `batch` images: row `(c, ky, kx)` holds, for every
/// output pixel of every image, the input pixel under kernel tap `(ky, kx)` of channel `c`
/// (zero where that falls in the padding). `[c·kh·kw, batch·oh·ow]`, row-major, written once
/// in order.
pub(super) fn im2col(input: &[f32], batch: usize, conv: &Conv) -> Vec<f32> {
    let ([channels, h, w], [oh, ow]) = (conv.input, conv.output);
    let ([kh, kw], [sh, sw], [pt, pl]) = (conv.kernel, conv.stride, conv.pad);
    let mut patches = Vec::with_capacity(channels * kh * kw * conv.columns(batch));
    for row_index in 0..channels * kh * kw {
        let (c, ky, kx) = (row_index / (kh * kw), row_index / kw % kh, row_index % kw);
        let (y0, y1) = valid_outputs(h, oh, ky, sh, pt);
        let (x0, x1) = valid_outputs(w, ow, kx, sw, pl);
        for plane in input[c * batch * h * w..][..batch * h * w].chunks_exact(h * w) {
            patches.resize(patches.len() + y0 * ow, 0.0);
            for oy in y0..y1 {
                let taps = &plane[(oy * sh + ky - pt) * w + x0 * sw + kx - pl..];
                patches.resize(patches.len() + x0, 0.0);
                if sw == 1 {
                    patches.extend_from_slice(&taps[..x1 - x0]);
                } else {
                    patches.extend(taps.iter().step_by(sw).take(x1 - x0));
                }
                patches.resize(patches.len() + ow - x1, 0.0);
            }
            patches.resize(patches.len() + (oh - y1) * ow, 0.0);
        }
    }
    patches
}

/// Adds `bias[r]` to every value of row `r` (rows of `row_len` values), then applies ReLU if
/// `relu`.
pub(super) fn add_bias(values: &mut [f32], row_len: usize, bias: &[f32], relu: bool) {
    for (row, &b) in values.chunks_exact_mut(row_len).zip(bias) {
        if relu {
            row.iter_mut().for_each(|v| *v = (*v + b).max(0.0));
        } else {
            row.iter_mut().for_each(|v| *v += b);
        }
    }
}

/// Adds `bias[j]` to column `j` of every row (rows of `bias.len()` values), then applies ReLU
/// if `relu`.
pub(super) fn add_bias_per_column(values: &mut [f32], bias: &[f32], relu: bool) {
    for row in values.chunks_exact_mut(bias.len()) {
        for (v, b) in row.iter_mut().zip(bias) {
            *v += b;
            if relu {
                *v = v.max(0.0);
            }
        }
    }
}

/// `max(x, 0)` in place.
pub(super) fn relu(values: &mut [f32]) {
    values.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// Max pooling of every plane, an output row at a time.
pub(super) fn max_pool(input: &[f32], pool: &Pool) -> Vec<f32> {
    let ([h, w], [kh, kw], [sh, sw]) = (pool.input, pool.kernel, pool.stride);
    let [oh, ow] = pool.output();
    let mut out = vec![f32::NEG_INFINITY; input.len() / (h * w) * oh * ow];
    for (plane, out) in input.chunks_exact(h * w).zip(out.chunks_exact_mut(oh * ow)) {
        for (oy, out_row) in out.chunks_exact_mut(ow).enumerate() {
            for row in plane[oy * sh * w..].chunks_exact(w).take(kh) {
                if kw == 2 && sw == 2 {
                    // The usual 2x2/2 pool: each output takes a pair of each window row.
                    for (o, [a, b]) in out_row.iter_mut().zip(row.as_chunks::<2>().0) {
                        *o = o.max(a.max(*b));
                    }
                } else {
                    for (ox, o) in out_row.iter_mut().enumerate() {
                        let window = &row[ox * sw..][..kw];
                        *o = window.iter().fold(*o, |m, &v| m.max(v));
                    }
                }
            }
        }
    }
    out
}

/// The mean of every plane of `pixels` values (global average pooling).
pub(super) fn mean_per_plane(input: &[f32], pixels: usize) -> Vec<f32> {
    input
        .chunks_exact(pixels)
        .map(|plane| plane.iter().sum::<f32>() / pixels as f32)
        .collect()
}

/// Channel-major `[channels, batch, pixels]` to image-major `[batch, channels·pixels]`, the
/// order in which a flattened NCHW tensor lists each image's features.
pub(super) fn flatten(input: &[f32], batch: usize, channels: usize, pixels: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(input.len());
    for image in 0..batch {
        for channel in 0..channels {
            out.extend_from_slice(&input[(channel * batch + image) * pixels..][..pixels]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn im2col_pads_with_zeros_and_strides() {
        // One 3x3 image 1..9, a 2x2 kernel, stride 2, one zero row/column before.
        let input: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let conv = Conv {
            input: [1, 3, 3],
            output: [2, 2],
            kernel: [2, 2],
            stride: [2, 2],
            pad: [1, 1],
        };
        let patches = im2col(&input, 1, &conv);
        // Taps (0,0), (0,1), (1,0), (1,1); outputs (0,0), (0,1), (1,0), (1,1).
        let expected = [
            [0., 0., 0., 5.],
            [0., 0., 4., 6.],
            [0., 2., 0., 8.],
            [1., 3., 7., 9.],
        ];
        assert_eq!(patches, expected.concat());
    }

    #[test]
    fn pooling_and_flattening_keep_planes_apart() {
        // Two channels of two 2x2 images, channel-major.
        let input: Vec<f32> = (0..8).map(|v| v as f32).collect();
        let pool = Pool {
            input: [2, 2],
            kernel: [2, 2],
            stride: [2, 2],
        };
        assert_eq!(max_pool(&input, &pool), [3., 7.]);
        assert_eq!(mean_per_plane(&input, 4), [1.5, 5.5]);
        // Planes: c0 b0, c0 b1 (with 2 images and 1 channel of 4 pixels).
        assert_eq!(flatten(&input, 2, 1, 4), input);
        // 2 channels, 2 images, 2 pixels: c0b0 c0b1 c1b0 c1b1 -> b0: c0 c1, b1: c0 c1.
        assert_eq!(flatten(&input, 2, 2, 2), [0., 1., 4., 5., 2., 3., 6., 7.]);
    }
}
