//! Writes the fuzzer's seed corpus, `fuzz/seeds/`: tiny synthetic rings (never MNIST) in every
//! accepted format and the layouts preprocessing branches on (grey, grey + alpha, RGB, RGBA,
//! 16-bit, palette, EXIF rotation).
//!
//! `cargo run --example make_seeds` from `fuzz/`; the files are checked in, so this is only
//! needed to change them.

use std::io::Cursor;
use std::path::Path;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::{
    DynamicImage, Frame, GrayAlphaImage, GrayImage, ImageBuffer, ImageFormat, Luma, LumaA, Rgb,
    RgbImage, Rgba, RgbaImage,
};

/// Ink strength in [0, 1] of a ring of radius `side / 3` at pixel (x, y).
fn ring(side: u32, x: u32, y: u32) -> f32 {
    let c = side as f32 / 2.0 - 0.5;
    let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
    (1.0 - (d - side as f32 / 3.0).abs() / 1.5).clamp(0.0, 1.0)
}

fn level(side: u32, x: u32, y: u32) -> u8 {
    (ring(side, x, y) * 255.0).round() as u8
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn jpeg(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(image)
        .expect("encode JPEG");
    out
}

fn gif(image: RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    GifEncoder::new(&mut out)
        .encode_frame(Frame::new(image))
        .expect("encode GIF");
    out
}

/// A big-endian TIFF block with one IFD entry: Orientation (0x0112) = `orientation`.
fn exif(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    tiff
}

/// `jpeg` with an APP1 Exif segment right after the SOI marker.
fn with_jpeg_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif(orientation));
    let length = u16::try_from(payload.len() + 2).expect("short segment");
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Standard CRC-32, as PNG chunks use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `png` with an eXIf chunk right after IHDR (8-byte signature + 25-byte IHDR chunk).
fn with_png_exif(png: &[u8], orientation: u16) -> Vec<u8> {
    let data = exif(orientation);
    let mut chunk = u32::try_from(data.len())
        .expect("short chunk")
        .to_be_bytes()
        .to_vec();
    let mut typed = b"eXIf".to_vec();
    typed.extend(&data);
    chunk.extend(&typed);
    chunk.extend(crc32(&typed).to_be_bytes());
    let mut out = png[..33].to_vec();
    out.extend(chunk);
    out.extend_from_slice(&png[33..]);
    out
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    std::fs::create_dir_all(&dir).expect("seeds directory");

    let gray8 = GrayImage::from_fn(8, 8, |x, y| Luma([level(8, x, y)]));
    // Dark ink on white paper, wider than high.
    let paper = GrayImage::from_fn(12, 8, |x, y| Luma([255 - level(8, x.min(7), y)]));
    let gray16: ImageBuffer<Luma<u16>, Vec<u16>> =
        ImageBuffer::from_fn(8, 8, |x, y| Luma([u16::from(level(8, x, y)) * 257]));
    // White strokes on a transparent canvas (what a drawing canvas exports).
    let canvas = GrayAlphaImage::from_fn(8, 8, |x, y| LumaA([255, level(8, x, y)]));
    let rgb = RgbImage::from_fn(8, 8, |x, y| {
        let v = 255 - level(8, x, y);
        Rgb([v, v / 2, 255])
    });
    let rgba = RgbaImage::from_fn(8, 8, |x, y| Rgba([20, 20, 200, level(8, x, y)]));
    let rgb16 = RgbImage::from_fn(16, 16, |x, y| {
        let v = level(16, x, y);
        Rgb([v, v, v])
    });

    let png_gray = encode(&DynamicImage::ImageLuma8(gray8.clone()), ImageFormat::Png);
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("ring-gray8.png", png_gray.clone()),
        (
            "ring-paper.png",
            encode(&DynamicImage::ImageLuma8(paper), ImageFormat::Png),
        ),
        (
            "ring-gray16.png",
            encode(&DynamicImage::ImageLuma16(gray16), ImageFormat::Png),
        ),
        (
            "ring-canvas.png",
            encode(&DynamicImage::ImageLumaA8(canvas), ImageFormat::Png),
        ),
        (
            "ring-rgb.png",
            encode(&DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::Png),
        ),
        (
            "ring-rgba.png",
            encode(&DynamicImage::ImageRgba8(rgba.clone()), ImageFormat::Png),
        ),
        ("ring-exif6.png", with_png_exif(&png_gray, 6)),
        ("ring-gray.jpg", jpeg(&DynamicImage::ImageLuma8(gray8))),
        (
            "ring-rgb.jpg",
            jpeg(&DynamicImage::ImageRgb8(rgb16.clone())),
        ),
        (
            "ring-exif8.jpg",
            with_jpeg_exif(&jpeg(&DynamicImage::ImageRgb8(rgb16)), 8),
        ),
        ("ring.gif", gif(DynamicImage::ImageRgb8(rgb).to_rgba8())),
        ("ring-transparent.gif", gif(rgba)),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), &bytes).expect("write seed");
        println!("{name}: {} bytes", bytes.len());
    }
}
