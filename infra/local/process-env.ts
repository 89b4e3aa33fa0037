/**
 * Process-wide settings the handlers' shared modules read once, at import (Powertools' Metrics
 * decides at construction whether it prints EMF). Imported FIRST by `npm start` (infra/local/main.ts),
 * before any handler module loads: metrics print only with --verbose (DEBUG); a setting already in
 * the environment wins.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= process.argv.includes('--verbose') ? 'false' : 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
