import * as fs from "node:fs";
import * as path from "node:path";
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

/** Opens the navigation when it is collapsed behind the menu button (narrow screens); the
 * button's name is `menu` in the page's language. */
export async function openNav(page: Page, menu_name = "Menu"): Promise<void> {
  await waitForHydration(page);
  const menu = page.getByRole("button", { name: menu_name, exact: true });
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

/** A mail the test SMTP server took: its recipient, subject and text (every part, decoded). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  file: string;
}

/** Undoes quoted-printable: soft line breaks (`=` at a line's end) and `=XX` bytes. */
function decodeQuotedPrintable(encoded: string): string {
  const joined = encoded.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Undoes RFC 2047 encoded words (`=?utf-8?q?...?=`, `=?utf-8?b?...?=`) in a header. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?[^?]+\?([bBqQ])\?([^?]*)\?=/g, (_, kind: string, word: string) =>
      kind.toLowerCase() === "b"
        ? Buffer.from(word, "base64").toString("utf8")
        : decodeQuotedPrintable(word.replace(/_/g, " ")),
    );
}

/** Splits a message or MIME part into its headers (unfolded; names in lower case) and body. */
function splitPart(raw: string): { headers: Map<string, string>; body: string } {
  const end = /\r?\n\r?\n/.exec(raw);
  const startsBlank = /^\r?\n/.test(raw);
  const head = startsBlank ? "" : end ? raw.slice(0, end.index) : raw;
  const body = startsBlank ? raw.replace(/^\r?\n/, "") : end ? raw.slice(end.index + end[0].length) : "";
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeHeader(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

/** The decoded text of every leaf part (a multipart/alternative mail's plain text and HTML). */
function textOf(raw: string): string {
  const { headers, body } = splitPart(raw);
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith("--"))
      .map((part) => textOf(part.replace(/^[ \t]*\r?\n/, "")))
      .join("\n");
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}

/** Every mail in the test SMTP server's maildir ($E2E_MAILDIR, set by scripts/test.sh). */
export function readMails(): Mail[] {
  const maildir = process.env.E2E_MAILDIR;
  if (!maildir) throw new Error("E2E_MAILDIR is not set: scripts/test.sh starts the SMTP server");
  const mails: Mail[] = [];
  for (const sub of ["new", "cur"]) {
    const dir = path.join(maildir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const raw = fs.readFileSync(file, "utf8");
      const { headers } = splitPart(raw);
      // aiosmtpd adds X-RcptTo, the envelope's recipients.
      const to = [headers.get("to"), headers.get("x-rcptto")].filter(Boolean).join(", ");
      mails.push({ to, subject: headers.get("subject") ?? "", text: textOf(raw), file });
    }
  }
  return mails;
}

/** Waits (up to `timeout` ms) for a mail to `address` whose subject is `subject`, and returns
 * it. Mail leaves through the server's outbox worker, so it may take a moment. */
export async function waitForMail(address: string, subject: string, timeout = 15_000): Promise<Mail> {
  const wanted = address.toLowerCase();
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        found = readMails().find(
          (mail) =>
            mail.subject === subject &&
            (mail.to.match(/[^\s<>,"]+@[^\s<>,"]+/g) ?? []).some((to) => to.toLowerCase() === wanted),
        );
        return found !== undefined;
      },
      { message: `a mail to ${address}: "${subject}"`, timeout },
    )
    .toBe(true);
  return found!;
}

/** The link to `page` (e.g. "/confirm-email") a mail carries, as a whole URL. */
export function mailLink(mail: Mail, page: "/confirm-email" | "/reset-password"): URL {
  const match = new RegExp(`https?://[^\\s"'<>/]+${page}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
  expect(match, `a ${page} link in the mail "${mail.subject}":\n${mail.text}`).not.toBeNull();
  return new URL(match![0]);
}
