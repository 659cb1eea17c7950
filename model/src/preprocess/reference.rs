//! The preprocessing pipeline as it was before it was made fast (`PREPROCESS_VERSION` 1), kept
//! verbatim as the reference the fast path must match bit for bit: the pinned-output and MNIST
//! comparison tests (`tests/preprocess_pinned.rs`) and the `preprocess` bench run both.
//!
//! Not for production use: it decodes into a `DynamicImage`, converts it to grey + alpha through
//! the `image` crate, and makes a full-size copy of the picture at every step. The header checks
//! ([`memory_needed`], the decoder limits) are shared with the fast path.

use super::{
    BoundingBox, ImageKind, MNIST_MEAN, MNIST_STD, Plane, PreprocessError, Preprocessed, SIDE,
    Steps, decode_error, memory_needed, open_decoder, sniff,
};
use super::{CENTRE, FIT, INK_THRESHOLD, MIN_CONTRAST};
use image::{DynamicImage, GrayAlphaImage, metadata::Orientation};

/// [`super::preprocess`] as it was.
pub fn preprocess(bytes: &[u8]) -> Result<Preprocessed, PreprocessError> {
    let kind = sniff(bytes).ok_or(PreprocessError::UnsupportedType)?;
    memory_needed(bytes)?;
    let image = decode(bytes, kind)?;
    from_decoded(&image).map(|(preprocessed, _)| preprocessed)
}

/// [`super::from_rgba`] as it was.
pub fn from_rgba(
    rgba: Vec<u8>,
    width: u32,
    height: u32,
) -> Result<(Preprocessed, Steps), PreprocessError> {
    let image = image::RgbaImage::from_raw(width, height, rgba).ok_or(PreprocessError::NoDigit)?;
    from_decoded(&DynamicImage::ImageRgba8(image).into_luma_alpha8())
}

/// [`super::from_gray_steps`] as it was.
pub fn from_gray_steps(
    gray: &[u8],
    width: usize,
    height: usize,
) -> Result<(Preprocessed, Steps), PreprocessError> {
    if width == 0 || height == 0 || gray.len() != width * height {
        return Err(PreprocessError::NoDigit);
    }
    let levels = InkLevels::detect(gray, width, height).ok_or(PreprocessError::NoDigit)?;
    let ink: Vec<u8> = gray.iter().map(|&g| levels.raw(g)).collect();
    let bbox =
        bounding_box(&ink, width, height, levels.threshold()).ok_or(PreprocessError::NoDigit)?;
    let crop = crop(&ink, width, bbox, |raw| levels.strength(raw));
    let (fit_w, fit_h) = fit_size(crop.width, crop.height);
    let scaled = resize_area(&crop, fit_w, fit_h);
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
        Steps {
            crop,
            fitted: scaled,
        },
    ))
}

/// [`super::decode`] as it was.
pub fn decode(bytes: &[u8], kind: ImageKind) -> Result<GrayAlphaImage, PreprocessError> {
    let mut decoder = open_decoder(bytes, kind)?;
    let orientation =
        image::ImageDecoder::orientation(&mut decoder).unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(image.into_luma_alpha8())
}

fn from_decoded(image: &GrayAlphaImage) -> Result<(Preprocessed, Steps), PreprocessError> {
    match from_gray_alpha_steps(image, u8::MAX) {
        Err(PreprocessError::NoDigit) if image.pixels().any(|p| p.0[1] < u8::MAX) => {
            from_gray_alpha_steps(image, 0)
        }
        result => result,
    }
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

fn composite(luma: u8, alpha: u8, background: u8) -> u8 {
    let (l, a, b) = (u32::from(luma), u32::from(alpha), u32::from(background));
    ((l * a + b * (255 - a) + 127) / 255) as u8
}

#[derive(Debug, Clone, Copy)]
struct InkLevels {
    dark_on_light: bool,
    background: u8,
    peak: u8,
}

impl InkLevels {
    fn detect(gray: &[u8], width: usize, height: usize) -> Option<Self> {
        let border = border_median(gray, width, height)?;
        let dark_on_light = border >= 128;
        let to_ink = |g: u8| if dark_on_light { 255 - g } else { g };
        let background = to_ink(border);
        let peak = gray.iter().map(|&g| to_ink(g)).max()?;
        (peak >= background.saturating_add(MIN_CONTRAST)).then_some(Self {
            dark_on_light,
            background,
            peak,
        })
    }

    fn raw(&self, gray: u8) -> u8 {
        if self.dark_on_light { 255 - gray } else { gray }
    }

    fn strength(&self, raw: u8) -> f32 {
        let span = f32::from(self.peak - self.background);
        ((f32::from(raw) - f32::from(self.background)) / span).clamp(0.0, 1.0)
    }

    fn threshold(&self) -> u8 {
        let span = f32::from(self.peak - self.background);
        (f32::from(self.background) + (INK_THRESHOLD * span).ceil()).min(255.0) as u8
    }
}

fn border_median(gray: &[u8], width: usize, height: usize) -> Option<u8> {
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

fn bounding_box(ink: &[u8], width: usize, height: usize, threshold: u8) -> Option<BoundingBox> {
    let on = |x: usize, y: usize| ink[y * width + x] >= threshold;
    let mut bbox: Option<BoundingBox> = None;
    for y in 0..height {
        for x in 0..width {
            if !on(x, y) {
                continue;
            }
            let has_neighbour = (y.saturating_sub(1)..(y + 2).min(height)).any(|ny| {
                (x.saturating_sub(1)..(x + 2).min(width)).any(|nx| (nx, ny) != (x, y) && on(nx, ny))
            });
            if !has_neighbour {
                continue;
            }
            bbox = Some(match bbox {
                None => BoundingBox {
                    x0: x,
                    y0: y,
                    x1: x + 1,
                    y1: y + 1,
                },
                Some(b) => BoundingBox {
                    x0: b.x0.min(x),
                    y0: b.y0.min(y),
                    x1: b.x1.max(x + 1),
                    y1: b.y1.max(y + 1),
                },
            });
        }
    }
    bbox
}

fn fit_size(width: usize, height: usize) -> (usize, usize) {
    let scale = |short: usize, long: usize| {
        (((short * FIT) as f32 / long as f32).round() as usize).clamp(1, FIT)
    };
    if width >= height {
        (FIT, scale(height, width))
    } else {
        (scale(width, height), FIT)
    }
}

fn crop(ink: &[u8], width: usize, bbox: BoundingBox, strength: impl Fn(u8) -> f32) -> Plane {
    let data = (bbox.y0..bbox.y1)
        .flat_map(|y| ink[y * width + bbox.x0..y * width + bbox.x1].iter())
        .map(|&raw| strength(raw))
        .collect();
    Plane {
        width: bbox.x1 - bbox.x0,
        height: bbox.y1 - bbox.y0,
        data,
    }
}

fn resize_area(plane: &Plane, width: usize, height: usize) -> Plane {
    let columns = area_weights(plane.width, width);
    let rows = area_weights(plane.height, height);
    let mut horizontal = vec![0.0f32; plane.height * width];
    for y in 0..plane.height {
        let src = &plane.data[y * plane.width..(y + 1) * plane.width];
        for (x, taps) in columns.iter().enumerate() {
            horizontal[y * width + x] = taps.iter().map(|&(i, w)| src[i] * w).sum();
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

fn area_weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let ratio = from as f64 / to as f64;
    (0..to)
        .map(|o| {
            let (start, end) = (o as f64 * ratio, (o + 1) as f64 * ratio);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from);
            (first..last)
                .filter_map(|i| {
                    let overlap = end.min(i as f64 + 1.0) - start.max(i as f64);
                    (overlap > 1e-9).then_some((i, (overlap / ratio) as f32))
                })
                .collect()
        })
        .collect()
}

fn centre_of_mass(plane: &Plane) -> Option<(f32, f32)> {
    let (mut mass, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in plane.data.iter().enumerate() {
        let v = f64::from(v);
        mass += v;
        mx += v * (i % plane.width) as f64;
        my += v * (i / plane.width) as f64;
    }
    (mass > 0.0).then(|| ((mx / mass) as f32, (my / mass) as f32))
}

fn place_by_centre_of_mass(ink: &Plane) -> Option<[f32; SIDE * SIDE]> {
    let (cx, cy) = centre_of_mass(ink)?;
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

fn quantise(field: &[f32; SIDE * SIDE]) -> [u8; SIDE * SIDE] {
    field.map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
}

fn normalise(image: &[u8; SIDE * SIDE]) -> [f32; SIDE * SIDE] {
    image.map(|p| (f32::from(p) / 255.0 - MNIST_MEAN) / MNIST_STD)
}
