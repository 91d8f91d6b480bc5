// Compares fixtures/{s1,m1}.json with ../shared/specs/faceapi-reference/{s1,m1}.json (made earlier,
// independently, by face-api on the same backend) and prints the largest difference per field.
// The shared files are rounded to 6 significant digits (boxes/landmarks to 0.001 px), so differences
// up to that rounding are agreement. Exits 1 if a count, an index or an integer rectangle differs.
//
//   node compare-shared.mjs
import fs from 'node:fs';
import path from 'node:path';
import { here, sharedRefDir } from './lib.mjs';

let failed = false;
for (const name of ['s1', 'm1']) {
  const oursFile = path.join(here, 'fixtures', `${name}.json`);
  const theirsFile = path.join(sharedRefDir, `${name}.json`);
  if (!fs.existsSync(oursFile) || !fs.existsSync(theirsFile)) { console.log(`${name}: missing, skipped`); continue; }
  const ours = JSON.parse(fs.readFileSync(oursFile, 'utf8'));
  const theirs = JSON.parse(fs.readFileSync(theirsFile, 'utf8'));
  const maxDiff = new Map(); // field path with indices removed -> largest |ours - theirs|
  const note = (p, d) => { const k = p.replace(/\[\d+\]/g, '[]'); maxDiff.set(k, Math.max(maxDiff.get(k) ?? 0, d)); };
  const walk = (a, b, p) => {
    if (Array.isArray(b)) {
      if (!Array.isArray(a) || a.length !== b.length) { console.log(`  ${name}${p}: length ${a?.length} vs ${b.length}`); failed = true; return; }
      b.forEach((v, i) => walk(a[i], v, typeof v === 'number' ? p : `${p}[${i}]`));
    } else if (b !== null && typeof b === 'object') {
      for (const k of Object.keys(b)) {
        if (k === 'note') continue;
        if (!(k in a)) { console.log(`  ${name}${p}.${k}: missing in ours`); failed = true; continue; }
        walk(a[k], b[k], `${p}.${k}`);
      }
    } else if (typeof b === 'number') {
      const d = Math.abs(a - b);
      if (Number.isInteger(b) && /anchorIndex|CropRect|crop_x_y_w_h|shape|width|height/.test(p) && d !== 0) failed = true;
      note(p, d);
    } else if (a !== b) { console.log(`  ${name}${p}: ${a} vs ${b}`); failed = true; }
  };
  walk(ours, theirs, '');
  console.log(`== ${name}: ours vs shared, max |difference| per field`);
  for (const [k, d] of maxDiff) console.log(`  ${k.padEnd(72)} ${d.toPrecision(3)}`);
}
process.exitCode = failed ? 1 : 0;
