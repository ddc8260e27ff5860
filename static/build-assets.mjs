// build-assets.mjs copies the files the map page serves from node_modules
// (installed by `npm ci`, pinned by package-lock.json) into vendor/, which
// static.go embeds. Nothing here is fetched at run time: the page works
// offline once the binary is built.
//
// Usage (from the repository root): make assets
// or: cd static && npm ci && node build-assets.mjs
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const vendor = join(here, 'vendor');

// Each entry: package, file inside the package, name under vendor/.
const files = [
  ['leaflet', 'dist/leaflet.js', 'leaflet/leaflet.js'],
  ['leaflet', 'dist/leaflet.css', 'leaflet/leaflet.css'],
  ['leaflet', 'LICENSE', 'leaflet/LICENSE'],
  ['leaflet.markercluster', 'dist/leaflet.markercluster.js', 'markercluster/leaflet.markercluster.js'],
  ['leaflet.markercluster', 'dist/MarkerCluster.css', 'markercluster/MarkerCluster.css'],
  ['leaflet.markercluster', 'MIT-LICENCE.txt', 'markercluster/LICENSE'],
  ['topojson-client', 'dist/topojson-client.min.js', 'topojson-client/topojson-client.min.js'],
  ['topojson-client', 'LICENSE', 'topojson-client/LICENSE'],
  // Natural Earth admin-0 countries: 1:110m (~110 kB, ~38 kB gzipped) for
  // the world zooms, 1:50m (~750 kB) fetched once the reader zooms in far
  // enough to tell Gaza from Sinai.
  ['world-atlas', 'countries-110m.json', 'world-atlas/countries-110m.json'],
  ['world-atlas', 'countries-50m.json', 'world-atlas/countries-50m.json'],
  ['world-atlas', 'LICENSE', 'world-atlas/LICENSE'],
];

if (!existsSync(modules)) {
  console.error('build-assets: static/node_modules is missing; run `npm ci` in static/ first (or `make assets`).');
  process.exit(1);
}

// Start from an empty vendor/ (keeping its README) so removed files do not linger.
for (const name of readdirSync(vendor, { withFileTypes: true })) {
  if (name.name !== 'README.md') rmSync(join(vendor, name.name), { recursive: true, force: true });
}

const versions = {};
for (const [pkg, from, to] of files) {
  const src = join(modules, pkg, from);
  const dst = join(vendor, to);
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  versions[pkg] = JSON.parse(readFileSync(join(modules, pkg, 'package.json'), 'utf8')).version;
}
// Leaflet's CSS refers to its marker and layer images relative to itself.
const images = join(modules, 'leaflet', 'dist', 'images');
mkdirSync(join(vendor, 'leaflet', 'images'), { recursive: true });
for (const img of readdirSync(images)) {
  copyFileSync(join(images, img), join(vendor, 'leaflet', 'images', img));
}
// versions.json lets the page (and a person) see what was built.
writeFileSync(join(vendor, 'versions.json'), JSON.stringify(versions, null, 2) + '\n');
console.log('build-assets: vendor/ holds ' + Object.entries(versions).map(([k, v]) => `${k}@${v}`).join(', '));
