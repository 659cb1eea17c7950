//! Malformed, oversized and adversarial uploads fail fast with the right error.

mod common;

use std::time::{Duration, Instant};

use common::{crc32, gray, png, rgba_png};
use image::{DynamicImage, GrayImage, Luma, RgbaImage};
use trazo_model::preprocess::{PreprocessError, memory_needed, preprocess};

/// Generous for a debug build; the point is "no multi-second decode, no huge allocation".
const QUICK: Duration = Duration::from_millis(1500);

/// A digit-like 28x28 image (a thick white ring on black), not taken from MNIST.
fn ring28() -> GrayImage {
    GrayImage::from_fn(28, 28, |x, y| {
        let d = ((x as f32 - 13.5).powi(2) + (y as f32 - 13.5).powi(2)).sqrt();
        Luma([if (5.0..9.0).contains(&d) { 255 } else { 0 }])
    })
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

#[test]
fn text_file_is_unsupported() {
    assert_eq!(
        preprocess(b"hello, this is not an image\n"),
        Err(PreprocessError::UnsupportedType)
    );
    assert_eq!(preprocess(b""), Err(PreprocessError::UnsupportedType));
    // A name or MIME type claiming PNG does not matter; the content does.
    assert_eq!(
        preprocess(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        Err(PreprocessError::UnsupportedType)
    );
}

#[test]
fn truncated_png_is_undecodable() {
    let bytes = png(DynamicImage::ImageLuma8(ring28()));
    assert!(preprocess(&bytes).is_ok());
    for cut in [bytes.len() / 2, 40, 8] {
        match preprocess(&bytes[..cut]) {
            Err(PreprocessError::Undecodable(_)) => {}
            other => panic!("truncated at {cut}: {other:?}"),
        }
    }
}

/// A PNG header (signature + IHDR) declaring `side` x `side` 8-bit RGBA, with an empty IDAT.
fn declared_rgba_png(side: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(chunk(b"IHDR", &ihdr));
    bytes.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    bytes.extend(chunk(b"IEND", &[]));
    bytes
}

#[test]
fn huge_declared_png_is_refused_without_allocating() {
    // 100000 x 100000 8-bit RGBA: 40 GB decoded.
    let bytes = declared_rgba_png(100_000);
    let (result, took) = timed(|| preprocess(&bytes));
    assert_eq!(result, Err(PreprocessError::TooLarge));
    assert!(took < QUICK, "took {took:?}");
}

#[test]
fn memory_needed_is_read_from_the_header_and_refuses_what_preprocess_refuses() {
    // 4096 x 4096 RGBA is the largest accepted: 8 bytes a pixel at the peak, 128 MiB.
    let (needed, took) = timed(|| memory_needed(&declared_rgba_png(4096)));
    assert_eq!(needed, Ok(8 * 4096 * 4096));
    assert!(took < QUICK, "took {took:?}");
    let small = png(DynamicImage::ImageLuma8(ring28()));
    assert_eq!(memory_needed(&small), Ok(8 * 28 * 28));
    assert_eq!(
        memory_needed(&declared_rgba_png(100_000)),
        Err(PreprocessError::TooLarge)
    );
    assert_eq!(
        memory_needed(b"not an image"),
        Err(PreprocessError::UnsupportedType)
    );
    assert!(matches!(
        memory_needed(&small[..20]),
        Err(PreprocessError::Undecodable(_))
    ));
}

#[test]
fn huge_declared_gif_is_refused() {
    let mut bytes = gif_with_frames(1, 16);
    // Patch the logical screen and the frame to 65535 x 65535.
    bytes[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let (result, took) = timed(|| preprocess(&bytes));
    assert_eq!(result, Err(PreprocessError::TooLarge));
    assert!(took < QUICK, "took {took:?}");
}

/// A GIF whose first frame is a digit and whose later frames are `frame_side`-square and blank.
fn gif_with_frames(frames: usize, frame_side: u16) -> Vec<u8> {
    let palette: Vec<u8> = (0..=255u8).flat_map(|v| [v, v, v]).collect();
    let side = frame_side.max(28);
    let mut encoder = gif::Encoder::new(Vec::new(), side, side, &palette).expect("encoder");
    let mut first = GrayImage::new(u32::from(side), u32::from(side));
    image::imageops::replace(&mut first, &ring28(), 0, 0);
    encoder
        .write_frame(&gif::Frame::from_indexed_pixels(
            side,
            side,
            first.into_raw(),
            None,
        ))
        .expect("frame");
    if frames > 1 {
        let before = encoder.get_mut().len();
        let blank = vec![0u8; usize::from(side) * usize::from(side)];
        encoder
            .write_frame(&gif::Frame::from_indexed_pixels(side, side, blank, None))
            .expect("frame");
        // Every later frame is a byte-for-byte copy of the encoded blank frame.
        let buffer = encoder.get_mut();
        let blank_frame = buffer[before..].to_vec();
        for _ in 2..frames {
            buffer.extend_from_slice(&blank_frame);
        }
    }
    encoder.into_inner().expect("finish GIF")
}

#[test]
fn gif_with_thousands_of_frames_decodes_only_the_first() {
    let one = gif_with_frames(1, 512);
    let many = gif_with_frames(5000, 512);
    assert!(many.len() > 100 * one.len());
    let (single, _) = timed(|| preprocess(&one));
    let (result, took) = timed(|| preprocess(&many));
    let result = result.expect("the first frame holds a digit");
    assert_eq!(result, single.expect("digit"));
    // Decoding all 5000 frames of 512 x 512 would take many seconds.
    assert!(took < QUICK, "took {took:?}");
    // And the digit equals the same image sent as PNG.
    let mut canvas = GrayImage::new(512, 512);
    image::imageops::replace(&mut canvas, &ring28(), 0, 0);
    assert_eq!(
        preprocess(&png(DynamicImage::ImageLuma8(canvas))).expect("digit"),
        result
    );
}

#[test]
fn blank_images_have_no_digit() {
    let white = GrayImage::from_pixel(200, 200, Luma([255]));
    assert_eq!(
        preprocess(&png(DynamicImage::ImageLuma8(white))),
        Err(PreprocessError::NoDigit)
    );
    let black = GrayImage::from_pixel(28, 28, Luma([0]));
    assert_eq!(
        preprocess(&png(DynamicImage::ImageLuma8(black))),
        Err(PreprocessError::NoDigit)
    );
    let transparent = RgbaImage::from_pixel(100, 80, image::Rgba([0, 0, 0, 0]));
    assert_eq!(
        preprocess(&rgba_png(transparent)),
        Err(PreprocessError::NoDigit)
    );
    // Light grey noise below the contrast floor is not a digit either.
    let faint = GrayImage::from_fn(64, 64, |x, y| Luma([240 + ((x * 7 + y * 13) % 10) as u8]));
    assert_eq!(
        preprocess(&png(DynamicImage::ImageLuma8(faint))),
        Err(PreprocessError::NoDigit)
    );
}

#[test]
fn white_ink_on_transparent_canvas_is_found() {
    // A drawing canvas exported with white strokes and a transparent background.
    let ring = ring28();
    let canvas = RgbaImage::from_fn(28, 28, |x, y| {
        image::Rgba([255, 255, 255, ring.get_pixel(x, y).0[0]])
    });
    let from_alpha = preprocess(&rgba_png(canvas)).expect("digit");
    let plain = preprocess(&png(DynamicImage::ImageLuma8(gray_of(&ring)))).expect("digit");
    assert_eq!(from_alpha, plain);
}

fn gray_of(image: &GrayImage) -> GrayImage {
    gray(&image.as_raw().as_slice().try_into().expect("28x28"))
}

/// Found by fuzzing (`make fuzz`, BENCHMARKS.md "Fuzzing"): an 84-byte GIF whose logical screen
/// is 8 x 8 but whose first frame declares 4354 x 3841 pixels (wider than `MAX_SIDE`). Only the
/// screen is checked against the limits, so the decoder allocates the frame (67 MB of RGBA plus
/// 17 MB of palette indices) before its LZW data turns out to be invalid.
const GIF_FRAME_LARGER_THAN_SCREEN: [u8; 84] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x09, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x11, 0x01, 0x0f, 0x00, 0x08, 0x00, 0xc8, 0x14, 0x14, 0x14, 0x80, 0x14, 0xc8, 0x02, 0x0d,
    0x04, 0x82, 0x61, 0x97, 0xc8, 0x0d, 0x0d, 0x54, 0x6f, 0xba, 0x21, 0x30, 0x1a, 0x2a, 0x00, 0xb8,
    0x8d, 0xec, 0x3e, 0x7b, 0x00, 0x00, 0x9a, 0x29, 0x47, 0x49, 0x46, 0x35, 0x36, 0x28, 0x1a, 0x2a,
    0x9a, 0x29, 0x00, 0x3b,
];

#[test]
fn fuzzed_gif_with_a_frame_larger_than_its_screen_is_an_error_or_a_digit() {
    let (result, took) = timed(|| preprocess(&GIF_FRAME_LARGER_THAN_SCREEN));
    match result {
        Ok(digit) => assert!(digit.image.iter().any(|&p| p != 0)),
        Err(PreprocessError::UnsupportedType) => panic!("a GIF is a supported type"),
        Err(_) => {}
    }
    assert!(took < QUICK, "took {took:?}");
}

#[test]
fn memory_needed_counts_a_gif_frame_larger_than_its_screen() {
    // Refusing the frame, or counting its RGBA buffer and its palette indices, are both right.
    match memory_needed(&GIF_FRAME_LARGER_THAN_SCREEN) {
        Err(_) => {}
        Ok(n) => assert!(n >= 5 * 4354 * 3841, "memory_needed {n}"),
    }
}
