"""Python's peer of queue_spindle.lua: N small items (the integers 1..N) through one queue.Queue(1024) from a
producer to a consumer, two threading.Threads. The rate is N over the time from starting the threads to both
having ended (time.perf_counter); the consumer checks the sum of what it got. Prints "@result queue_per_s X".

usage: python3 queue_threads.py [N]
"""
import queue
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000


def produce(q, n):
    for i in range(1, n + 1):
        q.put(i)


def consume(q, n, out):
    total = 0
    for _ in range(n):
        total += q.get()
    out.append(total)


def run(n):
    q = queue.Queue(1024)
    out = []
    threads = [threading.Thread(target=produce, args=(q, n)), threading.Thread(target=consume, args=(q, n, out))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t1 = time.perf_counter()
    if out != [n * (n + 1) // 2]:
        raise SystemExit("consumer got the wrong sum %r for %d items" % (out, n))
    return n / (t1 - t0)


run(5000)  # warm-up
print("@result queue_per_s %.1f" % run(N))
