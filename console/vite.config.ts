/**
 * The operator console's build (Vite + Preact). Built by `npm start` when missing or stale
 * (infra/local/console.ts) into console/dist (git-ignored), served at /console/; in AWS the same
 * files go to the console stack's bucket (infra/console-stack.ts). `base: './'`: the build works
 * under any path.
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [preact()],
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
});
