"""Round trip of a trivial cell through jupyter_client, gospeed vs ipykernel.

The frontend's view of kernel latency: both kernels started by Jupyter's own
client from their kernelspecs, the same cell executed repeatedly, the median
reported. Run from the repository root:

    go build -o /tmp/gospeed ./cmd/gospeed
    /tmp/gospeed install --prefix /tmp/gospeed-spec
    JUPYTER_PATH=/tmp/gospeed-spec/share/jupyter /usr/bin/python3 kernel/jupytertest/roundtrip.py

Exits 1 when gospeed is slower than ipykernel (python3-ipykernel), 0
otherwise; prints "ipykernel not installed" and exits 0 without it.
"""

import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel


def median_round_trip(kernel_name, code, rounds=200, warmup=20):
    km, kc = start_new_kernel(kernel_name=kernel_name)
    try:
        times = []
        for i in range(warmup + rounds):
            begin = time.perf_counter()
            msg_id = kc.execute(code)
            # Skip replies to earlier requests: start_new_kernel may leave a
            # kernel_info_reply from its readiness probes on the shell channel.
            reply = kc.get_shell_msg(timeout=10)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=10)
            assert reply["content"]["status"] == "ok", reply["content"]
            while True:  # the cell is done when its idle status arrives
                msg = kc.get_iopub_msg(timeout=10)
                if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                        and msg["content"]["execution_state"] == "idle"):
                    break
            if i >= warmup:
                times.append(time.perf_counter() - begin)
        return statistics.median(times)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    gospeed = median_round_trip("gospeed", "1")
    print(f"gospeed   median round trip: {gospeed * 1000:.3f} ms")
    try:
        import ipykernel  # noqa: F401
    except ImportError:
        print("ipykernel not installed: no comparison")
        return 0
    ipy = median_round_trip("python3", "1")
    print(f"ipykernel median round trip: {ipy * 1000:.3f} ms")
    print(f"ratio gospeed/ipykernel: {gospeed / ipy:.2f}")
    return 1 if gospeed > ipy else 0


if __name__ == "__main__":
    sys.exit(main())
