import { expect, test } from "@playwright/test";
import {
  PASSWORD,
  openHydrated,
  openNav,
  submitCredentials,
  uniqueName,
  waitForHydration,
  watchForPageErrors,
} from "./helpers";

test("sign up, log out and log in again", async ({ page }) => {
  const errors = watchForPageErrors(page);
  const name = uniqueName("sam");
  await openHydrated(page, "/register");
  await expect(page.getByRole("heading", { level: 1, name: "Sign up" })).toBeVisible();
  await submitCredentials(page, name, PASSWORD, "Create account");

  await expect(page).toHaveURL(/\/$/);
  await openNav(page);
  await expect(page.getByRole("link", { name: `Account of ${name}` })).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await openNav(page);
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  // The session cookies are gone: a reload shows the visitor logged out.
  await page.reload();
  await openNav(page);
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  await page.getByRole("link", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/login/);
  await waitForHydration(page);
  await submitCredentials(page, name.toUpperCase(), PASSWORD, "Log in");
  await expect(page).toHaveURL(/\/$/);
  await openNav(page);
  await expect(page.getByRole("link", { name: `Account of ${name}` })).toBeVisible();
  // Still logged in after a full page load (HTTP-only cookies).
  await page.reload();
  await openNav(page);
  await expect(page.getByRole("link", { name: `Account of ${name}` })).toBeVisible();
  expect(errors, "console errors or CSP violations").toEqual([]);
});

test("a wrong password is reported next to the form, without a reload", async ({ page, request }) => {
  const name = uniqueName("wanda");
  expect((await request.post("/api/register", { data: { username: name, password: PASSWORD } })).status()).toBe(201);
  await openHydrated(page, "/login");
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await submitCredentials(page, name, "not my password", "Log in");
  const alert = page.getByRole("alert");
  await expect(alert).toHaveText("Bad username or password");
  await expect(alert).toBeFocused();
  await expect(page.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
});

test("a weak password is refused with the reason", async ({ page }) => {
  await openHydrated(page, "/register");
  await submitCredentials(page, uniqueName("weak"), "password1", "Create account");
  await expect(page.getByRole("alert")).not.toBeEmpty();
  await expect(page).toHaveURL(/\/register/);
});

test("a protected page sends a visitor to log in and back", async ({ page, request }) => {
  const name = uniqueName("petra");
  await request.post("/api/register", { data: { username: name, password: PASSWORD } });
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await waitForHydration(page);
  await submitCredentials(page, name, PASSWORD, "Log in");
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.locator(".facts")).toContainText(name);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the log-in form still works", async ({ page, request }) => {
    const name = uniqueName("nojs");
    await request.post("/api/register", { data: { username: name, password: PASSWORD } });
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?next=\/account$/);

    await submitCredentials(page, name, "wrong password", "Log in");
    await expect(page).toHaveURL(/error=credentials/);
    await expect(page.getByRole("alert")).toHaveText("Bad username or password");
    await expect(page.getByLabel("Username")).toHaveValue(name);

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.locator(".facts")).toContainText(name);
  });
});

test("an admin disables an account, which can then no longer log in", async ({ page, request, browser }) => {
  const admin = process.env.E2E_ADMIN_USER;
  const adminPassword = process.env.E2E_ADMIN_PASSWORD;
  test.skip(!admin || !adminPassword, "make test creates the admin account (E2E_ADMIN_USER)");
  const name = uniqueName("victim");
  await request.post("/api/register", { data: { username: name, password: PASSWORD } });

  // The user is logged in elsewhere.
  const other = await browser.newContext();
  const victim = await other.newPage();
  await openHydrated(victim, "/login");
  await submitCredentials(victim, name, PASSWORD, "Log in");
  await expect(victim).toHaveURL(/\/$/);

  await openHydrated(page, "/login?next=/admin");
  await submitCredentials(page, admin!, adminPassword!, "Log in");
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByLabel("Search by username").fill(name);
  await page.getByRole("button", { name: "Search" }).click();
  // Without WASM the search is a plain GET form: a new page, which must hydrate before its
  // buttons do anything.
  await expect(page).toHaveURL(/[?&]q=/);
  await waitForHydration(page);
  const row = page.locator(`tr[data-username="${name}"]`);
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: `Disable ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "disabled" })).toBeVisible();
  await expect(row).toContainText("disabled");
  // Their own row offers nothing to press: an admin cannot disable themselves.
  await page.getByLabel("Search by username").fill(admin!);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]q=${admin}`));
  await waitForHydration(page);
  const own = page.locator(`tr[data-username="${admin}"]`);
  await expect(own).toContainText("You");
  await expect(own.getByRole("button")).toHaveCount(0);

  // Their session ended at once: the next page load shows them logged out.
  await victim.reload();
  await openNav(victim);
  await expect(victim.getByRole("link", { name: "Log in" })).toBeVisible();
  await openHydrated(victim, "/login");
  await submitCredentials(victim, name, PASSWORD, "Log in");
  await expect(victim.getByRole("alert")).toContainText("disabled");
  await other.close();
});

test("the admin page tells other users it is for admins", async ({ page, request }) => {
  const name = uniqueName("nosy");
  await request.post("/api/register", { data: { username: name, password: PASSWORD } });
  await openHydrated(page, "/login?next=/admin");
  await submitCredentials(page, name, PASSWORD, "Log in");
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  const response = await page.reload();
  expect(response?.status()).toBe(403);
});
