"""Charts of a report drawn in a forked child process (lca.outputs.report._draw_all): the same
bytes as drawn in one process, a failed child falls back to drawing here, and an interruption
leaves no child process behind."""

import os

import pytest
from matplotlib.figure import Figure

from lca.outputs import report


def _tiny(label):
    def build():
        fig = Figure(figsize=(2, 2))
        fig.add_subplot().set_title(label)
        return fig

    return build


def _jobs():
    return [(_tiny(f"chart {i}"), f"caption {i}", f"c{i}") for i in range(3)]


needs_fork = pytest.mark.skipif(not report._can_fork(), reason="no fork here (not Linux, one core or other threads)")


def _no_children():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_forked_charts_equal_serial_ones(monkeypatch):
    forked = report._draw_all(_jobs(), offload=1)
    monkeypatch.setattr(report, "PARALLEL_CHARTS", False)
    assert not report._can_fork()
    serial = report._draw_all(_jobs(), offload=1)
    assert forked == serial and [x[:21] for x in forked] == ['<figure id="fig-c0"><', '<figure id="fig-c1"><',
                                                             '<figure id="fig-c2"><']
    _no_children()


@needs_fork
def test_a_failing_child_is_replaced_by_drawing_here():
    parent = os.getpid()
    calls = []

    def only_here():
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        calls.append("here")
        return _tiny("drawn here")()

    jobs = _jobs()
    jobs[0] = (only_here, "caption 0", "c0")
    out = report._draw_all(jobs, offload=0)
    assert calls == ["here"] and out[0] == report._draw((_tiny("drawn here"), "caption 0", "c0"))
    _no_children()


@needs_fork
def test_interrupt_while_drawing_stops_the_child():
    def slow_child():
        import time

        time.sleep(30)  # killed long before
        return _tiny("never")()

    def interrupted():
        raise KeyboardInterrupt

    jobs = [(slow_child, "a", "a"), (interrupted, "b", "b")]
    with pytest.raises(KeyboardInterrupt):
        report._draw_all(jobs, offload=0)
    _no_children()


@needs_fork
def test_full_report_same_with_and_without_fork(monkeypatch):
    from lca.api import report_html

    forked = report_html("gpt4-a100")
    monkeypatch.setattr(report, "PARALLEL_CHARTS", False)
    assert report_html("gpt4-a100") == forked


@needs_fork
def test_a_hanging_child_is_given_up(monkeypatch):
    monkeypatch.setattr(report, "CHILD_GRACE_S", 0.5)
    parent = os.getpid()

    def hangs_in_the_child():
        if os.getpid() != parent:
            import time

            time.sleep(60)
        return _tiny("drawn here")()

    jobs = _jobs()
    jobs[2] = (hangs_in_the_child, "caption 2", "c2")
    import time

    start = time.monotonic()
    out = report._draw_all(jobs, offload=2)
    assert time.monotonic() - start < 30  # not the child's 60 s
    assert out[2] == report._draw((_tiny("drawn here"), "caption 2", "c2"))
    _no_children()
