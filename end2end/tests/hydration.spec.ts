import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, uniqueName, waitForHydration } from "./helpers";

/**
 * Holds the WASM bundle back until the returned function is called, as a slow phone link
 * would: until then the page is the server's HTML only. A gate rather than a fixed delay, so
 * what the test does "before hydration" is always before it, however busy the machine.
 */
async function holdWasm(page: Page): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

async function expectNotHydrated(page: Page): Promise<void> {
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "false");
}

for (const form of [
  { path: "/login", button: "Log in", existing: true },
  { path: "/register", button: "Create account", existing: false },
] as const) {
  test(`what is typed into ${form.path} before the page is live is kept`, async ({ page, request }) => {
    const name = uniqueName("early");
    if (form.existing) {
      const created = await request.post("/api/register", { data: { username: name, password: PASSWORD } });
      expect(created.status()).toBe(201);
    }
    const release = await holdWasm(page);
    await page.goto(form.path, { waitUntil: "domcontentloaded" });
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await expectNotHydrated(page);

    release();
    await waitForHydration(page);
    await expect(page.getByLabel("Username")).toHaveValue(name);
    await expect(page.getByLabel("Password", { exact: true })).toHaveValue(PASSWORD);
    await page.getByRole("button", { name: form.button }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("img", { name: "Drawing area" })).toBeVisible();
  });
}

test("the drawing pad says it is not ready, and takes no strokes, until the page is live", async ({
  page,
  request,
}) => {
  const name = uniqueName("eager");
  const created = await request.post("/api/register", { data: { username: name, password: PASSWORD } });
  expect(created.status()).toBe(201);
  // Logged in through the page's own request context, which shares its cookies with the page.
  const login = await page.request.post("/api/login", { data: { username: name, password: PASSWORD } });
  expect(login.status()).toBe(200);

  const release = await holdWasm(page);
  await page.goto("/", { waitUntil: "domcontentloaded" });
  const canvas = page.getByRole("img", { name: "Drawing area" });
  await expect(canvas).toBeVisible();
  await expect(page.getByText("Getting the drawing pad ready…")).toBeVisible();
  await expect(canvas).toHaveAttribute("aria-busy", "true");
  await expect(page.getByRole("button", { name: "Recognise drawing" })).toBeDisabled();
  await expectNotHydrated(page);

  release();
  await waitForHydration(page);
  await expect(page.getByText("Getting the drawing pad ready…")).toBeHidden();
  await expect(canvas).toHaveAttribute("aria-busy", "false");
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByRole("button", { name: "Undo" })).toBeEnabled();
  await expect(page.getByRole("button", { name: "Recognise drawing" })).toBeEnabled();
});
