// The Node half of the face benchmark: face-api 1.7.15 doing detect (SSD, default options) +
// 68 landmarks + 128-D descriptors on the package's six demo/sample*.jpg photos.
//
//   node bench-faceapi.mjs [--backend wasm|cpu] [--runs N]
//
// Default backend: wasm (@tensorflow/tfjs-backend-wasm 4.22.0, the fastest that installs here:
// tfjs-node's native binary is downloaded at install time and cannot be fetched on these machines).
// Model loading, JPEG decoding, tensor creation and one warm-up pass over every photo are excluded;
// each photo's time is the median of N timed runs. The last line of output is one JSON object.
import os from 'node:os';
import path from 'node:path';
import { faceapi, setUp, decodeRgb, toTensor, sampleDir } from './lib.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const backend = arg('backend', 'wasm');
const runs = Number(arg('runs', backend === 'cpu' ? 1 : 3));

const tf = await setUp(backend);
const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });
const pipeline = (x) => faceapi.detectAllFaces(x, options).withFaceLandmarks().withFaceDescriptors();

const photos = [];
for (let i = 1; i <= 6; i++) {
  const file = path.join(sampleDir, `sample${i}.jpg`);
  const t0 = performance.now();
  const img = await decodeRgb(file);
  const decodeMs = performance.now() - t0;
  photos.push({ name: `sample${i}.jpg`, img, decodeMs, x: toTensor(tf, img) });
}

for (const p of photos) p.faces = (await pipeline(p.x)).length; // warm-up (kernels compiled, buffers sized)

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
for (const p of photos) {
  const times = []; const cpuTimes = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await pipeline(p.x);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
    if (res.length !== p.faces) throw new Error(`${p.name}: ${res.length} faces, warm-up found ${p.faces}`);
  }
  p.ms = median(times);
  p.cpuMs = median(cpuTimes);
}

const env = tf.env();
const wasmInfo = backend === 'wasm'
  ? { simd: await env.getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT') }
  : {};
console.log(`face-api ${faceapi.version}, tfjs ${tf.version.tfjs}, backend ${backend} ${JSON.stringify(wasmInfo)}, `
  + `node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, median of ${runs} run(s)`);
console.log('detect+landmarks+encode per photo: wall ms, and CPU ms of this process (less sensitive to other load)');
console.log('photo         size        faces   wall ms   CPU ms   (decode ms, excluded)');
for (const p of photos) {
  console.log(`${p.name.padEnd(13)} ${`${p.img.width}x${p.img.height}`.padEnd(11)} ${String(p.faces).padStart(5)}  `
    + `${p.ms.toFixed(0).padStart(8)} ${p.cpuMs.toFixed(0).padStart(8)}   (${p.decodeMs.toFixed(0)})`);
}
const mean = photos.reduce((s, p) => s + p.ms, 0) / photos.length;
const cpuMean = photos.reduce((s, p) => s + p.cpuMs, 0) / photos.length;
console.log(`mean per photo: ${mean.toFixed(0)} ms wall, ${cpuMean.toFixed(0)} ms CPU`);
for (const p of photos) p.x.dispose();
console.log(JSON.stringify({
  bench: 'faceapi-node',
  faceapi: faceapi.version,
  tfjs: tf.version.tfjs,
  backend,
  ...wasmInfo,
  detector: 'ssd_mobilenetv1',
  runs,
  msPerPhoto: Object.fromEntries(photos.map((p) => [p.name, Math.round(p.ms)])),
  faces: Object.fromEntries(photos.map((p) => [p.name, p.faces])),
  meanMsPerPhoto: Math.round(mean),
  cpuMsPerPhoto: Object.fromEntries(photos.map((p) => [p.name, Math.round(p.cpuMs)])),
  meanCpuMsPerPhoto: Math.round(cpuMean),
  loadAverage1m: Number(os.loadavg()[0].toFixed(1)),
}));
