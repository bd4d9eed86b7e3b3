"""Chapter 06 checks: the reference passes, and the catalogue of wrong answers is rejected."""


from utils import checks


def stub(*_):
    raise NotImplementedError()


def test_conv_checks(capsys):
    from utils.conv import conv1d, conv1d_output_length, conv1d_params

    assert checks.check_output_length(conv1d_output_length)
    assert not checks.check_output_length(lambda n, k, s, p: (n - k) // s + 1)  # ignores "same"
    assert "ceil" in capsys.readouterr().out
    assert checks.check_conv1d(lambda x, k, b: conv1d(x, k, b))
    assert not checks.check_conv1d(lambda x, k, b: conv1d(x, k[::-1], b))  # a true convolution flips the kernel
    assert not checks.check_conv1d(stub)

    def right(channels, layers):
        out = []
        for size, filters in layers:
            out.append(conv1d_params(size, channels, filters))
            channels = filters
        return out

    assert checks.check_conv_stack_params(right)
    assert not checks.check_conv_stack_params(lambda c, layers: [conv1d_params(k, c, f) for k, f in layers])
    assert "previous layer" in capsys.readouterr().out
