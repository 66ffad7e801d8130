"""torch.Timer, tic/toc, torch.CmdLine (with YAML configs) and torch.progress."""
import io
import sys

import pytest
import yaml

import torchlike.progressbar as progress_mod
import torchlike.timer as timer_mod
from torchlike.cmdline import CmdLine, CmdLineError, Options
from torchlike.progressbar import format_duration, progress
from torchlike.timer import Timer, tic, toc


# -- Timer -----------------------------------------------------------------------------------
class FakeClock:
    """(real, user, sys) readings that the test advances by hand."""
    def __init__(self):
        self.real, self.user, self.sys = 100.0, 10.0, 1.0

    def __call__(self):
        return self.real, self.user, self.sys

    def advance(self, real, user=0.0, sys_=0.0):
        self.real += real
        self.user += user
        self.sys += sys_


@pytest.fixture
def clock(monkeypatch):
    c = FakeClock()
    monkeypatch.setattr(timer_mod, '_now', c)
    return c


def test_timer_runs_from_creation(clock):
    t = Timer()
    clock.advance(2.0, 1.5, 0.25)
    assert t.time() == {'real': 2.0, 'user': 1.5, 'sys': 0.25}
    assert t.isRunning()
    assert str(t) == 'torch.Timer [status: running]'


def test_timer_stop_freezes_and_resume_continues(clock):
    t = Timer()
    clock.advance(1.0, 1.0, 0.0)
    assert t.stop() is t
    assert str(t) == 'torch.Timer [status: stopped]'
    clock.advance(5.0, 5.0, 5.0)
    assert t.time() == {'real': 1.0, 'user': 1.0, 'sys': 0.0}
    t.stop()                                   # stopping twice changes nothing
    assert t.resume() is t
    clock.advance(0.5, 0.25, 0.125)
    assert t.time() == {'real': 1.5, 'user': 1.25, 'sys': 0.125}
    t.resume()                                 # resuming a running timer changes nothing
    assert t.time()['real'] == 1.5


def test_timer_reset(clock):
    t = Timer()
    clock.advance(3.0, 1.0, 1.0)
    assert t.reset() is t
    assert t.time() == {'real': 0.0, 'user': 0.0, 'sys': 0.0}
    clock.advance(1.0)
    assert t.time()['real'] == 1.0
    # a stopped timer stays stopped after reset, with zero totals (Torch7's Timer.c)
    t.stop()
    t.reset()
    clock.advance(4.0)
    assert t.time()['real'] == 0.0
    t.resume()
    clock.advance(2.0)
    assert t.time()['real'] == 2.0


def test_timer_with_real_clocks_is_monotonic():
    t = Timer()
    sum(i * i for i in range(20000))
    first = t.time()
    second = t.time()
    assert set(first) == {'real', 'user', 'sys'}
    assert all(first[k] >= 0 for k in first)
    assert second['real'] >= first['real'] and second['user'] >= first['user']


def test_tic_toc(monkeypatch):
    now = [50.0]
    monkeypatch.setattr(timer_mod.time, 'perf_counter', lambda: now[0])
    mark = tic()
    now[0] += 2.5
    assert toc(mark) == 2.5
    assert toc() == 2.5                       # since the latest tic()
    now[0] += 1.0
    assert toc(mark) == 3.5


def test_toc_before_any_tic(monkeypatch):
    monkeypatch.setattr(timer_mod, '_last_tic', None)
    with pytest.raises(RuntimeError, match='tic'):
        toc()


# -- CmdLine ---------------------------------------------------------------------------------
def make_cmd():
    cmd = CmdLine()
    cmd.text('Training a network')
    cmd.text()
    cmd.option('-lr', 0.1, 'learning rate')
    cmd.option('-epochs', 10, 'number of epochs')
    cmd.option('-cuda', False, 'use the GPU')
    cmd.option('-shuffle', True, 'shuffle the data')
    cmd.option('-name', 'exp', 'experiment name')
    cmd.argument('data', 'training data')
    return cmd


def test_defaults_and_types():
    opt = make_cmd().parse(['d.t7'])
    assert opt == {'lr': 0.1, 'epochs': 10, 'cuda': False, 'shuffle': True, 'name': 'exp',
                   'data': 'd.t7'}
    assert type(opt['epochs']) is int and type(opt['lr']) is float
    assert make_cmd().default() == {'lr': 0.1, 'epochs': 10, 'cuda': False, 'shuffle': True,
                                    'name': 'exp'}


def test_options_are_attributes_and_items():
    opt = make_cmd().parse(['-lr', '0.5', 'd.t7'])
    assert isinstance(opt, Options) and isinstance(opt, dict)
    assert opt.lr == opt['lr'] == 0.5
    opt.lr = 0.25
    assert opt['lr'] == 0.25
    opt['epochs'] = 3
    assert opt.epochs == 3
    with pytest.raises(AttributeError, match='nothere'):
        opt.nothere
    assert 'lr' in dir(opt)


def test_single_and_double_dashes_and_equals():
    cmd = make_cmd()
    opt = cmd.parse(['--lr', '0.01', '-epochs', '3', '--name=run1', 'd.t7'])
    assert (opt.lr, opt.epochs, opt.name) == (0.01, 3, 'run1')
    # options may come after the argument, and values may look like negative numbers
    opt = cmd.parse(['d.t7', '-lr', '-1e-3'])
    assert opt.lr == -0.001 and opt.data == 'd.t7'


def test_bool_options_flip_their_default_or_take_true_false():
    cmd = make_cmd()
    opt = cmd.parse(['-cuda', '-shuffle', 'd.t7'])
    assert opt.cuda is True and opt.shuffle is False          # Torch7: a flag flips the default
    opt = cmd.parse(['-cuda', 'false', '--shuffle', 'TRUE', 'd.t7'])
    assert opt.cuda is False and opt.shuffle is True
    opt = cmd.parse(['--cuda=true', 'd.t7'])
    assert opt.cuda is True
    with pytest.raises(CmdLineError, match=r"invalid value 'maybe' for option -cuda \(expected bool\)"):
        cmd.parse(['--cuda=maybe', 'd.t7'])


def test_float_option_accepts_integers_and_int_option_rejects_floats():
    cmd = make_cmd()
    assert cmd.parse(['-lr', '1', 'd']).lr == 1.0
    with pytest.raises(CmdLineError, match=r"invalid value '2.5' for option -epochs \(expected int\)"):
        cmd.parse(['-epochs', '2.5', 'd'])
    with pytest.raises(CmdLineError, match=r"invalid value 'fast' for option -lr \(expected float\)"):
        cmd.parse(['-lr', 'fast', 'd'])


def test_string_option_takes_the_next_token_verbatim():
    assert make_cmd().parse(['-name', '-odd-', 'd']).name == '-odd-'


def test_unknown_option_is_named_with_a_suggestion():
    with pytest.raises(CmdLineError, match=r'unknown option -lrate \(did you mean -lr\?\)'):
        make_cmd().parse(['-lrate', '1', 'd'])
    with pytest.raises(CmdLineError, match=r'unknown option --zzz$'):
        make_cmd().parse(['--zzz=1', 'd'])


def test_missing_and_extra_arguments():
    cmd = make_cmd()
    with pytest.raises(CmdLineError, match='missing argument <data>'):
        cmd.parse([])
    with pytest.raises(CmdLineError, match=r"unexpected argument 'extra' \(expected 1 argument: <data>\)"):
        cmd.parse(['d', 'extra'])
    with pytest.raises(CmdLineError, match=r'missing value for option -epochs \(expected int\)'):
        cmd.parse(['d', '-epochs'])


def test_typed_arguments_and_double_dash():
    cmd = CmdLine()
    cmd.argument('n', 'a count', int)
    cmd.argument('path', 'a file')
    opt = cmd.parse(['--', '-3', '-weird'])
    assert opt == {'n': -3, 'path': '-weird'}
    with pytest.raises(CmdLineError, match=r"invalid value 'x' for argument <n> \(expected int\)"):
        cmd.parse(['x', 'y'])


def test_declaration_errors():
    cmd = CmdLine()
    with pytest.raises(ValueError, match='no default'):
        cmd.option('-a', None)
    with pytest.raises(TypeError, match='wrong type'):
        cmd.option('-b', 'text', 'help', int)
    with pytest.raises(TypeError, match='unsupported type'):
        cmd.option('-c', [1, 2])
    cmd.option('-d', 1, 'help', float)                  # an int default for a float option
    assert cmd.default().d == 1.0 and type(cmd.default().d) is float
    cmd.option('-e', 1, 'help', 'number')                # Torch7's type name
    with pytest.raises(ValueError, match='declared twice'):
        cmd.option('-d', 2.0)
    assert list(cmd.options) == ['d', 'e']


def test_help_prints_usage_and_exits_zero(capsys, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['train.py'])
    cmd = make_cmd()
    for flag in ('-h', '--help', '-help'):
        with pytest.raises(SystemExit) as exc:
            cmd.parse(['-lr', '3', flag])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert out == ('Usage: train.py [options] <data>\n'
                       'Training a network\n'
                       '\n'
                       '  -lr      learning rate [0.1]\n'
                       '  -epochs  number of epochs [10]\n'
                       '  -cuda    use the GPU [false]\n'
                       '  -shuffle shuffle the data [true]\n'
                       '  -name    experiment name [exp]\n'
                       '  <data>   training data\n'
                       '  -config  YAML file of option values\n')


def test_string_builds_torch7_experiment_names():
    cmd = make_cmd()
    opt = cmd.parse(['-lr', '0.01', '-cuda', '-epochs', '10', 'mnist'])
    assert cmd.string('results', opt, {}) == 'results,data=mnist,cuda=t,lr=0.01'
    assert cmd.string('results', opt, {'data': True}) == 'results,cuda=t,lr=0.01'
    assert cmd.string('r', opt, ['data', 'cuda']) == 'r,lr=0.01'
    # {name: False} forces an option in even at its default value
    assert cmd.string('r', opt, {'data': True, 'epochs': False}) == 'r,cuda=t,epochs=10,lr=0.01'
    assert cmd.string('r', cmd.parse(['x']), {'data': True}) == 'r'
    opt = cmd.parse(['-lr', '1', '-shuffle', 'x'])
    assert cmd.string('', opt, {'data': True}) == ',lr=1,shuffle=f'     # Lua number format


def test_string_separators_and_unknown_keys():
    cmd = CmdLine('/', ':')
    cmd.option('-a', 1)
    cmd.option('-b', 2.5)
    with pytest.warns(UserWarning, match='zzz'):
        name = cmd.string('p', {'a': 3, 'b': 1e-05, 'zzz': 1})
    assert name == 'p/a:3/b:1e-05'


# -- YAML configuration ----------------------------------------------------------------------
def test_yaml_config_sets_defaults_and_command_line_wins(tmp_path):
    cfg = tmp_path / 'cfg.yaml'
    cfg.write_text('lr: 1e-3\nepochs: 5\ncuda: true\nname: from_yaml\n')
    cmd = make_cmd()
    opt = cmd.parse(['-config', str(cfg), '-epochs', '7', 'd'])
    assert opt == {'lr': 0.001, 'epochs': 7, 'cuda': True, 'shuffle': True, 'name': 'from_yaml',
                   'data': 'd'}
    assert 'config' not in opt
    opt = cmd.parse(['d', '--config=' + str(cfg)])
    assert opt.epochs == 5
    # the keyword form takes a path or a mapping; -config on the command line applies after it
    assert cmd.parse(['d'], config=str(cfg)).name == 'from_yaml'
    assert cmd.parse(['d'], config={'epochs': 2, 'lr': 3}).lr == 3.0
    other = tmp_path / 'other.yaml'
    other.write_text('epochs: 9\n')
    assert cmd.parse(['-config', str(other), 'd'], config={'epochs': 2, 'lr': 3}) == \
        dict(opt, epochs=9, lr=3.0, cuda=False, name='exp')


def test_yaml_config_can_give_arguments(tmp_path):
    cfg = tmp_path / 'c.yaml'
    cfg.write_text('data: train.t7\n')
    cmd = make_cmd()
    assert cmd.parse(['-config', str(cfg)]).data == 'train.t7'
    assert cmd.parse(['-config', str(cfg), 'other.t7']).data == 'other.t7'


def test_yaml_config_errors(tmp_path):
    cmd = make_cmd()
    bad = tmp_path / 'bad.yaml'
    bad.write_text('lr: 0.1\nlearning_rate: 3\nmomentum: 0.9\n')
    with pytest.raises(CmdLineError, match=r'unknown keys learning_rate, momentum in config file'):
        cmd.parse(['-config', str(bad), 'd'])
    bad.write_text('epochs: 2.5\n')
    with pytest.raises(CmdLineError,
                       match=r"invalid value 2.5 for option -epochs in config file .*bad.yaml \(expected int\)"):
        cmd.parse(['-config', str(bad), 'd'])
    bad.write_text('- 1\n- 2\n')
    with pytest.raises(CmdLineError, match='must be a mapping'):
        cmd.parse(['-config', str(bad), 'd'])
    bad.write_text('lr: [unclosed\n')
    with pytest.raises(CmdLineError, match='not valid YAML'):
        cmd.parse(['-config', str(bad), 'd'])
    with pytest.raises(CmdLineError, match='cannot read config file'):
        cmd.parse(['-config', str(tmp_path / 'missing.yaml'), 'd'])
    with pytest.raises(CmdLineError, match='missing value for option -config'):
        cmd.parse(['d', '-config'])
    with pytest.raises(CmdLineError, match=r"invalid value True for option -lr in config"):
        cmd.parse(['d'], config={'lr': True})


def test_user_option_named_config_takes_precedence():
    cmd = CmdLine()
    cmd.option('-config', 'default.cfg', 'my own config')
    assert cmd.parse(['-config', 'x.cfg']).config == 'x.cfg'
    assert '-config  YAML' not in cmd.usage()


def test_save_writes_yaml_that_parse_reads_back(tmp_path):
    cmd = make_cmd()
    opt = cmd.parse(['-lr', '0.003', '-cuda', '-name', 'run 7', 'mnist'])
    path = cmd.save(str(tmp_path / 'sub' / 'opts.yaml'), opt)
    with open(path) as f:
        assert yaml.safe_load(f) == dict(opt)
    assert cmd.parse(['-config', path]) == opt


# -- log -------------------------------------------------------------------------------------
def test_log_tees_stdout_and_writes_yaml(tmp_path, capsys):
    cmd = make_cmd()
    opt = cmd.parse(['-epochs', '3', 'mnist'])
    logfile = tmp_path / 'run' / 'log.txt'
    try:
        cmd.log(str(logfile), opt)
        print('epoch 1 loss 0.5')
        sys.stdout.write('partial ')
        print('line')
    finally:
        cmd.closeLog()
    print('after close')
    out = capsys.readouterr().out
    text = logfile.read_text()
    lines = text.split('\n')
    assert lines[0].startswith('[program started on ')
    assert lines[1:9] == ['[command line arguments]', 'lr 0.1', 'epochs 3', 'cuda false',
                          'shuffle true', 'name exp', 'data mnist', '[----------------------]']
    assert lines[9:] == ['epoch 1 loss 0.5', 'partial line', '']
    assert 'epoch 1 loss 0.5\n' in out and 'after close' in out   # also on the screen
    assert 'after close' not in text
    with open(tmp_path / 'run' / 'log.yaml') as f:
        assert yaml.safe_load(f) == dict(opt)


def test_log_silent_add_time_and_redrawn_lines(tmp_path, capsys):
    cmd = CmdLine()
    cmd.silent()
    cmd.addTime('exp', '%Y')
    logfile = tmp_path / 'log.txt'
    try:
        cmd.log(str(logfile))
        sys.stdout.write('\r step 1\r step 2\r done\n')
        sys.stdout.write('unfinished')
    finally:
        cmd.closeLog()
    assert capsys.readouterr().out == ''                         # silent: nothing on screen
    lines = logfile.read_text().split('\n')
    year = lines[0][:4]
    assert year.isdigit() and lines[0].startswith(year + '[exp]: [program started on ')
    assert lines[-3:] == [year + '[exp]:  done', year + '[exp]: unfinished', '']
    assert not (tmp_path / 'log.yaml').exists()                  # no params, no YAML
    with pytest.raises(TypeError):
        cmd.addTime('x', 5)


def test_log_to_an_open_file(tmp_path):
    cmd = CmdLine()
    buf = io.StringIO()
    try:
        cmd.log(buf, {'a': 1})
        print('hello')
    finally:
        cmd.closeLog()
    assert buf.getvalue().split('\n')[1:] == ['[command line arguments]', 'a 1',
                                              '[----------------------]', 'hello', '']
    assert not buf.closed                                         # the caller's file stays open


# -- progress --------------------------------------------------------------------------------
class TTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def fake_time(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress_mod, '_clock', lambda: now[0])
    monkeypatch.setattr(progress_mod, '_run', None)
    return now


def test_format_duration():
    assert format_duration(4.24) == '4.2s'
    assert format_duration(185) == '3m05s'
    assert format_duration(7629) == '2h07m09s'
    assert format_duration(float('nan')) == '?'


def test_progress_on_a_terminal_redraws_one_line(fake_time):
    out = TTY()
    for i in range(0, 5):
        fake_time[0] = 2.0 * i
        progress(i, 4, 'loss 0.5', stream=out)
    text = out.getvalue()
    assert text.count('\n') == 1 and text.endswith('\n')
    frames = text[:-1].split('\r')[1:]
    bar = lambda fill: '=' * fill + ('>' if fill < 30 else '') + '.' * (29 - fill)
    assert frames[0] == ' [%s] 0/4 | 0.0s | ETA ? | loss 0.5' % bar(0)
    assert frames[1] == ' [%s] 1/4 | 2.0s | ETA 6.0s | loss 0.5' % bar(7)
    assert frames[3] == ' [%s] 3/4 | 6.0s | ETA 2.0s | loss 0.5' % bar(22)
    assert frames[4].rstrip() == ' [%s] 4/4 | total 8.0s | loss 0.5' % bar(30)
    assert len(frames[4]) == len(frames[3])        # padded to wipe the longer ETA frame


def test_progress_terminal_wipes_a_longer_previous_line(fake_time):
    out = TTY()
    progress(0, 100, 'a long extra text', stream=out)
    fake_time[0] = 1.0
    progress(1, 100, stream=out)
    first, second = out.getvalue().split('\r')[1:]
    assert len(second) == len(first) and 'extra' not in second and second.endswith('   ')


def test_progress_terminal_skips_redraws_in_tight_loops(fake_time):
    out = TTY()
    for i in range(1001):
        progress(i, 1000, stream=out)                 # the clock never moves
    # redrawn only when the 30-character bar moves, plus the first and final frames
    assert out.getvalue().count('\r') == 31


def test_progress_plain_output_is_sparse(fake_time):
    out = io.StringIO()
    for i in range(1, 1001):
        fake_time[0] = 0.001 * i
        progress(i, 1000, 1.234567, stream=out)
    lines = out.getvalue().split('\n')
    assert lines[-1] == '' and len(lines) == 11
    assert '\r' not in out.getvalue()
    assert lines[0] == ' 100/1000 [ 10%] | elapsed 0.1s | ETA 0.9s | 1.235'
    assert lines[9] == '1000/1000 [100%] | total 1.0s | 1.235'


def test_progress_plain_output_every_few_seconds_when_slow(fake_time):
    out = io.StringIO()
    for i in range(0, 6):
        fake_time[0] = 7.0 * i                    # 7 s per step, each step is 1/1000
        progress(i, 1000, stream=out)
    lines = out.getvalue().splitlines()
    # lines at t=14 and t=28 (PLAIN_EVERY_SECONDS = 10 since the previous line)
    assert [line.split(' |')[0] for line in lines] == ['   2/1000 [  0%]', '   4/1000 [  0%]']


def test_progress_resets_when_a_new_run_starts(fake_time):
    out = io.StringIO()
    for i in range(1, 11):
        fake_time[0] = float(i)
        progress(i, 10, stream=out)
    first = out.getvalue()
    assert first.count('\n') == 10 and first.endswith('10/10 [100%] | total 9.0s\n')
    progress(10, 10, stream=out)                  # repeating the final call prints nothing
    assert out.getvalue() == first
    # a new epoch: the timer restarts from its first call
    for i in range(1, 11):
        fake_time[0] = 100.0 + 2 * i
        progress(i, 10, stream=out)
    assert out.getvalue()[len(first):].endswith('10/10 [100%] | total 18.0s\n')
    # i going backwards mid-run also restarts
    out2 = io.StringIO()
    fake_time[0] = 0.0
    progress(5, 10, stream=out2)
    fake_time[0] = 50.0
    progress(1, 10, stream=out2)
    fake_time[0] = 51.0
    progress(10, 10, stream=out2)
    assert out2.getvalue().splitlines()[-1] == '10/10 [100%] | total 1.0s'


def test_progress_abandoned_terminal_bar_gets_its_own_line(fake_time):
    out = TTY()
    progress(1, 4, stream=out)
    progress(1, 7, stream=out)                    # another n: a new bar on a new line
    assert out.getvalue().count('\n') == 1
    assert out.getvalue().split('\n')[1].startswith('\r [')


def test_progress_defaults_to_sys_stdout(fake_time, capsys):
    progress(3, 3)
    assert capsys.readouterr().out == '3/3 [100%] | total 0.0s\n'


def test_progress_bad_input(fake_time):
    out = io.StringIO()
    with pytest.raises(ValueError, match=r'i must be in 0..n, got i=5, n=4'):
        progress(5, 4, stream=out)
    with pytest.raises(ValueError, match='n must be positive'):
        progress(0, 0, stream=out)
    with pytest.raises(TypeError, match='integers'):
        progress(1.5, 4, stream=out)
    assert out.getvalue() == ''
