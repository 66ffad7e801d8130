"""(being written)"""


class ReductionMixin:
    __slots__ = ()
