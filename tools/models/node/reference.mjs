// Run a tfjs graph model from disk on the pure-JS CPU backend and save its
// outputs as .npy files: the reference that converted ONNX models are checked
// against.  No network access: model.json and its weight shards are read from
// disk and handed to tfjs through tf.io.fromMemory.
//
// Usage: node reference.mjs SPEC_JSON
//   SPEC_JSON = {"model": "/path/model.json",
//                "inputs": {"input_name": "/path/x.npy", ...},
//                "outputs": ["Identity:0", ...] | null,   // null: model outputs
//                "out_dir": "/path/dir"}
// Writes out_dir/<i>.npy per output and out_dir/outputs.json = {name: file}.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const NPY_MAGIC = '\x93NUMPY';
const NPY_DTYPES = { '<f4': ['float32', Float32Array], '<i4': ['int32', Int32Array] };

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== NPY_MAGIC) throw new Error(`${file}: not an .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order unsupported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
    .split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (!(descr in NPY_DTYPES)) throw new Error(`${file}: dtype ${descr} unsupported`);
  const [dtype, ArrayType] = NPY_DTYPES[descr];
  const offset = headerStart + headerLen;
  // Copy: the Buffer's offset may not be aligned for a typed-array view.
  const data = new ArrayType(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + buf.length));
  return tf.tensor(data, shape, dtype);
}

function writeNpy(file, tensor) {
  const descr = tensor.dtype === 'int32' ? '<i4' : '<f4';
  const values = tensor.dtype === 'int32' ? Int32Array.from(tensor.dataSync()) : Float32Array.from(tensor.dataSync());
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Header (magic + version + length + text + newline) is padded to 64 bytes.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write(NPY_MAGIC, 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]));
}

async function loadGraphModel(modelJson) {
  const artifacts = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const dir = path.dirname(modelJson);
  const weightSpecs = artifacts.weightsManifest.flatMap((group) => group.weights);
  // Shards are concatenated in manifest order, exactly as tfjs's own loader does.
  const shards = artifacts.weightsManifest.flatMap((group) => group.paths)
    .map((p) => fs.readFileSync(path.join(dir, p)));
  const weightData = Buffer.concat(shards);
  const handler = tf.io.fromMemory({
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    signature: artifacts.signature,
    userDefinedMetadata: artifacts.userDefinedMetadata,
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.length),
  });
  return tf.loadGraphModel(handler);
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  await tf.setBackend('cpu');
  const model = await loadGraphModel(spec.model);
  const inputs = Object.fromEntries(
    Object.entries(spec.inputs).map(([name, file]) => [name, readNpy(file)]));
  const outputNames = spec.outputs ?? model.outputNodes;
  let outputs = model.execute(inputs, outputNames);
  if (!Array.isArray(outputs)) outputs = [outputs];
  fs.mkdirSync(spec.out_dir, { recursive: true });
  const index = {};
  outputs.forEach((tensor, i) => {
    writeNpy(path.join(spec.out_dir, `${i}.npy`), tensor);
    index[outputNames[i]] = `${i}.npy`;
  });
  fs.writeFileSync(path.join(spec.out_dir, 'outputs.json'), JSON.stringify(index, null, 1));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
