"""What the jupyter_client tests of the installed `pathlens` kernel share: one kernel per test class, and the
shell/iopub helpers that wait for a request's reply and for its outputs up to the idle status."""
import time
import unittest

from jupyter_client.manager import start_new_kernel


class KernelSession(unittest.TestCase):
    TIMEOUT = 20
    CWD = None  # the kernel's working folder (None: this process's)

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="pathlens", **({"cwd": cls.CWD} if cls.CWD else {}))
        cls.pid = cls.km.provisioner.pid
        cls.early_replies = {}

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def shell_reply(self, msg_id, timeout=None):
        """The reply to msg_id; replies to other requests that arrive first are kept for their own call."""
        early = self.early_replies
        if msg_id in early:
            return early.pop(msg_id)
        deadline = time.time() + (timeout or self.TIMEOUT)
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.01, deadline - time.time()))
            parent = reply["parent_header"].get("msg_id")
            if parent == msg_id:
                return reply
            early[parent] = reply

    def until_idle(self, msg_id):
        """iopub messages child of msg_id, up to its idle status."""
        msgs, deadline = [], time.time() + self.TIMEOUT
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=self.TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                if msg["content"]["execution_state"] == "idle":
                    return msgs
                continue
            msgs.append(msg)
        self.fail(f"no idle for {msg_id}")

    def execute(self, code):
        msg_id = self.kc.execute(code)
        reply = self.shell_reply(msg_id)
        return reply, self.until_idle(msg_id)

    def send(self, msg_type, content, buffers=None, channel=None):
        channel = channel or self.kc.shell_channel
        msg = self.kc.session.msg(msg_type, content)
        self.kc.session.send(channel.socket, msg, buffers=buffers)
        return msg["header"]["msg_id"]

    def drain(self, seconds=0.3):
        """All iopub messages that arrive within `seconds`."""
        msgs, end = [], time.time() + seconds
        while time.time() < end:
            try:
                msgs.append(self.kc.get_iopub_msg(timeout=max(0.01, end - time.time())))
            except Exception:
                pass
        return msgs
