"""The README's Python examples are true: each ```python block with a
``>>>`` prompt is run as a doctest, in order, sharing one namespace."""

import doctest
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def test_readme_examples():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S)
              if ">>>" in b]
    assert len(blocks) >= 5
    # one doctest of all blocks, so that later blocks see earlier names
    test = doctest.DocTestParser().get_doctest(
        "\n".join(blocks), {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, result
    assert result.attempted >= 20
