"""Execution of many model evaluations: a thread pool over blocks, a dask.distributed client, and a
progress bar on stderr. Shared by sweeps and sensitivity analysis."""

from __future__ import annotations

import sys
import time

from lca.errors import InputError

#: glibc malloc settings for block-by-block work in a command's process (:func:`keep_block_memory`):
#: arrays up to this size come from the heap rather than fresh mappings, and freed memory up to
#: the trim threshold is kept for the next block (bytes)
MALLOC_MMAP_THRESHOLD = 2**29
MALLOC_TRIM_THRESHOLD = 2**30


def keep_block_memory() -> bool:
    """Tune glibc's malloc for block-by-block work in this process; True if it was applied.

    The blocks of a streamed Monte Carlo run and the chunks of a sensitivity design hold arrays
    of tens of megabytes: glibc maps each of them afresh (above its mmap threshold, or from a
    worker thread's own arena, whose heaps stop at 64 MiB) and unmaps it when freed, so every
    block page-faults its memory in again (about 1.3 s of system time for 1e6 Monte Carlo
    samples). One arena, a 512 MiB mmap threshold and a 1 GiB trim threshold let every block
    reuse the previous block's memory (system time 0.2 s; peak memory unchanged, as the blocks in
    flight are bounded). The settings are process-wide and cannot be undone, so the command line
    applies them (``lca run --samples`` when it streams, ``lca sensitivity``: processes that end
    with the command); a script doing only such work may call this first. Elsewhere than glibc
    (macOS, musl) it does nothing."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8   # <malloc.h>
    return all(mallopt(opt, val) == 1 for opt, val in ((m_arena_max, 1), (m_mmap_threshold, MALLOC_MMAP_THRESHOLD),
                                                       (m_trim_threshold, MALLOC_TRIM_THRESHOLD)))


def run_blocks(fn, items, prog=None):
    """Call ``fn(item)`` for every item on a pool of threads (one per CPU; numpy releases the GIL),
    or inline for a single item. ``fn`` writes its own output, so the order does not matter and
    the result is the same as a serial loop."""
    import os
    from concurrent.futures import ThreadPoolExecutor, as_completed

    workers = min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        for it in items:
            fn(it)
            if prog:
                prog.step()
    else:
        pool = ThreadPoolExecutor(workers)
        futs = [pool.submit(fn, it) for it in items]
        try:
            for f in as_completed(futs):
                f.result()
                if prog:
                    prog.step()
        except BaseException:
            # an error or an interrupt (SIGINT/SIGTERM): drop the queued blocks and do not wait for
            # the running ones here (each is short; the interpreter joins them at exit)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    if prog:
        prog.done()


class dask_client:  # noqa: N801  (used as a context manager, like a function)
    """``with dask_client("local" | ADDRESS) as client:`` -- a LocalCluster (threads, one worker
    per machine, so no data is copied between processes; ``processes=True`` for process workers)
    or a connection to a running scheduler. Clusters and clients it creates are closed on exit.

    Workers of a scheduler started elsewhere (``dask worker``) get distributed's default
    ``MALLOC_TRIM_THRESHOLD_=65536``, which makes sweep chunks 2-3x slower; start them with
    ``MALLOC_TRIM_THRESHOLD_`` unset in the config (``distributed.nanny.pre-spawn-environ``)."""

    def __init__(self, spec: str = "local", n_workers: int | None = None, threads_per_worker: int | None = None,
                 processes: bool = False):
        self.spec, self.kw = spec, dict(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes)
        self.cluster = self.client = None

    def __enter__(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover
            raise InputError("dask needs dask.distributed: pip install 'lca[dask]'") from None
        import os

        if self.spec in (None, "", "local"):
            ncpu = os.cpu_count() or 1
            nw = self.kw["n_workers"] or 1
            tpw = self.kw["threads_per_worker"] or max(1, ncpu // nw)
            import dask

            # process workers: leave glibc's dynamic mmap threshold on. distributed sets
            # MALLOC_TRIM_THRESHOLD_ in its worker processes, which pins the threshold at 128 KiB:
            # every temporary array of a chunk is then a fresh mmap, and a sweep chunk computes
            # 2-3x slower there than on a thread (measured, docs/performance.md)
            with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                self.cluster = LocalCluster(n_workers=nw, threads_per_worker=tpw, processes=self.kw["processes"],
                                            dashboard_address=":0")
            self.client = Client(self.cluster)
            if self.kw["processes"]:
                # import the model code in every worker process now, with the cluster, rather than
                # in the first sweep's tasks (about 1 s per fresh process: pint, xarray, lca)
                self.client.run(_preload)
        else:
            try:
                self.client = Client(self.spec, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"dask {self.spec}: cannot connect to a dask scheduler there ({exc.__class__.__name__}: "
                                 f"{exc}); start one with `dask scheduler` or use --dask local") from None
        return self.client

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None or issubclass(exc_type, Exception):
            self._close()
            return False
        # interrupted (KeyboardInterrupt, SIGTERM): shut down quietly -- distributed otherwise logs
        # pages of warnings about the tasks and connections it is cancelling
        import logging

        loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
        levels = [lg.level for lg in loggers]
        for lg in loggers:
            lg.setLevel(logging.CRITICAL + 1)
        try:
            self._close(timeout=2)
        except Exception:  # noqa: S110  (best effort: the interrupt is what gets reported)
            pass
        finally:
            for lg, lv in zip(loggers, levels):
                lg.setLevel(lv)
        return False

    def _close(self, timeout=None):
        if self.client is not None:
            for key in [k for k in _SCATTERED if k[0] == id(self.client)]:
                _SCATTERED.pop(key, None)
            self.client.close(timeout=timeout) if timeout else self.client.close()
        if self.cluster is not None:
            self.cluster.close(timeout=timeout) if timeout else self.cluster.close()


def _preload():
    """The costly imports of a sweep task (numpy, pint and its registry, xarray, the model)."""
    import xarray  # noqa: F401

    import lca.model.kernel  # noqa: F401


def compute_distributed(make, spec, client, progress, scatter=None):
    """Compute ``make(ref)`` (a dask collection) on ``client``, or on a client of ``spec``
    ("local" or a scheduler address) made for the purpose, and return the result in memory.

    ``scatter`` (e.g. the prepared model) is sent to every worker once (:func:`scattered`) and
    ``ref`` is its future, for ``make`` to put in the graph instead of the object itself; ``ref``
    is None without ``scatter``."""
    if client is not None:
        return _compute_with(client, make, progress, scatter)
    with dask_client(spec or "local") as cl:
        return _compute_with(cl, make, progress, scatter)


def _compute_with(client, make, progress, scatter):
    ref = scattered(client, scatter) if scatter is not None else None
    return gather(client, make(ref), progress)


_SCATTERED: dict = {}   # (id(client), id(obj)) -> (weak reference to obj, future on every worker)


def scattered(client, obj):
    """A future of ``obj`` on every worker of ``client``: scattered once (broadcast) and reused
    by later sweeps of the same object on the same client, until the object is garbage collected
    (then the future is dropped and the workers free their copies). A performance cache only:
    the value is the object itself, so results do not depend on it."""
    import weakref

    key = (id(client), id(obj))
    hit = _SCATTERED.get(key)
    if hit is not None:
        ref, fut = hit
        if ref() is obj and fut.client is client and fut.status == "finished" and client.status == "running":
            return fut
    fut = client.scatter(obj, broadcast=True, hash=False)
    _SCATTERED[key] = (weakref.ref(obj, lambda _r, k=key: _SCATTERED.pop(k, None)), fut)
    return fut


def gather(client, data, progress):
    """Compute a dask array on ``client`` and assemble it in this process: each block travels
    once from its worker into the preallocated result and is released on the cluster as soon as
    it has arrived (no concatenation on a worker, no second copy)."""
    import numpy as np
    from distributed import as_completed, futures_of

    x = client.persist(data)
    futs = futures_of(x)
    starts = [np.cumsum((0,) + tuple(c)) for c in x.chunks]
    out = np.empty(x.shape, dtype=x.dtype)
    del x
    prog = Progress(len(futs), "sweep (dask)") if progress else None
    try:
        for fut, block in as_completed(futs, with_results=True):
            idx = fut.key[1:]
            out[tuple(slice(int(st[i]), int(st[i + 1])) for st, i in zip(starts, idx))] = block
            fut.release()
            del block
            if prog:
                prog.step()
    finally:
        for f in futs:
            f.release()
    if prog:
        prog.done()
    return out


class Progress:
    """A plain stderr counter: silent for short work (< 1 s), then an update every ~2 s
    (rewritten in place on a terminal)."""

    def __init__(self, total, label, unit="chunks"):
        self.total, self.label, self.unit, self.k = total, label, unit, 0
        self.t0 = self.last = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.shown = False

    def step(self, k=1):
        self.k += k
        now = time.perf_counter()
        if now - self.t0 > 1.0 and (now - self.last > (0.2 if self.tty else 2.0)):
            self.last, self.shown = now, True
            self._print(f"{self.label}: {self.k}/{self.total} {self.unit} ({100 * self.k / self.total:.0f}%), "
                        f"{now - self.t0:.1f} s", final=False)

    def done(self):
        if self.shown:
            self._print(f"{self.label}: {self.total}/{self.total} {self.unit}, {time.perf_counter() - self.t0:.1f} s",
                        final=True)

    def _print(self, msg, final):
        if self.tty:
            print("\r" + msg, end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
