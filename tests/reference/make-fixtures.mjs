// Runs @vladmandic/face-api 1.7.15 itself (tfjs 4.22.0, pure-JS CPU backend) and writes one JSON
// fixture per input image to fixtures/<name>.json. Field layout: README.md.
//
//   node make-fixtures.mjs            all inputs (s1, m1 from ../shared, then sample1..6.jpg)
//   node make-fixtures.mjs sample3 s1 only the named inputs
//
// Slow on purpose (the CPU backend is the reference): ~40 s per 1920-px photo on a quiet core.
import fs from 'node:fs';
import path from 'node:path';
import {
  faceapi, setUp, decodeRgb, toTensor, here, sharedRefDir, sampleDir, r9, arr9, box4,
} from './lib.mjs';

const outDir = path.join(here, 'fixtures');

// s1/m1: the same fixed crop as ../shared/specs/faceapi-reference/*.json, so the two can be compared.
// JPEG samples: the fixed crop is the landmark crop of the first SSD face (recorded in the fixture).
const inputs = [
  { name: 's1', file: path.join(sharedRefDir, 's1.png'), tinySizes: [224, 320, 416, 608], fixedCrop: [150, 100, 110, 130] },
  { name: 'm1', file: path.join(sharedRefDir, 'm1.png'), tinySizes: [224, 320, 416, 608], fixedCrop: [150, 100, 110, 130] },
  ...[1, 2, 3, 4, 5, 6].map((i) => ({
    name: `sample${i}`, file: path.join(sampleDir, `sample${i}.jpg`), tinySizes: [416], fixedCrop: null,
  })),
];

const SSD = { minConfidence: 0.5, maxResults: 100 };
const TINY_THRESHOLD = 0.5;

function detectionJson(det) {
  return { score: r9(det.score), box: box4(det.box) };
}

/** One face of a detect → landmarks → descriptor pipeline, with every intermediate rectangle. */
function faceJson(res, width, height) {
  const lmCrop = res.detection.box.clipAtImageBorders(width, height); // clipped + floored (face-api's own)
  const dlib = res.landmarks.align(null, { useDlibAlignment: true });
  const dlibExtracted = dlib.clipAtImageBorders(width, height);
  const desc = Array.from(res.descriptor);
  return {
    detection: detectionJson(res.detection),
    landmarkCropRect: box4(lmCrop),
    landmarks68: res.landmarks.positions.map((p) => [r9(p.x), r9(p.y)]),
    landmarks68_relative: res.landmarks.relativePositions.map((p) => [r9(p.x), r9(p.y)]),
    alignedRect_minBbox_pad20: box4(res.alignedRect.box),
    recognitionCropRect_dlib: box4(dlib),
    recognitionCropRect_extracted: box4(dlibExtracted),
    descriptor: arr9(desc),
    descriptorL2Norm: r9(Math.sqrt(desc.reduce((s, v) => s + v * v, 0))),
  };
}

async function ssdRawTop5(tf, input) {
  const { boxes, scores } = await faceapi.nets.ssdMobilenetv1.forward(input);
  const b = boxes[0].arraySync();
  const s = Array.from(scores[0].dataSync());
  boxes.forEach((t) => t.dispose()); scores.forEach((t) => t.dispose());
  const order = s.map((v, i) => i).sort((i, j) => s[j] - s[i]).slice(0, 5);
  return order.map((i) => ({ anchorIndex: i, score: r9(s[i]), box_ymin_xmin_ymax_xmax: arr9(b[i]) }));
}

async function tinyRaw(tf, input, inputSize) {
  const out = await faceapi.nets.tinyFaceDetector.forward(input, inputSize);
  const data = out.dataSync();
  const [, n, , c] = out.shape;
  // The cell (row, col) holding the highest anchor confidence logit, as a second sample of raw values.
  const conf = (cell) => Math.max(...[0, 1, 2, 3, 4].map((a) => data[cell * c + a * 5 + 4]));
  let best = 0;
  for (let cell = 1; cell < n * n; cell++) if (conf(cell) > conf(best)) best = cell;
  const result = {
    shape: out.shape,
    first25_cell_row0_col0: arr9(data.slice(0, c)),
    maxConfCell_row_col: [Math.floor(best / n), best % n],
    maxConfCell_25: arr9(data.slice(best * c, best * c + c)),
  };
  out.dispose();
  return result;
}

async function fixedCropJson(tf, imgTensor, crop) {
  const [x, y, w, h] = crop;
  const cropT = tf.slice(imgTensor, [y, x, 0], [h, w, 3]);
  const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(cropT);
  const lmTiny = await faceapi.nets.faceLandmark68TinyNet.detectLandmarks(cropT);
  const desc = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(cropT);
  cropT.dispose();
  const inter = (l) => l.relativePositions.flatMap((p) => [r9(p.x), r9(p.y)]);
  return {
    crop_x_y_w_h: crop,
    faceLandmark68Net_relative_xy_interleaved: inter(lm),
    faceLandmark68TinyNet_relative_xy_interleaved: inter(lmTiny),
    faceRecognitionNet_descriptor: arr9(desc),
  };
}

async function makeFixture(tf, input) {
  const t0 = Date.now();
  const img = await decodeRgb(input.file);
  const x = toTensor(tf, img);
  const { width, height } = img;
  const log = (what) => console.log(`${input.name}: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const ssdPipe = await faceapi.detectAllFaces(x, new faceapi.SsdMobilenetv1Options(SSD))
    .withFaceLandmarks().withFaceDescriptors();
  log(`SSD pipeline, ${ssdPipe.length} faces`);
  const tinyPipe = await faceapi.detectAllFaces(x, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: TINY_THRESHOLD }))
    .withFaceLandmarks(true).withFaceDescriptors();
  log(`tiny pipeline, ${tinyPipe.length} faces`);

  const fx = {
    note: 'Reference outputs produced by @vladmandic/face-api 1.7.15 (tfjs 4.22.0, cpu backend) in Node by tests/reference/make-fixtures.mjs, '
      + 'with the image passed as a float32 HWC tensor (RGB 0..255). Boxes are [x,y,width,height] in image pixels. Layout: tests/reference/README.md.',
    generator: { faceapi: faceapi.version, tfjs: tf.version.tfjs, backend: tf.getBackend(), jpegDecoder: '@jsquash/jpeg 1.6.0 (mozjpeg WASM)', pngDecoder: 'pngjs 7.0.0' },
    image: { file: path.basename(input.file), sha256: img.fileSha256, width, height, rgbSha256: img.rgbSha256 },
    // The detector stage of face-api's pipeline is exactly detectAllFaces(x, options), so the pipeline's
    // detections are the plain detections (saves one 20-s forward pass per photo on the CPU backend).
    ssd_default: { options: { ...SSD, iou: 0.5 }, detections: ssdPipe.map((r) => detectionJson(r.detection)) },
    ssd_raw_top5: await ssdRawTop5(tf, x),
  };
  for (const size of input.tinySizes) {
    const dets = size === 416
      ? tinyPipe.map((r) => r.detection)
      : await faceapi.detectAllFaces(x, new faceapi.TinyFaceDetectorOptions({ inputSize: size, scoreThreshold: TINY_THRESHOLD }));
    fx[`tiny_${size}`] = { options: { inputSize: size, scoreThreshold: TINY_THRESHOLD, iou: 0.4 }, detections: dets.map(detectionJson) };
  }
  fx.tiny_raw_416 = await tinyRaw(tf, x, 416);
  log('raw outputs');
  fx.pipeline_ssd_landmark68_recognition = ssdPipe.map((r) => faceJson(r, width, height));
  fx.pipeline_tiny416_landmark68tiny_recognition = tinyPipe.map((r) => faceJson(r, width, height));
  const crop = input.fixedCrop ?? fx.pipeline_ssd_landmark68_recognition[0]?.landmarkCropRect;
  if (crop) fx.fixed_crop = await fixedCropJson(tf, x, crop);
  x.dispose();
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${input.name}.json`), `${JSON.stringify(fx)}\n`);
  log(`wrote fixtures/${input.name}.json`);
}

const tf = await setUp('cpu');
const wanted = process.argv.slice(2);
for (const input of inputs.filter((i) => wanted.length === 0 || wanted.includes(i.name))) {
  if (!fs.existsSync(input.file)) { console.log(`${input.name}: ${input.file} missing, skipped`); continue; }
  await makeFixture(tf, input);
}
