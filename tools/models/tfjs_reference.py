"""Reference outputs of a tfjs graph model, computed by tfjs itself.

Runs node/reference.mjs (the pinned pure-JS @tensorflow/tfjs, CPU backend);
installs its node_modules with `npm ci` on first use.
"""
import json
import pathlib
import subprocess
import tempfile

import numpy as np

NODE_DIR = pathlib.Path(__file__).resolve().parent / "node"
REPO_ROOT = NODE_DIR.parents[2]
NPM_CACHE_DIR = REPO_ROOT / ".cache" / "npm"


def ensure_node_modules() -> None:
    if (NODE_DIR / "node_modules" / "@tensorflow" / "tfjs").is_dir():
        return
    # --ignore-scripts: tfjs is pure JS; the only install script is core-js's banner.
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--cache", str(NPM_CACHE_DIR)], cwd=NODE_DIR, check=True)


def run_tfjs(model_json: pathlib.Path, inputs: dict[str, np.ndarray],
             output_names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Execute `model_json` on `inputs` ({input node name: array}) and return
    {output name: array}; `output_names=None` means the model's own outputs."""
    ensure_node_modules()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        input_files = {}
        for i, (name, array) in enumerate(inputs.items()):
            input_files[name] = str(tmp / f"in{i}.npy")
            dtype = np.int32 if np.issubdtype(array.dtype, np.integer) else np.float32
            np.save(input_files[name], np.ascontiguousarray(array, dtype=dtype))
        spec = {"model": str(pathlib.Path(model_json).resolve()), "inputs": input_files,
                "outputs": output_names, "out_dir": str(tmp / "out")}
        (tmp / "spec.json").write_text(json.dumps(spec))
        # Output is captured: tfjs prints a "use tfjs-node" banner on every run.
        run = subprocess.run(["node", str(NODE_DIR / "reference.mjs"), str(tmp / "spec.json")],
                             cwd=NODE_DIR, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"tfjs reference run failed:\n{run.stdout}{run.stderr}")
        index = json.loads((tmp / "out" / "outputs.json").read_text())
        return {name: np.load(tmp / "out" / file) for name, file in index.items()}
