"""Mutex, Condition, Queue and safe: Torch7's low-level synchronisation between threads."""
import pickle
import threading
import time

import pytest

import threads


def _run_threads(n, target, *args):
    ts = [threading.Thread(target=target, args=args) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(20)
    assert not any(t.is_alive() for t in ts)


def test_mutex_protects_a_read_modify_write():
    m = threads.Mutex()
    box = [0]

    def work():
        for _ in range(2000):
            m.lock()
            v = box[0]
            time.sleep(0) if v % 500 == 0 else None    # invite a switch inside the section
            box[0] = v + 1
            m.unlock()
    _run_threads(4, work)
    assert box[0] == 8000


def test_mutex_id_gives_a_handle_on_the_same_lock():
    m = threads.Mutex()
    other = threads.Mutex(m.id())
    assert other.id() == m.id()
    with m:
        assert other.trylock() is False
    assert other.trylock() is True
    other.unlock()
    with pytest.raises(ValueError, match='no live mutex'):
        threads.Mutex(10 ** 9)
    with pytest.raises(RuntimeError, match='not locked'):
        m.unlock()
    assert 'unlocked' in repr(m)


def test_condition_wait_and_signal():
    m, c = threads.Mutex(), threads.Condition()
    state = {'ready': False, 'seen': None}

    def consumer():
        m.lock()
        while not state['ready']:
            c.wait(m)
        state['seen'] = 'go'
        m.unlock()
    t = threading.Thread(target=consumer)
    t.start()
    time.sleep(0.02)
    with m:
        state['ready'] = True
        c.signal()
    t.join(10)
    assert state['seen'] == 'go'


def test_condition_broadcast_wakes_everyone_and_timeout_returns_false():
    m, c = threads.Mutex(), threads.Condition()
    woke = []
    flag = [False]

    def waiter():
        with m:
            while not flag[0]:
                c.wait(m)
            woke.append(1)
    ts = [threading.Thread(target=waiter) for _ in range(3)]
    for t in ts:
        t.start()
    time.sleep(0.05)
    with m:
        flag[0] = True
        c.broadcast()
    for t in ts:
        t.join(10)
    assert len(woke) == 3
    with m:
        assert c.wait(m, timeout=0.01) is False
    assert threads.Condition(c.id()).id() == c.id()
    with pytest.raises(TypeError, match='Mutex'):
        c.wait(threading.Lock())


def test_mutex_and_condition_refuse_pickling():
    with pytest.raises(TypeError, match='process worker'):
        pickle.dumps(threads.Mutex())
    with pytest.raises(TypeError, match='process worker'):
        pickle.dumps(threads.Condition())


def test_queue_is_bounded_and_runs_jobs_in_the_caller():
    q = threads.Queue(2)
    assert q.isempty and not q.isfull
    q.addjob(lambda a, b: a + b, 1, 2)
    q.addjob(lambda: threading.current_thread().name)
    assert q.isfull and len(q) == 2
    done = []

    def producer():              # blocks until a consumer frees a slot
        q.addjob(lambda: 'third')
        done.append(True)
    t = threading.Thread(target=producer)
    t.start()
    time.sleep(0.05)
    assert not done
    assert q.dojob() == 3
    t.join(10)
    assert done
    assert q.dojob() == threading.current_thread().name
    assert q.dojob() == 'third'
    with pytest.raises(TimeoutError):
        q.dojob(timeout=0.01)
    with pytest.raises(ValueError, match='positive'):
        threads.Queue(0)
    with pytest.raises(TypeError, match='function'):
        q.addjob(3)


def test_queue_between_many_producers_and_consumers():
    q = threads.Queue(4)
    out = []
    lock = threading.Lock()

    def produce(k):
        for i in range(200):
            q.addjob(lambda v: v, k * 1000 + i)

    def consume():
        for _ in range(200):
            v = q.dojob()
            with lock:
                out.append(v)
    ps = [threading.Thread(target=produce, args=(k,)) for k in range(3)]
    cs = [threading.Thread(target=consume) for _ in range(3)]
    for t in ps + cs:
        t.start()
    for t in ps + cs:
        t.join(20)
    assert sorted(out) == sorted(k * 1000 + i for k in range(3) for i in range(200))


def test_safe_serialises_calls():
    inside = [0]
    peak = [0]

    def work():
        inside[0] += 1
        peak[0] = max(peak[0], inside[0])
        time.sleep(0.001)
        inside[0] -= 1
        return 'ok'
    guarded = threads.safe(work)
    assert guarded.__name__ == 'work'

    def many():
        for _ in range(20):
            assert guarded() == 'ok'
    _run_threads(4, many)
    assert peak[0] == 1
    m = threads.Mutex()
    assert threads.safe(work, m).mutex is m
    with pytest.raises(TypeError, match='Mutex'):
        threads.safe(work, threading.Lock())
    with pytest.raises(TypeError, match='function'):
        threads.safe(3)


def test_sync_objects_work_inside_pool_workers():
    counter = [0]
    m = threads.Mutex()
    bump = threads.safe(lambda: counter.__setitem__(0, counter[0] + 1), m)

    def job():
        for _ in range(500):
            bump()
    with threads.Threads(4) as pool:
        for _ in range(8):
            pool.addjob(job)
    assert counter[0] == 4000
