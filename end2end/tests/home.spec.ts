import { expect, test } from "@playwright/test";
import { openHydrated, watchForPageErrors } from "./helpers";

test("the home page says what trazo does", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle("trazo");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Write a digit. trazo reads it.");
  await expect(page.getByRole("heading", { name: "How it reads your digit" })).toBeVisible();
});

test.describe("on a narrow screen", () => {
  test.use({ viewport: { width: 390, height: 800 } });

  test("the page hydrates and its menu button works after load", async ({ page }) => {
    const errors = watchForPageErrors(page);
    await openHydrated(page, "/");
    const menu = page.getByRole("button", { name: "Menu" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    expect(errors, "console errors or CSP violations").toEqual([]);
  });
});

test("a page that does not exist says so and leads home", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the home page" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Write a digit. trazo reads it.");
});

test("keyboard users can skip straight to the content", async ({ page }) => {
  await openHydrated(page, "/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
});
