//! The CNN's forward pass with every convolution run as one GEMM on Burn's `matmul`.
//!
//! Burn NdArray's `conv2d` is a direct convolution, several times slower than a matrix product
//! for this network (see `BENCHMARKS.md`). [`GemmNet`] runs the layers of the generated model
//! ([`Op`], in `forward` order; build.rs reads the list from the generated source): each
//! convolution is an im2col copy plus one `matmul` per run of up to [`RUN`] images; bias, ReLU,
//! pooling and flattening work on plain slices (`slices`). The weights are read out of the
//! loaded generated model, and [`GemmNet::new`] checks every layer's kind, configuration and
//! shapes, refusing what it cannot run with [`ModelError::Load`].
//!
//! Between layers the activations are channel-major, `[channels, batch, height, width]`, so a
//! convolution is `weights [out, in·kh·kw] × patches [in·kh·kw, batch·oh·ow]` and its product
//! is already in that layout for the next layer.

mod slices;
#[cfg(test)]
mod tests;

use burn::nn::{
    Linear, PaddingConfig2d,
    conv::Conv2d,
    pool::{AdaptiveAvgPool2d, MaxPool2d},
};
use burn::tensor::{Device, Tensor, TensorData};

use crate::shapes::{CLASSES, Input, Logits, ModelError};
use slices::{Conv, Pool};

/// Side of the square input image.
const SIDE: usize = 28;

/// Images run through the layers together: larger batches are split into runs of this many,
/// which keeps a run's patch matrices (~230 KB an image for this model) within the caches.
const RUN: usize = 8;

/// One layer of a model, in the order its `forward` runs them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op<'a> {
    /// A 2-D convolution (with its bias, if any).
    Conv(&'a Conv2d),
    /// `max(x, 0)` element-wise.
    Relu,
    /// Max pooling.
    MaxPool(&'a MaxPool2d),
    /// Adaptive average pooling; only the global form (output 1 × 1) is supported.
    AdaptiveAvgPool(&'a AdaptiveAvgPool2d),
    /// `[batch, c, h, w]` to `[batch, c·h·w]`.
    Flatten,
    /// A dense layer (with its bias, if any).
    Linear(&'a Linear),
}

impl Op<'_> {
    /// The kind of layer, for messages (the modules' `Debug` would print their weights).
    fn name(&self) -> &'static str {
        match self {
            Op::Conv(_) => "a convolution",
            Op::Relu => "a ReLU",
            Op::MaxPool(_) => "a max-pool",
            Op::AdaptiveAvgPool(_) => "an adaptive average pool",
            Op::Flatten => "a flatten",
            Op::Linear(_) => "a dense layer",
        }
    }
}

/// The shape of one image's activations between two layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Channels, height, width.
    Spatial([usize; 3]),
    /// A feature vector.
    Flat(usize),
}

/// One step of [`GemmNet`]; a ReLU right after a convolution or dense layer is folded into it.
#[derive(Debug, Clone)]
enum Step {
    /// Weights as an `[out, in·kh·kw]` matrix, one bias per output channel, the geometry.
    Conv {
        weight: Tensor<2>,
        bias: Vec<f32>,
        geometry: Conv,
        relu: bool,
    },
    Relu,
    MaxPool(Pool),
    /// Pixels per channel.
    GlobalAvgPool(usize),
    /// Channels, pixels per channel.
    Flatten([usize; 2]),
    /// Weights as an `[in, out]` matrix, one bias per output.
    Dense {
        weight: Tensor<2>,
        bias: Vec<f32>,
        relu: bool,
    },
}

/// The network as a list of steps over plain `f32` buffers, convolutions as GEMMs.
#[derive(Debug, Clone)]
pub(crate) struct GemmNet {
    steps: Vec<Step>,
    device: Device,
}

/// The load error for layer number `layer` (counted from 0 in the layer list).
fn refuse(layer: usize, why: impl std::fmt::Display) -> ModelError {
    ModelError::Load(format!("layer {layer} cannot run on the GEMM path: {why}"))
}

/// The bias of a layer with `out` outputs, zeros if it has none.
fn bias_values(bias: Option<Tensor<1>>, out: usize, layer: usize) -> Result<Vec<f32>, ModelError> {
    let Some(bias) = bias else {
        return Ok(vec![0.0; out]);
    };
    let values = bias
        .try_into_data()
        .map_err(|e| ModelError::Load(format!("cannot read a bias: {e:?}")))?
        .try_into_vec::<f32>()
        .map_err(|e| ModelError::Load(format!("cannot read a bias: {e:?}")))?;
    if values.len() != out {
        return Err(refuse(
            layer,
            format!("{} biases for {out} outputs", values.len()),
        ));
    }
    Ok(values)
}

/// Checks a convolution against its input and turns it into a step; also returns its
/// parameter count and output shape.
fn conv_step(
    conv: &Conv2d,
    [channels, h, w]: [usize; 3],
    layer: usize,
) -> Result<(Step, usize, [usize; 3]), ModelError> {
    let weight = conv.weight.val();
    let [out, inputs, kh, kw] = weight.dims();
    if conv.groups != 1 || conv.dilation != [1, 1] {
        return Err(refuse(layer, "grouped or dilated convolution"));
    }
    if inputs != channels || [kh, kw] != conv.kernel_size {
        return Err(refuse(
            layer,
            format!("weights [{out}, {inputs}, {kh}, {kw}] for {channels} input channels"),
        ));
    }
    let [top, left, bottom, right] = match conv.padding {
        PaddingConfig2d::Valid => [0; 4],
        PaddingConfig2d::Explicit(top, left, bottom, right) => [top, left, bottom, right],
        PaddingConfig2d::Same => return Err(refuse(layer, "'same' padding")),
    };
    let [sh, sw] = conv.stride;
    let (padded_h, padded_w) = (h + top + bottom, w + left + right);
    if sh == 0 || sw == 0 || padded_h < kh || padded_w < kw {
        return Err(refuse(
            layer,
            format!("a {kh}x{kw} kernel on a {h}x{w} input"),
        ));
    }
    let geometry = Conv {
        input: [channels, h, w],
        output: [(padded_h - kh) / sh + 1, (padded_w - kw) / sw + 1],
        kernel: [kh, kw],
        stride: [sh, sw],
        pad: [top, left],
    };
    let bias = bias_values(conv.bias.as_ref().map(|b| b.val()), out, layer)?;
    let params = out * inputs * kh * kw + if conv.bias.is_some() { out } else { 0 };
    let shape = [out, geometry.output[0], geometry.output[1]];
    let step = Step::Conv {
        weight: weight.reshape([out, inputs * kh * kw]),
        bias,
        geometry,
        relu: false,
    };
    Ok((step, params, shape))
}

/// Checks a max-pool layer against its input and returns its geometry.
fn pool_step(pool: &MaxPool2d, [h, w]: [usize; 2], layer: usize) -> Result<Pool, ModelError> {
    let unpadded = matches!(
        pool.padding,
        PaddingConfig2d::Valid | PaddingConfig2d::Explicit(0, 0, 0, 0)
    );
    if !unpadded || pool.dilation != [1, 1] || pool.ceil_mode {
        return Err(refuse(layer, "padded, dilated or ceil-mode max pooling"));
    }
    let ([kh, kw], [sh, sw]) = (pool.kernel_size, pool.stride);
    if kh == 0 || kw == 0 || sh == 0 || sw == 0 || h < kh || w < kw {
        return Err(refuse(
            layer,
            format!("a {kh}x{kw} pool on a {h}x{w} input"),
        ));
    }
    Ok(Pool {
        input: [h, w],
        kernel: [kh, kw],
        stride: [sh, sw],
    })
}

impl GemmNet {
    /// Builds the GEMM form of the model whose layers are `ops` (in `forward` order), for
    /// 1 × 28 × 28 inputs and 10 logits. `params` is the model's parameter count: the layers
    /// must use all of them, so a layer missing from `ops` is refused too.
    pub(crate) fn new(ops: &[Op<'_>], params: usize, device: &Device) -> Result<Self, ModelError> {
        let mut steps: Vec<Step> = Vec::with_capacity(ops.len());
        let mut shape = Shape::Spatial([1, SIDE, SIDE]);
        let mut used = 0;
        for (layer, op) in ops.iter().enumerate() {
            let step = match (*op, shape) {
                (Op::Conv(conv), Shape::Spatial(input)) => {
                    let (step, count, output) = conv_step(conv, input, layer)?;
                    used += count;
                    shape = Shape::Spatial(output);
                    step
                }
                (Op::Relu, _) => {
                    if let Some(Step::Conv { relu, .. } | Step::Dense { relu, .. }) =
                        steps.last_mut()
                        && !*relu
                    {
                        *relu = true;
                        continue;
                    }
                    Step::Relu
                }
                (Op::MaxPool(pool), Shape::Spatial([c, h, w])) => {
                    let pool = pool_step(pool, [h, w], layer)?;
                    let [oh, ow] = pool.output();
                    shape = Shape::Spatial([c, oh, ow]);
                    Step::MaxPool(pool)
                }
                (Op::AdaptiveAvgPool(pool), Shape::Spatial([c, h, w])) => {
                    if pool.output_size != [1, 1] {
                        return Err(refuse(layer, "adaptive pooling to more than 1 × 1"));
                    }
                    shape = Shape::Spatial([c, 1, 1]);
                    Step::GlobalAvgPool(h * w)
                }
                (Op::Flatten, Shape::Spatial([c, h, w])) => {
                    shape = Shape::Flat(c * h * w);
                    Step::Flatten([c, h * w])
                }
                (Op::Linear(linear), Shape::Flat(features)) => {
                    let weight = linear.weight.val();
                    let [inputs, out] = weight.dims();
                    if inputs != features {
                        return Err(refuse(
                            layer,
                            format!("{inputs} inputs for {features} features"),
                        ));
                    }
                    let bias = bias_values(linear.bias.as_ref().map(|b| b.val()), out, layer)?;
                    used += inputs * out + if linear.bias.is_some() { out } else { 0 };
                    shape = Shape::Flat(out);
                    Step::Dense {
                        weight,
                        bias,
                        relu: false,
                    }
                }
                (op, shape) => {
                    return Err(refuse(layer, format!("{} after {shape:?}", op.name())));
                }
            };
            steps.push(step);
        }
        if shape != Shape::Flat(CLASSES) {
            return Err(ModelError::Load(format!(
                "the layers end in {shape:?}, not {CLASSES} logits"
            )));
        }
        if used != params {
            return Err(ModelError::Load(format!(
                "the model has {params} parameters but the GEMM path's layer list uses {used}"
            )));
        }
        let device = device.clone();
        Ok(Self { steps, device })
    }

    /// Runs the network over `images` and returns their logits, [`RUN`] images at a time.
    pub(crate) fn logits(&self, images: &[Input]) -> Result<Vec<Logits>, ModelError> {
        let mut logits = Vec::with_capacity(images.len());
        for run in images.chunks(RUN) {
            logits.extend(self.run(run)?);
        }
        Ok(logits)
    }

    /// Runs the network over `images` (at least one) as one batch.
    fn run(&self, images: &[Input]) -> Result<Vec<Logits>, ModelError> {
        let batch = images.len();
        // `[batch, 1, 28, 28]` is also `[1, batch, 28, 28]`: already channel-major.
        let mut data: Vec<f32> = images.iter().flatten().copied().collect();
        for step in &self.steps {
            data = match step {
                Step::Conv {
                    weight,
                    bias,
                    geometry,
                    relu,
                } => {
                    let patches = slices::im2col(&data, batch, geometry);
                    let shape = [
                        patches.len() / geometry.columns(batch),
                        geometry.columns(batch),
                    ];
                    let mut out = self.product(weight.clone(), self.matrix(patches, shape))?;
                    slices::add_bias(&mut out, geometry.columns(batch), bias, *relu);
                    out
                }
                Step::Relu => {
                    slices::relu(&mut data);
                    data
                }
                Step::MaxPool(pool) => slices::max_pool(&data, pool),
                Step::GlobalAvgPool(pixels) => slices::mean_per_plane(&data, *pixels),
                Step::Flatten([channels, pixels]) => {
                    slices::flatten(&data, batch, *channels, *pixels)
                }
                Step::Dense { weight, bias, relu } => {
                    let features = data.len() / batch;
                    let input = self.matrix(data, [batch, features]);
                    let mut out = self.product(input, weight.clone())?;
                    slices::add_bias_per_column(&mut out, bias, *relu);
                    out
                }
            };
        }
        let (logits, rest) = data.as_chunks::<CLASSES>();
        if logits.len() != batch || !rest.is_empty() {
            return Err(ModelError::Inference(format!(
                "expected {} outputs, got {}",
                batch * CLASSES,
                data.len()
            )));
        }
        Ok(logits.to_vec())
    }

    /// A row-major buffer as a Burn matrix.
    fn matrix(&self, values: Vec<f32>, shape: [usize; 2]) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values, shape), &self.device)
    }

    /// `lhs × rhs` on Burn, back as a row-major buffer.
    fn product(&self, lhs: Tensor<2>, rhs: Tensor<2>) -> Result<Vec<f32>, ModelError> {
        lhs.matmul(rhs)
            .try_into_data()
            .map_err(|e| ModelError::Inference(format!("{e:?}")))?
            .try_into_vec::<f32>()
            .map_err(|e| ModelError::Inference(format!("{e:?}")))
    }
}
