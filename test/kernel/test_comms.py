"""Comms with binary buffers, malformed and unknown messages, interrupts and shutdown, driven by a
jupyter_client test client against the installed `pathlens` kernel (JUPYTER_PATH set by kernel.test.ts).
"""
import time
import unittest
import uuid

import zmq
from jupyter_client.manager import start_new_kernel
from kernel_session import KernelSession
from jupyter_client.utils import run_sync

TIMEOUT = 20
HOOK = "(globalThis as any)[Symbol.for('pathlens.kernel')]"


class CommTests(KernelSession):
    def test_kernel_opened_comm_round_trip_with_buffers(self):
        self.drain()
        reply, out = self.execute(
            f"const hook = {HOOK};\n"
            "const comm = hook.openComm('pathlens.test', { hello: 1 }, { version: '2.1.0' }, [new Uint8Array([1, 2, 3])]);\n"
            "comm.onMsg((m: any) => comm.send({ echo: m.data, sizes: m.buffers.map((b: Uint8Array) => b.length) }, {},"
            " m.buffers.map((b: Uint8Array) => Uint8Array.from(b).reverse())));\n"
            "comm.onClose(() => console.log('closed by front end'));\n"
            "comm.commId"
        )
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        opens = [m for m in out if m["msg_type"] == "comm_open"]
        self.assertEqual(len(opens), 1)
        opened = opens[0]
        comm_id = opened["content"]["comm_id"]
        self.assertEqual(opened["content"]["target_name"], "pathlens.test")
        self.assertEqual(opened["content"]["data"], {"hello": 1})
        self.assertEqual(opened["metadata"], {"version": "2.1.0"})
        self.assertEqual([bytes(b) for b in opened["buffers"]], [b"\x01\x02\x03"])

        # comm_info lists it, with and without a target filter.
        self.kc.comm_info()
        info = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(info["msg_type"], "comm_info_reply")
        self.assertEqual(info["content"]["comms"][comm_id], {"target_name": "pathlens.test"})
        self.kc.comm_info(target_name="nothing.here")
        self.assertNotIn(comm_id, self.kc.get_shell_msg(timeout=TIMEOUT)["content"]["comms"])

        # front end → kernel with a buffer; the kernel echoes it reversed.
        msg_id = self.send("comm_msg", {"comm_id": comm_id, "data": {"x": 5}}, buffers=[bytes([9, 8, 7, 6])])
        echoed = [m for m in self.until_idle(msg_id) if m["msg_type"] == "comm_msg"]
        self.assertEqual(len(echoed), 1)
        self.assertEqual(echoed[0]["content"], {"comm_id": comm_id, "data": {"echo": {"x": 5}, "sizes": [4]}})
        self.assertEqual([bytes(b) for b in echoed[0]["buffers"]], [bytes([6, 7, 8, 9])])

        # front end closes it: the onClose handler runs, its output goes to the comm_close's parent.
        msg_id = self.send("comm_close", {"comm_id": comm_id, "data": {}})
        streams = [m["content"]["text"] for m in self.until_idle(msg_id) if m["msg_type"] == "stream"]
        self.assertEqual(streams, ["closed by front end\n"])
        self.kc.comm_info()
        self.assertNotIn(comm_id, self.kc.get_shell_msg(timeout=TIMEOUT)["content"]["comms"])

    def test_front_end_opened_comm_on_registered_target(self):
        reply, _ = self.execute(
            f"{HOOK}.registerTarget('pathlens.front', (comm: any, open: any) => {{\n"
            "  comm.send({ got: open.data, bytes: open.buffers.map((b: Uint8Array) => Array.from(b)) });\n"
            "  comm.onMsg((m: any) => comm.close({ bye: m.data.n }));\n"
            "});"
        )
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        comm_id = uuid.uuid4().hex
        msg_id = self.send("comm_open", {"comm_id": comm_id, "target_name": "pathlens.front", "data": {"a": [1, 2]}}, buffers=[b"\xff\x00"])
        sent = [m for m in self.until_idle(msg_id) if m["msg_type"] == "comm_msg"]
        self.assertEqual(sent[0]["content"]["data"], {"got": {"a": [1, 2]}, "bytes": [[255, 0]]})
        msg_id = self.send("comm_msg", {"comm_id": comm_id, "data": {"n": 3}})
        closes = [m for m in self.until_idle(msg_id) if m["msg_type"] == "comm_close"]
        self.assertEqual(closes[0]["content"], {"comm_id": comm_id, "data": {"bye": 3}})

    def test_unknown_target_is_closed(self):
        comm_id = uuid.uuid4().hex
        msg_id = self.send("comm_open", {"comm_id": comm_id, "target_name": "no.such.target", "data": {}})
        out = self.until_idle(msg_id)
        self.assertEqual([(m["msg_type"], m["content"]["comm_id"]) for m in out], [("comm_close", comm_id)])

    def test_widget_control_target(self):
        comm_id = uuid.uuid4().hex
        msg_id = self.send("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}, )
        self.until_idle(msg_id)
        msg_id = self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        out = [m for m in self.until_idle(msg_id) if m["msg_type"] == "comm_msg"]
        self.assertEqual(out[0]["content"]["data"], {"method": "update_states", "states": {}, "buffer_paths": {}})
        self.kc.comm_info(target_name="jupyter.widget.control")
        self.assertIn(comm_id, self.kc.get_shell_msg(timeout=TIMEOUT)["content"]["comms"])

    def test_malformed_and_unknown_messages_never_reach_cells_or_kill_the_kernel(self):
        reply, _ = self.execute("'last cell'")
        self.drain()
        self.send("comm_msg", {"data": {"no": "comm_id"}})
        self.send("comm_msg", {"comm_id": "f" * 32, "data": {}})
        self.send("comm_close", {"comm_id": 42})
        self.send("comm_open", {"comm_id": uuid.uuid4().hex, "data": []})
        self.send("frobnicate", {"what": "no such message"})
        unknown_id = self.send("frobnicate_request", {})
        # Raw garbage: unsigned frames, no delimiter, a bad signature.
        sock = self.kc.shell_channel.socket
        sock.send_multipart([b"garbage"])
        sock.send_multipart([b"<IDS|MSG>", b"bad-signature", b"{}", b"{}", b"{}", b"{}"])
        reply = self.shell_reply(unknown_id)
        self.assertEqual(reply["msg_type"], "frobnicate_reply")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "UnknownMessageType")
        late = self.drain(1.0)
        self.assertEqual([m for m in late if m["msg_type"] in ("stream", "error", "display_data")], [])
        self.assertTrue(self.km.is_alive())
        reply, out = self.execute("6 * 7")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual([m["msg_type"] for m in out], ["execute_input", "execute_result"])

    def test_stop_on_error_aborts_only_queued_requests(self):
        first = self.kc.execute("await new Promise((r) => setTimeout(r, 300)); throw new Error('stop')")
        queued = self.kc.execute("'queued'")
        self.assertEqual(self.shell_reply(first)["content"]["status"], "error")
        self.assertEqual(self.shell_reply(queued)["content"]["status"], "aborted")
        reply, _ = self.execute("'after'")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_interrupt_by_signal_and_by_message(self):
        msg_id = self.kc.execute("while (true) {}")
        time.sleep(1.0)
        self.km.interrupt_kernel()  # interrupt_mode: signal → SIGINT
        reply = self.shell_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        msg_id = self.kc.execute("await new Promise(() => {})")
        time.sleep(0.5)
        req = self.send("interrupt_request", {}, channel=self.kc.control_channel)
        ctrl = run_sync(self.kc.control_channel.get_msg)(timeout=TIMEOUT)
        self.assertEqual((ctrl["msg_type"], ctrl["content"]["status"]), ("interrupt_reply", "ok"))
        self.assertEqual(ctrl["parent_header"]["msg_id"], req)
        self.assertEqual(self.shell_reply(msg_id)["content"]["status"], "error")
        reply, _ = self.execute("'alive'")
        self.assertEqual(reply["content"]["status"], "ok")


class ShutdownTests(unittest.TestCase):
    def test_shutdown_reply_then_exit(self):
        km, kc = start_new_kernel(kernel_name="pathlens")
        try:
            msg = kc.session.msg("shutdown_request", {"restart": False})
            kc.session.send(kc.control_channel.socket, msg)
            reply = run_sync(kc.control_channel.get_msg)(timeout=TIMEOUT)
            self.assertEqual(reply["msg_type"], "shutdown_reply")
            self.assertEqual(reply["content"], {"status": "ok", "restart": False})
            deadline = time.time() + 10
            while km.is_alive() and time.time() < deadline:
                time.sleep(0.1)
            self.assertFalse(km.is_alive())
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
