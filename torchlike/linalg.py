"""(being written)"""


class LinalgMixin:
    __slots__ = ()
