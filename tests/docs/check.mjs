// Opens the service's /docs in Debian's headless Chromium (integrators §7) and checks that the
// interactive documentation renders every operation of the document with no failed network
// request — it must work with no internet, from what the binary serves. Keeps a screenshot.
//
//   node tests/docs/check.mjs http://127.0.0.1:8080 target/docs.png
//
// CHROMIUM names the browser (default /usr/bin/chromium).
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: check.mjs <base URL> <screenshot.png>");
  process.exit(2);
}

const document = await (await fetch(`${base}/api/v1/openapi.json`)).json();
const operations = Object.values(document.paths).flatMap((item) =>
  ["get", "put", "post", "delete", "patch"].filter((m) => item[m]),
).length;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
  page.on("requestfailed", (request) =>
    failures.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) failures.push(`${response.url()}: ${response.status()}`);
  });
  page.on("pageerror", (error) => failures.push(`script error: ${error.message}`));
  await page.goto(`${base}/docs/`, { waitUntil: "networkidle" });
  await page.waitForSelector(".opblock", { timeout: 15000 });
  const rendered = await page.locator(".opblock").count();
  await page.screenshot({ path: screenshot, fullPage: false });
  const title = await page.locator(".info .title").first().innerText();
  console.log(`docs: "${title.split("\n")[0]}", ${rendered} of ${operations} operations rendered`);
  if (rendered !== operations) failures.push(`${rendered} operations rendered, the document has ${operations}`);
  if (!title.includes("Förvaltning")) failures.push(`unexpected title ${title}`);
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(`docs check failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
