"""Executes a notebook on the `pathlens` kernel with nbclient, saving the widget state in its metadata
(as Jupyter front ends and nbconvert do), and writes the executed copy. Usage: IN OUT [CWD [KERNEL]]."""
import sys

import nbformat
from nbclient import NotebookClient

src, out = sys.argv[1], sys.argv[2]
cwd = sys.argv[3] if len(sys.argv) > 3 else None
kernel = sys.argv[4] if len(sys.argv) > 4 else "pathlens"
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, kernel_name=kernel, timeout=180, store_widget_state=True,
                        resources={"metadata": {"path": cwd}} if cwd else {})
client.execute()
nbformat.write(nb, out)
