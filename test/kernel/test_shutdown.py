"""A graceful shutdown ends the pathlens kernel with exit code 0 and nothing on stderr, after a cell chose the
backend automatically (which loads Dawn, the `webgpu` package, to look for a GPU adapter where it is installed).

It once ended with `terminate called after throwing an instance of 'Napi::Error'` (SIGABRT, exit -6) in most
runs: the kernel called process.exit() while its control thread was still closing its zeromq sockets, and
zeromq's binding could not throw into a thread being terminated. Several rounds, since it was a race.
"""
import os
import tempfile
import time
import unittest

from jupyter_client import KernelManager

TIMEOUT = 120
ROUNDS = 5
NOTEBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "notebooks")
CELL = "import { ensureBackend } from 'pathlens'; (await ensureBackend()).reason"


class Shutdown(unittest.TestCase):
    def show_result(self, msg):
        if msg["msg_type"] == "execute_result":
            print("backend:", msg["content"]["data"].get("text/plain"))

    def run_and_shut_down(self, stderr_path):
        env = {k: v for k, v in os.environ.items() if k != "PATHLENS_BACKEND"}  # the automatic choice
        km = KernelManager(kernel_name="pathlens")
        with open(stderr_path, "w") as stderr:
            km.start_kernel(cwd=NOTEBOOKS, stderr=stderr, env=env)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=TIMEOUT)
            reply = kc.execute_interactive(CELL, timeout=TIMEOUT, output_hook=self.show_result)
            self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        finally:
            kc.stop_channels()
        process = km.provisioner.process
        started = time.time()
        km.shutdown_kernel()  # graceful: SIGINT, then shutdown_request on control, SIGKILL only after 5 s
        took = time.time() - started
        with open(stderr_path) as f:
            return process.wait(timeout=10), f.read(), took

    def test_graceful_shutdown_after_the_automatic_backend_choice_exits_0_without_abort(self):
        with tempfile.TemporaryDirectory() as tmp:
            for round in range(ROUNDS):
                code, stderr, took = self.run_and_shut_down(os.path.join(tmp, f"stderr-{round}.txt"))
                print(f"TIMING shutdown round {round}: {took:.2f} s, exit code {code}")
                self.assertNotIn("terminate called", stderr)
                self.assertEqual(code, 0, f"round {round}: exit code {code}; kernel stderr:\n{stderr}")
                self.assertLess(took, 4, "the kernel ended by itself, not killed after shutdown_wait_time")


if __name__ == "__main__":
    unittest.main()
