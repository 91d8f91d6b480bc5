// Shared helpers for the face-api reference scripts: loading face-api in plain Node,
// decoding images to the same RGB bytes Convolve gets from SkiaSharp, and JSON rounding.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
/** ../shared beside the repo root (specs/faceapi-reference holds s1.png, m1.png and their JSON). */
export const sharedRefDir = path.resolve(repoRoot, '..', 'shared', 'specs', 'faceapi-reference');

/**
 * face-api's Node build that takes tfjs from node_modules (`face-api.node-wasm.js`). It requires
 * @tensorflow/tfjs (which registers the pure-JS 'cpu' backend) and @tensorflow/tfjs-backend-wasm,
 * both pinned to 4.22.0, the tfjs version bundled in face-api 1.7.15. Unlike `dist/face-api.esm.js`,
 * it loads in plain Node without a shim.
 */
export const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
export const faceapiDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
export const modelDir = path.join(faceapiDir, 'model');
export const sampleDir = path.join(faceapiDir, 'demo');

/** Selects a tfjs backend ('cpu' or 'wasm'), checks that tfjs is 4.22.0, loads the five face nets. */
export async function setUp(backend) {
  const tf = faceapi.tf;
  if (backend === 'wasm') {
    const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    faceapi.tf.setWasmPaths(path.join(wasmDir, 'dist') + path.sep);
  }
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`tfjs backend '${backend}' is not available`);
  await tf.ready();
  if (faceapi.version !== '1.7.15') throw new Error(`face-api is ${faceapi.version}, expected 1.7.15`);
  for (const [name, v] of Object.entries(tf.version)) {
    if (v !== '4.22.0') throw new Error(`${name} is ${v}, expected 4.22.0`);
  }
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68TinyNet.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  return tf;
}

let jpegReady;
/**
 * Decodes a JPEG or PNG file to packed 8-bit RGB (no EXIF rotation, no colour management).
 * JPEG: @jsquash/jpeg (mozjpeg, i.e. libjpeg-turbo compiled to WASM, default settings: ISLOW IDCT,
 * fancy upsampling). On this package's six samples and on s1/m1 this yields byte-identical RGB to
 * SkiaSharp 3.119's SKBitmap.Decode (see README.md). PNG: pngjs (lossless).
 */
export async function decodeRgb(file) {
  const bytes = fs.readFileSync(file);
  let width; let height; let rgba;
  if (file.toLowerCase().endsWith('.png')) {
    const png = PNG.sync.read(bytes);
    ({ width, height } = png);
    rgba = png.data;
  } else {
    if (!jpegReady) {
      const wasm = fs.readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
      jpegReady = initJpeg(await WebAssembly.compile(wasm));
    }
    await jpegReady;
    const img = await decodeJpeg(bytes);
    ({ width, height } = img);
    rgba = img.data;
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2];
  }
  return {
    width, height, rgb,
    fileSha256: sha256(bytes),
    rgbSha256: sha256(rgb),
  };
}

export function sha256(buf) { return crypto.createHash('sha256').update(buf).digest('hex'); }

/** The image as face-api's reference input: a float32 HWC tensor, RGB 0..255. */
export function toTensor(tf, img) {
  return tf.tensor3d(Float32Array.from(img.rgb), [img.height, img.width, 3], 'float32');
}

/** Rounds to 9 significant digits (float32 values survive the round trip exactly). */
export function r9(x) { return Number.isInteger(x) ? x : Number(x.toPrecision(9)); }
export const arr9 = (xs) => Array.from(xs, r9);
export const box4 = (b) => [r9(b.x), r9(b.y), r9(b.width), r9(b.height)];
