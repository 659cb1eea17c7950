// Generated from model/trazo-mnist.onnx by burn-onnx 0.22 (`make model`); do not edit.
// onnx-sha256: 2034463ad0979857d9423d51e57a782e4a5fe5cc9739b57a813c6bcf4a6908ab
extern crate alloc;
use burn::prelude::*;
use burn::nn::Linear;
use burn::nn::LinearConfig;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::nn::conv::Conv2dConfig;
use burn::nn::pool::AdaptiveAvgPool2d;
use burn::nn::pool::AdaptiveAvgPool2dConfig;
use burn::nn::pool::MaxPool2d;
use burn::nn::pool::MaxPool2dConfig;
use burn::tensor::Bytes;
use burn_store::BurnpackStore;
use burn_store::ModuleSnapshot;


#[derive(Module, Debug)]
pub struct Model {
    conv2d1: Conv2d,
    conv2d2: Conv2d,
    maxpool2d1: MaxPool2d,
    conv2d3: Conv2d,
    maxpool2d2: MaxPool2d,
    conv2d4: Conv2d,
    globalaveragepool1: AdaptiveAvgPool2d,
    linear1: Linear,
    #[module(skip)]
    device: Device,
}


#[repr(C, align(256))]
struct Aligned256([u8; 101928usize]);
static ALIGNED_DATA: Aligned256 = Aligned256(
    *include_bytes!("trazo-mnist.bpk"),
);
static EMBEDDED_STATES: &[u8] = &ALIGNED_DATA.0;

impl Default for Model {
    fn default() -> Self {
        Self::from_embedded(&Default::default())
    }
}

impl Model {
    /// Load model weights from embedded burnpack data (zero-copy at store level).
    ///
    /// The embedded data stays in the binary's .rodata section without heap allocation.
    /// Tensor data is sliced directly from the static bytes.
    ///
    /// Note: Some backends may still copy data internally.
    /// See <https://github.com/tracel-ai/burn/issues/4153> for true backend zero-copy.
    ///
    /// See <https://github.com/tracel-ai/burn/issues/4123>
    pub fn from_embedded(device: &Device) -> Self {
        let mut model = Self::new(device);
        let mut store = BurnpackStore::from_static(EMBEDDED_STATES);
        model
            .load_from(&mut store)
            .unwrap_or_else(|e| {
                panic!(
                    "Failed to load embedded burnpack (built from {}): {e}",
                    "trazo-mnist.bpk"
                )
            });
        model
    }

    /// Load model weights from in-memory bytes.
    ///
    /// The bytes must be the contents of a `.bpk` file.
    pub fn from_bytes(bytes: Bytes, device: &Device) -> Self {
        let mut model = Self::new(device);
        let mut store = BurnpackStore::from_bytes(Some(bytes));
        model
            .load_from(&mut store)
            .unwrap_or_else(|e| panic!("Failed to load burnpack bytes: {e}"));
        model
    }
}

impl Model {
    #[allow(unused_variables)]
    pub fn new(device: &Device) -> Self {
        let conv2d1 = Conv2dConfig::new([1, 8], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d2 = Conv2dConfig::new([8, 16], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let maxpool2d1 = MaxPool2dConfig::new([2, 2])
            .with_strides([2, 2])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_ceil_mode(false)
            .init();
        let conv2d3 = Conv2dConfig::new([16, 32], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let maxpool2d2 = MaxPool2dConfig::new([2, 2])
            .with_strides([2, 2])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_ceil_mode(false)
            .init();
        let conv2d4 = Conv2dConfig::new([32, 64], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let globalaveragepool1 = AdaptiveAvgPool2dConfig::new([1, 1]).init();
        let linear1 = LinearConfig::new(64, 10).with_bias(true).init(device);
        Self {
            conv2d1,
            conv2d2,
            maxpool2d1,
            conv2d3,
            maxpool2d2,
            conv2d4,
            globalaveragepool1,
            linear1,
            device: device.clone(),
        }
    }

    #[allow(clippy::let_and_return, clippy::approx_constant)]
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        let conv2d1_out1 = self.conv2d1.forward(input);
        let relu1_out1 = burn::tensor::activation::relu(conv2d1_out1);
        let conv2d2_out1 = self.conv2d2.forward(relu1_out1);
        let relu2_out1 = burn::tensor::activation::relu(conv2d2_out1);
        let maxpool2d1_out1 = self.maxpool2d1.forward(relu2_out1);
        let conv2d3_out1 = self.conv2d3.forward(maxpool2d1_out1);
        let relu3_out1 = burn::tensor::activation::relu(conv2d3_out1);
        let maxpool2d2_out1 = self.maxpool2d2.forward(relu3_out1);
        let conv2d4_out1 = self.conv2d4.forward(maxpool2d2_out1);
        let relu4_out1 = burn::tensor::activation::relu(conv2d4_out1);
        let globalaveragepool1_out1 = self.globalaveragepool1.forward(relu4_out1);
        let flatten1_out1 = {
            let leading_dim = globalaveragepool1_out1
                .shape()[..1]
                .iter()
                .product::<usize>() as i32;
            globalaveragepool1_out1.reshape::<2, _>([leading_dim, -1])
        };
        let linear1_out1 = self.linear1.forward(flatten1_out1);
        linear1_out1
    }
}
