"""(being written)"""


class RandomMixin:
    __slots__ = ()
