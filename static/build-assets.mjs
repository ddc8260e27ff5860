// build-assets.mjs copies the files the map page serves from node_modules
// (installed by `npm ci`, pinned by package-lock.json) into vendor/, which
// static.go embeds. Nothing here is fetched at run time: the page works
// offline once the binary is built.
//
// Usage (from the repository root): make assets
// or: cd static && npm ci && node build-assets.mjs
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
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
// Each text file also gets a Brotli twin (NAME.br, best quality), which the
// server sends to browsers that accept br: about 10% smaller than the gzip
// it makes itself, and computed once here rather than on every start.
let brotli = 0;
const compressBrotli = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) compressBrotli(p);
    else if (/\.(js|css|json)$/.test(e.name)) {
      const b = readFileSync(p);
      const br = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } });
      if (br.length < b.length * 0.9) {
        writeFileSync(p + '.br', br);
        brotli++;
      }
    }
  }
};
compressBrotli(vendor);
// versions.json lets the page (and a person) see what was built.
writeFileSync(join(vendor, 'versions.json'), JSON.stringify(versions, null, 2) + '\n');
console.log('build-assets: ' + brotli + ' Brotli files; vendor/ holds ' + Object.entries(versions).map(([k, v]) => `${k}@${v}`).join(', '));
