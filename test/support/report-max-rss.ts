/**
 * Preload (`node --import tsx --import ./test/support/report-max-rss.ts …`): prints the process's
 * peak resident set size as a last stderr line "maxRSS <KiB>" when it exits.
 */
process.on('exit', () => {
  process.stderr.write(`\nmaxRSS ${process.resourceUsage().maxRSS}\n`);
});
