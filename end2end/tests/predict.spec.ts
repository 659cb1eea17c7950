import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import {
  logInAsNewUser,
  openHydrated,
  openNav,
  submitCredentials,
  waitForHydration,
  watchForPageErrors,
} from "./helpers";

// A thick dark "7" on white, made by fixtures/make_digits.py (not an MNIST image).
const SEVEN = path.join(__dirname, "..", "fixtures", "seven.png");

/** Draws a "1" with the mouse: one vertical stroke through the middle of the canvas, in steps. */
async function drawOne(page: Page): Promise<void> {
  const canvas = page.getByRole("img", { name: "Drawing area" });
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  expect(box).not.toBeNull();
  const { x, y, width, height } = box!;
  const middle = x + width / 2;
  await page.mouse.move(middle, y + height * 0.15);
  await page.mouse.down();
  for (let step = 1; step <= 10; step++) {
    await page.mouse.move(middle, y + height * (0.15 + 0.07 * step));
  }
  await page.mouse.up();
  await expect(page.getByRole("button", { name: "Undo" })).toBeEnabled();
}

/** Waits for an answer and checks the digit it names. */
async function expectAnswer(page: Page, digit: string): Promise<void> {
  await expect(page.locator(".verdict-digit")).toHaveText(digit, { timeout: 20_000 });
  await expect(page.getByRole("status").filter({ hasText: `Recognised as ${digit}` })).toBeAttached();
}

test("a digit drawn with the mouse is recognised", async ({ page, request }) => {
  const errors = watchForPageErrors(page);
  await logInAsNewUser(page, request, "drawer");

  // Nothing drawn yet: the page says so without asking the server.
  await page.getByRole("button", { name: "Recognise drawing" }).click();
  await expect(page.getByRole("alert")).toHaveText("Draw a digit first.");

  // A stray stroke, taken back with Undo.
  const canvas = page.getByRole("img", { name: "Drawing area" });
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 30, { steps: 4 });
  await page.mouse.up();
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("button", { name: "Undo" })).toBeDisabled();

  await drawOne(page);
  await page.getByRole("button", { name: "Recognise drawing" }).click();
  await expectAnswer(page, "1");

  const result = page.locator(".result");
  await expect(result).toContainText(/\d+\.\d% probability/);
  // Whether it came from the cache is said either way (another run may have drawn the same pixels).
  await expect(result.locator(".cache-note")).toHaveText(/^(Freshly recognised|Answered from the cache)/);
  // All ten probabilities, each labelled with its digit.
  await expect(result.getByRole("meter")).toHaveCount(10);
  await expect(result.getByRole("meter", { name: "Digit 1" })).toBeVisible();
  // The 28×28 image the model saw.
  const seen = result.getByRole("img", { name: "The 28 × 28 image the model saw" });
  await expect(seen).toBeVisible();
  expect(await seen.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([28, 28]);
  // The quota after one prediction.
  await expect(page.locator(".quota")).toContainText("4 of 5");
  await expect(page.locator(".quota")).toContainText("199 of 200");

  // The same drawing again comes from the cache.
  await page.getByRole("button", { name: "Recognise drawing" }).click();
  await expect(result).toContainText("Answered from the cache");
  await expect(page.locator(".quota")).toContainText("3 of 5");

  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(page.getByRole("button", { name: "Undo" })).toBeDisabled();
  expect(errors, "console errors or CSP violations").toEqual([]);
});

test("an uploaded image is recognised", async ({ page, request }) => {
  const errors = watchForPageErrors(page);
  await logInAsNewUser(page, request, "uploader");
  await expect(page.getByRole("button", { name: "Recognise image" })).toBeDisabled();
  await page.getByLabel("Choose an image (PNG, JPEG or GIF)").setInputFiles(SEVEN);
  await expect(page.getByRole("img", { name: "Preview of the chosen image" })).toBeVisible();
  await expect(page.locator(".upload-preview")).toContainText("seven.png");
  await page.getByRole("button", { name: "Recognise image" }).click();
  await expectAnswer(page, "7");
  await expect(page.locator(".result").getByRole("meter")).toHaveCount(10);
  expect(errors, "console errors or CSP violations").toEqual([]);
});

test("a file that is not an image is refused in words", async ({ page, request }) => {
  await logInAsNewUser(page, request, "texter");
  await page.getByLabel("Choose an image (PNG, JPEG or GIF)").setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("not a digit"),
  });
  await expect(page.getByRole("alert")).toContainText("not a PNG, JPEG or GIF");
  await expect(page.getByRole("button", { name: "Recognise image" })).toBeDisabled();
});

test("the sixth prediction in an hour is refused with when to try again", async ({ page, request }) => {
  // The test server allows 5 predictions an hour (PREDICT_PER_HOUR=5).
  await logInAsNewUser(page, request, "eager");
  await drawOne(page);
  const recognise = page.getByRole("button", { name: "Recognise drawing" });
  for (let left = 4; left >= 0; left--) {
    await recognise.click();
    await expect(page.locator(".quota")).toContainText(`${left} of 5`, { timeout: 20_000 });
    await expect(page.locator(".verdict-digit")).toBeVisible();
  }
  await recognise.click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Try again", { timeout: 20_000 });
  await expect(alert).toContainText("Rate limit");
});

test("the history lists drawn and uploaded digits, newest first, and can be cleared", async ({
  page,
  request,
}) => {
  const errors = watchForPageErrors(page);
  await logInAsNewUser(page, request, "historian");
  await drawOne(page);
  await page.getByRole("button", { name: "Recognise drawing" }).click();
  await expectAnswer(page, "1");
  await page.getByLabel("Choose an image (PNG, JPEG or GIF)").setInputFiles(SEVEN);
  await page.getByRole("button", { name: "Recognise image" }).click();
  await expectAnswer(page, "7");

  await openNav(page);
  await page.getByRole("link", { name: "History" }).click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByRole("heading", { level: 1, name: "Your predictions" })).toBeVisible();
  const items = page.locator(".history-item");
  await expect(items).toHaveCount(2);
  await expect(items.nth(0).locator(".history-digit")).toHaveText("Digit 7");
  await expect(items.nth(1).locator(".history-digit")).toHaveText("Digit 1");
  for (const i of [0, 1]) {
    const thumb = items.nth(i).getByRole("img");
    await expect(thumb).toBeVisible();
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(28);
  }
  await expect(page.getByText("2 predictions", { exact: true })).toBeVisible();

  // The server-rendered page shows the same list.
  await page.reload();
  await expect(page.locator(".history-item")).toHaveCount(2);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });

  // Clearing asks first.
  await page.getByRole("button", { name: "Clear history" }).click();
  await expect(page.getByText("Delete all 2 predictions? This cannot be undone.")).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator(".history-item")).toHaveCount(2);
  await page.getByRole("button", { name: "Clear history" }).click();
  await page.getByRole("button", { name: "Yes, clear" }).click();
  await expect(page.getByText("No predictions yet.")).toBeVisible();
  await expect(page.locator(".history-item")).toHaveCount(0);
  expect(errors, "console errors or CSP violations").toEqual([]);
});

/** Downloads the file behind `link` and returns its bytes, gunzipped. */
async function downloadGunzipped(page: Page, link: string): Promise<Buffer> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: link }).click(),
  ]);
  const saved = await download.path();
  return zlib.gunzipSync(fs.readFileSync(saved));
}

test("answers are confirmed or corrected, the history filters by it, and the labels download as MNIST files", async ({
  page,
  request,
}) => {
  const errors = watchForPageErrors(page);
  await logInAsNewUser(page, request, "labeller");

  // "Was this right?" under each answer: confirm the 1, correct the 7 to a 2.
  await drawOne(page);
  await page.getByRole("button", { name: "Recognise drawing" }).click();
  await expectAnswer(page, "1");
  const result = page.locator(".result");
  await expect(result.locator(".label-state")).toHaveText("Was this right?");
  await result.getByRole("button", { name: "Yes, it is 1" }).click();
  await expect(result.locator(".label-state")).toHaveText("You confirmed it is a 1.");
  await expect(result.getByRole("button", { name: "Yes, it is 1" })).toHaveAttribute("aria-pressed", "true");

  await page.getByLabel("Choose an image (PNG, JPEG or GIF)").setInputFiles(SEVEN);
  await page.getByRole("button", { name: "Recognise image" }).click();
  await expectAnswer(page, "7");
  await expect(result.locator(".label-state")).toHaveText("Was this right?");
  await result.getByRole("button", { name: "No, it is 2" }).click();
  await expect(result.locator(".label-state")).toHaveText("You said it is a 2, not a 7.");

  // The history shows both, as the server renders it too.
  await openNav(page);
  await page.getByRole("link", { name: "History" }).click();
  await expect(page).toHaveURL(/\/history$/);
  const items = page.locator(".history-item");
  await expect(items).toHaveCount(2);
  await page.reload();
  await expect(items.nth(0).locator(".label-state")).toHaveText("You said it is a 2, not a 7.");
  await expect(items.nth(1).locator(".label-state")).toHaveText("You confirmed it is a 1.");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });

  // Filter to the corrected answers, then by true digit.
  await page.locator('select[name="label"]').selectOption("corrected");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/label=corrected/);
  await expect(items).toHaveCount(1);
  await expect(items.nth(0).locator(".history-digit")).toHaveText("Digit 7");
  await page.locator('select[name="label"]').selectOption("");
  await page.locator('select[name="digit"]').selectOption("1");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/digit=1/);
  await expect(items).toHaveCount(1);
  await expect(items.nth(0).locator(".history-digit")).toHaveText("Digit 1");
  await page.locator('select[name="digit"]').selectOption("3");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByText("No predictions match these filters.")).toBeVisible();
  await page.getByRole("link", { name: "Show them all" }).click();
  await expect(items).toHaveCount(2);

  // The labelled digits as an MNIST IDX pair: the headers, the counts, the labels given.
  const images = await downloadGunzipped(page, "Images (IDX, gzip)");
  expect(images.readUInt32BE(0)).toBe(0x0803);
  expect([images.readUInt32BE(4), images.readUInt32BE(8), images.readUInt32BE(12)]).toEqual([2, 28, 28]);
  expect(images.length).toBe(16 + 2 * 28 * 28);
  const labels = await downloadGunzipped(page, "Labels (IDX, gzip)");
  expect(labels.readUInt32BE(0)).toBe(0x0801);
  expect(labels.readUInt32BE(4)).toBe(2);
  expect([...labels.subarray(8)]).toEqual([1, 2]);

  // A label changed on this page is in the next download.
  await items.nth(0).getByRole("button", { name: "No, it is 9" }).click();
  await expect(items.nth(0).locator(".label-state")).toHaveText("You said it is a 9, not a 7.");
  const changed = await downloadGunzipped(page, "Labels (IDX, gzip)");
  expect([...changed.subarray(8)]).toEqual([1, 9]);

  // A label taken back: the 1 is no longer confirmed.
  await items.nth(1).getByRole("button", { name: "Take back" }).click();
  await expect(items.nth(1).locator(".label-state")).toHaveText("Was this right?");
  expect(errors, "console errors or CSP violations").toEqual([]);
});

/** The WASM chunks only the drawing tools need (none of the visitor's home page's own), from the
 * split build's manifest; `null` for an unsplit build (`make run`), which has no chunks. */
async function drawingToolChunks(request: APIRequestContext): Promise<string[] | null> {
  const response = await request.get("/pkg/__wasm_split_manifest.json");
  if (response.status() === 404) return null;
  expect(response.ok()).toBe(true);
  const manifest: Record<string, string[]> = await response.json();
  const chunksOf = (name: string): string[] => {
    const key = Object.keys(manifest).find((k) => k.replace(/^_+|_[0-9]+$/g, "") === name);
    expect(key, `${name} in the split manifest`).toBeDefined();
    return manifest[key!].map((file) => (file.endsWith(".wasm") ? file : `${file}.wasm`));
  };
  const home = new Set(chunksOf("home_page"));
  const tools = chunksOf("drawing_tools").filter((file) => !home.has(file));
  expect(tools.length, "the drawing tools have a chunk of their own").toBeGreaterThan(0);
  return tools;
}

/** Every WASM file the page downloads from now on. */
function watchWasm(page: Page): string[] {
  const files: string[] = [];
  page.on("request", (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.endsWith(".wasm")) files.push(pathname.split("/").pop()!);
  });
  return files;
}

test("a visitor's page is live before the drawing tools arrive, and logging in keeps them working", async ({
  page,
  request,
}) => {
  const tools = await drawingToolChunks(request);
  test.skip(tools === null, "an unsplit build has no chunks to leave out");
  const errors = watchForPageErrors(page);
  // The server does not list the tools for a visitor's browser to preload.
  const html = await (await request.get("/")).text();
  for (const chunk of tools!) expect(html, "the visitor's page preloads the drawing tools").not.toContain(chunk);

  // Held back, the tools cannot delay the page: it hydrates with a placeholder in their place.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  for (const chunk of tools!) {
    await page.route(`**/pkg/${chunk}`, async (route) => {
      await held;
      await route.continue();
    });
  }
  const wasm = watchWasm(page);
  await openHydrated(page, "/");
  await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
  await expect(page.getByText("Getting the drawing pad ready…")).toBeVisible();
  await expect(page.getByRole("img", { name: "Drawing area" })).toHaveCount(0);
  release();
  await expect(page.getByRole("img", { name: "Drawing area" })).toBeVisible();
  for (const chunk of tools!) expect(wasm).toContain(chunk);
  await drawOne(page);

  // Logged in (a navigation inside the app, no reload), the tools work with the server.
  await logInAsNewUser(page, request, "chunky");
  await waitForHydration(page);
  await drawOne(page);
  await page.getByRole("button", { name: "Recognise drawing" }).click();
  await expectAnswer(page, "1");

  // And a logged-in first visit (a reload) renders and hydrates them in one pass.
  await page.reload();
  await waitForHydration(page);
  await drawOne(page);
  expect(errors, "console errors or CSP violations").toEqual([]);
});

test("a stale session cookie still gets the visitor's home page, live", async ({ page, baseURL }) => {
  const errors = watchForPageErrors(page);
  await page.context().addCookies([
    { name: "trazo_access", value: "not-a-token", url: baseURL! },
    { name: "trazo_refresh", value: "not-a-token-either", url: baseURL! },
  ]);
  await openHydrated(page, "/");
  // A visitor's tools: the pad with the live guess, an invitation, no "Recognise".
  await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Drawing area" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Live guess" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Recognise drawing" })).toHaveCount(0);
  expect(errors, "console errors or CSP violations").toEqual([]);
});

test("the admin sees how the model is doing, and a correction in its confusion matrix", async ({
  page,
  request,
  browser,
}) => {
  const admin = process.env.E2E_ADMIN_USER;
  const adminPassword = process.env.E2E_ADMIN_PASSWORD;
  test.skip(!admin || !adminPassword, "make test creates the admin account (E2E_ADMIN_USER)");
  const errors = watchForPageErrors(page);
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  const adminErrors = watchForPageErrors(adminPage);
  await openHydrated(adminPage, "/login?next=/admin/stats");
  await submitCredentials(adminPage, admin!, adminPassword!, "Log in");
  await expect(adminPage).toHaveURL(/\/admin\/stats$/);
  await expect(adminPage.getByRole("heading", { name: "How the model is doing" })).toBeVisible();
  // Every chart arrives as an image the browser could draw.
  for (const name of ["hours", "days", "confidence", "confusion"]) {
    const chart = adminPage.locator(`img[src^="/api/admin/stats/${name}.svg"]`);
    await expect(chart).toBeVisible();
    await expect
      .poll(() => chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
      .toBe(true);
  }
  const cell = adminPage.locator('.confusion td[data-true="3"][data-predicted="7"]');
  const before = Number(await cell.textContent());

  // A user says a 7 was really a 3.
  await logInAsNewUser(page, request, "corrector");
  await page.getByLabel("Choose an image (PNG, JPEG or GIF)").setInputFiles(SEVEN);
  await page.getByRole("button", { name: "Recognise image" }).click();
  await expectAnswer(page, "7");
  await page.locator(".result").getByRole("button", { name: "No, it is 3" }).click();
  await expect(page.locator(".result .label-state")).toHaveText("You said it is a 3, not a 7.");

  // The admin's next look has it (the figures are at most a few seconds old).
  await expect
    .poll(
      async () => {
        await adminPage.reload();
        return Number(await cell.textContent());
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(before);
  await waitForHydration(adminPage);
  expect(errors, "console errors or CSP violations").toEqual([]);
  expect(adminErrors, "console errors or CSP violations (admin)").toEqual([]);
  await adminContext.close();
});

test("a visitor can draw at once, is invited to sign up, and the history needs an account", async ({ page }) => {
  await openHydrated(page, "/");
  await expect(page.getByRole("img", { name: "Drawing area" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Recognise drawing" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
  await expect(page.getByRole("link", { name: "I already have an account" })).toBeVisible();
  await page.goto("/history");
  await expect(page).toHaveURL(/\/login\?next=\/history$/);
});
