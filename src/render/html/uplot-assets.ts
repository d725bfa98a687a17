// uPlot (https://github.com/leeoniya/uPlot, MIT) from the installed package: the dashboard serves these files
// and the HTML reports inline them. Resolved through Node's module resolution, so it works from src/ (tsx),
// from dist/ and from an npm install.
import fs from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's minified browser build (defines the global `uPlot`) and its stylesheet. */
export interface UplotAssets {
  js: string;
  css: string;
}

/** Reads uPlot's IIFE build and CSS from node_modules/uplot/dist. */
export function readUplotAssets(): UplotAssets {
  const require = createRequire(import.meta.url);
  return {
    js: fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
