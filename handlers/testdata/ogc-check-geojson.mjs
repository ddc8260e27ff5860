// Runs @placemarkio/check-geojson (pinned in static/package.json) on each
// file named on the command line and prints one line per file: "ok NAME"
// or "invalid NAME: <issues as JSON>". Exits 1 if any file is invalid.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../../static/package.json', import.meta.url));
const { check } = require('@placemarkio/check-geojson');

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    check(readFileSync(file, 'utf8'));
    console.log(`ok ${file}`);
  } catch (err) {
    failed = true;
    console.log(`invalid ${file}: ${JSON.stringify(err.issues ?? String(err))}`);
  }
}
process.exit(failed ? 1 : 0);
