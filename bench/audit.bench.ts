/**
 * `npm run bench:audit` (issue 6): the compliance figures, each printed beside
 * its goal by its own section —
 *   as-of latency for a user with 100,000 events, with and without snapshots (bench/audit-asof.ts),
 *   `audit verify` events/s over 1,000,000 events (bench/audit-verify.ts),
 *   export events/s (bench/audit-export.ts).
 * BENCH_AUDIT_SECTIONS=verify,asof,export picks sections (default all, in that order).
 */
const SECTIONS = {
  asof: () => import('./audit-asof.ts'),
  verify: () => import('./audit-verify.ts'),
  export: () => import('./audit-export.ts'),
} as const;
type Section = keyof typeof SECTIONS;

const wanted = (process.env['BENCH_AUDIT_SECTIONS'] ?? 'asof,verify,export').split(',').map((s) => s.trim());
for (const name of wanted) {
  if (!(name in SECTIONS)) {
    process.stderr.write(`bench:audit: unknown section ${JSON.stringify(name)}; use ${Object.keys(SECTIONS).join(', ')}\n`);
    process.exit(2);
  }
}
for (const name of wanted as Section[]) {
  process.stdout.write(`\n== bench:audit — ${name}\n`);
  const section = await SECTIONS[name]();
  await section.run();
}
