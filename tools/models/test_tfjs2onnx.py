#!/usr/bin/python3
"""Self-test of the tfjs -> ONNX toolchain.

* weight decoding (float16, uint8/uint16 affine, int32) against numpy;
* a small synthetic tfjs graph model written here (fused/plain/depthwise
  convs with float16, uint8 and uint16 weights, Relu6, a spatial Pad, a
  channel Pad, an NCHW Transpose pair around a bias Add, a spelled-out PReLU,
  a StridedSlice, a reshape whose shape comes from a constant-folded subgraph)
  converted and checked against tfjs through OpenCV DNN;
* if the model packages are already fetched: NanoDet, BlazeFace, FaceRes and
  MobileFaceNet.

Run: /usr/bin/python3 tools/models/test_tfjs2onnx.py   (non-zero exit on failure)
"""
import base64
import json
import pathlib
import sys
import tempfile
import unittest

import numpy as np
import onnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_tfjs                       # noqa: E402
import fetch                            # noqa: E402
import tfjs2onnx                        # noqa: E402

# Max |tfjs - OpenCV| relative to the output's max |value|.  Weights are the
# same in both, so real diffs are ~1e-6; 1e-3 still catches any wrong layout.
TOLERANCE = 1e-3
DOG_JPG = pathlib.Path("/usr/share/darknet/data/dog.jpg")


def tf_attr(value) -> dict:
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, str):
        return {"s": base64.b64encode(value.encode()).decode()}
    if isinstance(value, float):
        return {"f": value}
    if isinstance(value, list) and value and isinstance(value[0], str):
        return {"list": {"s": [base64.b64encode(v.encode()).decode() for v in value]}}
    if isinstance(value, list):
        return {"list": {"i": [str(v) for v in value]}}
    return {"i": str(value)}


class TinyModel:
    """Writes a tfjs graph model (model.json + one .bin shard)."""

    def __init__(self):
        self.nodes, self.specs, self.blobs = [], [], []

    def placeholder(self, name, shape: list[int]):
        self.nodes.append({"name": name, "op": "Placeholder", "attr": {
            "dtype": {"type": "DT_FLOAT"},
            "shape": {"shape": {"dim": [{"size": str(d)} for d in shape]}}}})
        return name

    def node(self, name, op, inputs=(), **attrs):
        self.nodes.append({"name": name, "op": op, "input": list(inputs),
                           "attr": {k: tf_attr(v) for k, v in attrs.items()}})
        return name

    def const(self, name, value: np.ndarray, quant: str | None = None):
        value = np.asarray(value)
        dtype = "int32" if np.issubdtype(value.dtype, np.integer) else "float32"
        spec = {"name": name, "shape": list(value.shape), "dtype": dtype}
        if quant == "float16":
            spec["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
            blob = value.astype("<f2")
        elif quant in ("uint8", "uint16"):
            levels = 255 if quant == "uint8" else 65535
            low, scale = float(value.min()), float(np.ptp(value)) / levels
            spec["quantization"] = {"dtype": quant, "scale": scale, "min": low,
                                    "original_dtype": "float32"}
            blob = np.round((value - low) / scale).astype("<u1" if quant == "uint8" else "<u2")
        else:
            blob = value.astype("<i4" if dtype == "int32" else "<f4")
        self.specs.append(spec)
        self.blobs.append(blob.tobytes())
        self.nodes.append({"name": name, "op": "Const", "attr": {
            "dtype": {"type": "DT_INT32" if dtype == "int32" else "DT_FLOAT"}}})
        return name

    def write(self, folder: pathlib.Path) -> pathlib.Path:
        (folder / "tiny.bin").write_bytes(b"".join(self.blobs))
        model = {"format": "graph-model", "generatedBy": "test", "convertedBy": "test",
                 "modelTopology": {"node": self.nodes, "versions": {"producer": 1}},
                 "weightsManifest": [{"paths": ["tiny.bin"], "weights": self.specs}]}
        path = folder / "tiny.json"
        path.write_text(json.dumps(model))
        return path


def build_tiny_model(folder: pathlib.Path) -> pathlib.Path:
    rng = np.random.default_rng(1)
    m = TinyModel()
    x = m.placeholder("input", [1, 16, 16, 3])
    conv = dict(strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1], data_format="NHWC")
    # Fused conv, float16 weights, SAME padding.
    w1 = m.const("w1", rng.normal(0, 0.5, (3, 3, 3, 4)).astype(np.float32), "float16")
    b1 = m.const("b1", rng.normal(0, 0.1, 4).astype(np.float32))
    h = m.node("conv1", "_FusedConv2D", [x, w1, b1], padding="SAME", num_args=1,
               fused_ops=["BiasAdd", "Relu6"], **conv)
    # BlazeFace-style channel zero pad 4 -> 8.
    h = m.node("chpad", "Pad", [h, m.const("chpad/p", np.array([[0, 0], [0, 0], [0, 0], [0, 4]]))])
    # Spatial Pad + VALID stride-2 conv with uint8 weights.
    h = m.node("pad", "Pad", [h, m.const("pad/p", np.array([[0, 0], [1, 1], [1, 1], [0, 0]]))])
    w2 = m.const("w2", rng.normal(0, 0.3, (3, 3, 8, 6)).astype(np.float32), "uint8")
    h = m.node("conv2", "Conv2D", [h, w2], padding="VALID",
               **{**conv, "strides": [1, 2, 2, 1]})
    # ONNX->TF style: to NCHW, per-channel Add, back to NHWC.
    h = m.node("to_nchw", "Transpose", [h, m.const("perm1", np.array([0, 3, 1, 2]))])
    h = m.node("bias", "AddV2", [h, m.const("b2", rng.normal(0, 0.1, (1, 6, 1, 1)).astype(np.float32))])
    h = m.node("to_nhwc", "Transpose", [h, m.const("perm2", np.array([0, 2, 3, 1]))])
    h = m.node("leaky", "LeakyRelu", [h], alpha=0.1)
    w3 = m.const("w3", rng.normal(0, 0.5, (3, 3, 6, 1)).astype(np.float32), "uint16")
    h = m.node("dw", "DepthwiseConv2dNative", [h, w3], padding="SAME", **conv)
    # PReLU the way TF exports spell it: relu(x) + (x - |x|) * alpha / 2.
    half_alpha = m.const("half_alpha", rng.uniform(0, 0.2, 6).astype(np.float32))
    negative = m.node("prelu/sub", "Sub", [h, m.node("prelu/abs", "Abs", [h])])
    h = m.node("prelu", "AddV2", [m.node("prelu/relu", "Relu", [h]),
                                  m.node("prelu/mul", "Mul", [negative, half_alpha])])
    h = m.node("pool", "MaxPool", [h], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
               padding="VALID", data_format="NHWC")
    # Columns 1..3 of the NHWC tensor: a Slice on ONNX axis 3.
    h = m.node("slice", "StridedSlice", [h, m.const("begin", np.array([0, 0, 1, 0])),
                                         m.const("end", np.array([0, 0, 4, 0])),
                                         m.const("strides", np.array([1, 1, 1, 1]))],
               begin_mask=0b1011, end_mask=0b1011)
    # Reshape target computed by a constant subgraph, as in NanoDet.
    zeros = m.node("zeros", "SparseToDense", [
        m.const("idx", np.zeros((0, 1), np.int32)), m.const("dense_shape", np.array([3])),
        m.const("vals", np.zeros(0, np.int32)), m.const("default", np.array(0))])
    shape = m.node("shape", "AddV2", [m.const("base_shape", np.array([1, -1, 6])), zeros])
    h = m.node("flat", "Reshape", [h, shape])
    m.node("Identity", "Identity", [h])
    return m.write(folder)


class WeightDecodingTest(unittest.TestCase):
    def test_quantised_and_plain(self):
        u8 = np.array([0, 128, 255], np.uint8)
        u16 = np.array([0, 40000], np.uint16)
        f16 = np.array([1.5, -2.25], np.float16)
        i32 = np.array([7, -3], np.int32)
        manifest = [{"weights": [
            {"name": "a", "shape": [3], "dtype": "float32",
             "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
            {"name": "b", "shape": [2], "dtype": "float32",
             "quantization": {"dtype": "uint16", "scale": 0.001, "min": 2.0}},
            {"name": "c", "shape": [2, 1], "dtype": "float32",
             "quantization": {"dtype": "float16", "original_dtype": "float32"}},
            {"name": "d", "shape": [2], "dtype": "int32"}]}]
        data = u8.tobytes() + u16.astype("<u2").tobytes() + f16.astype("<f2").tobytes() + i32.tobytes()
        w = tfjs2onnx.decode_weights(manifest, data)
        np.testing.assert_allclose(w["a"], [-1.0, 63.0, 126.5])
        np.testing.assert_allclose(w["b"], [2.0, 42.0], rtol=1e-6)
        np.testing.assert_array_equal(w["c"], [[1.5], [-2.25]])
        np.testing.assert_array_equal(w["d"], i32)
        with self.assertRaises(ValueError):
            tfjs2onnx.decode_weights(manifest, data + b"\0")


class FetchTest(unittest.TestCase):
    def test_hash_mismatch_is_loud(self):
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"not the package")
            f.flush()
            with self.assertRaises(fetch.HashMismatch):
                fetch._verify_tarball(pathlib.Path(f.name), "0" * 64)


class TinyModelTest(unittest.TestCase):
    def test_convert_and_match_tfjs(self):
        with tempfile.TemporaryDirectory() as folder:
            folder = pathlib.Path(folder)
            model_json = build_tiny_model(folder)
            out = folder / "tiny.onnx"
            info = tfjs2onnx.convert(model_json, out)
            self.assertEqual(info["input"]["shape"], [1, 3, 16, 16])
            self.assertEqual(info["outputs"][0]["shape"], [1, 12, 6])
            ops = [n.op_type for n in onnx.load(str(out)).graph.node]
            # Pads folded into convs, the Transpose pair gone, bias folded,
            # PReLU rebuilt, Relu6 without Clip (OpenCV 4.6 cannot import it):
            # only the NCHW->NHWC Transpose before the final Reshape remains.
            for absent in ("Pad", "Add", "Clip", "Abs"):
                self.assertNotIn(absent, ops)
            self.assertIn("PRelu", ops)
            self.assertEqual(ops.count("Transpose"), 1)
            worst = check_tfjs.verify(model_json, out, n_inputs=2, relative=True)
            self.assertLess(worst, TOLERANCE)


def fetched(package: str) -> bool:
    sources = fetch.load_sources()[package]
    stem = fetch.package_stem(package, sources["version"])
    return (fetch.CACHE_DIR / stem / "package").is_dir()


@unittest.skipUnless(fetched(tfjs2onnx.HUMAN_MODELS), "human-models not fetched (run fetch.py)")
class KnownModelsTest(unittest.TestCase):
    def check(self, name: str, shapes: dict[str, list[int]], input_shape: list[int]):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / f"{name}.onnx"
            info = tfjs2onnx.convert_known(name, out)
            self.assertEqual(info["input"]["shape"], input_shape)
            self.assertEqual({o["name"]: o["shape"] for o in info["outputs"]}, shapes)
            plan = {o["name"]: o["sources"] for o in info["outputs"]}
            worst = check_tfjs.verify(tfjs2onnx.known_model_json(name), out, n_inputs=2,
                                      plan=plan, relative=True)
            self.assertLess(worst, TOLERANCE)

    def test_nanodet(self):
        self.check("nanodet", {"cls": [1, 3549, 80], "reg": [1, 3549, 44]}, [1, 3, 416, 416])

    @unittest.skipUnless(DOG_JPG.exists(), "Debian darknet package not installed")
    def test_nanodet_finds_the_dog(self):
        """Meaning check: darknet's dog.jpg shows a dog, a bicycle and a truck."""
        import cv2
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "nanodet.onnx"
            tfjs2onnx.convert_known("nanodet", out)
            detections = check_tfjs.nanodet_detections(out, cv2.imread(str(DOG_JPG)))
        best = {}
        for cls, score, box in detections:
            best.setdefault(cls, (score, box))
        self.assertEqual(detections[0][0], 16)                  # dog first
        self.assertIn(1, best)                                  # bicycle
        self.assertTrue({2, 7} & set(best))                     # car or truck
        x1, y1, x2, y2 = best[16][1]
        self.assertTrue(100 < x1 < 160 and 190 < y1 < 240 and 290 < x2 < 350 and y2 > 500)

    def test_blazeface(self):
        self.check("blazeface", {"boxes": [1, 896, 16], "logits": [1, 896, 1]}, [1, 3, 256, 256])

    def test_faceres(self):
        self.check("faceres", {"embedding": [1, 1024], "gender": [1, 1], "age": [1, 100]},
                   [1, 3, 224, 224])

    def test_mobilefacenet(self):
        self.check("mobilefacenet", {"embedding": [1, 192]}, [1, 3, 112, 112])


if __name__ == "__main__":
    unittest.main(verbosity=2)
