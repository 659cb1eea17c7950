//! Turns uploaded image bytes into the centred 28x28 MNIST-style input the model was trained on.
//!
//! The steps mirror how MNIST itself was made: find the ink, fit its bounding box into 20x20
//! keeping the aspect ratio (with anti-aliasing), and place that in a 28x28 field so that the
//! centre of mass lands on the centre. Everything after decoding is pure and deterministic.
//!
//! Over 400 lines on purpose: one pipeline, read top to bottom in the order it runs, tests last.

use std::{borrow::Cow, io::Cursor, sync::OnceLock};

use image::{
    ColorType, DynamicImage, GrayAlphaImage, ImageDecoder, ImageError, ImageFormat, ImageReader,
    Limits, LumaA, Rgba, metadata::Orientation,
};

// The explicit path keeps the module found when this file is included elsewhere by `#[path]`
// (the fuzz target does).
#[doc(hidden)]
#[path = "preprocess/reference.rs"]
pub mod reference;

/// Bump whenever a change here can change the 28x28 output for some input (part of cache keys).
pub const PREPROCESS_VERSION: u32 = 1;

/// Mean of MNIST training pixels in [0, 1], as used in training.
pub const MNIST_MEAN: f32 = 0.1307;
/// Standard deviation of MNIST training pixels in [0, 1], as used in training.
pub const MNIST_STD: f32 = 0.3081;

/// Largest accepted width or height of an upload, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// Largest accepted GIF width or height. The first frame of a GIF is decoded through buffers of
/// its own (the frame in RGBA and its palette indices) on top of the picture's, so GIF gets a
/// smaller bound that keeps its peak well within [`MAX_DECODE_MEMORY`]; GIF is a palette format
/// for small pictures, and photos come as JPEG.
pub const MAX_GIF_SIDE: u32 = 2048;
/// Largest buffer the decoder may allocate, in bytes (4096 x 4096 RGBA8 fits exactly).
pub const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

/// The most [`memory_needed`] answers for an accepted image: 8 bytes a pixel at the largest
/// accepted size, 128 MiB (a GIF at its largest needs 13 bytes a pixel of 2048 x 2048, 52 MiB;
/// larger progressive JPEGs are refused).
pub const MAX_DECODE_MEMORY: u64 = 8 * MAX_SIDE as u64 * MAX_SIDE as u64;

/// Side of the model's input image.
pub const SIDE: usize = 28;
/// Side of the box the ink's longer side is scaled to (as in MNIST).
const FIT: usize = 20;
/// Where the centre of mass goes, in pixel-index coordinates (MNIST's test digits: 14.0 +- 0.3).
const CENTRE: f32 = 14.0;
/// Ink strength, as a fraction of the darkest stroke, a pixel needs to count for the bounding box.
const INK_THRESHOLD: f32 = 0.2;
/// Minimum difference between background and strongest ink, in 0-255 grey levels.
const MIN_CONTRAST: u8 = 32;

/// Why an upload could not be turned into model input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreprocessError {
    /// The bytes are not a PNG, JPEG or GIF (judged by content, not by name or MIME type).
    #[error("unsupported image type (PNG, JPEG or GIF expected)")]
    UnsupportedType,
    /// The bytes claim a supported type but cannot be decoded.
    #[error("the image cannot be decoded: {0}")]
    Undecodable(String),
    /// The image is larger than [`MAX_SIDE`] or would need more than [`MAX_DECODE_BYTES`].
    #[error("the image is too large (at most {MAX_SIDE} x {MAX_SIDE} pixels)")]
    TooLarge,
    /// Nothing that looks like ink: a blank, uniform or fully transparent image.
    #[error("no digit found in the image")]
    NoDigit,
}

/// The accepted image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// GIF (only the first frame is used).
    Gif,
}

impl ImageKind {
    fn format(self) -> ImageFormat {
        match self {
            Self::Png => ImageFormat::Png,
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Gif => ImageFormat::Gif,
        }
    }
}

/// What the model sees, in two forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Preprocessed {
    /// The 28x28 image, row-major, white (255) ink on black (0); what the UI should show.
    pub image: [u8; SIDE * SIDE],
    /// `image` normalised for the model, see [`normalise`].
    pub input: [f32; SIDE * SIDE],
}

/// Recognises PNG, JPEG and GIF by their magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageKind::Gif)
    } else {
        None
    }
}

/// The full path from uploaded bytes to model input.
pub fn preprocess(bytes: &[u8]) -> Result<Preprocessed, PreprocessError> {
    let kind = sniff(bytes).ok_or(PreprocessError::UnsupportedType)?;
    // Refuses, from the headers alone, what would need more than MAX_DECODE_MEMORY, so that
    // preprocess and memory_needed always agree on what is accepted; the decoder that read the
    // headers then decodes.
    let (_, decoder) = checked_decoder(bytes, kind)?;
    let pixels = decode_pixels(decoder)?;
    from_pixels(&pixels, from_gray)
}

/// The same path for pixels a browser already holds (a canvas's `ImageData`: RGBA, row-major),
/// converted to grey exactly as a decoded PNG of them would be, with the intermediate steps.
/// The browser's live guess runs this, so that it sees what the server sees for the same drawing.
pub fn from_rgba(
    rgba: Vec<u8>,
    width: u32,
    height: u32,
) -> Result<(Preprocessed, Steps), PreprocessError> {
    // As `RgbaImage::from_raw`: a buffer too short for the size is refused, bytes past it ignored.
    let len = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(4))
        .filter(|&len| len <= rgba.len())
        .ok_or(PreprocessError::NoDigit)?;
    let pixels = Pixels {
        data: Cow::Borrowed(&rgba[..len]),
        layout: Layout::Rgba,
        width: width as usize,
        height: height as usize,
    };
    from_pixels(&pixels, from_gray_steps)
}

/// Decoded 8-bit pixels, as the decoder wrote them.
struct Pixels<'a> {
    data: Cow<'a, [u8]>,
    layout: Layout,
    width: usize,
    height: usize,
}

/// The channels of [`Pixels`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Luma,
    LumaAlpha,
    Rgb,
    Rgba,
}

/// Decoded pixels to model input (through `from_gray`: [`from_gray`] or [`from_gray_steps`]):
/// composited onto white, or onto black when that finds no digit and the image has
/// transparency. Gives exactly what converting them to grey + alpha with the `image` crate
/// (`DynamicImage::into_luma_alpha8`) and compositing that gives, without the intermediate
/// images: see [`to_gray`].
fn from_pixels<T>(
    pixels: &Pixels,
    from_gray: impl Fn(&[u8], usize, usize) -> Result<T, PreprocessError>,
) -> Result<T, PreprocessError> {
    let (width, height) = (pixels.width, pixels.height);
    let (gray, transparent) = to_gray(pixels, u8::MAX);
    match from_gray(&gray, width, height) {
        // Light strokes on a transparent canvas vanish on white; try the other background.
        Err(PreprocessError::NoDigit) if transparent => {
            from_gray(&to_gray(pixels, 0).0, width, height)
        }
        result => result,
    }
}

/// Composites `pixels` onto `background`, in grey, and tells whether any pixel is not opaque.
///
/// Bit for bit what `DynamicImage::into_luma_alpha8` and [`composite`] give: grey + alpha pixels
/// are composited as they are; colour is first turned into luma by the `image` crate's own
/// formula (see [`RgbLuma`]), and alpha is kept as it is (the crate's conversion of an 8-bit alpha
/// to `f32` and back is the identity; a unit test checks both for every value).
fn to_gray<'a>(pixels: &'a Pixels, background: u8) -> (Cow<'a, [u8]>, bool) {
    let data: &[u8] = &pixels.data;
    match pixels.layout {
        // Opaque grey is its own composite.
        Layout::Luma => (Cow::Borrowed(data), false),
        Layout::LumaAlpha => {
            let (pairs, _) = data.as_chunks::<2>();
            let gray = pairs
                .iter()
                .map(|&[l, a]| composite(l, a, background))
                .collect();
            let transparent = pairs.iter().any(|&[_, a]| a < u8::MAX);
            (Cow::Owned(gray), transparent)
        }
        Layout::Rgb => {
            let luma = RgbLuma::get();
            let (triples, _) = data.as_chunks::<3>();
            let mut gray = Vec::with_capacity(triples.len());
            // Blocks of opaque grey (what a drawing mostly is) are copied, if the crate's luma of
            // grey is that grey; any other block pixel by pixel.
            for block in triples.chunks(16) {
                let plain = block
                    .iter()
                    .fold(luma.grey_is_identity, |plain, &[r, g, b]| {
                        plain & (r == g) & (g == b)
                    });
                if plain {
                    gray.extend(block.iter().map(|&[r, ..]| r));
                } else {
                    gray.extend(block.iter().map(|&rgb| luma.of(rgb)));
                }
            }
            (Cow::Owned(gray), false)
        }
        Layout::Rgba => {
            let luma = RgbLuma::get();
            let (quads, _) = data.as_chunks::<4>();
            let mut gray = Vec::with_capacity(quads.len());
            let mut transparent = false;
            for block in quads.chunks(16) {
                // Zero for opaque grey: r == g == b (the low 16 bits of p ^ p >> 8) and a == 255.
                let mixed = block.iter().fold(0, |mixed, &px| {
                    let p = u32::from_le_bytes(px);
                    mixed | ((p ^ (p >> 8)) & 0xFFFF) | (!p & 0xFF00_0000)
                });
                if mixed == 0 && luma.grey_is_identity {
                    gray.extend(block.iter().map(|&[r, ..]| r));
                } else {
                    gray.extend(block.iter().map(|&[r, g, b, a]| {
                        let l = luma.of([r, g, b]);
                        if a == u8::MAX {
                            l
                        } else {
                            transparent = true;
                            composite(l, a, background)
                        }
                    }));
                }
            }
            (Cow::Owned(gray), transparent)
        }
    }
}

/// The `image` crate's RGB to luma conversion for 8-bit pixels, reproduced: it expands each
/// channel to `f32` (`c * (1 / 255)`), takes the dot product with the sRGB luminance
/// coefficients (the crate derives them at run time; they are read back from the crate here,
/// exactly), multiply-accumulating in the same order (fused where the crate fuses, that is
/// where FMA is a compile-time target feature), and rounds `luma * 255` to the nearest. Grey
/// pixels (the usual drawing) come from a table made with the same formula.
struct RgbLuma {
    coefficients: [f32; 3],
    grey: [u8; 256],
    /// Whether the luma of every grey `(v, v, v)` is `v` (it is, with the crate's coefficients;
    /// checked, not assumed).
    grey_is_identity: bool,
}

impl RgbLuma {
    fn get() -> &'static Self {
        static LUMA: OnceLock<RgbLuma> = OnceLock::new();
        LUMA.get_or_init(|| {
            let coefficients = srgb_luma_coefficients();
            let mut luma = Self {
                coefficients,
                grey: [0; 256],
                grey_is_identity: false,
            };
            for v in 0..=u8::MAX {
                luma.grey[usize::from(v)] = luma.computed([v, v, v]);
            }
            luma.grey_is_identity = (0..=u8::MAX).all(|v| luma.grey[usize::from(v)] == v);
            luma
        })
    }

    #[inline]
    fn of(&self, [r, g, b]: [u8; 3]) -> u8 {
        if r == g && g == b {
            self.grey[usize::from(r)]
        } else {
            self.computed([r, g, b])
        }
    }

    fn computed(&self, rgb: [u8; 3]) -> u8 {
        const R: f32 = 1.0 / u8::MAX as f32;
        let mut luma = 0.0f32;
        for (c, k) in rgb.into_iter().zip(self.coefficients) {
            luma = multiply_accumulate(luma, f32::from(c) * R, k);
        }
        round_to_u8(luma * f32::from(u8::MAX))
    }
}

/// The luminance coefficients the `image` crate uses for RGB to luma: converting pure red, green
/// and blue `f32` pixels (where its channel conversions are the identity) gives them exactly.
fn srgb_luma_coefficients() -> [f32; 3] {
    let primaries = image::Rgba32FImage::from_fn(3, 1, |x, _| {
        let mut p = Rgba([0.0, 0.0, 0.0, 1.0]);
        p.0[x as usize] = 1.0;
        p
    });
    let luma = DynamicImage::ImageRgba32F(primaries).to_luma_alpha32f();
    std::array::from_fn(|x| {
        let LumaA([l, _]) = *luma.get_pixel(x as u32, 0);
        l
    })
}

/// `acc + a * b` exactly as the `image` crate's `multiply_accumulate` computes it: fused where
/// FMA is a compile-time target feature (x86 with `fma`, aarch64 with `neon`), else not.
#[cfg(any(
    all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "fma"
    ),
    all(target_arch = "aarch64", target_feature = "neon")
))]
#[inline(always)]
fn multiply_accumulate(acc: f32, a: f32, b: f32) -> f32 {
    a.mul_add(b, acc)
}

/// `acc + a * b` exactly as the `image` crate's `multiply_accumulate` computes it: fused where
/// FMA is a compile-time target feature (x86 with `fma`, aarch64 with `neon`), else not.
#[cfg(not(any(
    all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "fma"
    ),
    all(target_arch = "aarch64", target_feature = "neon")
)))]
#[inline(always)]
fn multiply_accumulate(acc: f32, a: f32, b: f32) -> f32 {
    acc + a * b
}

/// `x.round() as u8` (round half away from zero, saturating, NaN to 0) without the `roundf`
/// library call that `f32::round` is on x86-64's baseline instruction set. For `0 <= x < 2^24`
/// the truncation is exact and so is `x - t`; larger, negative and NaN inputs saturate as `as`
/// does.
#[inline]
fn round_to_u8(x: f32) -> u8 {
    let t = x as u32; // truncates; saturates negatives and NaN to 0
    if t >= u32::from(u8::MAX) {
        return u8::MAX;
    }
    let up = x - t as f32 >= 0.5;
    (t + u32::from(up)) as u8
}

/// The most memory, in bytes, that [`preprocess`] can need for `bytes`, judged from the image
/// headers alone (no pixel is decoded), so a server can reserve it before decoding. It is the
/// largest of: the decoded buffer twice (a sideways photo is rotated into a copy), the decoded
/// buffer with its grey + alpha copy, and the 8 bytes a pixel that [`from_gray_alpha`] can hold
/// at once (grey + alpha, grey, ink, and the ink crop in `f32`); plus what the format's decoder
/// keeps besides its output: for a GIF, 5 bytes a pixel of its first frame (the frame's own
/// RGBA and palette indices), for a progressive JPEG, 2 bytes a coefficient of every component.
/// An image that would need more than [`MAX_DECODE_MEMORY`] is refused as too large (so a
/// progressive JPEG gets somewhat less than 4096 x 4096). Fails as [`preprocess`] would for an
/// unsupported type, an unreadable header or an image over the limits.
pub fn memory_needed(bytes: &[u8]) -> Result<u64, PreprocessError> {
    let kind = sniff(bytes).ok_or(PreprocessError::UnsupportedType)?;
    checked_decoder(bytes, kind).map(|(needed, _)| needed)
}

/// [`memory_needed`]'s checks and count, and the decoder that read the headers, for decoding.
fn checked_decoder(
    bytes: &[u8],
    kind: ImageKind,
) -> Result<(u64, impl ImageDecoder + '_), PreprocessError> {
    let extra = match kind {
        ImageKind::Gif => 5 * gif_first_frame_pixels(bytes)?,
        ImageKind::Jpeg => jpeg_coefficient_bytes(bytes),
        ImageKind::Png => 0,
    };
    let decoder = open_decoder(bytes, kind)?;
    let decoded = decoder.total_bytes();
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    let needed = (2 * decoded).max(decoded + 2 * pixels).max(8 * pixels) + extra;
    if needed > MAX_DECODE_MEMORY {
        return Err(PreprocessError::TooLarge);
    }
    Ok((needed, decoder))
}

/// What a progressive JPEG's decoder keeps besides its output: every coefficient of every
/// component (2 bytes each, blocks padded to 16 pixels), read from the frame header. Baseline
/// JPEGs are decoded a row of blocks at a time and keep nothing comparable: 0. Found by
/// fuzzing: a 4096 x 4096 progressive CMYK header held 185 MB while 134 MB were counted.
fn jpeg_coefficient_bytes(bytes: &[u8]) -> u64 {
    let mut at = 2; // after SOI
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return 0;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if matches!(marker, 0x01 | 0xD0..=0xD9) {
            at += 2; // no length
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            let Some(header) = bytes.get(at + 4..at + 10) else {
                return 0;
            };
            if !progressive {
                return 0;
            }
            let height = u64::from(u16::from_be_bytes([header[1], header[2]]));
            let width = u64::from(u16::from_be_bytes([header[3], header[4]]));
            let components = u64::from(header[5]);
            let padded = |side: u64| side.div_ceil(16) * 16;
            return 2 * components * padded(width) * padded(height);
        }
        if marker == 0xDA {
            return 0; // scan data before any frame header: the decoder will refuse it
        }
        at += 2 + length;
    }
    0
}

/// Checks a GIF's logical screen and first frame from their descriptors (no pixel decoded) and
/// returns the frame's pixel count. The `image` crate checks only the screen against its
/// limits, yet decodes the first frame at the frame's own declared size: fuzzing found an
/// 84-byte GIF with an 8 x 8 screen and a 4354 x 3841 frame that allocated 84 MB. A frame must
/// lie within the screen, and the screen within [`MAX_GIF_SIDE`].
fn gif_first_frame_pixels(bytes: &[u8]) -> Result<u64, PreprocessError> {
    let undecodable = |e: gif::DecodingError| PreprocessError::Undecodable(e.to_string());
    let mut decoder = gif::DecodeOptions::new()
        .read_info(Cursor::new(bytes))
        .map_err(undecodable)?;
    let (screen_width, screen_height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    if screen_width > MAX_GIF_SIDE || screen_height > MAX_GIF_SIDE {
        return Err(PreprocessError::TooLarge);
    }
    let frame = decoder
        .next_frame_info()
        .map_err(undecodable)?
        .ok_or_else(|| PreprocessError::Undecodable("the GIF has no picture in it".into()))?;
    let right = u32::from(frame.left) + u32::from(frame.width);
    let bottom = u32::from(frame.top) + u32::from(frame.height);
    if right > screen_width || bottom > screen_height {
        return Err(PreprocessError::Undecodable(
            "the GIF's first frame lies outside its picture".into(),
        ));
    }
    Ok(u64::from(frame.width) * u64::from(frame.height))
}

/// A decoder for `bytes` with explicit limits (the `image` decoders have none by default). The
/// dimension limits are checked here, from the header, before any pixel buffer exists.
fn open_decoder(bytes: &[u8], kind: ImageKind) -> Result<impl ImageDecoder + '_, PreprocessError> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(decode_error)?;
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(PreprocessError::TooLarge);
    }
    Ok(decoder)
}

/// Decodes with explicit limits (see [`open_decoder`]); GIF: first frame only. [`preprocess`]
/// checks the headers with [`memory_needed`] first.
pub fn decode(bytes: &[u8], kind: ImageKind) -> Result<GrayAlphaImage, PreprocessError> {
    let mut decoder = open_decoder(bytes, kind)?;
    // Phone photos are often stored sideways with an EXIF rotation.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // For GIF this reads exactly one frame; later frames are never touched.
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(image.into_luma_alpha8())
}

/// Decodes to 8-bit pixels as the decoder writes them (grey, grey + alpha, RGB or RGBA), for
/// [`from_pixels`] to turn into grey in one pass. Anything else (16-bit PNGs), and pictures that
/// need an EXIF rotation, go through [`decode`]'s way (`DynamicImage`, rotated, to grey +
/// alpha): rare, and that way their result is the `image` crate's by construction.
fn decode_pixels(mut decoder: impl ImageDecoder) -> Result<Pixels<'static>, PreprocessError> {
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let layout = match decoder.color_type() {
        ColorType::L8 => Some(Layout::Luma),
        ColorType::La8 => Some(Layout::LumaAlpha),
        ColorType::Rgb8 => Some(Layout::Rgb),
        ColorType::Rgba8 => Some(Layout::Rgba),
        _ => None,
    };
    let (width, height) = decoder.dimensions();
    let (width, height) = (width as usize, height as usize);
    if let (Some(layout), Orientation::NoTransforms) = (layout, orientation) {
        // As `DynamicImage::from_decoder` does; `open_decoder` has checked the size.
        let mut data = vec![0u8; decoder.total_bytes() as usize];
        decoder.read_image(&mut data).map_err(decode_error)?;
        return Ok(Pixels {
            data: Cow::Owned(data),
            layout,
            width,
            height,
        });
    }
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    let image = image.into_luma_alpha8();
    let (width, height) = (image.width() as usize, image.height() as usize);
    Ok(Pixels {
        data: Cow::Owned(image.into_raw()),
        layout: Layout::LumaAlpha,
        width,
        height,
    })
}

fn decode_error(e: ImageError) -> PreprocessError {
    match e {
        ImageError::Limits(_) => PreprocessError::TooLarge,
        other => PreprocessError::Undecodable(other.to_string()),
    }
}

/// The pure part: a grey + alpha image, composited onto `background`, to model input.
pub fn from_gray_alpha(
    image: &GrayAlphaImage,
    background: u8,
) -> Result<Preprocessed, PreprocessError> {
    from_gray_alpha_steps(image, background).map(|(preprocessed, _)| preprocessed)
}

fn from_gray_alpha_steps(
    image: &GrayAlphaImage,
    background: u8,
) -> Result<(Preprocessed, Steps), PreprocessError> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let gray: Vec<u8> = image
        .pixels()
        .map(|p| composite(p.0[0], p.0[1], background))
        .collect();
    from_gray_steps(&gray, width, height)
}

/// Alpha-blends one grey pixel over a plain background.
pub fn composite(luma: u8, alpha: u8, background: u8) -> u8 {
    let (l, a, b) = (u32::from(luma), u32::from(alpha), u32::from(background));
    // Rounded integer blend; the result is at most 255.
    ((l * a + b * (255 - a) + 127) / 255) as u8
}

/// From an opaque greyscale image (either polarity) to model input.
pub fn from_gray(
    gray: &[u8],
    width: usize,
    height: usize,
) -> Result<Preprocessed, PreprocessError> {
    from_gray_parts(gray, width, height, false).map(|(preprocessed, _, _)| preprocessed)
}

/// The images between a drawing and the model's input, for people learning how an MNIST model
/// sees: what [`from_gray`] makes on its way (kept, not recomputed, so showing them costs no work).
#[derive(Debug, Clone, PartialEq)]
pub struct Steps {
    /// The ink's bounding box, cut out (ink strength in [0, 1]; at the picture's own resolution).
    pub crop: Plane,
    /// The crop with its longer side scaled to 20 pixels, anti-aliased.
    pub fitted: Plane,
}

/// [`from_gray`], with the crop and the 20-pixel fit it went through.
pub fn from_gray_steps(
    gray: &[u8],
    width: usize,
    height: usize,
) -> Result<(Preprocessed, Steps), PreprocessError> {
    from_gray_parts(gray, width, height, true).map(|(preprocessed, crop, fitted)| {
        let crop = crop.unwrap_or(Plane {
            width: 0,
            height: 0,
            data: Vec::new(),
        });
        (preprocessed, Steps { crop, fitted })
    })
}

/// [`from_gray_steps`]; the crop is only made into a plane of its own with `keep_crop` (else
/// the fit reads the grey pixels through the strength table, to the same values).
fn from_gray_parts(
    gray: &[u8],
    width: usize,
    height: usize,
    keep_crop: bool,
) -> Result<(Preprocessed, Option<Plane>, Plane), PreprocessError> {
    if width == 0 || height == 0 || gray.len() != width * height {
        return Err(PreprocessError::NoDigit);
    }
    let levels = InkLevels::detect(gray, width, height).ok_or(PreprocessError::NoDigit)?;
    // The grey levels stand in for the ink levels (`levels.raw`) they map to one to one, so no
    // ink plane is made: the threshold is compared in grey, and the strengths come from a table.
    let threshold = levels.threshold();
    let bbox = if levels.dark_on_light {
        let darkest_background = u8::MAX - threshold;
        bounding_box_where(gray, width, height, |g| g <= darkest_background)
    } else {
        bounding_box_where(gray, width, height, |g| g >= threshold)
    }
    .ok_or(PreprocessError::NoDigit)?;
    let strengths: [f32; 256] = std::array::from_fn(|g| levels.strength(levels.raw(g as u8)));
    let strength = |g: u8| strengths[usize::from(g)];
    let (crop_width, crop_height) = (bbox.x1 - bbox.x0, bbox.y1 - bbox.y0);
    let (fit_w, fit_h) = fit_size(crop_width, crop_height);
    let (crop, scaled) = if keep_crop {
        let crop = Plane::crop(gray, width, bbox, strength);
        let scaled = crop.resize_area(fit_w, fit_h);
        (Some(crop), scaled)
    } else {
        let row = |y: usize| {
            let start = (bbox.y0 + y) * width + bbox.x0;
            &gray[start..start + crop_width]
        };
        let scaled = resize_area_with(crop_width, crop_height, row, strength, fit_w, fit_h);
        (None, scaled)
    };
    let placed = place_by_centre_of_mass(&scaled).ok_or(PreprocessError::NoDigit)?;
    let image = quantise(&placed);
    if image.iter().all(|&p| p == 0) {
        return Err(PreprocessError::NoDigit);
    }
    Ok((
        Preprocessed {
            input: normalise(&image),
            image,
        },
        crop,
        scaled,
    ))
}

/// Polarity and grey levels of the background and the strongest ink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InkLevels {
    /// Dark ink on a light background (the usual photo or scan), which gets inverted.
    pub dark_on_light: bool,
    /// Background level in ink units (0 = no ink, 255 = full ink), before stretching.
    pub background: u8,
    /// Strongest ink in ink units.
    pub peak: u8,
}

impl InkLevels {
    /// Judges polarity by the median of the border pixels, which are nearly always background;
    /// `None` when no pixel stands out from the background by [`MIN_CONTRAST`].
    pub fn detect(gray: &[u8], width: usize, height: usize) -> Option<Self> {
        let border = border_median(gray, width, height)?;
        let dark_on_light = border >= 128;
        let to_ink = |g: u8| if dark_on_light { 255 - g } else { g };
        let background = to_ink(border);
        // The strongest ink is the darkest or the lightest grey (folded over values, which the
        // compiler vectorises, unlike `Iterator::min` over references).
        let peak = if dark_on_light {
            to_ink(gray.iter().fold(u8::MAX, |m, &g| m.min(g)))
        } else {
            gray.iter().fold(0, |m, &g| m.max(g))
        };
        (peak >= background.saturating_add(MIN_CONTRAST)).then_some(Self {
            dark_on_light,
            background,
            peak,
        })
    }

    /// Converts a grey level to ink units (light ink on black, as in MNIST).
    pub fn raw(&self, gray: u8) -> u8 {
        if self.dark_on_light { 255 - gray } else { gray }
    }

    /// Ink strength in [0, 1]: the background maps to 0 and the strongest ink to 1, so grey
    /// paper and faint pens end up like MNIST's black field and white strokes.
    pub fn strength(&self, raw: u8) -> f32 {
        let span = f32::from(self.peak - self.background);
        ((f32::from(raw) - f32::from(self.background)) / span).clamp(0.0, 1.0)
    }

    /// The raw level a pixel needs to count as ink for the bounding box.
    fn threshold(&self) -> u8 {
        let span = f32::from(self.peak - self.background);
        // Between background and peak, so it fits in u8.
        (f32::from(self.background) + (INK_THRESHOLD * span).ceil()).min(255.0) as u8
    }
}

/// Median of the outermost rows and columns.
pub fn border_median(gray: &[u8], width: usize, height: usize) -> Option<u8> {
    let mut histogram = [0usize; 256];
    let mut count = 0;
    for y in 0..height {
        let row = gray.get(y * width..(y + 1) * width)?;
        if y == 0 || y + 1 == height {
            for &g in row {
                histogram[usize::from(g)] += 1;
            }
            count += width;
        } else {
            histogram[usize::from(row[0])] += 1;
            count += 1;
            if width > 1 {
                histogram[usize::from(row[width - 1])] += 1;
                count += 1;
            }
        }
    }
    let mut seen = 0;
    for (level, &n) in histogram.iter().enumerate() {
        seen += n;
        if 2 * seen >= count && n > 0 {
            return u8::try_from(level).ok();
        }
    }
    None
}

/// Inclusive-exclusive pixel rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundingBox {
    /// First column.
    pub x0: usize,
    /// First row.
    pub y0: usize,
    /// One past the last column.
    pub x1: usize,
    /// One past the last row.
    pub y1: usize,
}

/// Bounding box of the pixels at or above `threshold` that have at least one such neighbour,
/// so that faint noise and isolated specks (dust, JPEG speckle) do not stretch the box.
pub fn bounding_box(ink: &[u8], width: usize, height: usize, threshold: u8) -> Option<BoundingBox> {
    bounding_box_where(ink, width, height, |v| v >= threshold)
}

/// [`bounding_box`] of the pixels for which `on` holds. Row by row, only the leftmost and
/// rightmost pixels that count are looked for (and on the right only beyond the box so far):
/// the same box as testing every pixel, without testing the inside of the strokes.
fn bounding_box_where(
    pixels: &[u8],
    width: usize,
    height: usize,
    on: impl Fn(u8) -> bool + Copy,
) -> Option<BoundingBox> {
    let on_at = |x: usize, y: usize| on(pixels[y * width + x]);
    let counts = |x: usize, y: usize| {
        on_at(x, y)
            && (y.saturating_sub(1)..(y + 2).min(height)).any(|ny| {
                (x.saturating_sub(1)..(x + 2).min(width))
                    .any(|nx| (nx, ny) != (x, y) && on_at(nx, ny))
            })
    };
    let mut bbox: Option<BoundingBox> = None;
    for y in 0..height {
        let row = &pixels[y * width..(y + 1) * width];
        // The leftmost pixel that counts; most rows of a drawing have no ink at all.
        let mut next = first_where(row, on);
        let left = loop {
            match next {
                Some(x) if counts(x, y) => break Some(x),
                Some(x) => next = first_where(&row[x + 1..], on).map(|i| x + 1 + i),
                None => break None,
            }
        };
        let Some(left) = left else {
            continue;
        };
        // The rightmost pixel that counts, if right of the box so far.
        let from = bbox.map_or(left, |b| b.x1.max(left));
        let mut end = width;
        let right = loop {
            match last_where(&row[from..end], on).map(|i| from + i) {
                Some(x) if counts(x, y) => break Some(x),
                Some(x) => end = x,
                None => break None,
            }
        };
        bbox = Some(match bbox {
            None => BoundingBox {
                x0: left,
                y0: y,
                x1: right.unwrap_or(left) + 1,
                y1: y + 1,
            },
            Some(b) => BoundingBox {
                x0: b.x0.min(left),
                y0: b.y0,
                x1: right.map_or(b.x1, |x| b.x1.max(x + 1)),
                y1: y + 1,
            },
        });
    }
    bbox
}

/// The index of the first value for which `on` holds, testing 32 at a time without branching
/// (which the compiler vectorises) until a block has one.
fn first_where(values: &[u8], on: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut start = 0;
    for block in values.chunks(32) {
        if block.iter().fold(false, |any, &v| any | on(v)) {
            return block.iter().position(|&v| on(v)).map(|i| start + i);
        }
        start += block.len();
    }
    None
}

/// The index of the last value for which `on` holds, as [`first_where`] from the end.
fn last_where(values: &[u8], on: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut end = values.len();
    for block in values.rchunks(32) {
        let start = end - block.len();
        if block.iter().fold(false, |any, &v| any | on(v)) {
            return block.iter().rposition(|&v| on(v)).map(|i| start + i);
        }
        end = start;
    }
    None
}

/// Size of the ink after scaling its longer side to 20 px, keeping the aspect ratio.
pub fn fit_size(width: usize, height: usize) -> (usize, usize) {
    let scale = |short: usize, long: usize| {
        (((short * FIT) as f32 / long as f32).round() as usize).clamp(1, FIT)
    };
    if width >= height {
        (FIT, scale(height, width))
    } else {
        (scale(width, height), FIT)
    }
}

/// A greyscale float image, ink strength in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Row-major values.
    pub data: Vec<f32>,
}

impl Plane {
    fn crop(pixels: &[u8], width: usize, bbox: BoundingBox, strength: impl Fn(u8) -> f32) -> Self {
        let (crop_width, crop_height) = (bbox.x1 - bbox.x0, bbox.y1 - bbox.y0);
        let mut data = Vec::with_capacity(crop_width * crop_height);
        for y in bbox.y0..bbox.y1 {
            let row = &pixels[y * width + bbox.x0..y * width + bbox.x1];
            data.extend(row.iter().map(|&v| strength(v)));
        }
        Self {
            width: crop_width,
            height: crop_height,
            data,
        }
    }

    /// Area-averaging resize: each output pixel is the mean of the source area it covers.
    /// On a downscale this is the anti-aliasing filter; at scale 1 it is the identity.
    pub fn resize_area(&self, width: usize, height: usize) -> Self {
        let row = |y: usize| &self.data[y * self.width..(y + 1) * self.width];
        resize_area_with(self.width, self.height, row, |v| v, width, height)
    }

    /// Centre of mass `(x, y)` in pixel-index coordinates, `None` for an empty plane.
    pub fn centre_of_mass(&self) -> Option<(f32, f32)> {
        let (mut mass, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
        // Row by row: the same sums in the same order as over the flat index, without dividing
        // it into a column and a row at every pixel.
        if self.width > 0 {
            for (y, row) in self.data.chunks(self.width).enumerate() {
                for (x, &v) in row.iter().enumerate() {
                    let v = f64::from(v);
                    mass += v;
                    mx += v * x as f64;
                    my += v * y as f64;
                }
            }
        }
        (mass > 0.0).then(|| ((mx / mass) as f32, (my / mass) as f32))
    }
}

/// [`Plane::resize_area`] of a `src_width` x `src_height` picture given by its rows and a map
/// of their values to ink strength (the same arithmetic, in the same order, whatever the
/// source).
fn resize_area_with<'a, T: Copy + 'a>(
    src_width: usize,
    src_height: usize,
    row: impl Fn(usize) -> &'a [T],
    value: impl Fn(T) -> f32,
    width: usize,
    height: usize,
) -> Plane {
    let columns = AreaWeights::new(src_width, width);
    let rows = AreaWeights::new(src_height, height);
    let mut horizontal = vec![0.0f32; src_height * width];
    for y in 0..src_height {
        let src = row(y);
        for (x, taps) in columns.iter().enumerate() {
            horizontal[y * width + x] = taps.iter().map(|&(i, w)| value(src[i]) * w).sum();
        }
    }
    let mut data = vec![0.0f32; width * height];
    for (y, taps) in rows.iter().enumerate() {
        for x in 0..width {
            data[y * width + x] = taps
                .iter()
                .map(|&(i, w)| horizontal[i * width + x] * w)
                .sum();
        }
    }
    Plane {
        width,
        height,
        data,
    }
}

/// For each output index, the source indices it covers and their weights (summing to 1), all
/// in one list.
struct AreaWeights {
    taps: Vec<(usize, f32)>,
    /// Where each output index's taps end in `taps`.
    ends: Vec<usize>,
}

impl AreaWeights {
    fn new(from: usize, to: usize) -> Self {
        let ratio = from as f64 / to as f64;
        let mut taps = Vec::with_capacity(from + to);
        let mut ends = Vec::with_capacity(to);
        for o in 0..to {
            let (start, end) = (o as f64 * ratio, (o + 1) as f64 * ratio);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from);
            taps.extend((first..last).filter_map(|i| {
                let overlap = end.min(i as f64 + 1.0) - start.max(i as f64);
                (overlap > 1e-9).then_some((i, (overlap / ratio) as f32))
            }));
            ends.push(taps.len());
        }
        Self { taps, ends }
    }

    /// Each output index's taps, in order.
    fn iter(&self) -> impl Iterator<Item = &[(usize, f32)]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.taps[start..end])
    }
}

/// Puts the (at most 20x20) ink into a 28x28 field, shifted by whole pixels so that its centre
/// of mass is as close to (14, 14) as possible while all of it stays inside the field.
pub fn place_by_centre_of_mass(ink: &Plane) -> Option<[f32; SIDE * SIDE]> {
    let (cx, cy) = ink.centre_of_mass()?;
    let offset = |centre: f32, size: usize| {
        let max = SIDE.saturating_sub(size) as f32;
        (CENTRE - centre).round().clamp(0.0, max) as usize
    };
    let (ox, oy) = (offset(cx, ink.width), offset(cy, ink.height));
    let mut field = [0.0f32; SIDE * SIDE];
    for y in 0..ink.height.min(SIDE) {
        for x in 0..ink.width.min(SIDE) {
            if let Some(cell) = field.get_mut((oy + y) * SIDE + ox + x) {
                *cell = ink.data[y * ink.width + x];
            }
        }
    }
    Some(field)
}

/// Ink strength in [0, 1] to 8-bit pixels.
pub fn quantise(field: &[f32; SIDE * SIDE]) -> [u8; SIDE * SIDE] {
    // `(v * 255.0).round().clamp(0.0, 255.0) as u8`, without a `roundf` call a pixel.
    field.map(|v| round_to_u8(v * 255.0))
}

/// Exactly the training normalisation: `(pixel / 255 - mean) / std`, in f32.
pub fn normalise(image: &[u8; SIDE * SIDE]) -> [f32; SIDE * SIDE] {
    image.map(|p| (f32::from(p) / 255.0 - MNIST_MEAN) / MNIST_STD)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white ring on black; its centre of mass is at pixel index (side / 2, side / 2),
    /// where MNIST puts it.
    fn ring(side: usize, radius: f32, thickness: f32) -> Vec<u8> {
        let c = side as f32 / 2.0 + 0.5;
        (0..side * side)
            .map(|i| {
                let (x, y) = ((i % side) as f32 + 0.5, (i / side) as f32 + 0.5);
                let d = ((x - c).powi(2) + (y - c).powi(2)).sqrt();
                let v = 1.0 - ((d - radius).abs() - thickness / 2.0).clamp(0.0, 1.0);
                (v * 255.0) as u8
            })
            .collect()
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ImageKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageKind::Jpeg));
        assert_eq!(sniff(b"GIF89a...."), Some(ImageKind::Gif));
        assert_eq!(sniff(b"GIF87a...."), Some(ImageKind::Gif));
        assert_eq!(sniff(b"<svg xmlns="), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(preprocess(b"hello"), Err(PreprocessError::UnsupportedType));
    }

    #[test]
    fn normalisation_matches_training() {
        let mut image = [0u8; SIDE * SIDE];
        image[1] = 255;
        let input = normalise(&image);
        assert!((input[0] - (-0.424_212_9)).abs() < 1e-6);
        assert!((input[1] - (1.0 - 0.1307) / 0.3081).abs() < 1e-6);
        assert_eq!(MNIST_MEAN, 0.1307);
        assert_eq!(MNIST_STD, 0.3081);
    }

    #[test]
    fn polarity_follows_the_border() {
        let mut light = vec![230u8; 10 * 10];
        light[55] = 20;
        let levels = InkLevels::detect(&light, 10, 10).expect("contrast");
        assert!(levels.dark_on_light);
        assert_eq!((levels.background, levels.peak), (25, 235));
        assert_eq!(levels.raw(230), 25);

        let mut dark = vec![10u8; 10 * 10];
        dark[55] = 200;
        let levels = InkLevels::detect(&dark, 10, 10).expect("contrast");
        assert!(!levels.dark_on_light);
        assert_eq!((levels.background, levels.peak), (10, 200));
        assert_eq!(levels.strength(10), 0.0);
        assert_eq!(levels.strength(200), 1.0);
    }

    #[test]
    fn low_contrast_is_no_ink() {
        let mut flat = vec![128u8; 8 * 8];
        flat[20] = 140;
        assert_eq!(InkLevels::detect(&flat, 8, 8), None);
        assert_eq!(from_gray(&flat, 8, 8), Err(PreprocessError::NoDigit));
        assert_eq!(from_gray(&[255; 64], 8, 8), Err(PreprocessError::NoDigit));
        assert_eq!(from_gray(&[], 0, 0), Err(PreprocessError::NoDigit));
    }

    #[test]
    fn bounding_box_ignores_faint_noise_and_specks() {
        let (w, h) = (20, 10);
        let mut ink = vec![0u8; w * h];
        for y in 3..7 {
            for x in 8..11 {
                ink[y * w + x] = 200;
            }
        }
        ink[w + 1] = 40; // faint, below threshold
        ink[9 * w + 18] = 255; // strong but isolated
        let bbox = bounding_box(&ink, w, h, 51).expect("ink");
        assert_eq!(
            bbox,
            BoundingBox {
                x0: 8,
                y0: 3,
                x1: 11,
                y1: 7
            }
        );
        assert_eq!(bounding_box(&vec![0; w * h], w, h, 51), None);
    }

    #[test]
    fn fit_keeps_aspect_ratio() {
        assert_eq!(fit_size(40, 10), (20, 5));
        assert_eq!(fit_size(7, 140), (1, 20));
        assert_eq!(fit_size(20, 20), (20, 20));
        assert_eq!(fit_size(3, 9), (7, 20));
    }

    #[test]
    fn area_resize_is_identity_at_scale_one_and_keeps_the_mean() {
        let plane = Plane {
            width: 4,
            height: 2,
            data: vec![0.0, 1.0, 0.5, 0.25, 1.0, 0.0, 0.75, 0.5],
        };
        assert_eq!(plane.resize_area(4, 2), plane);
        let half = plane.resize_area(2, 1);
        assert_eq!(half.data, vec![0.5, 0.5]);
        let odd = plane.resize_area(3, 2);
        let mean = |p: &Plane| p.data.iter().sum::<f32>() / p.data.len() as f32;
        assert!((mean(&odd) - mean(&plane)).abs() < 1e-6);
    }

    #[test]
    fn centre_of_mass_is_moved_to_the_centre() {
        // A 4x4 blob with more mass on its right: mass centre at x = 2.5, y = 1.5.
        let mut data = vec![0.0; 16];
        for y in 0..4 {
            data[y * 4 + 2] = 1.0;
            data[y * 4 + 3] = 1.0;
        }
        let blob = Plane {
            width: 4,
            height: 4,
            data,
        };
        assert_eq!(blob.centre_of_mass(), Some((2.5, 1.5)));
        let field = place_by_centre_of_mass(&blob).expect("mass");
        let placed = Plane {
            width: SIDE,
            height: SIDE,
            data: field.to_vec(),
        };
        let (cx, cy) = placed.centre_of_mass().expect("mass");
        assert!(
            (cx - CENTRE).abs() <= 0.5 && (cy - CENTRE).abs() <= 0.5,
            "{cx},{cy}"
        );
    }

    #[test]
    fn composite_over_white_and_black() {
        assert_eq!(composite(0, 255, 255), 0);
        assert_eq!(composite(0, 0, 255), 255);
        assert_eq!(composite(200, 0, 0), 0);
        assert_eq!(composite(0, 128, 255), 127);
    }

    #[test]
    fn progressive_jpeg_coefficients_are_counted_from_the_frame_header() {
        // SOI, an APP0 segment with two bytes of payload, then SOF2 (progressive) for
        // 4096 x 4096 with 3 components.
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x10,
            0x00, 0x10, 0x00, 0x03,
        ];
        assert_eq!(jpeg_coefficient_bytes(&jpeg), 2 * 3 * 4096 * 4096);
        jpeg[9] = 0xC0; // baseline: decoded a row of blocks at a time
        assert_eq!(jpeg_coefficient_bytes(&jpeg), 0);
        assert_eq!(jpeg_coefficient_bytes(&jpeg[..7]), 0, "cut short");
    }

    #[test]
    fn mnist_style_input_is_roughly_preserved() {
        // Preprocessing output is MNIST-style (20 px box, mass centred); sending it through
        // again must change it only at the level of rounding.
        let first = from_gray(&ring(SIDE, 8.5, 2.5), SIDE, SIDE).expect("digit");
        let again = from_gray(&first.image, SIDE, SIDE).expect("digit");
        let diff: u32 = first
            .image
            .iter()
            .zip(again.image.iter())
            .map(|(&a, &b)| u32::from(a.abs_diff(b)))
            .sum();
        let total: u32 = first.image.iter().map(|&a| u32::from(a)).sum();
        assert!(diff * 20 < total, "changed {diff} of {total}");
    }

    #[test]
    fn dark_on_light_large_image_becomes_mnist_like() {
        let side = 200;
        let light: Vec<u8> = ring(side, 40.0, 12.0).iter().map(|&v| 255 - v).collect();
        let out = from_gray(&light, side, side).expect("digit");
        // Background black, ink white, fitted into the central 20x20 box.
        assert_eq!(out.image[0], 0);
        assert!(out.image.contains(&255));
        let rows_with_ink = (0..SIDE)
            .filter(|y| out.image[y * SIDE..(y + 1) * SIDE].iter().any(|&p| p > 0))
            .count();
        assert_eq!(rows_with_ink, FIT);
    }

    /// A canvas as a browser holds it (RGBA, dark strokes on white) gives the same model input
    /// whether the browser preprocesses its pixels or the server decodes the PNG of them.
    #[test]
    fn canvas_pixels_and_their_png_agree() {
        let (width, height) = (96u32, 80u32);
        let rgba: Vec<u8> = ring(96, 20.0, 7.0)
            .into_iter()
            .take((width * height) as usize)
            .flat_map(|ink| {
                let v = 255 - ink;
                [v, v, v, 255]
            })
            .collect();
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(
            image::RgbaImage::from_raw(width, height, rgba.clone()).expect("pixels"),
        )
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .expect("encode");
        let served = preprocess(&png).expect("digit");
        let (browser, steps) = from_rgba(rgba, width, height).expect("digit");
        assert_eq!(browser, served);

        // The steps are what the pipeline went through: the ink's box, then its 20-pixel fit.
        assert!(steps.crop.width <= 96 && steps.crop.height <= 80);
        assert_eq!(steps.crop.data.len(), steps.crop.width * steps.crop.height);
        assert_eq!(
            (steps.fitted.width, steps.fitted.height),
            fit_size(steps.crop.width, steps.crop.height)
        );
        assert_eq!(steps.fitted.width.max(steps.fitted.height), FIT);
    }

    /// The fast path's grey conversion is the `image` crate's, for every 8-bit RGB colour (with
    /// alpha varied alongside) and every grey level.
    #[test]
    fn grey_conversion_matches_the_image_crate_for_every_colour() {
        let luma = RgbLuma::get();
        for r in 0..=u8::MAX {
            let rgba = image::RgbaImage::from_fn(256, 256, |g, b| {
                Rgba([r, g as u8, b as u8, r ^ (g as u8) ^ (b as u8)])
            });
            let converted = DynamicImage::ImageRgba8(rgba.clone()).into_luma_alpha8();
            for (p, q) in rgba.pixels().zip(converted.pixels()) {
                let [r, g, b, a] = p.0;
                assert_eq!(q.0, [luma.of([r, g, b]), a], "{:?}", p.0);
                assert_eq!(luma.of([r, g, b]), luma.computed([r, g, b]));
            }
        }
        let rgb = image::RgbImage::from_fn(256, 256, |x, y| {
            image::Rgb([x as u8, y as u8, (x * 7 + y * 13) as u8])
        });
        let converted = DynamicImage::ImageRgb8(rgb.clone()).into_luma_alpha8();
        for (p, q) in rgb.pixels().zip(converted.pixels()) {
            assert_eq!(q.0, [luma.of(p.0), u8::MAX], "{:?}", p.0);
        }
        let grey = image::GrayImage::from_fn(256, 1, |x, _| image::Luma([x as u8]));
        let converted = DynamicImage::ImageLuma8(grey).into_luma_alpha8();
        for (x, q) in converted.pixels().enumerate() {
            assert_eq!(q.0, [x as u8, u8::MAX]);
        }
    }

    #[test]
    fn round_to_u8_is_round_as_u8() {
        let reference = |x: f32| x.round() as u8;
        let mut cases = vec![
            0.0,
            -0.0,
            -0.4,
            -0.5,
            -0.6,
            -3.0,
            254.5,
            255.0,
            255.49,
            255.5,
            256.0,
            1e9,
            f32::MAX,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MIN_POSITIVE,
        ];
        for k in 0..300u16 {
            let half = f32::from(k) + 0.5;
            cases.extend([half, half.next_up(), half.next_down(), f32::from(k)]);
        }
        let mut state = 1u32;
        for _ in 0..1_000_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            // Bit patterns of [0, 512) and of everything.
            cases.push(f32::from_bits(state % 0x4400_0000));
            cases.push(f32::from_bits(state));
        }
        for x in cases {
            assert_eq!(round_to_u8(x), reference(x), "{x} ({:#x})", x.to_bits());
        }
    }

    #[test]
    fn pixels_that_do_not_fill_their_size_are_no_digit() {
        assert_eq!(from_rgba(vec![0; 15], 2, 2), Err(PreprocessError::NoDigit));
        assert_eq!(
            from_rgba(vec![255; 16], 2, 2),
            Err(PreprocessError::NoDigit)
        );
    }
}
