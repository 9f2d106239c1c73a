/**
 * Resolves once yoga's WebAssembly (ink's layout engine) is compiled. Loaded
 * from dist/cli/, yoga-layout's module did that itself with a top-level await
 * before ink could import it, so this is resolved at once; the CommonJS bundle
 * (rolldown.config.mjs) replaces this module with the wait for its compile.
 */
export const yogaReady: Promise<void> = Promise.resolve();
