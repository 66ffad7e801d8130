"""(being written)"""


def format_tensor(t):
    return f"{t._arr()!r}\n[{t._typename} of size {'x'.join(map(str, t.size()))}]"


def format_storage(s):
    return f"{s._data!r}\n[{s._typename} of size {len(s._data)}]"
