"""Jupyter's kernel test suite (jupyter_kernel_test) against the installed `pathlens` kernel.

Run by test/kernel/kernel.test.ts with JUPYTER_PATH pointing at a temporary kernelspec prefix.
"""
import unittest

import jupyter_kernel_test


class PathlensKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "pathlens"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('oops')"

    completion_samples = [
        {"text": "Math.sq", "matches": {"sqrt", "SQRT1_2", "SQRT2"}},
        {"text": "const abcdef = 1; abc", "matches": {"abcdef"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 2;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]

    code_generate_error = "throw new RangeError('deliberate')"

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "[1, 2].map((v) => v * 2)", "result": "[ 2, 4 ]"},
        {
            "code": "({ [Symbol.for('Jupyter.display')]() { return { 'text/html': '<b>rich</b>', 'text/plain': 'rich' }; } })",
            "mime": "text/html",
            "result": "<b>rich</b>",
        },
        {"code": "await Promise.resolve(6 * 7)", "result": "42"},
    ]
    code_history_pattern = "1*2"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {
            "code": "(globalThis as any)[Symbol.for('pathlens.kernel')].display({ 'text/html': '<i>hi</i>', 'text/plain': 'hi' })",
            "mime": "text/html",
        },
        {"code": "import * as tslab from 'tslab'; tslab.display.html('<p>tslab</p>')", "mime": "text/html"},
    ]
    code_inspect_sample = "Math.max"
    code_clear_output = "(globalThis as any)[Symbol.for('pathlens.kernel')].clearOutput()"

    def test_error_content(self):
        """The error message carries ename, evalue and a traceback; the reply says status error."""
        self.flush_channels()
        reply, output = self.execute_helper("throw new RangeError('deliberate')")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "RangeError")
        error = [m for m in output if m["msg_type"] == "error"][0]["content"]
        self.assertEqual((error["ename"], error["evalue"]), ("RangeError", "deliberate"))
        self.assertTrue(error["traceback"][0].startswith("RangeError: deliberate"), error["traceback"])

    def test_compile_error(self):
        """A type error is a CompileError with the diagnostic, not stderr text."""
        self.flush_channels()
        reply, output = self.execute_helper("const n: number = 'text';")
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in output if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["content"]["ename"], "CompileError")
        self.assertIn("not assignable", errors[0]["content"]["evalue"])
        self.assertFalse([m for m in output if m["msg_type"] == "stream"])

    def test_no_abort_after_error(self):
        """A request sent after an error has been answered runs (tslab aborted it for 200 ms)."""
        self.flush_channels()
        self.execute_helper("throw new Error('first')")
        reply, output = self.execute_helper("40 + 2")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("42", [m["content"]["data"]["text/plain"] for m in output if m["msg_type"] == "execute_result"])

    def test_execute_input_and_count(self):
        self.flush_channels()
        msg_id = self.kc.execute("7")
        reply = self.kc.get_shell_msg(timeout=15)
        inputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=5)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_input":
                inputs.append(msg["content"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertEqual(len(inputs), 1)
        self.assertEqual(inputs[0]["execution_count"], reply["content"]["execution_count"])

    def test_kernel_info_details(self):
        self.flush_channels()
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=15)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["implementation"], "pathlens")
        self.assertEqual(reply["language_info"]["version"], "5.0.4")

    def test_is_complete_indent(self):
        self.flush_channels()
        self.kc.is_complete("if (true) {")
        reply = self.kc.get_shell_msg(timeout=15)["content"]
        self.assertEqual(reply["status"], "incomplete")
        self.assertIn("indent", reply)

    def test_update_display_data(self):
        self.flush_channels()
        code = (
            "const k = (globalThis as any)[Symbol.for('pathlens.kernel')];"
            "k.display({ 'text/plain': 'v1' }, { displayId: 'bar' });"
            "k.updateDisplay({ 'text/plain': 'v2' }, 'bar');"
        )
        reply, output = self.execute_helper(code)
        self.assertEqual(reply["content"]["status"], "ok")
        types = [m["msg_type"] for m in output]
        self.assertEqual(types, ["display_data", "update_display_data"])
        self.assertEqual(output[1]["content"]["transient"], {"display_id": "bar"})
        self.assertEqual(output[1]["content"]["data"], {"text/plain": "v2"})


if __name__ == "__main__":
    unittest.main()
