import { expect, test, type Page } from "@playwright/test";
import {
  PASSWORD,
  mailLink,
  openHydrated,
  openNav,
  submitCredentials,
  uniqueName,
  waitForHydration,
  waitForMail,
  watchForPageErrors,
} from "./helpers";

// Mail goes to the SMTP server scripts/test.sh starts, which keeps it in $E2E_MAILDIR.
const SENT =
  "If that account exists and has a confirmed email address, we sent it a link to reset the password.";
const NEW_PASSWORD = "seven purple otters juggle quietly";

/** The path of a mailed link (`/confirm-email?token=…`), checked to point at this server. */
function pathOf(link: URL, baseURL: string | undefined): string {
  expect(link.origin, "mailed links point at PUBLIC_ORIGIN").toBe(new URL(baseURL!).origin);
  return link.pathname + link.search;
}

async function expectLoggedInAs(page: Page, name: string): Promise<void> {
  await expect(page).toHaveURL(/\/$/);
  await openNav(page);
  await expect(page.getByRole("link", { name: `Account of ${name}` })).toBeVisible();
}

test("an address is confirmed by mail, and a forgotten password is reset by mail", async ({ page, context, baseURL }) => {
  test.skip(!process.env.E2E_MAILDIR, "make test starts an SMTP server (E2E_MAILDIR)");
  const errors = watchForPageErrors(page);
  const name = uniqueName("mia");
  const email = `${name}@example.test`;

  // Signing up with an address, which is optional.
  await openHydrated(page, "/register");
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Email (optional)").fill(email);
  await page.getByRole("button", { name: "Create account" }).click();
  await expectLoggedInAs(page, name);

  // The mail's link asks before it confirms (a mail scanner opening links confirms nothing).
  const confirm = await waitForMail(email, "Confirm your email address for trazo");
  await openHydrated(page, pathOf(mailLink(confirm, "/confirm-email"), baseURL));
  await expect(page.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page.getByText("Your email address is confirmed.")).toBeVisible();

  await openHydrated(page, "/account");
  // The heading's parent is the section (or form) about the address.
  const address = page.getByRole("heading", { name: "Email address", exact: true }).locator("..");
  await expect(address).toContainText(email);
  await expect(address).toContainText("Confirmed");
  await expect(address).not.toContainText(/not confirmed|unconfirmed/i);

  await openNav(page);
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await openNav(page);
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  // Forgotten the password: a link by mail.
  await openHydrated(page, "/login");
  await page.getByRole("main").getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Username or email address").fill(email);
  await page.getByRole("button", { name: "Send me a link" }).click();
  await expect(page.getByText(SENT)).toBeVisible();

  const reset = await waitForMail(email, "Reset your trazo password");
  const resetPath = pathOf(mailLink(reset, "/reset-password"), baseURL);
  await openHydrated(page, resetPath);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Your password was changed. Log in with the new one.")).toBeVisible();
  // Nothing went wrong so far; what follows is refused on purpose (and logs failed requests).
  expect(errors, "console errors or CSP violations").toEqual([]);

  // The link works once (opened again in another tab): whether the page says so when opened
  // or when the form is sent.
  const again = await context.newPage();
  await openHydrated(again, resetPath);
  const used = again.getByRole("main").getByText(/already used/);
  if (!(await used.isVisible())) {
    await again.getByLabel("New password", { exact: true }).fill(`${NEW_PASSWORD} again`);
    await again.getByRole("button", { name: "Set new password" }).click();
  }
  await expect(used).toBeVisible();
  await again.close();

  await page.getByRole("main").getByRole("link", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/login/);
  await waitForHydration(page);
  await submitCredentials(page, name, PASSWORD, "Log in");
  await expect(page.getByRole("alert")).toHaveText("Bad username or password");
  await submitCredentials(page, name, NEW_PASSWORD, "Log in");
  await expectLoggedInAs(page, name);

  await waitForMail(email, "Your trazo password was changed");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the forgotten-password form still works", async ({ page }) => {
    await page.goto("/login");
    await page.getByRole("main").getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    // The same answer whether or not the account exists: this one does not.
    await page.getByLabel("Username or email address").fill(uniqueName("nobody"));
    await page.getByRole("button", { name: "Send me a link" }).click();
    await expect(page).toHaveURL(/\/forgot-password\?sent=1$/);
    await expect(page.getByText(SENT)).toBeVisible();
  });
});
