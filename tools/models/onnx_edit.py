"""Small, generic ONNX graph edits shared by the model fixes (ppocr.py, yolo_fixture.py)."""
from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from onnx2torch import OnnxGraphModule


def set_static_input(model: onnx.ModelProto, shape: Sequence[int], index: int = 0) -> None:
    dims = model.graph.input[index].type.tensor_type.shape.dim
    if len(dims) != len(shape):
        raise ValueError(f"input rank {len(dims)} != requested shape {list(shape)}")
    for dim, size in zip(dims, shape):
        dim.Clear()
        dim.dim_value = int(size)


def constants_to_initializers(model: onnx.ModelProto) -> None:
    """Constant nodes -> initializers, so every edit can find constants in one place."""
    graph = model.graph
    kept = []
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute[0].name == "value":
            tensor = onnx.TensorProto()
            tensor.CopyFrom(node.attribute[0].t)
            tensor.name = node.output[0]
            graph.initializer.append(tensor)
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)


def fold_static_values(model: onnx.ModelProto, input_shape: Sequence[int]) -> int:
    """Replaces every node whose outputs are known without the input by initializers: nodes on
    constants only (e.g. the Identity torch emits for de-duplicated weights), integer
    arithmetic, and Shape of tensors whose shape is static.  Returns the number folded.

    OpenCV 4.6 follows neither Shape -> Cast -> Slice -> Concat -> Reshape chains nor
    Identity on an initializer; with a static input size both are constants."""
    interpreter = OnnxGraphModule(model).eval()
    with torch.no_grad():
        values = interpreter.run(torch.zeros(list(input_shape)))
    graph = model.graph
    constant = {i.name for i in graph.initializer}
    kept, folded = [], 0
    for node in graph.node:
        outputs = [name for name in node.output if name]
        on_constants = node.input and all(not name or name in constant for name in node.input)
        if node.op_type != "Constant" and (on_constants or all(isinstance(values.get(n), np.ndarray) for n in outputs)):
            for name in outputs:
                if name not in constant:
                    value = values[name]
                    array = value.numpy() if isinstance(value, torch.Tensor) else value
                    graph.initializer.append(numpy_helper.from_array(array, name))
                    constant.add(name)
            folded += 1
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    remove_unused(model)
    return folded


def remove_unused(model: onnx.ModelProto) -> None:
    """Drops nodes and initializers that no graph output depends on."""
    graph = model.graph
    needed = {o.name for o in graph.output}
    kept: List[onnx.NodeProto] = []
    for node in reversed(graph.node):
        if any(name in needed for name in node.output):
            kept.append(node)
            needed.update(name for name in node.input if name)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    initializers = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    inputs = [i for i in graph.input if i.name in needed]
    del graph.input[:]
    graph.input.extend(inputs)


def initializer_map(model: onnx.ModelProto) -> Dict[str, onnx.TensorProto]:
    return {i.name: i for i in model.graph.initializer}


def infer_all_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """Shape inference + check that every intermediate and output has a complete static shape:
    OpenCV 4.6's importer asserts on tensors without one."""
    del model.graph.value_info[:]
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for output in inferred.graph.output:
        output.CopyFrom(known[output.name])
    missing = []
    for node in inferred.graph.node:
        for name in node.output:
            value = known.get(name)
            dims = value.type.tensor_type.shape.dim if value is not None else []
            if value is None or not dims and not value.type.tensor_type.HasField("shape") \
                    or any(not d.HasField("dim_value") for d in dims):
                missing.append(name)
    if missing:
        raise RuntimeError(f"{len(missing)} tensors without a static shape, e.g. {missing[:5]}")
    return inferred


def static_shape(model: onnx.ModelProto, name: str) -> List[int]:
    for value in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        if value.name == name:
            return [d.dim_value for d in value.type.tensor_type.shape.dim]
    raise KeyError(name)


def unique_name(model: onnx.ModelProto, base: str) -> str:
    taken = {n for node in model.graph.node for n in list(node.input) + list(node.output)}
    taken |= {i.name for i in model.graph.initializer}
    name, suffix = base, 0
    while name in taken:
        suffix += 1
        name = f"{base}_{suffix}"
    return name


def _reshape_nodes(model, source: str, target: str, shape: Sequence[int], tag: str):
    shape_name = unique_name(model, f"{tag}_shape")
    model.graph.initializer.append(numpy_helper.from_array(np.array(shape, dtype=np.int64), shape_name))
    return onnx.helper.make_node("Reshape", [source, shape_name], [target], name=unique_name(model, tag))


def wrap_last_axis_affine_in_2d(model: onnx.ModelProto, ops=("Mul", "Add")) -> int:
    """`x[N, T, C] (*|+) c[C]` -> Reshape(x, [N*T, C]) (*|+) c -> Reshape back.

    OpenCV 4.6 imports an elementwise op with a constant as a Scale/Bias layer, which only
    broadcasts over channel axis 1 and asserts in `total()` for a per-last-axis 1-D constant on
    a 3-D tensor (LayerNorm affine).  In 2-D the last axis is the channel axis.  Needs shapes in
    value_info (run infer_all_shapes first).  Returns the number of wrapped nodes."""
    constants = initializer_map(model)
    new_nodes, wrapped = [], 0
    for node in model.graph.node:
        const = next((n for n in node.input if n in constants), None)
        other = next((n for n in node.input if n not in constants), None)
        if node.op_type not in ops or const is None or other is None:
            new_nodes.append(node)
            continue
        x_shape = static_shape(model, other)
        c_shape = list(numpy_helper.to_array(constants[const]).shape)
        if len(x_shape) < 3 or len(c_shape) != 1 or c_shape[0] != x_shape[-1]:
            new_nodes.append(node)
            continue
        flat = [int(np.prod(x_shape[:-1])), x_shape[-1]]
        flat_in = unique_name(model, f"{other}_2d")
        flat_out = unique_name(model, f"{node.output[0]}_2d")
        tag = node.name or node.output[0]
        new_nodes.append(_reshape_nodes(model, other, flat_in, flat, f"{tag}_to2d"))
        inputs = [flat_in if n == other else n for n in node.input]
        new_nodes.append(onnx.helper.make_node(node.op_type, inputs, [flat_out], name=node.name))
        new_nodes.append(_reshape_nodes(model, flat_out, node.output[0], x_shape, f"{tag}_from2d"))
        wrapped += 1
    del model.graph.node[:]
    model.graph.node.extend(new_nodes)
    return wrapped


def clip_inputs_to_attributes(model: onnx.ModelProto) -> int:
    """Clip(x, min, max) with constant bounds -> Clip(x) with min/max attributes.

    OpenCV 4.6 only imports the opset <= 10 form (exactly one input).  The attribute form is
    what OpenCV reads regardless of the model's opset; strict ONNX checkers reject it at
    opset >= 11, which is the price for a graph that imports.  Returns the number rewritten."""
    constants = initializer_map(model)
    rewritten = 0
    for node in model.graph.node:
        if node.op_type != "Clip" or len(node.input) == 1:
            continue
        bounds = list(node.input[1:]) + [""] * (3 - len(node.input))
        if any(b and b not in constants for b in bounds):
            raise ValueError(f"Clip '{node.name}' has runtime bounds")
        attrs = {key: float(numpy_helper.to_array(constants[b]).reshape(-1)[0])
                 for key, b in zip(("min", "max"), bounds) if b}
        del node.input[1:]
        node.attribute.extend(onnx.helper.make_attribute(k, v) for k, v in attrs.items())
        rewritten += 1
    remove_unused(model)
    return rewritten


def rename_value(model: onnx.ModelProto, old: str, new: str) -> None:
    graph = model.graph
    for node in graph.node:
        node.input[:] = [new if n == old else n for n in node.input]
        node.output[:] = [new if n == old else n for n in node.output]
    for value in list(graph.input) + list(graph.output) + list(graph.value_info):
        if value.name == old:
            value.name = new
