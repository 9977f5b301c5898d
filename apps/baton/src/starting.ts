/**
 * Imported first by main.ts, so it runs before the other imports are loaded:
 * compiling and loading Nest, Prisma and PGlite takes seconds (more on a
 * first start), and a silent terminal looks hung.
 */
if (process.env.LOG_LEVEL !== 'fatal' && process.env.LOG_LEVEL !== 'error') {
  process.stdout.write(`Starting Baton (Node.js ${process.version})\u2026\n`);
}
