import * as path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, openHydrated, openNav, uniqueName, waitForHydration, watchForPageErrors } from "./helpers";

// trazo in Spanish and English (app/locales): the server picks the language from the trazo_lang
// cookie or Accept-Language and renders it; the switch in the header changes and remembers it.

const SEVEN = path.join(__dirname, "..", "fixtures", "seven.png");

/** Draws a "1": one vertical stroke through the middle of the canvas named `name`. */
async function drawOne(page: Page, name: string): Promise<void> {
  const canvas = page.getByRole("img", { name });
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const middle = box.x + box.width / 2;
  await page.mouse.move(middle, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let step = 1; step <= 10; step++) {
    await page.mouse.move(middle, box.y + box.height * (0.15 + 0.07 * step));
  }
  await page.mouse.up();
}

test.describe("a browser that asks for Spanish", () => {
  test.use({ locale: "es-ES" });

  test("sees Spanish from the first byte, signs up, draws a digit and reads the result and the quota", async ({
    page,
    request,
  }) => {
    const errors = watchForPageErrors(page);
    // The first byte: the HTML as the server sends it, before any script runs.
    const first = await request.get("/", { headers: { "Accept-Language": "es-ES,es;q=0.9,en;q=0.5" } });
    const html = await first.text();
    expect(html).toContain('<html lang="es"');
    expect(html).toContain("Escribe un dígito. trazo lo lee.");
    expect(html).not.toContain("Write a digit.");

    // The browser's own request carries its locale, and hydration changes no word.
    await page.goto("/register");
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    const served = await page.locator("main").innerText();
    await waitForHydration(page);
    expect(await page.locator("main").innerText()).toBe(served);
    await expect(page).toHaveTitle("Crear cuenta · trazo");
    await expect(page.getByRole("heading", { name: "Crear cuenta" })).toBeVisible();

    await page.getByLabel("Nombre de usuario").fill(uniqueName("es"));
    await page.getByLabel("Contraseña", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Crear cuenta" }).click();
    await expect(page).toHaveURL(/\/$/);

    await expect(page.getByRole("heading", { name: "Dibuja un dígito" })).toBeVisible();
    await drawOne(page, "Área de dibujo");
    await expect(page.getByRole("button", { name: "Deshacer" })).toBeEnabled();
    await page.getByRole("button", { name: "Reconocer dibujo" }).click();
    await expect(page.locator(".verdict-digit")).toHaveText("1", { timeout: 20_000 });

    const result = page.locator(".result");
    // Spanish numbers: a decimal comma and a space before the percent sign.
    await expect(result).toContainText(/\d+,\d\s%\sde probabilidad/);
    await expect(result.getByRole("meter", { name: "Dígito 1" })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "Reconocido como 1" })).toBeAttached();
    await expect(page.getByRole("status").filter({ hasText: "Quedan 4 predicciones" })).toBeAttached();
    const quota = page.locator(".quota");
    await expect(quota).toContainText("Predicciones restantes:");
    await expect(quota).toContainText("4 de 5 esta hora");
    await expect(quota).toContainText("199 de 200 hoy");

    // An upload's answer is in Spanish too.
    await page.getByLabel("Elige una imagen (PNG, JPEG o GIF)").setInputFiles(SEVEN);
    await page.getByRole("button", { name: "Reconocer imagen" }).click();
    await expect(page.locator(".verdict-digit")).toHaveText("7", { timeout: 20_000 });
    await expect(page.getByRole("status").filter({ hasText: "Quedan 3 predicciones" })).toBeAttached();

    expect(errors).toEqual([]);
  });

  test("switching to English is kept across pages and a reload, and back", async ({ page }) => {
    const errors = watchForPageErrors(page);
    await openHydrated(page, "/");
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await expect(page.getByRole("heading", { name: "Escribe un dígito. trazo lo lee." })).toBeVisible();

    await openNav(page, "Menú");
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { name: "Write a digit. trazo reads it." })).toBeVisible();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "trazo_lang")?.value).toBe("en");

    // Another page, then a reload: the server now renders English from the cookie.
    await openNav(page, "Menu");
    await page.getByRole("link", { name: "Log in" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page).toHaveTitle("Log in · trazo");

    await openNav(page, "Menu");
    await page.getByRole("button", { name: "Español" }).click();
    await expect(page.getByRole("heading", { name: "Iniciar sesión" })).toBeVisible();
    await expect(page).toHaveTitle("Iniciar sesión · trazo");
    expect(errors).toEqual([]);
  });

  test("a logged-in person's choice follows them to their next log-in", async ({ page, request, browser }) => {
    const name = uniqueName("lang");
    expect((await request.post("/api/register", { data: { username: name, password: PASSWORD } })).status()).toBe(201);
    await openHydrated(page, "/login");
    await page.getByLabel("Nombre de usuario").fill(name);
    await page.getByLabel("Contraseña", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Iniciar sesión" }).click();
    await expect(page).toHaveURL(/\/$/);
    await openNav(page, "Menú");
    const saved = page.waitForResponse((r) => r.url().endsWith("/api/set_language") && r.status() === 200);
    await page.getByRole("button", { name: "English" }).click();
    await saved;

    // Another device whose browser asks for Spanish: once logged in, the account's English wins.
    const other = await browser.newContext({ locale: "es-ES" });
    const device = await other.newPage();
    await openHydrated(device, "/login");
    await expect(device.locator("html")).toHaveAttribute("lang", "es");
    await device.getByLabel("Nombre de usuario").fill(name);
    await device.getByLabel("Contraseña", { exact: true }).fill(PASSWORD);
    await device.getByRole("button", { name: "Iniciar sesión" }).click();
    await expect(device.locator("html")).toHaveAttribute("lang", "en");
    await expect(device.getByRole("heading", { name: "Draw a digit" })).toBeVisible();
    await other.close();
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false, locale: "es-ES" });

  test("the log-in form works in Spanish and in English", async ({ page, request, context, baseURL }) => {
    const name = uniqueName("nojs");
    await request.post("/api/register", { data: { username: name, password: PASSWORD } });

    await page.goto("/login");
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await page.getByLabel("Nombre de usuario").fill(name);
    await page.getByLabel("Contraseña", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Iniciar sesión" }).click();
    await expect(page).toHaveURL(/error=credentials/);
    await expect(page.getByRole("alert")).toHaveText("Nombre de usuario o contraseña incorrectos");
    await page.getByLabel("Contraseña", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Iniciar sesión" }).click();
    await expect(page).toHaveURL(/\/$/);
    // On a phone the button is in the collapsed menu (hidden without JavaScript): in the page,
    // not visible.
    await expect(
      page.getByRole("button", { name: "Cerrar sesión", exact: true, includeHidden: true }),
    ).toBeAttached();

    // English: by the switch's plain form post where the header shows it (on a phone the
    // collapsed menu needs JavaScript), else by the cookie it sets.
    await context.clearCookies();
    const nav = page.getByRole("button", { name: "English" });
    await page.goto("/login");
    if (await nav.isVisible()) {
      await nav.click();
      await expect(page).toHaveURL(/\/login$/);
    } else {
      await context.addCookies([{ name: "trazo_lang", value: "en", url: baseURL! }]);
      await page.goto("/login");
    }
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Bad username or password");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(
      page.getByRole("button", { name: "Log out", exact: true, includeHidden: true }),
    ).toBeAttached();
  });
});
