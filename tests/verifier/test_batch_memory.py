"""Issue 10, finding 5: one unauthenticated 32 MiB batch of `{}` items no longer costs the verifier
a gigabyte. A real verifier process (`python -m verifier`); its peak resident set (VmHWM) is
compared with its resident set before the request. The bound is generous (memory, not time):
on main the growth was about 1,000 MiB; now it is about the body's size."""

from __future__ import annotations

from bench.batch_memory import batch_memory

GROWTH_BOUND_MIB = 300


def test_a_32_mib_batch_of_empty_items_is_refused_with_bounded_memory():
    figures = batch_memory(mib=32, concurrent=1)
    assert figures["statuses"] == [400] and figures["codes"] == ["batch_too_large"]
    assert figures["growth_mib"] < GROWTH_BOUND_MIB, figures
