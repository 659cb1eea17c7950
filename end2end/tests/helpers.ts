import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** Opens `path` and waits until the WASM bundle has hydrated the page, as a person would wait
 * for it to become responsive. */
export async function openHydrated(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitForHydration(page);
}

/** The debug WASM bundle is large; on a busy 2-core machine compiling it can take a while. */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
}

/** Collects console errors and CSP violations, which a person never sees but should never happen. */
export function watchForPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

/** A username no other test (or earlier run against the same database) has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export const PASSWORD = "correct horse battery staple";

/** Opens the navigation when it is collapsed behind the menu button (narrow screens). */
export async function openNav(page: Page): Promise<void> {
  await waitForHydration(page);
  const menu = page.getByRole("button", { name: "Menu" });
  if ((await menu.isVisible()) && (await menu.getAttribute("aria-expanded")) === "false") {
    await menu.click();
  }
}

/** Fills in and sends the log-in or sign-up form on the current page. */
export async function submitCredentials(
  page: Page,
  username: string,
  password: string,
  button: "Log in" | "Create account",
): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: button }).click();
}

/** Creates a fresh user (each test has its own prediction quota) and logs in through the form,
 * landing on the home page with the drawing pad. */
export async function logInAsNewUser(page: Page, request: APIRequestContext, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const created = await request.post("/api/register", { data: { username: name, password: PASSWORD } });
  expect(created.status()).toBe(201);
  await openHydrated(page, "/login");
  await submitCredentials(page, name, PASSWORD, "Log in");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("img", { name: "Drawing area" })).toBeVisible();
  return name;
}
