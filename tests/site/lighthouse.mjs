// Audits one page with Lighthouse in Debian's Chromium, in the light or dark colour scheme.
//
//   node tests/site/lighthouse.mjs URL light|dark [categories...]
//
// Prints one JSON object: each category's score (0-100) and, for each audit that did not
// pass, its id, title and score, so a failing test says what to fix. The colour scheme is
// emulated on the page before Lighthouse loads it, and checked after the run.
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [url, scheme = "light", ...wanted] = process.argv.slice(2);
const categories = wanted.length
  ? wanted
  : ["performance", "accessibility", "best-practices", "seo"];

// Without the performance category nothing is timed: a page served from this machine (and its
// widget's requests to the local API) is loaded and quiet well within 250 ms, where
// Lighthouse's defaults wait a second at each of these four points.
const quickerWaits = {
  pauseAfterFcpMs: 250,
  pauseAfterLoadMs: 250,
  networkQuietThresholdMs: 250,
  cpuQuietThresholdMs: 250,
};

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  const result = await lighthouse(
    url,
    {
      output: "json",
      logLevel: "error",
      onlyCategories: categories,
      // No audit run here looks at the full-page screenshot.
      disableFullPageScreenshot: true,
      ...(categories.includes("performance") ? {} : quickerWaits),
    },
    undefined,
    page,
  );
  const schemeHeld = await page.evaluate(
    (s) => matchMedia(`(prefers-color-scheme: ${s})`).matches,
    scheme,
  );
  const lhr = result.lhr;
  const scores = Object.fromEntries(
    Object.entries(lhr.categories).map(([id, category]) => [id, Math.round(category.score * 100)]),
  );
  const failing = [];
  for (const category of Object.values(lhr.categories)) {
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        failing.push({ category: category.id, id: audit.id, title: audit.title, score: audit.score,
                       value: audit.displayValue || "" });
      }
    }
  }
  console.log(JSON.stringify({ url, scheme, schemeHeld, scores, failing,
                               runtimeError: lhr.runtimeError || null }));
} finally {
  await browser.close();
}
// Lighthouse leaves timers behind that keep Node running for seconds after the browser closed;
// the result is written (pipes are synchronous on Linux), so end now.
process.exit();
