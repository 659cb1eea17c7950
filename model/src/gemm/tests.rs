//! The GEMM path against Burn's own layers on small random networks, and what it refuses.

use burn::module::Module;
use burn::nn::{
    LinearConfig, PaddingConfig2d,
    conv::Conv2dConfig,
    pool::{AdaptiveAvgPool2dConfig, MaxPool2dConfig},
};
use burn::tensor::{Tensor, TensorData, activation::relu};

use super::{GemmNet, Op};
use crate::shapes::{CLASSES, Input, ModelError, cpu_device};

/// Seeded inputs in [-1, 1).
fn inputs(n: usize) -> Vec<Input> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|_| {
            std::array::from_fn(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
        })
        .collect()
}

/// Runs `ops` with Burn's modules and tensor operations, as the generated `forward` would.
fn burn_forward(ops: &[Op<'_>], images: &[Input]) -> Vec<f32> {
    let flat: Vec<f32> = images.iter().flatten().copied().collect();
    let device = cpu_device();
    let mut spatial = Some(Tensor::<4>::from_data(
        TensorData::new(flat, [images.len(), 1, 28, 28]),
        &device,
    ));
    let mut flat: Option<Tensor<2>> = None;
    for op in ops {
        match (*op, spatial.take(), flat.take()) {
            (Op::Conv(conv), Some(x), None) => spatial = Some(conv.forward(x)),
            (Op::Relu, x, y) => (spatial, flat) = (x.map(relu), y.map(relu)),
            (Op::MaxPool(pool), Some(x), None) => spatial = Some(pool.forward(x)),
            (Op::AdaptiveAvgPool(pool), Some(x), None) => spatial = Some(pool.forward(x)),
            (Op::Flatten, Some(x), None) => flat = Some(x.flatten(1, 3)),
            (Op::Linear(linear), None, Some(x)) => flat = Some(linear.forward(x)),
            (op, ..) => panic!("{} in the wrong place", op.name()),
        }
    }
    flat.expect("the network ends flat")
        .into_data()
        .try_into_vec::<f32>()
        .expect("f32 logits")
}

#[test]
fn matches_burn_on_strided_padded_and_dense_layers() {
    let device = cpu_device();
    // 7x7 stride 2 with asymmetric padding, an overlapping 3x3/2 pool, a valid 3x3 conv, a
    // flatten of a spatial map (no global pool), two dense layers with a ReLU between.
    let conv1 = Conv2dConfig::new([1, 6], [7, 7])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(3, 3, 3, 3))
        .init(&device);
    let pool = MaxPool2dConfig::new([3, 3]).with_strides([2, 2]).init();
    let conv2 = Conv2dConfig::new([6, 5], [3, 3])
        .with_bias(false)
        .init(&device);
    let dense1 = LinearConfig::new(5 * 4 * 4, 12).init(&device);
    let dense2 = LinearConfig::new(12, CLASSES).init(&device);
    let ops = [
        Op::Conv(&conv1),
        Op::Relu,
        Op::MaxPool(&pool),
        Op::Conv(&conv2),
        Op::Relu,
        Op::Relu,
        Op::Flatten,
        Op::Linear(&dense1),
        Op::Relu,
        Op::Linear(&dense2),
    ];
    let count = conv1.num_params() + conv2.num_params() + dense1.num_params() + dense2.num_params();
    let net = GemmNet::new(&ops, count, &device).expect("supported layers");
    let images = inputs(3);
    let ours: Vec<f32> = net.logits(&images).expect("forward").concat();
    let reference = burn_forward(&ops, &images);
    assert_eq!(ours.len(), reference.len());
    for (a, b) in ours.iter().zip(&reference) {
        assert!((a - b).abs() <= 1e-5, "{a} vs {b}");
    }
    assert!(net.logits(&[]).expect("empty batch").is_empty());
}

#[test]
fn matches_burn_with_global_pooling() {
    let device = cpu_device();
    let conv = Conv2dConfig::new([1, 8], [5, 5])
        .with_padding(PaddingConfig2d::Explicit(2, 1, 2, 1))
        .init(&device);
    let global = AdaptiveAvgPool2dConfig::new([1, 1]).init();
    let dense = LinearConfig::new(8, CLASSES).init(&device);
    let ops = [
        Op::Conv(&conv),
        Op::Relu,
        Op::AdaptiveAvgPool(&global),
        Op::Flatten,
        Op::Linear(&dense),
    ];
    let count = conv.num_params() + dense.num_params();
    let net = GemmNet::new(&ops, count, &device).expect("supported layers");
    let images = inputs(2);
    let ours: Vec<f32> = net.logits(&images).expect("forward").concat();
    for (a, b) in ours.iter().zip(&burn_forward(&ops, &images)) {
        assert!((a - b).abs() <= 1e-5, "{a} vs {b}");
    }
}

fn refusal(result: Result<GemmNet, ModelError>) -> String {
    match result {
        Err(ModelError::Load(why)) => why,
        other => panic!("expected a load error, got {other:?}"),
    }
}

#[test]
fn refuses_layers_it_cannot_run_or_that_do_not_fit() {
    let device = cpu_device();
    let global = AdaptiveAvgPool2dConfig::new([1, 1]).init();
    let dense = LinearConfig::new(4, CLASSES).init(&device);
    let with_conv = |conv: &burn::nn::conv::Conv2d| {
        let ops = [
            Op::Conv(conv),
            Op::AdaptiveAvgPool(&global),
            Op::Flatten,
            Op::Linear(&dense),
        ];
        GemmNet::new(&ops, conv.num_params() + dense.num_params(), &device)
    };

    let same = Conv2dConfig::new([1, 4], [3, 3])
        .with_padding(PaddingConfig2d::Same)
        .init(&device);
    assert!(refusal(with_conv(&same)).contains("'same' padding"));
    let dilated = Conv2dConfig::new([1, 4], [3, 3])
        .with_dilation([2, 2])
        .init(&device);
    assert!(refusal(with_conv(&dilated)).contains("dilated"));
    let two_channels_in = Conv2dConfig::new([2, 4], [3, 3]).init(&device);
    assert!(refusal(with_conv(&two_channels_in)).contains("1 input channels"));
    let eight_out = Conv2dConfig::new([1, 8], [3, 3]).init(&device);
    assert!(refusal(with_conv(&eight_out)).contains("4 inputs for 8 features"));

    // A layer missing from the list shows up in the parameter count.
    let fine = Conv2dConfig::new([1, 4], [3, 3]).init(&device);
    let ops = [
        Op::Conv(&fine),
        Op::AdaptiveAvgPool(&global),
        Op::Flatten,
        Op::Linear(&dense),
    ];
    let count = fine.num_params() + dense.num_params();
    assert!(GemmNet::new(&ops, count, &device).is_ok());
    assert!(refusal(GemmNet::new(&ops, count + 1, &device)).contains("parameters"));
    // Not ending in 10 logits, and a dense layer before flattening.
    assert!(refusal(GemmNet::new(&ops[..3], fine.num_params(), &device)).contains("logits"));
    let early = [Op::Linear(&dense)];
    assert!(
        refusal(GemmNet::new(&early, dense.num_params(), &device)).contains("a dense layer after")
    );
}
