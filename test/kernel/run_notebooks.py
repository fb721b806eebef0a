"""Executes every notebook in notebooks/ on the `pathlens` kernel with nbclient, as a user would run it
top to bottom, and checks: no cell errors, every code cell ran, and the mime types the notebook declares in
`metadata.pathlens.expect_mime` appear in its outputs. Usage: run_notebooks.py [OUT_DIR] (executed copies).
"""
import glob
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BYTES = int(1.5 * 1024 * 1024)  # a notebook as saved after this run, as committed (test/unit/notebooks.test.ts)
NOTEBOOKS = os.environ.get("PATHLENS_NOTEBOOKS") or os.path.join(HERE, "..", "..", "notebooks")


def check(path, out_dir):
    nb = nbformat.read(path, as_version=4)
    spec = nb.metadata.get("pathlens", {})
    expect = spec.get("expect_mime")
    problems = []
    if not expect:
        problems.append("metadata.pathlens.expect_mime is missing")
    if nb.metadata.get("kernelspec", {}).get("name") != "pathlens":
        problems.append("kernelspec.name is not 'pathlens'")
    client = NotebookClient(nb, kernel_name="pathlens", timeout=spec.get("max_seconds", 120),
                            resources={"metadata": {"path": os.path.dirname(path)}})
    started = time.time()
    try:
        client.execute()
    except Exception as e:  # CellExecutionError names the cell and the error
        problems.append(f"execution failed: {str(e)[:2000]}")
    seconds = time.time() - started
    seen = set()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.execution_count is None:
            problems.append(f"cell {i} has no execution_count")
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i} wrote to stderr: {out.text[:300]}")
            elif out.output_type in ("display_data", "execute_result"):
                seen.update(out.data.keys())
    missing = sorted(set(expect or []) - seen)
    if missing:
        problems.append(f"expected mime types missing from the outputs: {missing} (seen: {sorted(seen)})")
    saved = nbformat.writes(nb)
    size = len(saved.encode("utf8"))
    if size > MAX_BYTES:
        problems.append(f"{size / 1e6:.2f} MB as saved, over {MAX_BYTES / 1e6:.2f} MB (no plotly.js inline; fewer widget frames)")
    if "__pathlensDefine" in saved:
        problems.append("plotly.js is inlined in an output (keep the default plotly: 'renderer')")
    if seconds > spec.get("max_seconds", 120):
        problems.append(f"took {seconds:.1f} s, over its {spec.get('max_seconds', 120)} s budget")
    if out_dir:
        nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    return seconds, sorted(seen), problems, size


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else None
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    paths = sorted(glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
    if not paths:
        print("no notebooks found in", NOTEBOOKS)
        return 1
    failed = 0
    report = []
    for path in paths:
        seconds, seen, problems, size = check(path, out_dir)
        name = os.path.basename(path)
        report.append({"notebook": name, "seconds": round(seconds, 1), "bytes": size, "mime": seen, "problems": problems})
        print(f"{'FAIL' if problems else 'ok  '} {name}: {seconds:.1f} s, {size / 1e6:.2f} MB, mime {seen}")
        for p in problems:
            print("     -", p)
        failed += bool(problems)
    print(json.dumps(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
