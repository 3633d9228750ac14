"""Jupyter's own kernel test suite (jupyter_kernel_test) against gospeed.

Run it with Debian's Python and packages (python3-jupyter-kernel-test,
python3-jupyter-client), against a kernelspec installed under a prefix:

    go build -o /tmp/gospeed ./cmd/gospeed
    /tmp/gospeed install --prefix /tmp/gospeed-spec
    JUPYTER_PATH=/tmp/gospeed-spec/share/jupyter \
        /usr/bin/python3 -m unittest -v kernel/jupytertest/test_gospeed_kernel.py

(From the repository root. Use /usr/bin/python3: another python3 on PATH may
lack Debian's packages.)
"""

import unittest

import jupyter_kernel_test


class GospeedKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gospeed"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'import "fmt"\nfmt.Println("hello, world")'
    code_stderr = 'import ("fmt"; "os")\nfmt.Fprintln(os.Stderr, "oops")'

    # A builtin: its only match is the same in every completion convention.
    completion_samples = [{"text": "appe", "matches": {"append"}}]
    complete_code_samples = ["x := 1", 'import "fmt"\nfmt.Println(1)', "func f() int { return 1 }"]
    incomplete_code_samples = ["func f() {", "for i := 0; i < 3; i++ {", "x := []int{1,"]
    invalid_code_samples = ["x := )", "func f() }"]

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"go" + "pher"', "result": '"gopher"'},
    ]
    code_display_data = [
        {"code": 'Display(display.HTML("<b>bold</b>"))', "mime": "text/html"},
        {"code": 'Display(display.Markdown("*hi*"))', "mime": "text/markdown"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 ?*"

    code_inspect_sample = "strings.ToUpper"

    code_clear_output = "display.Clear(false)"


if __name__ == "__main__":
    unittest.main()
