"""The article's CPU-bound job in CPython, for comparison with Go's lessons.

fib(N) computed TASKS times with a multiprocessing.Pool of PROCESSES
processes, as in "Speed Up Your Python Program With Concurrency":

    python3 cpu_job.py [N [TASKS [PROCESSES]]]     (default: 35 20 cpu_count)

It prints one line of JSON: {"n": N, "tasks": TASKS, "processes": P, "seconds": S},
where S is the wall-clock time of creating the pool and mapping the job,
as the article measures it.
"""

import json
import multiprocessing
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 2) + fib(n - 1)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 35
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    processes = int(sys.argv[3]) if len(sys.argv) > 3 else multiprocessing.cpu_count()
    start = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(fib, [n] * tasks)
    seconds = time.perf_counter() - start
    print(json.dumps({"n": n, "tasks": tasks, "processes": processes,
                      "seconds": seconds, "result": results[0]}))


if __name__ == "__main__":
    main()
