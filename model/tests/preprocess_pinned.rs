//! Pins what preprocessing makes of a fixed set of images, so that making it faster cannot
//! change its output.
//!
//! Every fixture is built here, deterministically (strokes drawn with `+ - * / sqrt` only, a
//! seeded generator for noise), except the two synthetic PNGs of the end-to-end tests; nothing
//! comes from MNIST. For each one, `preprocess` (or `from_rgba`) must
//! - give exactly what `preprocess::reference` (the pipeline as it was, kept for this) gives,
//! - and match the SHA-256 pinned below of the 28x28 `image`, the bits of `input` and, for
//!   `from_rgba`, the crop and fitted planes of `Steps` (or the error, for refusals).
//!
//! The pins were made with the pipeline of `PREPROCESS_VERSION` 1 before it was optimised. A
//! deliberate change of the output must bump `PREPROCESS_VERSION` and re-pin: run with
//! `PIN_PRINT=1 -- --nocapture` to print the table. JPEG fixtures go through zune-jpeg, which
//! picks SIMD code at run time; its integer paths are meant to be exact, but if only JPEG pins
//! fail on another machine, that is the place to look.
//!
//! With MNIST present (`MNIST_DIR`), `mnist_digits_match_the_reference` also runs the first
//! 2,000 test digits, rendered as uploads are, through both paths.

mod common;

use std::{io::Cursor, sync::OnceLock};

use common::{Rng, png, rgba_png};
use image::{
    DynamicImage, ExtendedColorType, GrayAlphaImage, GrayImage, ImageBuffer, ImageEncoder,
    ImageFormat, Luma, LumaA, Rgb, RgbImage, Rgba, RgbaImage, codecs::jpeg::JpegEncoder,
    codecs::png::PngEncoder, imageops,
};
use sha2::{Digest, Sha256};
use trazo_model::{
    idx,
    preprocess::{self, PreprocessError, Preprocessed, Steps, reference},
};

type Point = (f32, f32);

fn distance_to_segment(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0)
    };
    let (ex, ey) = (p.0 - a.0 - t * dx, p.1 - a.1 - t * dy);
    (ex * ex + ey * ey).sqrt()
}

/// A shape to draw: polylines (a single point is a dot) and ellipse outlines.
#[derive(Clone, Copy)]
enum Part {
    Line(&'static [Point]),
    /// Centre, radii: an approximate distance to the outline (exact for circles).
    Ellipse(Point, f32, f32),
}

fn distance(p: Point, parts: &[Part]) -> f32 {
    parts
        .iter()
        .map(|part| match *part {
            Part::Line(points) if points.len() == 1 => distance_to_segment(p, points[0], points[0]),
            Part::Line(points) => points
                .windows(2)
                .map(|w| distance_to_segment(p, w[0], w[1]))
                .fold(f32::INFINITY, f32::min),
            Part::Ellipse(c, rx, ry) => {
                let (dx, dy) = (p.0 - c.0, (p.1 - c.1) * rx / ry);
                ((dx * dx + dy * dy).sqrt() - rx).abs()
            }
        })
        .fold(f32::INFINITY, f32::min)
}

/// Pen coverage in [0, 1] at every pixel of a `width` x `height` picture drawn in `scale` x the
/// shape's units, anti-aliased over one pixel like a canvas.
fn coverage(width: u32, height: u32, scale: f32, parts: &[Part], pen: f32) -> Vec<f32> {
    let mut out = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let p = ((x as f32 + 0.5) / scale, (y as f32 + 0.5) / scale);
            let d = distance(p, parts) * scale;
            out.push((pen * scale / 2.0 + 0.5 - d).clamp(0.0, 1.0));
        }
    }
    out
}

fn mix(background: u8, ink: u8, c: f32) -> u8 {
    (f32::from(background) * (1.0 - c) + f32::from(ink) * c + 0.5) as u8
}

// Digits in a 280 x 280 drawing space, like the drawing pad's.
const SEVEN: &[Part] = &[Part::Line(&[(70.0, 60.0), (210.0, 60.0), (120.0, 230.0)])];
const ONE: &[Part] = &[Part::Line(&[(110.0, 90.0), (150.0, 50.0), (150.0, 235.0)])];
const FOUR: &[Part] = &[Part::Line(&[
    (170.0, 235.0),
    (170.0, 45.0),
    (60.0, 170.0),
    (220.0, 170.0),
])];
const TWO: &[Part] = &[Part::Line(&[
    (80.0, 90.0),
    (110.0, 55.0),
    (170.0, 55.0),
    (195.0, 95.0),
    (80.0, 230.0),
    (210.0, 230.0),
])];
const ZERO: &[Part] = &[Part::Ellipse((140.0, 140.0), 60.0, 90.0)];
const EIGHT: &[Part] = &[
    Part::Ellipse((140.0, 95.0), 45.0, 45.0),
    Part::Ellipse((140.0, 190.0), 55.0, 50.0),
];
const NINE: &[Part] = &[
    Part::Ellipse((135.0, 95.0), 50.0, 45.0),
    Part::Line(&[(185.0, 95.0), (175.0, 240.0)]),
];
const SPECKS: &[Part] = &[
    Part::Line(&[(20.0, 20.0)]),
    Part::Line(&[(260.0, 250.0)]),
    Part::Line(&[(250.0, 30.0), (251.0, 31.0)]),
];
const SMALL_THREE: &[Part] = &[Part::Line(&[
    (200.0, 200.0),
    (240.0, 200.0),
    (215.0, 225.0),
    (240.0, 245.0),
    (205.0, 265.0),
])];
const TAP: &[Part] = &[Part::Line(&[(140.0, 140.0)])];
const MINUS: &[Part] = &[Part::Line(&[(20.0, 30.0), (280.0, 32.0)])];

/// A drawing-pad PNG: `ink` on an opaque `paper`, RGBA, at `scale` x 280 pixels.
fn canvas(parts: &[Part], pen: f32, scale: f32, ink: [u8; 3], paper: [u8; 3]) -> RgbaImage {
    let side = (280.0 * scale) as u32;
    let c = coverage(side, side, scale, parts, pen);
    RgbaImage::from_fn(side, side, |x, y| {
        let c = c[(y * side + x) as usize];
        Rgba([
            mix(paper[0], ink[0], c),
            mix(paper[1], ink[1], c),
            mix(paper[2], ink[2], c),
            255,
        ])
    })
}

/// Ink on a transparent background: the ink's colour everywhere, coverage in alpha.
fn on_transparent(parts: &[Part], pen: f32, side: u32, ink: [u8; 3], strength: f32) -> RgbaImage {
    let c = coverage(side, side, side as f32 / 280.0, parts, pen);
    RgbaImage::from_fn(side, side, |x, y| {
        let a = (c[(y * side + x) as usize] * strength * 255.0 + 0.5) as u8;
        Rgba([ink[0], ink[1], ink[2], a])
    })
}

/// A grey picture of `width` x `height` (the shape scaled by `width / 280`).
fn grey(parts: &[Part], pen: f32, width: u32, height: u32, paper: u8, ink: u8) -> GrayImage {
    let c = coverage(width, height, width as f32 / 280.0, parts, pen);
    GrayImage::from_fn(width, height, |x, y| {
        Luma([mix(paper, ink, c[(y * width + x) as usize])])
    })
}

fn with_noise(mut image: GrayImage, amplitude: u32, seed: u64) -> GrayImage {
    let mut rng = Rng(seed);
    for p in image.pixels_mut() {
        let n = rng.below(2 * amplitude + 1) as i32 - amplitude as i32;
        p.0[0] = (i32::from(p.0[0]) + n).clamp(0, 255) as u8;
    }
    image
}

fn rgb(image: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let p = image.get_pixel(x, y).0;
        Rgb([p[0], p[1], p[2]])
    })
}

fn gif(image: DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Gif)
        .expect("encode GIF");
    out.into_inner()
}

fn jpeg(image: &DynamicImage, quality: u8, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).expect("EXIF");
    }
    encoder.encode_image(image).expect("encode JPEG");
    out
}

/// A PNG with an eXIf chunk.
fn png_with_exif(image: &RgbaImage, exif: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new(&mut out);
    encoder.set_exif_metadata(exif).expect("EXIF");
    encoder
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .expect("encode PNG");
    out
}

/// A minimal big-endian EXIF (TIFF) block with only an orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut exif = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_be_bytes()); // count
    exif.extend_from_slice(&value.to_be_bytes());
    exif.extend_from_slice(&[0, 0]);
    exif.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    exif
}

fn end2end_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../end2end/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

enum Input {
    Bytes(Vec<u8>),
    Rgba(RgbaImage),
}

fn fixtures() -> Vec<(&'static str, Input)> {
    use Input::{Bytes, Rgba as Raw};
    let black = [0, 0, 0];
    let white = [255, 255, 255];
    let canvas_seven = canvas(SEVEN, 18.0, 1.0, black, white);
    let blue_two = canvas(TWO, 14.0, 1.0, [20, 60, 200], white);
    let white_on_clear = on_transparent(ZERO, 16.0, 280, white, 1.0);
    let seven_28 = grey(SEVEN, 22.0, 28, 28, 0, 255);
    let grey_four = with_noise(grey(FOUR, 16.0, 200, 200, 205, 70), 6, 7);
    let l16 = ImageBuffer::<Luma<u16>, Vec<u16>>::from_fn(200, 200, |x, y| {
        let v = grey_four.get_pixel(x, y).0[0];
        Luma([u16::from(v) * 257 + ((x * 31 + y * 17) % 200) as u16])
    });
    let la8 = {
        let c = on_transparent(NINE, 15.0, 200, black, 1.0);
        GrayAlphaImage::from_fn(200, 200, |x, y| LumaA([0, c.get_pixel(x, y).0[3]]))
    };
    let mut cut = rgba_png(canvas_seven.clone());
    cut.truncate(cut.len() / 2);
    vec![
        // Drawing-pad exports: black anti-aliased strokes on opaque white, RGBA.
        ("canvas seven", Bytes(rgba_png(canvas_seven.clone()))),
        (
            "canvas one thin",
            Bytes(rgba_png(canvas(ONE, 8.0, 1.0, black, white))),
        ),
        (
            "canvas four",
            Bytes(rgba_png(canvas(FOUR, 18.0, 1.0, black, white))),
        ),
        (
            "canvas zero thick",
            Bytes(rgba_png(canvas(ZERO, 28.0, 1.0, black, white))),
        ),
        (
            "canvas eight",
            Bytes(rgba_png(canvas(EIGHT, 18.0, 1.0, black, white))),
        ),
        (
            "canvas nine with specks",
            Bytes(rgba_png(canvas(
                &[NINE, SPECKS].concat(),
                18.0,
                1.0,
                black,
                white,
            ))),
        ),
        (
            "canvas small three in a corner",
            Bytes(rgba_png(canvas(SMALL_THREE, 10.0, 1.0, black, white))),
        ),
        (
            "canvas tap",
            Bytes(rgba_png(canvas(TAP, 20.0, 1.0, black, white))),
        ),
        (
            "canvas minus",
            Bytes(rgba_png(canvas(MINUS, 18.0, 1.0, black, white))),
        ),
        (
            "canvas blank",
            Bytes(rgba_png(canvas(&[], 18.0, 1.0, black, white))),
        ),
        (
            "canvas seven at 2x (560)",
            Bytes(rgba_png(canvas(SEVEN, 18.0, 2.0, black, white))),
        ),
        ("canvas blue two", Bytes(rgba_png(blue_two.clone()))),
        (
            "canvas red on yellow, RGB",
            Bytes(png(DynamicImage::ImageRgb8(rgb(&canvas(
                FOUR,
                16.0,
                1.0,
                [190, 30, 30],
                [250, 240, 160],
            ))))),
        ),
        (
            "canvas seven, RGB",
            Bytes(png(DynamicImage::ImageRgb8(rgb(&canvas_seven)))),
        ),
        ("canvas truncated", Bytes(cut)),
        // Transparency.
        (
            "black on transparent",
            Bytes(rgba_png(on_transparent(SEVEN, 18.0, 280, black, 1.0))),
        ),
        (
            "half-transparent black",
            Bytes(rgba_png(on_transparent(TWO, 18.0, 280, black, 0.5))),
        ),
        (
            "white on transparent",
            Bytes(rgba_png(white_on_clear.clone())),
        ),
        (
            "nothing on transparent",
            Bytes(rgba_png(on_transparent(&[], 18.0, 64, black, 1.0))),
        ),
        (
            "grey + alpha nine",
            Bytes(png(DynamicImage::ImageLumaA8(la8))),
        ),
        // MNIST-like 28x28 grey.
        (
            "28 seven white on black",
            Bytes(png(DynamicImage::ImageLuma8(seven_28.clone()))),
        ),
        (
            "28 seven black on white",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                SEVEN, 22.0, 28, 28, 255, 0,
            )))),
        ),
        (
            "28 zero faint",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                ZERO, 30.0, 28, 28, 10, 120,
            )))),
        ),
        (
            "28 one",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                ONE, 26.0, 28, 28, 0, 255,
            )))),
        ),
        (
            "28 eight noisy",
            Bytes(png(DynamicImage::ImageLuma8(with_noise(
                grey(EIGHT, 24.0, 28, 28, 0, 250),
                12,
                3,
            )))),
        ),
        (
            "28 low contrast",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                FOUR, 24.0, 28, 28, 100, 125,
            )))),
        ),
        // Larger grey pictures.
        ("end2end one.png", Bytes(end2end_fixture("one.png"))),
        ("end2end seven.png", Bytes(end2end_fixture("seven.png"))),
        (
            "200 two white on black",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                TWO, 16.0, 200, 200, 0, 255,
            )))),
        ),
        (
            "200 four on grey paper, noisy",
            Bytes(png(DynamicImage::ImageLuma8(grey_four.clone()))),
        ),
        (
            "300x60 minus",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                MINUS, 30.0, 300, 60, 255, 20,
            )))),
        ),
        (
            "40x300 one",
            Bytes(png(DynamicImage::ImageLuma8(grey(
                &[Part::Line(&[(140.0, 100.0), (140.0, 1900.0)])],
                80.0,
                40,
                300,
                240,
                30,
            )))),
        ),
        (
            "200 four, 16-bit",
            Bytes(png(DynamicImage::ImageLuma16(l16))),
        ),
        // Other encodings.
        (
            "canvas seven, JPEG 90",
            Bytes(jpeg(&DynamicImage::ImageRgb8(rgb(&canvas_seven)), 90, None)),
        ),
        (
            "200 four, grey JPEG 75",
            Bytes(jpeg(&DynamicImage::ImageLuma8(grey_four), 75, None)),
        ),
        (
            "canvas seven, GIF",
            Bytes(gif(DynamicImage::ImageRgba8(canvas_seven.clone()))),
        ),
        (
            "28 seven, GIF",
            Bytes(gif(DynamicImage::ImageLuma8(seven_28).into_rgba8().into())),
        ),
        (
            "canvas four, JPEG with EXIF orientation 6",
            Bytes(jpeg(
                &DynamicImage::ImageRgb8(rgb(&canvas(FOUR, 18.0, 1.0, black, white))),
                92,
                Some(exif_orientation(6)),
            )),
        ),
        (
            "canvas seven, PNG with eXIf orientation 8",
            Bytes(png_with_exif(&canvas_seven, exif_orientation(8))),
        ),
        (
            "canvas two, PNG with eXIf orientation 2 (mirrored)",
            Bytes(png_with_exif(
                &canvas(TWO, 18.0, 1.0, black, white),
                exif_orientation(2),
            )),
        ),
        // What the browser hands over: the canvas's pixels.
        ("pixels: canvas seven", Raw(canvas_seven)),
        ("pixels: blue two", Raw(blue_two)),
        ("pixels: white on transparent", Raw(white_on_clear)),
        ("pixels: blank", Raw(canvas(&[], 18.0, 1.0, black, white))),
    ]
}

fn digest(result: &Result<(Preprocessed, Option<Steps>), PreprocessError>) -> String {
    match result {
        Err(e) => format!("{e:?}"),
        Ok((p, steps)) => {
            let mut hash = Sha256::new();
            hash.update(p.image);
            for v in p.input {
                hash.update(v.to_bits().to_le_bytes());
            }
            if let Some(steps) = steps {
                for plane in [&steps.crop, &steps.fitted] {
                    hash.update((plane.width as u64).to_le_bytes());
                    hash.update((plane.height as u64).to_le_bytes());
                    for v in &plane.data {
                        hash.update(v.to_bits().to_le_bytes());
                    }
                }
            }
            hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

type Outcome = Result<(Preprocessed, Option<Steps>), PreprocessError>;

fn run(input: &Input) -> (Outcome, Outcome) {
    match input {
        Input::Bytes(bytes) => (
            preprocess::preprocess(bytes).map(|p| (p, None)),
            reference::preprocess(bytes).map(|p| (p, None)),
        ),
        Input::Rgba(image) => {
            let (w, h) = image.dimensions();
            (
                preprocess::from_rgba(image.as_raw().clone(), w, h).map(|(p, s)| (p, Some(s))),
                reference::from_rgba(image.as_raw().clone(), w, h).map(|(p, s)| (p, Some(s))),
            )
        }
    }
}

/// The digests of `fixtures()` with the pipeline of `PREPROCESS_VERSION` 1, in order.
const PINNED: &[(&str, &str)] = &[
    (
        "canvas seven",
        "bfd8cf8b0dace871c5086b4de5cb03c6a1f6a04d6673064d3ae6b6c24c431641",
    ),
    (
        "canvas one thin",
        "9f2f08ecf6b4179525bb082510f84aafe87fe0ab0126d3e554bb09af64e18e35",
    ),
    (
        "canvas four",
        "c0f3fddec655b67194f2bb321bb336d687cf1d3a080d65a12e25be7bb7e8f03e",
    ),
    (
        "canvas zero thick",
        "a5d68dab26fcba8e1e2c4f991ca93f2a4947a4c26c1584ca82542447fc92a714",
    ),
    (
        "canvas eight",
        "b78cb8ec246ff2dc42e22484c2d254b4233561cfd4be00d5f2a4b411eb069f16",
    ),
    (
        "canvas nine with specks",
        "ad41fbe570e0c1270a8aacbe3d3b061210f33b4227b371fa4ef94a73d7c814c2",
    ),
    (
        "canvas small three in a corner",
        "555d7642068ff1b1d00fe81dfc683b81bab608e37ef0d745890b96d19b67298e",
    ),
    (
        "canvas tap",
        "dbcdd80d512a47739e8cc07171a22e8a81a947618e918693eaba16f7a0495ecf",
    ),
    (
        "canvas minus",
        "33bfe2597d4c347d0cd83951fcbf50ad35b4e0c0e68100ed9904dacfe4c38693",
    ),
    ("canvas blank", "NoDigit"),
    (
        "canvas seven at 2x (560)",
        "db4ffd59854e9d8daab51f7acb64fd4e0b03f5dc8100f3eb1e20be01d7271ea4",
    ),
    (
        "canvas blue two",
        "6b6e61b5344664f4c7886ae6c0ef83303d59e950979c0746efa56a4aa76a10fe",
    ),
    (
        "canvas red on yellow, RGB",
        "5cd1f0c98a62b37421fdbff3e178c828fbf5787215f036144165d66fb996c985",
    ),
    (
        "canvas seven, RGB",
        "bfd8cf8b0dace871c5086b4de5cb03c6a1f6a04d6673064d3ae6b6c24c431641",
    ),
    (
        "canvas truncated",
        "Undecodable(\"unexpected end of file\")",
    ),
    (
        "black on transparent",
        "bfd8cf8b0dace871c5086b4de5cb03c6a1f6a04d6673064d3ae6b6c24c431641",
    ),
    (
        "half-transparent black",
        "8ea5259d9ccf7bc5411ee20f9c769ceb405b965df1e22a590ad53d242273b072",
    ),
    (
        "white on transparent",
        "6931d54dbd925612107c3fbe4069c2a9d80560789df5d9bb52795c166cd986ad",
    ),
    ("nothing on transparent", "NoDigit"),
    (
        "grey + alpha nine",
        "6d66cec6fd41940fd9cad683403a485ab249f7f77abaded6820322d3cf71601a",
    ),
    (
        "28 seven white on black",
        "acee4fbecfed6200b31bc0cabf09b5fcde4355c5fed3a5bbf1611c58c1aaf624",
    ),
    (
        "28 seven black on white",
        "26496cb8338a4c0dc5b314d4e99a4ceb9eeffcd4e93ef5a7afbce1b58f1015ba",
    ),
    (
        "28 zero faint",
        "db09fc238842e77f9529429730a07434a32dd8c37324aeba216a6f076625785b",
    ),
    (
        "28 one",
        "afebd2f9844f8a81e9cad06b181ed966d5948a4657adecaebf445f2938b91701",
    ),
    (
        "28 eight noisy",
        "a168b2bef5e17b74dfc65743691ccc9fbea0d88696641f2aa142ee4d4937c929",
    ),
    ("28 low contrast", "NoDigit"),
    (
        "end2end one.png",
        "f278d9fc522d7ba2d4f9a1c7e70814652f695762ccab528062e2ae8995fca78e",
    ),
    (
        "end2end seven.png",
        "aa02d39f757d295e96829f4abc2d4968d46a6bc782417c2271210611bfa4ae5a",
    ),
    (
        "200 two white on black",
        "cc6e58359abb2a55af919ee0e5052bbb9a4b899edd251404ca912d9eb5e2e6d4",
    ),
    (
        "200 four on grey paper, noisy",
        "408e29efefb685ff6866751cb5cfbae93b3d7c1d94bfd0412822618cb66c609a",
    ),
    (
        "300x60 minus",
        "9ad55d4b0e8de1839a5356395943957f175ddc09a05ab0e6e5c773aca7945124",
    ),
    (
        "40x300 one",
        "13451e62d1ac0b6e8ae1caad9cdefc1d89bc9eeea81e5a3bf38fd8d7bf13f8ad",
    ),
    (
        "200 four, 16-bit",
        "e2068898e4da11d8db3fb043386f6bbc2c8ab5e2f4d0021acc7968df15f91fec",
    ),
    (
        "canvas seven, JPEG 90",
        "236252e805470f657f52803813976f840f9751038161c1d838b8c0d0c6bae8bf",
    ),
    (
        "200 four, grey JPEG 75",
        "cc3fa3416052e6f336268f5d04033c6bc0469c881a642e2944ac7135cf7e2382",
    ),
    (
        "canvas seven, GIF",
        "bfd8cf8b0dace871c5086b4de5cb03c6a1f6a04d6673064d3ae6b6c24c431641",
    ),
    (
        "28 seven, GIF",
        "acee4fbecfed6200b31bc0cabf09b5fcde4355c5fed3a5bbf1611c58c1aaf624",
    ),
    (
        "canvas four, JPEG with EXIF orientation 6",
        "a32426dca8accc5c28a2917a551ef3c5bab16463ee081ed500747fd9aa9c35ce",
    ),
    (
        "canvas seven, PNG with eXIf orientation 8",
        "c2e689aef41f5e21b4e8f123fe8536e7037559039121888a263d5517b9fe5f92",
    ),
    (
        "canvas two, PNG with eXIf orientation 2 (mirrored)",
        "ad55a4411881880a5666118697657ef56e4af33661743a6178b6e66a0aa58fab",
    ),
    (
        "pixels: canvas seven",
        "00f1664ec4c3ccc324d4daaf0517f6ab8d24796fc297651882d6e3c1a86179c7",
    ),
    (
        "pixels: blue two",
        "ff25ed4f43c3316b756ecb78332f522e20bffe34ca64de21ddfba2bae78f58cf",
    ),
    (
        "pixels: white on transparent",
        "5e20b358be5d65298dccb0fc56e2cafba038cbce7465150418dc42cb5785cac0",
    ),
    ("pixels: blank", "NoDigit"),
];

#[test]
fn fixture_outputs_are_pinned() {
    let fixtures = fixtures();
    let mut actual = Vec::new();
    let mut differ = Vec::new();
    for (name, input) in &fixtures {
        let (fast, slow) = run(input);
        if fast != slow {
            differ.push(*name);
        }
        actual.push((*name, digest(&fast)));
    }
    if std::env::var_os("PIN_PRINT").is_some() || actual.len() != PINNED.len() {
        for (name, digest) in &actual {
            println!("    ({name:?}, {digest:?}),");
        }
    }
    assert!(differ.is_empty(), "differs from the reference: {differ:?}");
    assert_eq!(actual.len(), PINNED.len(), "fixtures and pins out of step");
    let changed: Vec<_> = actual
        .iter()
        .zip(PINNED)
        .filter(|(a, p)| a.0 != p.0 || a.1 != p.1)
        .map(|(a, p)| format!("{}: {} (pinned {})", a.0, a.1, p.1))
        .collect();
    assert!(
        changed.is_empty(),
        "output changed:\n{}",
        changed.join("\n")
    );
    // The set covers the cases that matter: most give a digit, a few are refused.
    let refused = actual.iter().filter(|(_, d)| d.len() != 64).count();
    assert!((4..=8).contains(&refused), "{refused} refused");
}

fn mnist() -> Option<&'static (Vec<idx::Digit>, Vec<u8>)> {
    static SET: OnceLock<Option<(Vec<idx::Digit>, Vec<u8>)>> = OnceLock::new();
    SET.get_or_init(|| idx::load_test_set(&idx::mnist_dir()).ok())
        .as_ref()
}

/// The first 2,000 MNIST test digits as a 28x28 grey PNG, as a 280x280 drawing-pad PNG (scaled
/// 10x, dark on opaque white, RGBA), as those pixels handed over by a browser, and as a 200x200
/// grey PNG: the fast path must give bit for bit what the reference gives. Skipped (with a
/// note) without MNIST.
#[test]
fn mnist_digits_match_the_reference() {
    let Some((digits, _)) = mnist() else {
        eprintln!("MNIST not found in {:?}: skipped", idx::mnist_dir());
        return;
    };
    let digits = &digits[..2000];
    let check = |part: usize| {
        let mut checked = 0;
        for (i, digit) in digits.iter().enumerate().filter(|(i, _)| i % 2 == part) {
            let small = GrayImage::from_raw(28, 28, digit.to_vec()).expect("28x28");
            let big = imageops::resize(&small, 280, 280, imageops::FilterType::Triangle);
            let canvas = RgbaImage::from_fn(280, 280, |x, y| {
                let v = 255 - big.get_pixel(x, y).0[0];
                Rgba([v, v, v, 255])
            });
            let mid = imageops::resize(&small, 200, 200, imageops::FilterType::Triangle);
            let inputs = [
                Input::Bytes(png(DynamicImage::ImageLuma8(small))),
                Input::Bytes(rgba_png(canvas.clone())),
                Input::Rgba(canvas),
                Input::Bytes(png(DynamicImage::ImageLuma8(mid))),
            ];
            for (k, input) in inputs.iter().enumerate() {
                let (fast, slow) = run(input);
                assert_eq!(fast, slow, "digit {i}, rendering {k}");
                checked += 1;
            }
        }
        checked
    };
    let checked: usize = std::thread::scope(|s| {
        let a = s.spawn(|| check(0));
        let b = s.spawn(|| check(1));
        a.join().expect("worker") + b.join().expect("worker")
    });
    assert_eq!(checked, 4 * digits.len());
}
