import { expect, type Page } from "@playwright/test";

/** Opens `path` and waits until the WASM bundle has hydrated the page, as a person would wait
 * for it to become responsive. */
export async function openHydrated(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
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
