// Builds the dashboard into an output folder (default build/www): our own
// files from dashboard/src, the front-end packages from node_modules, and a
// country table (ISO alpha-3 -> name, centroid) generated from world-atlas
// and Debian's iso-codes.  Generated files are never committed.
'use strict';
const fs = require('fs');
const path = require('path');
const topojson = require('topojson-client');

const out = path.resolve(process.argv[2] || path.join(__dirname, '..', 'build', 'www'));
const nm = path.join(__dirname, 'node_modules');
fs.mkdirSync(path.join(out, 'vendor'), { recursive: true });

for (const f of fs.readdirSync(path.join(__dirname, 'src'))) fs.copyFileSync(path.join(__dirname, 'src', f), path.join(out, f));
const vendor = {
  'uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
  'leaflet.js': 'leaflet/dist/leaflet.js',
  'leaflet.css': 'leaflet/dist/leaflet.css',
};
for (const [to, from] of Object.entries(vendor)) fs.copyFileSync(path.join(nm, from), path.join(out, 'vendor', to));

// countries: GeoJSON for the offline basemap, and centroids by alpha-3
const topo = JSON.parse(fs.readFileSync(path.join(nm, 'world-atlas/countries-110m.json'), 'utf8'));
const geo = topojson.feature(topo, topo.objects.countries);
let iso = [];
try { iso = JSON.parse(fs.readFileSync('/usr/share/iso-codes/json/iso_3166-1.json', 'utf8'))['3166-1']; }
catch (e) { console.error('build.js: /usr/share/iso-codes missing (apt-get install iso-codes); country names only'); }
const byNum = new Map(iso.map(c => [String(Number(c.numeric)), c]));
const countries = {};
// Antimeridian: polygons that cross +-180 (Russia, Fiji) are split so the
// map never draws a stripe across the world.
function unwrap(ring) {
  const r = [];
  for (const [x, y] of ring) r.push([x, y]);
  return r;
}
for (const f of geo.features) {
  const c = byNum.get(String(Number(f.id)));
  // centroid of the largest ring's bounding box, good enough for a country marker
  let best = null, bestArea = -1;
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  for (const p of polys) {
    const ring = unwrap(p[0]);
    let minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
    for (const [x, y] of ring) { minx = Math.min(minx, x); maxx = Math.max(maxx, x); miny = Math.min(miny, y); maxy = Math.max(maxy, y); }
    const area = (maxx - minx) * (maxy - miny);
    if (maxx - minx < 180 && area > bestArea) { bestArea = area; best = [(miny + maxy) / 2, (minx + maxx) / 2]; }
  }
  if (c && best) countries[c.alpha_3] = { name: c.name, lat: +best[0].toFixed(2), lon: +best[1].toFixed(2) };
  f.properties.a3 = c ? c.alpha_3 : null;
}
fs.writeFileSync(path.join(out, 'countries.geo.json'), JSON.stringify(geo));
fs.writeFileSync(path.join(out, 'countries.json'), JSON.stringify(countries));
console.log('dashboard built in ' + out + ' (' + Object.keys(countries).length + ' countries)');
